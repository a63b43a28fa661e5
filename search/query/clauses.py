"""The smallest parts of a plan, and the context they are built in: a text in the prose
fields, terms in one field, a marker, and OR / AND of parts. Each records in the context's
`Parsed` what a page highlights (the terms of parts that are not negated)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh import query as wq

from search.analysis import name_terms, placed_prose_terms
from search.concepts import Thesaurus
from search.markers import GREEK, MarkerDictionary
from search.query.tree import Lexicon, Parsed

# How much a match in each field counts. Markers a study lists outrank passing mentions.
WEIGHTS = {
    "marker": 8.0,
    "mention": 2.5,
    "title": 3.0,
    "topic": 2.0,
    "intervention": 2.0,
    "authors": 2.0,
    "body": 1.0,
    "journal": 0.5,
}
# The fields a word matches in when no field is named (the names are matched beside them).
PROSE_FIELDS = ("title", "body", "topic", "intervention")
# A digit makes a word an identifier (IL-6, HHV6): the fallback never leaves it out (a year
# aside), and a marker so named is not matched as words too.
ID_LIKE = re.compile(r"\d")


@dataclass
class Context:
    """What reading one query needs and gathers: the index's markers, years and lexicon,
    the thesaurus (None when the lexicon is empty), whether the part being read is negated,
    and the `Parsed` being filled."""

    markers: MarkerDictionary
    years: Sequence[int]
    parsed: Parsed
    lexicon: Lexicon = field(default_factory=Lexicon)
    concepts: Thesaurus | None = None
    positive: bool = True
    optional: set[int] = field(default_factory=set)  # ids of parts the fallback may leave out


def any_of(queries: list[wq.Query]) -> wq.Query | None:
    """Return the OR of the queries that are not None (one alone as itself; None if none)."""
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def all_of(queries: list[wq.Query | None]) -> wq.Query | None:
    """Return the AND of the queries that are not None (one alone as itself; None if none)."""
    kept = [q for q in queries if q is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.And(kept)


class GappedPhrase(wq.Phrase):
    """A phrase whose words sit at given distances: a stop word in it leaves a gap."""

    def __init__(self, fieldname: str, words: list[str], offsets: list[int], boost: float) -> None:
        super().__init__(fieldname, words, boost=boost)
        self.offsets = offsets


def field_terms(
    fieldname: str,
    terms: list[str],
    boost: float,
    phrase: bool = True,
    offsets: list[int] | None = None,
) -> wq.Query | None:
    """Return analysed terms in one field: a term, an AND, or a phrase (with gaps where
    stop words were), or None for no terms."""
    if not terms:
        return None
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0], boost=boost)
    if not phrase:
        return wq.And([wq.Term(fieldname, t, boost=boost) for t in terms])
    if offsets is not None and offsets != list(range(len(terms))):
        return GappedPhrase(fieldname, terms, offsets, boost)
    return wq.Phrase(fieldname, terms, boost=boost)


def prose_query(
    text: str,
    ctx: Context,
    fields: Sequence[str] = PROSE_FIELDS,
    with_names: bool = True,
    phrase: bool = True,
    scale: float = 1.0,
) -> wq.Query | None:
    """Return a text matched in the prose fields (and the author and journal names), as a
    phrase or as words in one field; None when it holds only stop words."""
    placed = placed_prose_terms(text)
    if not placed:
        return None  # only stop words: "a" must not match every author with initial A
    terms = [t for _, t in placed]
    offsets = [p - placed[0][0] for p, _ in placed]
    names = name_terms(text)
    if ctx.positive:
        ctx.parsed.prose_terms.update(terms)
        if with_names:
            ctx.parsed.name_terms.update(names)
    parts = [field_terms(f, terms, WEIGHTS[f] * scale, phrase, offsets) for f in fields]
    if with_names:
        parts.append(field_terms("authors", names, WEIGHTS["authors"] * scale, phrase))
        parts.append(field_terms("journal", names, WEIGHTS["journal"] * scale, phrase))
    return any_of([p for p in parts if p is not None])


def is_id_like(text: str) -> bool:
    """Return whether a text reads as an identifier: a digit or a Greek letter in it."""
    return bool(ID_LIKE.search(text)) or any(ch in GREEK for ch in text.casefold())


def marker_query(key: str, ctx: Context, mentions: bool = True) -> wq.Query:
    """Return a marker by its key: listed by a study, or (with mentions) named in its prose."""
    if ctx.positive and key not in ctx.parsed.marker_keys:
        ctx.parsed.marker_keys.append(key)
    parts = [wq.Term("marker", key, boost=WEIGHTS["marker"])]
    if mentions:
        parts.append(wq.Term("mention", key, boost=WEIGHTS["mention"]))
    return any_of(parts)
