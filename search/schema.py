"""The index schema: the Whoosh fields a study is indexed as, which of them are scored, and
the facets (each also a filter of the same name).

The vocabularies are in search/vocabularies.py, the settings and paths in search/settings.py,
and the layout of an index generation in search/store/.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, TEXT, Schema

from search.analysis import TermPositions, TermTokenizer, name_analyzer, prose_analyzer

# Facets in display order. Each is also a filter parameter of the same name.
FACETS = (
    "pem",
    "criteria",
    "design",
    "marker",
    "year",
    "sex",
    "topic",
    "intervention",
    "evidence_level",
    "confidence",
    "peer_reviewed",
)


# Fields whose matches are scored by length-normalised BM25F (the others score flat).
SCORED_FIELDS = (
    "title",
    "body",
    "authors",
    "journal",
    "topic",
    "intervention",
    "marker",
    "mention",
)


def _text(analyzer: TermTokenizer) -> TEXT:
    field = TEXT(analyzer=analyzer, phrase=True)
    field.format = TermPositions(field_boost=1.0)  # same postings, written faster
    return field


def index_schema() -> Schema:
    """Return the Whoosh schema: what is searchable. Full records live beside the index."""
    prose = prose_analyzer()
    names = name_analyzer()
    return Schema(
        slug=ID(stored=True, unique=True),
        title=_text(prose),
        body=_text(prose),  # summary, significance, limitations
        authors=_text(names),
        journal=_text(names),
        topic=_text(prose),
        intervention=_text(prose),
        marker=KEYWORD(scorable=True),  # keys of the markers a record lists or reports
        mention=KEYWORD(scorable=True),  # keys of markers named anywhere in its prose
        criteria=KEYWORD(),
        design=ID(),
        doi=ID(),
        pmid=ID(),
        year=ID(),
    )
