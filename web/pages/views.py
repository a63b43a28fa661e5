"""What templates receive: plain, frozen view data worked out in Python, so templates only
loop and print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citations.styles import StyledCitation
from search import Evidence, Hit, SearchResult
from web.histogram import Histogram

# ---- what templates receive -----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    is_selected: bool = False


@dataclass(frozen=True)
class FacetOption:
    """One facet value: its checkbox, label, count, and the URL that ticks or unticks it."""

    name: str
    value: str
    label: str
    count: int
    is_selected: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    options: tuple[FacetOption, ...]
    more: int  # values with a count that are not shown


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str | None  # None: the current page, or a gap
    is_current: bool = False
    rel: str | None = None


@dataclass(frozen=True)
class SearchView:
    result: SearchResult
    canonical_url: str
    groups: tuple[FacetGroup, ...]
    chips: tuple[Link, ...]
    clear_url: str | None
    sorts: tuple[Link, ...]
    pages: tuple[PageLink, ...]
    histogram: Histogram | None
    show_evidence: bool
    evidence: tuple[tuple[Evidence, str], ...]  # each row with the URL of its marker filter
    years: tuple[FacetOption, ...]  # the selected years, so they can be unticked
    first_page_url: str
    suggestion_url: str | None
    as_typed_url: str | None  # when a corrected query was searched: the words as typed
    exports: tuple[Link, ...]
    feed_url: str
    json_url: str
    first_number: int
    hidden: tuple[tuple[str, str], ...]  # form fields that keep sort and page size


@dataclass(frozen=True)
class FindingRow:
    marker: str
    url: str
    direction: str | None  # None: measured, no direction given
    direction_label: str
    sample: str | None


@dataclass(frozen=True)
class CriterionLink:
    label: str
    url: str
    requires_pem: bool


@dataclass(frozen=True)
class StudyView:
    record: dict[str, Any]
    authors: str
    doi_url: str | None
    pubmed_url: str | None
    pem: str
    pem_label: str
    pem_explanation: str
    pem_note: str
    design_note: str | None
    evidence_note: str
    confidence_note: str
    peer_review_note: str | None
    criteria: tuple[CriterionLink, ...]
    design: Link | None
    participants: str | None
    sex: str | None
    findings: tuple[FindingRow, ...]
    interventions: tuple[Link, ...]
    topics: tuple[Link, ...]
    in_short: str | None  # the first sentence or two of the summary, for the short view
    citation: str
    citation_note: str
    styles: tuple[StyledCitation, ...]  # APA, Vancouver, AMA, Harvard
    bibtex: str
    snapshot: str | None  # how to cite the atlas's reading of the study, when it has a snapshot
    other_fields: tuple[tuple[str, str], ...]
    related: tuple[Hit, ...]
    is_retracted: bool
