"""HTML pages and their downloadable twins: home, search, studies, exports, feed and about.

Each view parses, asks `search` and responds. What a template shows is worked out here
(labels, links, which parts appear); templates only loop and print.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template
from markupsafe import Markup

from citations import (
    bibtex,
    byline_authors,
    doi_url,
    primary_citation,
    pubmed_url,
    ris,
    short_authors,
    snapshot_citation,
)
from citations.styles import StyledCitation, styled_citations
from search import Atlas, Evidence, FacetValue, Hit, SearchParams, SearchResult, parse
from search.params import SORTS
from search.records import StudyRecordSchema
from search.schema import FACETS
from search.vocabularies import CRITERIA, DIRECTIONS, PEM_REQUIRING, PEM_VALUES
from web import assets
from web.etags import conditional
from web.exports import (
    FEED_ENTRIES,
    atom_feed,
    bibtex_text,
    csv_text,
    result_records,
    ris_text,
)
from web.histogram import Histogram, year_histogram
from web.index import get_atlas, requested_params, requested_search
from web.urls import (
    add_slug_converter,
    changed,
    external_url,
    search_url,
    study_url,
    toggle_url,
    whole_set,
)

bp = Blueprint("pages", __name__)
bp.record_once(add_slug_converter)
bp.record_once(lambda state: assets.register(state.app))

# ---- words shown to people ------------------------------------------------------------------

PEM_LABELS = {
    "required": "PEM required",
    "not-required": "PEM not required",
    "unknown": "PEM unknown",
}
PEM_EXPLANATIONS = {
    "required": (
        "Post-exertional malaise (PEM) was a required inclusion criterion: every participant "
        "had to have it, usually because the study used diagnostic criteria that require it."
    ),
    "not-required": (
        "PEM was not required for inclusion, so some participants may not have had it. This "
        "says how patients were selected, not whether the study looked at PEM."
    ),
    "unknown": (
        "The study does not say whether PEM was required for inclusion, so its participants "
        "may or may not all have had it."
    ),
}
PEM_NOT_REQUIRING = tuple(cid for cid, (_, requires) in CRITERIA.items() if not requires)
PEM_BADGE_NOTE = (
    "“PEM required” means the study made post-exertional malaise an explicit inclusion "
    "criterion; it does not tell whether the study measured PEM. Studies that selected "
    f"patients by definitions that do not require PEM ({', '.join(PEM_NOT_REQUIRING[:2])}…) "
    "are tagged “PEM not required”."
)
CITATION_NOTE = (
    "The citation below cites the paper itself: use it in your own writing and research."
)
SNAPSHOT_NOTE = (
    "The atlas snapshot reference further down is only for referring to the atlas's reading "
    "of the paper on the date it shows."
)
# Short explanations shown in place beside each evidence label (issue #15).
DESIGN_EXPLANATIONS = {
    "case-control": "Compares people who have ME/CFS with people who do not, at one time. It "
    "shows differences, not what causes them.",
    "cohort": "Follows a group of people over time to see what happens to them.",
    "cross-sectional": "Looks at a group of people once, at one point in time.",
    "rct": "Participants were put into treatment groups by chance, the fairest way to compare "
    "treatments.",
    "non-randomised-trial": "Tests a treatment without putting participants into groups by "
    "chance, so the groups may differ in other ways.",
    "systematic-review": "Finds and weighs all studies on one question by a set method.",
    "meta-analysis": "Combines the numbers of several studies into one overall result.",
    "review": "Sums up other studies, without a set method for choosing them.",
    "case-report": "Describes one patient or a few.",
    "qualitative": "Asks people about their experience, in their own words.",
    "other": "A design that is none of the usual kinds.",
}
EVIDENCE_LEVEL_EXPLANATION = (
    "A grade from E0 to E3 that the publishing atlas gave the study's evidence when it read "
    "the paper. It is the publisher's grade, not a verdict on whether the findings are true."
)
CONFIDENCE_EXPLANATION = (
    "How sure the publishing atlas is of its reading of the paper: low, moderate or high."
)
PEER_REVIEW_EXPLANATIONS = {
    True: "Other researchers checked the paper before it was published.",
    False: "No other researchers had checked the paper when it was read (a preprint, for example).",
}
RETRACTED_EXPLANATION = (
    "The journal or the authors withdrew this study. It stays listed so that citations to it "
    "can be checked; do not rely on its findings."
)
FACET_TITLES = {
    "pem": "PEM as inclusion criterion",
    "criteria": "Diagnostic criteria",
    "design": "Study design",
    "marker": "Markers",
    "year": "Year",
    "sex": "Participants' sex",
    "topic": "Topics",
    "intervention": "Interventions",
    "evidence_level": "Evidence level",
    "confidence": "Confidence",
    "peer_reviewed": "Peer review",
}
CHIP_NAMES = {
    "criteria": "Criteria",
    "design": "Design",
    "marker": "Marker",
    "year": "Year",
    "sex": "Sex",
    "topic": "Topic",
    "intervention": "Intervention",
    "evidence_level": "Evidence",
    "confidence": "Confidence",
}
DESIGN_LABELS = {
    "case-control": "Case-control",
    "cohort": "Cohort",
    "cross-sectional": "Cross-sectional",
    "rct": "Randomised controlled trial",
    "non-randomised-trial": "Non-randomised trial",
    "systematic-review": "Systematic review",
    "meta-analysis": "Meta-analysis",
    "review": "Review",
    "case-report": "Case report",
    "qualitative": "Qualitative",
    "other": "Other design",
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "pem": PEM_LABELS,
    "design": DESIGN_LABELS,
    "peer_reviewed": {"true": "Peer reviewed", "false": "Not peer reviewed"},
}
DIRECTION_LABELS = {
    "increased": "Increased",
    "decreased": "Decreased",
    "no-difference": "No difference",
    "mixed": "Mixed",
}
SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest", "title": "Title"}
SIDEBAR_FACETS = tuple(name for name in FACETS if name != "year")  # years: the histogram
# Values listed per facet in the sidebar (selected ones always are); the API gives more. Keeps
# a page of 20 results well under 60 KB of HTML.
SIDEBAR_VALUES = 12
HOME_FACETS = ("pem", "criteria", "design", "marker")
HOME_FACET_VALUES = 12
RECENT_STUDIES = 5
PAGE_WINDOW = 2  # page links shown either side of the current page

# The reading settings panel (base.html, static/reading.js): each setting, its legend and its
# choices; the first choice is the default. The values must match reading.js's CHOICES.
READING_SETTINGS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("theme", "Colours", (("system", "Follow my device"), ("light", "Light"), ("dark", "Dark"))),
    ("text", "Text size", (("standard", "Standard"), ("large", "Large"), ("larger", "Larger"))),
    ("spacing", "Line spacing", (("standard", "Standard"), ("wide", "Wide"))),
    (
        "short",
        "Short view: summaries first, other sections fold",
        (("phones", "On phones"), ("always", "Always"), ("never", "Never")),
    ),
)

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


# ---- helpers for templates --------------------------------------------------------------------


@bp.app_template_filter("snippet_html")
def snippet_html(hit: Hit) -> Markup:
    """Return a hit's snippet as markup: `search.highlight` escaped it and added only <mark>.

    This is the one place in `web` that marks text safe; everything else is escaped.
    """
    return Markup(hit.snippet)


@bp.app_template_filter("short_authors")
def _short_authors(authors: Sequence[str]) -> str:
    return short_authors(authors)


bp.add_app_template_global(study_url, "study_url")
bp.add_app_template_global(external_url, "external_url")
bp.add_app_template_global(READING_SETTINGS, "reading_settings")


@bp.app_template_filter("pem_label")
def pem_label(pem: str) -> str:
    return PEM_LABELS.get(pem, PEM_LABELS["unknown"])


@bp.app_template_filter("pem_explanation")
def pem_explanation(pem: str) -> str:
    return PEM_EXPLANATIONS.get(pem, PEM_EXPLANATIONS["unknown"])


@bp.app_template_global("retracted_explanation")
def retracted_explanation() -> str:
    return RETRACTED_EXPLANATION


def value_label(name: str, value: str) -> str:
    """Return how a filter value is shown (labels for closed vocabularies, else as is)."""
    return VALUE_LABELS.get(name, {}).get(value, value)


def filter_url(name: str, value: str) -> str:
    """Return the URL of a search for one filter value alone."""
    return toggle_url(SearchParams(), name, value)


def is_marker_search(result: SearchResult) -> bool:
    """Return whether a marker was asked for, by filter or in the query text."""
    return bool(result.searched_markers)


# ---- the search page --------------------------------------------------------------------------


def facet_groups(
    result: SearchResult, names: Sequence[str], base: SearchParams | None = None
) -> tuple[FacetGroup, ...]:
    """Return the facets to show, each value with its toggle URL; PEM always lists all three.

    Toggle URLs change the result's own search, or `base` when given.
    """
    params = result.params if base is None else base
    groups = []
    for name in names:
        values = list(result.facets.get(name, ()))
        values = values[:SIDEBAR_VALUES] + [v for v in values[SIDEBAR_VALUES:] if v.selected]
        if name == "pem":
            present = {v.key for v in values}
            values += [FacetValue(p, p, 0, False) for p in PEM_VALUES if p not in present]
        options = tuple(
            FacetOption(
                name=name,
                value=v.value,
                label=value_label(name, v.value),
                count=v.count,
                is_selected=v.selected,
                url=toggle_url(params, name, v.value),
            )
            for v in values
        )
        if not options:
            continue
        shown = sum(1 for o in options if o.count)
        more = max(0, result.facet_value_counts.get(name, 0) - shown)
        groups.append(FacetGroup(name, FACET_TITLES[name], options, more))
    return tuple(groups)


def filter_chips(params: SearchParams) -> tuple[Link, ...]:
    """Return one removable chip per active filter value and year bound."""
    chips = []
    for name, values in params.filters:
        for value in values:
            label = value_label(name, value)
            if name in CHIP_NAMES:
                label = f"{CHIP_NAMES[name]}: {label}"
            chips.append(Link(label, search_url(changed(params, name, value))))
    if params.year_from is not None:
        chips.append(Link(f"From {params.year_from}", search_url(changed(params, "year_from"))))
    if params.year_to is not None:
        chips.append(Link(f"Until {params.year_to}", search_url(changed(params, "year_to"))))
    return tuple(chips)


def page_links(params: SearchParams, page_count: int) -> tuple[PageLink, ...]:
    """Return Previous, a window of page numbers with gaps, and Next."""
    current = params.page
    if page_count <= 1 and current == 1:
        return ()

    def url(n: int) -> str:
        return search_url(changed(params, "page", str(n)))

    links = []
    if current > 1:
        links.append(PageLink("Previous", url(min(current - 1, page_count)), rel="prev"))
    wanted = {1, page_count, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
    last = 0
    for n in sorted(p for p in wanted if 1 <= p <= page_count):
        if n > last + 1:
            links.append(PageLink("…", None))
        links.append(PageLink(str(n), None if n == current else url(n), is_current=n == current))
        last = n
    if current < page_count:
        links.append(PageLink("Next", url(current + 1), rel="next"))
    return tuple(links)


def sort_links(result: SearchResult) -> tuple[Link, ...]:
    """Return a link per sort order (relevance only when there is query text)."""
    return tuple(
        Link(SORT_LABELS[s], search_url(changed(result.params, "sort", s)), s == result.sort)
        for s in SORTS
        if s != "relevance" or result.params.q
    )


def year_counts(result: SearchResult) -> list[tuple[int, int]]:
    """Return (year, count) over the match set, from the year facet."""
    return [(int(v.value), v.count) for v in result.facets.get("year", ()) if v.value.isdigit()]


def search_view(result: SearchResult) -> SearchView:
    """Return everything the results page shows, worked out from one search result."""
    params = result.params
    whole = whole_set(params)
    selected_years = {int(y) for y in params.values("year") if y.isdigit()}
    counts = {v.value: v.count for v in result.facets.get("year", ())}
    cleared = SearchParams(q=params.q, sort=params.sort, per_page=params.per_page)
    has_filters = bool(params.filters) or params.year_from is not None or params.year_to is not None
    hidden = []
    if params.sort:
        hidden.append(("sort", params.sort))
    if params.per_page != SearchParams().per_page:
        hidden.append(("per_page", str(params.per_page)))
    json_url = search_url(params, "api.search")
    exports = (
        Link("CSV", search_url(whole, "pages.search_csv")),
        Link("BibTeX", search_url(whole, "pages.search_bib")),
        Link("RIS", search_url(whole, "pages.search_ris")),
        Link("JSON", json_url),
    )
    return SearchView(
        result=result,
        canonical_url=search_url(params, external=True),
        groups=facet_groups(result, SIDEBAR_FACETS),
        chips=filter_chips(params),
        clear_url=search_url(cleared) if has_filters else None,
        sorts=sort_links(result),
        pages=page_links(params, result.page_count),
        histogram=year_histogram(
            year_counts(result),
            selected_years,
            lambda year: toggle_url(params, "year", str(year)),
        ),
        show_evidence=bool(result.evidence) and is_marker_search(result),
        evidence=tuple((e, filter_url("marker", e.marker)) for e in result.evidence),
        years=tuple(
            FacetOption(
                "year", y, y, counts.get(y, 0), True, search_url(changed(params, "year", y))
            )
            for y in params.values("year")
        ),
        first_page_url=search_url(changed(params, "page", "1")),
        suggestion_url=(
            search_url(replace(changed(params, "q", result.suggestion), as_typed=False))
            if result.suggestion and not result.corrected
            else None
        ),
        as_typed_url=(
            search_url(replace(changed(params, "page", "1"), as_typed=True))
            if result.corrected
            else None
        ),
        exports=exports,
        feed_url=search_url(whole, "pages.search_atom"),
        json_url=json_url,
        first_number=(params.page - 1) * params.per_page + 1,
        hidden=tuple(hidden),
    )


def _search() -> SearchResult:
    return requested_search()


@bp.get("/")
@conditional
def home() -> str:
    result = get_atlas().search(parse({"per_page": [str(RECENT_STUDIES)]}))
    groups = facet_groups(result, HOME_FACETS, base=SearchParams())
    groups = tuple(
        FacetGroup(g.name, g.title, g.options[:HOME_FACET_VALUES], g.more) for g in groups
    )
    return render_template("home.html", result=result, groups=groups)


@bp.get("/search")
@conditional
def search() -> str:
    view = search_view(_search())
    return render_template("search.html", view=view, result=view.result)


# ---- exports of a search ------------------------------------------------------------------------


def _export() -> tuple[list[dict[str, Any]], int]:
    """Return the records of the requested search's whole result set, and its total."""
    # strict, as the API: downloads are fetched by programs as often as by people
    return result_records(
        get_atlas(), requested_params(strict=True), current_app.config["EXPORT_LIMIT"]
    )


