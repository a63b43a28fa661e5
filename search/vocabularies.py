"""The closed vocabularies of a study record (docs/record-format.md): diagnostic criteria,
designs, PEM status, sex, directions of findings, evidence levels, confidence. The single
source: record validation, search parameters, the index and the API description read them
here.
"""

from __future__ import annotations

from search.markers import fold

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

# Filters (and facets) whose values come from a closed vocabulary.
CLOSED_FILTERS: dict[str, tuple[str, ...]] = {
    "pem": PEM_VALUES,
    "design": DESIGNS,
    "sex": SEX_VALUES,
    "evidence_level": EVIDENCE_LEVELS,
    "confidence": CONFIDENCE_VALUES,
    "peer_reviewed": ("true", "false"),
}


def canonical_criterion(value: str) -> str | None:
    """Return the criteria id for a name or alias, or None when it is not in the vocabulary."""
    return CRITERIA_BY_ALIAS.get(" ".join(value.casefold().split()))


def criterion_key(value: str) -> str:
    """Return the index term for a criterion (known id or unknown name as written)."""
    return fold(canonical_criterion(value) or value)


def tag_key(value: str) -> str:
    """Return the facet key of a free tag (topics, interventions): case and spacing folded."""
    return " ".join(value.casefold().split())
