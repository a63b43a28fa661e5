"""The index schema (Whoosh fields), the vocabularies, and the layout of an index generation.

This is the one module the indexer shares with the search layer: what is written here is
what the search layer reads back.
"""

from __future__ import annotations

import importlib.util
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

# Where things are when nothing is configured. Run from a checkout: the project's index/,
# instance/ and data/studies/. Installed (pip install ., a wheel): the studies shipped as the
# package data of `atlas_studies` (pyproject.toml maps data/ to it), and the index and private
# data in a per-user data directory (platformdirs: ~/.local/share/mecfs-atlas-search on Linux).
APP_NAME = "mecfs-atlas-search"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
IS_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (
    PROJECT_ROOT / "data" / "studies"
).is_dir()


def user_data_dir() -> Path:
    """Return the per-user directory an installed atlas keeps its index and private data in."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def _installed_studies() -> Path:
    spec = importlib.util.find_spec("atlas_studies")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "studies").is_dir():
            return Path(location) / "studies"
    return PROJECT_ROOT / "atlas_studies" / "studies"  # reported as missing by the CLI


BUNDLED_STUDIES = PROJECT_ROOT / "data" / "studies" if IS_CHECKOUT else _installed_studies()


def default_index_dir() -> Path:
    """Return the index directory used when none is configured."""
    return PROJECT_ROOT / "index" if IS_CHECKOUT else user_data_dir() / "index"


def default_data_dir() -> Path:
    """Return the private data directory (reader corrections, secret) used when none is set."""
    return PROJECT_ROOT / "instance" if IS_CHECKOUT else user_data_dir() / "instance"


CURATED_DIR_NAME = "curated"  # accepted drafts, under the data directory unless configured


def configured_index_dir() -> Path:
    """Return the index directory: $ATLAS_INDEX, else the default (see default_index_dir)."""
    return Path(os.environ.get("ATLAS_INDEX") or default_index_dir())


def configured_data_dir() -> Path:
    """Return the private instance data directory: $ATLAS_DATA, else the default one."""
    return Path(os.environ.get("ATLAS_DATA") or default_data_dir())


def configured_curated_dir() -> Path:
    """Return where accepted drafts are written: $ATLAS_CURATED, else curated/ in the data dir."""
    return Path(os.environ.get("ATLAS_CURATED") or configured_data_dir() / CURATED_DIR_NAME)


def configured_sources() -> list[Path]:
    """Return the record sources: $ATLAS_SOURCE (':'-separated paths), else the bundled studies
    and, once a draft has been accepted, the curated directory."""
    raw = os.environ.get("ATLAS_SOURCE", "")
    paths = [Path(p) for p in raw.split(":") if p.strip()]
    if paths:
        return paths
    curated = configured_curated_dir()
    return [BUNDLED_STUDIES, curated] if curated.is_dir() else [BUNDLED_STUDIES]


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