def _study_url(slug: str) -> str:
    return external_url("pages.study", slug=slug)


def _download(
    body: str | bytes, content_type: str, filename: str, total: int | None = None
) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if total is not None:
        response.headers["X-Total-Count"] = str(total)
        response.headers["X-Export-Limit"] = str(current_app.config["EXPORT_LIMIT"])
    return response


@bp.get("/search.csv")
@conditional
def search_csv() -> Response:
    records, total = _export()
    body = csv_text(records, _study_url)
    return _download(body, "text/csv; charset=utf-8", "atlas-search.csv", total)


@bp.get("/search.bib")
@conditional
def search_bib() -> Response:
    records, total = _export()
    body = bibtex_text(records, current_app.config["SITE_SHORT"])
    return _download(body, "application/x-bibtex; charset=utf-8", "atlas-search.bib", total)


@bp.get("/search.ris")
@conditional
def search_ris() -> Response:
    records, total = _export()
    body = ris_text(records, current_app.config["SITE_SHORT"])
    return _download(
        body, "application/x-research-info-systems; charset=utf-8", "atlas-search.ris", total
    )


@bp.get("/search.atom")
@conditional
def search_atom() -> Response:
    atlas = get_atlas()
    params = whole_set(requested_params(strict=True))
    records, _ = result_records(atlas, params, FEED_ENTRIES, sort="newest")
    what = f"“{params.q}”" if params.q else "all studies"
    body = atom_feed(
        records,
        title=f"{current_app.config['SITE_NAME']}: {what}"
        + (" (filtered)" if params.filters else ""),
        feed_url=search_url(params, "pages.search_atom", external=True),
        page_url=search_url(params, external=True),
        updated=atlas.health().get("built_at") or "1970-01-01T00:00:00Z",
        url_of=_study_url,
        site_name=current_app.config["SITE_NAME"],
    )
    return Response(body, mimetype="application/atom+xml")


