"""The benchmark's query mix: about fifty searches a reader would make, by class.

Each query is the parameters of one page of results, as a URL's query string would give them.
`is_plain` marks queries of simple words only: for those our engine, tantivy and SQLite FTS5
must report the same totals (other classes differ where analyzers differ).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from bench.vocabulary import CORE_WORDS, RARE_WORDS

Args = dict[str, str | tuple[str, ...]]


@dataclass(frozen=True)
class MixQuery:
    """One search of the mix: its class, its URL parameters, and whether it is plain words."""

    kind: str
    args: tuple[tuple[str, str | tuple[str, ...]], ...]
    is_plain: bool = False

    @property
    def params(self) -> Args:
        return dict(self.args)

    @property
    def label(self) -> str:
        parts: list[str] = []
        for name, value in self.args:
            values = value if isinstance(value, tuple) else (value,)
            parts.extend(f"{name}={v}" for v in values)
        return "&".join(parts) or "(home page)"


def _q(kind: str, is_plain: bool = False, **args: str | tuple[str, ...]) -> MixQuery:
    return MixQuery(kind, tuple(args.items()), is_plain)


# Classes, in the order the report lists them.
KINDS = (
    "common-word",
    "rare-word",
    "marker",
    "two-word-and",
    "phrase",
    "field",
    "text+filters",
    "filter-only",
    "deep-page",
)

QUERY_MIX: tuple[MixQuery, ...] = (
    # common words: match a large share of the corpus
    _q("common-word", True, q="fatigue"),
    _q("common-word", True, q="patients"),
    _q("common-word", True, q="cytokines"),
    _q("common-word", True, q="exercise"),
    _q("common-word", True, q="mitochondrial"),
    _q("common-word", True, q="sleep"),
    # rare words: a few studies each
    _q("rare-word", True, q=RARE_WORDS[40]),
    _q("rare-word", True, q=RARE_WORDS[900]),
    _q("rare-word", True, q=RARE_WORDS[7000]),
    # markers, common and rare, in several spellings
    _q("marker", q="IL-6"),
    _q("marker", q="interleukin 6"),
    _q("marker", q="TNF-α"),
    _q("marker", q="TNFa"),
    _q("marker", q="IL-12p40"),
    _q("marker", q="IL12p40"),
    _q("marker", q="IL-12 p40"),
    _q("marker", q="CSF-1"),
    _q("marker", q="M-CSF"),
    _q("marker", q="TGF-alpha"),
    # two words, both required
    _q("two-word-and", True, q="cytokine exercise"),
    _q("two-word-and", True, q="natural killer"),
    _q("two-word-and", True, q="orthostatic intolerance"),
    _q("two-word-and", True, q="mitochondrial fatigue"),
    _q("two-word-and", True, q="sleep pain"),
    # exact phrases
    _q("phrase", q='"post-exertional malaise"'),
    _q("phrase", q='"heart rate"'),
    _q("phrase", q='"natural killer"'),
    _q("phrase", q='"cognitive behavioural therapy"'),
    # field-scoped
    _q("field", q="title:cytokine"),
    _q("field", q="author:Muller"),
    _q("field", q="marker:IL-6"),
    _q("field", q="criteria:CCC"),
    _q("field", q="design:rct"),
    _q("field", q="year:2010..2020"),
    _q("field", q="topic:immunology"),
    # text plus filters
    _q("text+filters", q="fatigue", pem="required"),
    _q("text+filters", q="cytokine", criteria=("CCC", "ICC")),
    _q("text+filters", q="exercise", design="case-control", year_from="2010"),
    _q("text+filters", q="IL-6", sex="female"),
    _q("text+filters", q="patients", marker="TNF-alpha", pem="required"),
    _q("text+filters", q="sleep", topic="immunology", year_from="2000", year_to="2020"),
    # browsing by facets, no words (the home page first)
    _q("filter-only"),
    _q("filter-only", pem="required"),
    _q("filter-only", criteria="Fukuda"),
    _q("filter-only", design="rct"),
    _q("filter-only", marker="IL6"),
    _q("filter-only", year_from="2015", year_to="2020"),
    _q("filter-only", topic="immunology", pem="required"),
    _q("filter-only", pem="required", design="case-control", sex="female"),
    # deep pages
    _q("deep-page", q="patients", page="25"),
    _q("deep-page", pem="unknown", page="10"),
    _q("deep-page", q="fatigue", sort="title", page="10"),
)

# Filters that never-repeated queries combine with a word (None: no filter).
_UNIQUE_FILTERS: tuple[Args | None, ...] = (
    None,
    {"pem": "required"},
    {"design": "case-control"},
    {"criteria": "CCC"},
    {"year_from": "2010"},
    {"sex": "female"},
    {"topic": "immunology"},
    {"marker": "IL-6"},
    {"pem": "not-required", "design": "rct"},
)


def unique_queries(count: int, seed: int = 1) -> list[Args]:
    """Return `count` different searches: a word (or two) with a filter, in a seeded order."""
    words = list(dict.fromkeys(w.lower() for w in CORE_WORDS[:200] if w.isalpha()))
    singles = [dict({"q": w}, **(f or {})) for w, f in itertools.product(words, _UNIQUE_FILTERS)]
    rng = random.Random(f"atlas-bench-unique-{seed}")
    rng.shuffle(singles)
    out: list[Args] = singles[:count]
    pairs = itertools.combinations(words, 2)
    while len(out) < count:
        a, b = next(pairs)
        out.append({"q": f"{a} {b}"})
    return out
