"""The markers a paper names, read with the marker synonym table the index uses."""

from __future__ import annotations

from functools import lru_cache

from curation.suggest.evidence import Suggestion, quote
from search.markers import MarkerDictionary, find_mentions


@lru_cache(maxsize=1)
def _markers() -> MarkerDictionary:
    return MarkerDictionary.from_table()


def suggest_markers(texts: list[str]) -> Suggestion | None:
    """Return the synonym table's markers named in the texts, canonical names, in order."""
    markers = _markers()
    names: dict[str, None] = {}
    evidence: dict[str, None] = {}
    for sentence in texts:
        for mention in find_mentions(sentence, markers):
            name = markers.display.get(mention.key)
            if name is None:  # looks like a marker id but the table does not know it
                continue
            names.setdefault(name, None)
            evidence.setdefault(quote(sentence), None)
    if not names:
        return None
    return Suggestion(list(names), tuple(evidence))