# ---- the study page -----------------------------------------------------------------------------

KNOWN_FIELDS = frozenset(StudyRecordSchema().fields)


def _links(name: str, values: Sequence[str] | None) -> tuple[Link, ...]:
    return tuple(Link(v, filter_url(name, v)) for v in values or ())


def finding_rows(record: Mapping[str, Any], atlas: Atlas) -> tuple[FindingRow, ...]:
    """Return one row per finding, then one per listed marker without a finding."""
    rows = []
    reported = set()
    for finding in record.get("findings") or ():
        reported.add(atlas.marker_key(finding["marker"]))
        direction = finding["direction"]
        rows.append(
            FindingRow(
                finding["marker"],
                filter_url("marker", finding["marker"]),
                direction,
                DIRECTION_LABELS.get(direction, direction),
                finding.get("sample"),
            )
        )
    for marker in record.get("markers") or ():
        key = atlas.marker_key(marker)
        if key not in reported:
            reported.add(key)
            rows.append(
                FindingRow(
                    marker, filter_url("marker", marker), None, "Measured; no direction given", None
                )
            )
    return tuple(rows)


def participants_line(record: Mapping[str, Any]) -> str | None:
    """Return "50 patients, 48 controls" (or whichever of the two the record gives)."""
    people = record.get("participants") or {}
    parts = [f"{people[k]} {k}" for k in ("patients", "controls") if people.get(k) is not None]
    return ", ".join(parts) or None


