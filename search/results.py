"""What a search returns: plain frozen data, the same for the CLI, the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from search.params import SearchParams


class Hit(NamedTuple):
    """One study in a result list (a named tuple: cheap to make, twenty per page)."""

    slug: str
    title: str
    authors: tuple[str, ...]
    year: int
    journal: str | None
    doi: str | None
    pmid: str | None
    pem: str
    criteria: tuple[str, ...]
    design: str | None
    markers: tuple[str, ...]
    score: float | None
    snippet: str  # HTML: every character escaped except the <mark> tags around matches
    retracted: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "authors": list(self.authors),
            "year": self.year,
            "journal": self.journal,
            "doi": self.doi,
            "pmid": self.pmid,
            "pem": self.pem,
            "criteria": list(self.criteria),
            "design": self.design,
            "markers": list(self.markers),
            "score": self.score,
            "snippet": self.snippet,
            "retracted": self.retracted,
        }


class FacetValue(NamedTuple):
    """One value of a facet with its count over the match set.

    A named tuple rather than a dataclass: a search makes a couple of hundred of them.
    """

    value: str  # display label, also a valid filter value
    key: str  # folded form used for matching
    count: int  # type: ignore[assignment]  # (shadows tuple.count; the JSON key is "count")
    selected: bool

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "selected": self.selected}


class Evidence(NamedTuple):
    """For one marker: how many studies in the match set found each direction."""

    marker: str
    increased: int
    decreased: int
    no_difference: int
    mixed: int

    @property
    def total(self) -> int:
        return self.increased + self.decreased + self.no_difference + self.mixed

    def to_json(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "increased": self.increased,
            "decreased": self.decreased,
            "no-difference": self.no_difference,
            "mixed": self.mixed,
        }


@dataclass(frozen=True)
class SearchResult:
    """A page of results with facet counts, the evidence table and how the query was read."""

    params: SearchParams  # as resolved: filter values in their canonical spelling
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    facet_value_counts: dict[str, int]  # distinct values with a count, before capping
    evidence: tuple[Evidence, ...]
    suggestion: str | None
    read_as: str
    notices: tuple[str, ...]
    generation: str
    sort: str
    searched_markers: tuple[str, ...] = ()  # markers asked for, in the text or by filter
    corrected: str | None = None  # the corrected query searched instead of the typed one

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.params.per_page))

    def to_json(self) -> dict[str, Any]:
        """Return the stable JSON shape shared by `atlas search --json` and /api/v1/search."""
        return {
            "query": self.params.q,
            "total": self.total,
            "page": self.params.page,
            "per_page": self.params.per_page,
            "sort": self.sort,
            "results": [h.to_json() for h in self.hits],
            "facets": {name: [v.to_json() for v in values] for name, values in self.facets.items()},
            "facet_totals": dict(self.facet_value_counts),  # distinct values before capping
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "evidence": [e.to_json() for e in self.evidence],
            "read_as": self.read_as,
            "notices": list(self.notices),
            "filters": {name: list(values) for name, values in self.params.filters},
            "year_from": self.params.year_from,
            "year_to": self.params.year_to,
            "generation": self.generation,
        }
