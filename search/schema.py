"""The index schema (Whoosh fields), the vocabularies, and the layout of an index generation.

This is the one module the indexer shares with the search layer: what is written here is
what the search layer reads back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.fields import ID, KEYWORD, TEXT, Schema

from search.analysis import (
    STOP_WORDS,
    TermPositions,
    TermTokenizer,
    name_analyzer,
    prose_analyzer,
)
from search.markers import MarkerDictionary, find_mentions, fold

__all__ = [
    "CRITERIA",
    "DESIGNS",
    "FACETS",
    "IndexTables",
    "STOP_WORDS",
    "MarkerDictionary",
    "find_mentions",
    "fold",
    "index_schema",
]

# Where things are when nothing is configured: the project's own index/ and bundled studies.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX_DIR = PROJECT_ROOT / "index"
BUNDLED_STUDIES = PROJECT_ROOT / "data" / "studies"


def configured_index_dir() -> Path:
    """Return the index directory: $ATLAS_INDEX, else index/ in the project."""
    return Path(os.environ.get("ATLAS_INDEX") or DEFAULT_INDEX_DIR)


def configured_sources() -> list[Path]:
    """Return the record sources: $ATLAS_SOURCE (':'-separated paths), else the bundled studies."""
    raw = os.environ.get("ATLAS_SOURCE", "")
    paths = [Path(p) for p in raw.split(":") if p.strip()]
    return paths or [BUNDLED_STUDIES]


# Bump when the index schema or the tables change shape: older generations are then rebuilt.
INDEX_FORMAT = 11

# Layout of an index directory: CURRENT names the served generation, a folder beside it.
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".build.lock"
GENERATION_PREFIX = "gen-"
BUILDING_PREFIX = ".build-"
WHOOSH_DIR = "whoosh"
RECORDS_FILE = "records.jsonl"
TABLES_FILE = "tables.pickle"
META_FILE = "meta.json"
# Per document, the texts a snippet is cut from and the marker mentions the build found in
# them (a line "slug<TAB>json" each), and where each document's line starts.
# Each segment's postings kept as arrays (see search/postings.py): <segment> + these suffixes.
POSTINGS_DIR = "postings"
POSTINGS_IDS, POSTINGS_WEIGHTS, POSTINGS_TERMS = ".ids", ".weights", ".terms"
SNIPPETS_FILE = "snippets.txt"
SNIPPETS_INDEX_FILE = "snippets.idx"
SNIPPET_TEXTS = ("summary", "significance", "limitations", "title")
UNIT = "\x1f"  # separates the texts of a snippet line (line breaks in them become spaces)

# Diagnostic criteria: id -> (aliases, requires PEM). Matched case-insensitively.
CRITERIA: dict[str, tuple[tuple[str, ...], bool]] = {
    "CCC": (("Canadian Consensus Criteria", "Carruthers 2003", "Canadian"), True),
    "ICC": (("International Consensus Criteria", "Carruthers 2011", "ME-ICC"), True),
    "IOM": (("IOM 2015", "NAM", "SEID", "Institute of Medicine"), True),
    "NICE-2021": (("NICE 2021",), True),
    "Fukuda": (("CDC 1994", "CDC-1994", "Fukuda 1994"), False),
    "Oxford": (("Oxford 1991", "Sharpe 1991"), False),
    "Holmes": (("CDC 1988", "CDC-1988", "Holmes 1988"), False),
    "Reeves": (("CDC 2005", "empirical", "Reeves 2005"), False),
    "NICE-2007": (("NICE 2007",), False),
}
CRITERIA_BY_ALIAS: dict[str, str] = {
    " ".join(name.casefold().split()): cid
    for cid, (aliases, _) in CRITERIA.items()
    for name in (cid, *aliases)
}
PEM_REQUIRING = frozenset(cid for cid, (_, requires) in CRITERIA.items() if requires)

PEM_VALUES = ("required", "not-required", "unknown")
DESIGNS = (
    "case-control",
    "cohort",
    "cross-sectional",
    "rct",
    "non-randomised-trial",
    "systematic-review",
    "meta-analysis",
    "review",
    "case-report",
    "qualitative",
    "other",
)
SEX_VALUES = ("female", "male", "mixed", "unknown")
DIRECTIONS = ("increased", "decreased", "no-difference", "mixed")
EVIDENCE_LEVELS = ("E0", "E1", "E2", "E3")
CONFIDENCE_VALUES = ("low", "moderate", "high")

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


def canonical_criterion(value: str) -> str | None:
    """Return the criteria id for a name or alias, or None when it is not in the vocabulary."""
    return CRITERIA_BY_ALIAS.get(" ".join(value.casefold().split()))


def criterion_key(value: str) -> str:
    """Return the index term for a criterion (known id or unknown name as written)."""
    return fold(canonical_criterion(value) or value)


def tag_key(value: str) -> str:
    """Return the facet key of a free tag (topics, interventions): case and spacing folded."""
    return " ".join(value.casefold().split())


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


@dataclass
class IndexTables:
    """What the build precomputes for fast serving, indexed by Whoosh document number.

    Bitsets are Python ints: bit d is set when document d has the value.
    """

    generation: str
    doc_count: int  # size of the docnum space (deleted numbers included)
    slugs: list[str | None]
    rows: list[dict[str, Any] | None]  # the fields a result list shows
    offsets: list[tuple[int, int]]  # (offset, length) of each full record in records.jsonl
    all_docs: int
    facets: dict[str, dict[str, int]]  # facet -> value key -> bitset
    facet_labels: dict[str, dict[str, str]]  # facet -> value key -> display label
    orders: dict[str, list[int]]  # sort name -> docnums in that order
    evidence: dict[str, dict[str, int]]  # marker key -> direction -> bitset
    marker_forms: dict[str, str]  # folded spelling -> key, learnt from the corpus
    marker_labels: dict[str, str]  # key -> display name, learnt from the corpus
    vocabulary: dict[str, int]  # folded word -> document frequency, for suggestions
    field_lengths: dict[str, bytes]  # scored field -> Whoosh's length byte of each document