IN_SHORT_CHARS = 160  # a second sentence is added while the first is shorter than this
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def in_short(summary: str) -> str | None:
    """Return the first sentence of a summary, and the second when the first is short."""
    sentences = _SENTENCE_END.split(" ".join(summary.split()))
    if not sentences or not sentences[0]:
        return None
    text = sentences[0]
    if len(text) < IN_SHORT_CHARS and len(sentences) > 1:
        text += " " + sentences[1]
    return text


def other_fields(record: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Return the record's top-level fields the record format does not define, as text."""
    out = []
    for name, value in record.items():
        if name in KNOWN_FIELDS:
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append((name, text))
    return tuple(out)


def study_view(record: dict[str, Any], atlas: Atlas) -> StudyView:
    """Return everything the study page shows, worked out from one record."""
    pem = record.get("pem", "unknown")
    config = current_app.config
    snapshot = snapshot_citation(record, config["SITE_NAME"], _study_url(record["slug"]))
    return StudyView(
        record=record,
        authors=byline_authors(record["authors"]),
        doi_url=doi_url(record["doi"]) if record.get("doi") else None,
        pubmed_url=pubmed_url(record["pmid"]) if record.get("pmid") else None,
        pem=pem,
        pem_label=pem_label(pem),
        pem_explanation=PEM_EXPLANATIONS.get(pem, PEM_EXPLANATIONS["unknown"]),
        pem_note=PEM_BADGE_NOTE,
        design_note=DESIGN_EXPLANATIONS.get(record.get("design") or ""),
        evidence_note=EVIDENCE_LEVEL_EXPLANATION,
        confidence_note=CONFIDENCE_EXPLANATION,
        peer_review_note=(
            PEER_REVIEW_EXPLANATIONS[bool(record["peer_reviewed"])]
            if record.get("peer_reviewed") is not None
            else None
        ),
        criteria=tuple(
            CriterionLink(c, filter_url("criteria", c), c in PEM_REQUIRING)
            for c in record.get("criteria") or ()
        ),
        design=(
            Link(value_label("design", record["design"]), filter_url("design", record["design"]))
            if record.get("design")
            else None
        ),
        participants=participants_line(record),
        sex=record.get("sex"),
        findings=finding_rows(record, atlas),
        interventions=_links("intervention", record.get("interventions")),
        topics=_links("topic", record.get("topics")),
        in_short=in_short(record.get("summary") or ""),
        citation=primary_citation(record),
        styles=styled_citations(record),
        citation_note=CITATION_NOTE + (" " + SNAPSHOT_NOTE if snapshot else ""),
        bibtex=bibtex(record, config["SITE_SHORT"]),
        snapshot=snapshot,
        other_fields=other_fields(record),
        related=tuple(atlas.related(record["slug"])),
        is_retracted=bool(record.get("retracted")),
    )


def _record(slug: str) -> dict[str, Any]:
    record = get_atlas().study(slug)
    if record is None:
        abort(404, description=f"There is no study {slug!r} in the atlas.")
    return record


# The correction form on a study page carries a signed token that expires after two hours
# (web/contribute.py), so a browser's copy of the page is renewed every quarter of an hour.
STUDY_PAGE_RENEWAL = 15 * 60


@bp.get("/studies/<slug:slug>")
@conditional(renew_every=STUDY_PAGE_RENEWAL)
def study(slug: str) -> str:
    view = study_view(_record(slug), get_atlas())
    # `record` is for the corrections partial (_correction_form.html), which another module owns.
    return render_template("study.html", view=view, record=view.record)


@bp.get("/studies/<slug:slug>.bib")
@conditional
def study_bib(slug: str) -> Response:
    body = bibtex(_record(slug), current_app.config["SITE_SHORT"])
    return _download(body, "application/x-bibtex; charset=utf-8", f"{slug}.bib")


@bp.get("/studies/<slug:slug>.ris")
@conditional
def study_ris(slug: str) -> Response:
    body = ris(_record(slug), current_app.config["SITE_SHORT"])
    return _download(body, "application/x-research-info-systems; charset=utf-8", f"{slug}.ris")


def study_document(slug: str) -> dict[str, Any]:
    """Return a study as JSON answers give it: the whole record and its related studies' slugs.

    `/studies/<slug>.json` and `/api/v1/studies/<slug>` give this same object.
    """
    record = _record(slug)
    return {**record, "related": [hit.slug for hit in get_atlas().related(slug)]}


@bp.get("/studies/<slug:slug>.json")
@conditional
def study_json(slug: str) -> Response:
    return current_app.json.response(study_document(slug))


# ---- retractions --------------------------------------------------------------------------------


@bp.get("/retractions")
@conditional
def retractions() -> str:
    return render_template("retractions.html", hits=get_atlas().retracted())


# ---- about --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRow:
    id: str
    names: str
    requires_pem: bool
    url: str


@bp.get("/about")
@conditional(uses_index=False)
def about() -> str:
    criteria = tuple(
        CriterionRow(cid, ", ".join(aliases), requires, filter_url("criteria", cid))
        for cid, (aliases, requires) in CRITERIA.items()
    )
    return render_template(
        "about.html",
        criteria=criteria,
        pem_requiring=sorted(PEM_REQUIRING),
        pem_labels=PEM_LABELS,
        pem_explanations=PEM_EXPLANATIONS,
        directions=[(d, DIRECTION_LABELS[d]) for d in DIRECTIONS],
        designs=[(DESIGN_LABELS[d], text) for d, text in DESIGN_EXPLANATIONS.items()],
        other_labels=[
            ("Evidence level (E0–E3)", EVIDENCE_LEVEL_EXPLANATION),
            ("Confidence", CONFIDENCE_EXPLANATION),
            ("Peer reviewed", PEER_REVIEW_EXPLANATIONS[True]),
            ("Not peer reviewed", PEER_REVIEW_EXPLANATIONS[False]),
            ("Retracted", RETRACTED_EXPLANATION),
        ],
    )
