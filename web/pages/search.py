"""The home page and the search results page type: the page (results, facets, chips, sorts,
pages, histogram) and its downloads (CSV, BibTeX, RIS, the Atom feed).

Every format reads the one value `web.index.requested_results()` and differs only in its last
line, the writer; the JSON twin (`/api/v1/search`) is in `web/api.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flask import Response, render_template

from search import FacetValue, SearchParams, SearchResult, parse
from search.params import SORTS
from search.vocabularies import PEM_VALUES
from web.etags import conditional
from web.histogram import year_histogram
from web.index import get_atlas, requested_results
from web.pages import (
    bp,
    filter_url,
    is_marker_search,
    value_label,
)
from web.pages.downloads import BIBTEX, CSV, RIS, results_feed, results_file
from web.pages.labels import (
    CHIP_NAMES,
    FACET_TITLES,
    HOME_FACET_VALUES,
    HOME_FACETS,
    PAGE_WINDOW,
    RECENT_STUDIES,
    SIDEBAR_FACETS,
    SIDEBAR_VALUES,
    SORT_LABELS,
)
from web.pages.views import (
    FacetGroup,
    FacetOption,
    Link,
    PageLink,
    SearchView,
)
from web.urls import (
    changed,
    search_url,
    toggle_url,
    whole_set,
)

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


@bp.get("/")
@conditional
def home() -> str:
    result = get_atlas().search(parse({"per_page": [str(RECENT_STUDIES)]}))
    groups = facet_groups(result, HOME_FACETS, base=SearchParams())
    groups = tuple(
        FacetGroup(g.name, g.title, g.options[:HOME_FACET_VALUES], g.more) for g in groups
    )
    return render_template("home.html", result=result, groups=groups)


# ---- the formats of a search ------------------------------------------------------------------
# The page reads the search leniently; downloads strictly, as the API does: programs fetch them
# as often as people do.


@bp.get("/search")
@conditional
def search() -> str:
    view = search_view(requested_results().page())
    return render_template("search.html", view=view, result=view.result)


@bp.get("/search.csv")
@conditional
def search_csv() -> Response:
    return results_file(requested_results(strict=True), CSV)


@bp.get("/search.bib")
@conditional
def search_bib() -> Response:
    return results_file(requested_results(strict=True), BIBTEX)


@bp.get("/search.ris")
@conditional
def search_ris() -> Response:
    return results_file(requested_results(strict=True), RIS)


@bp.get("/search.atom")
@conditional
def search_atom() -> Response:
    return results_feed(requested_results(strict=True))
