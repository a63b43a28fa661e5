"""The HTML pages, through the Flask test client on the real fixture index."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build
from search import Atlas, SearchParams
from search.params import MAX_FILTER_VALUES, MAX_QUERY_CHARS
from search.schema import FACETS
from search.settings import BUNDLED_STUDIES
from tests.html_page import Element, parse_html
from web import create_app
from web.histogram import MIN_YEARS, year_histogram
from web.urls import changed

WEB = Path(__file__).resolve().parent.parent / "web"
PARAM_NAMES = ("q", *FACETS, "year_from", "year_to", "sort", "page", "per_page")


def page(client: FlaskClient, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, response.data[:500]
    return parse_html(response.data)


def canonical(client: FlaskClient, url: str) -> str:
    return page(client, url).find("link", rel="canonical").attrs["href"]


def hit_slugs(doc: Element) -> list[str]:
    return [a.attrs["href"].rsplit("/", 1)[1] for a in doc.find_all("a") if _in_hit_title(doc, a)]


def _in_hit_title(doc: Element, link: Element) -> bool:
    return any(link in h.find_all("a") for h in doc.find_all("h3", cls="hit__title"))


def facet_boxes(doc: Element, name: str) -> list[tuple[str, str, bool, str]]:
    """Return (value, label text, checked, toggle URL) for each checkbox of a facet."""
    out = []
    for label in doc.find("aside", id="filters").find_all("label"):
        for box in label.find_all("input", type="checkbox", name=name):
            out.append(
                (box.attrs["value"], label.text, "checked" in box.attrs, box.attrs["data-url"])
            )
    return out


# ---- home, about, health ---------------------------------------------------------------------


def test_home_shows_search_box_facets_and_recent_studies(client: FlaskClient) -> None:
    doc = page(client, "/")
    assert doc.find("input", id="q").attrs["name"] == "q"
    assert "8 studies" in doc.find("section", cls="intro").text
    recent = [a.attrs["href"] for a in doc.find("ol", cls="hits").find_all("a")]
    assert recent == [
        "/studies/script-2021-escaping",
        "/studies/natural-killer-2020-nk-cells",
        "/studies/mueller-2019-tnf-alpha-exercise",
        "/studies/roerink-2017-cytokine-signatures",
        "/studies/metabolomics-2016-hypometabolic",
    ]
    browse = [(a.text, a.attrs["href"]) for a in doc.find_all("ul", cls="browse")[0].find_all("a")]
    assert browse == [
        ("PEM required", "/search?pem=required"),
        ("PEM not required", "/search?pem=not-required"),
        ("PEM unknown", "/search?pem=unknown"),
    ]


def test_about_explains_the_pem_badge_and_criteria(client: FlaskClient) -> None:
    doc = page(client, "/about")
    pem = doc.find("section", id="pem").text
    assert "PEM as a required inclusion criterion" in pem
    assert "does not say whether the study measured or studied PEM" in pem
    assert "the atlas never infers it" in pem
    assert "These criteria require PEM: CCC, ICC, IOM, NICE-2021." in pem
    rows = [
        [cell.text for cell in row.find_all() if cell.tag in ("th", "td")]
        for row in doc.find("section", id="criteria").find("tbody").find_all("tr")
    ]
    assert rows[0] == ["CCC", "Canadian Consensus Criteria, Carruthers 2003, Canadian", "Yes"]
    assert ["Fukuda", "CDC 1994, CDC-1994, Fukuda 1994", "No"] in rows
    assert len(rows) == 9
    for anchor in ("sources", "query", "cite", "data"):
        assert doc.find("section", id=anchor)


def test_healthz_reports_generation_documents_and_build_time(
    client: FlaskClient, atlas: Atlas
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body == atlas.health()
    assert body["documents"] == 8
    assert body["generation"].startswith("gen-")
    assert body["built_at"]


# ---- the results page ------------------------------------------------------------------------


def test_results_page_shows_count_reading_hits_and_evidence(client: FlaskClient) -> None:
    doc = page(client, "/search?q=IL-12p40")
    assert doc.find("h1").text == "2 studies for “IL-12p40”"
    assert doc.find("p", cls="read-as").text == "Read as marker:IL-12p40"
    assert hit_slugs(doc) == ["roerink-2017-cytokine-signatures", "il16-2012-csf-proteins"]
    first = doc.find_all("li", cls="hit")[0]
    assert (
        first.find("p", cls="hit__meta").text
        == "Roerink et al. · Journal of translational medicine · 2017"
    )
    assert first.find("span", cls="badge").text == "PEM unknown"
    assert first.find("p", cls="hit__snippet").find("mark").text == "IL-12p40"
    second = doc.find_all("li", cls="hit")[1]
    assert second.find("p", cls="hit__meta").text == "Nakamura · 2012"
    assert [t.text for t in second.find_all("span", cls="tag")] == ["Fukuda"]
    rows = [
        [cell.text for cell in row.find_all() if cell.tag in ("th", "td")]
        for row in doc.find("section", cls="evidence").find("tbody").find_all("tr")
    ]
    assert rows[0] == ["IL-12p40", "1", "0", "0", "0", "1"]
    assert (
        doc.find("section", cls="evidence").find_all("a")[0].attrs["href"]
        == "/search?marker=IL-12p40"
    )


def test_evidence_table_only_when_a_marker_is_searched(client: FlaskClient) -> None:
    assert not page(client, "/search").find_all("section", cls="evidence")
    assert not page(client, "/search?q=anakinra").find_all("section", cls="evidence")
    assert page(client, "/search?marker=IL-6").find_all("section", cls="evidence")


def test_pem_facet_always_offers_all_three_values(client: FlaskClient) -> None:
    doc = page(client, "/search?q=IL-12p40")
    assert facet_boxes(doc, "pem") == [
        ("not-required", "PEM not required", False, "/search?q=IL-12p40&pem=not-required"),
        ("unknown", "PEM unknown", False, "/search?q=IL-12p40&pem=unknown"),
        ("required", "PEM required", False, "/search?q=IL-12p40&pem=required"),
    ]
    counts = [
        s.text
        for s in doc.find("aside", id="filters")
        .find_all("fieldset")[0]
        .find_all("span", cls="count")
    ]
    assert counts == ["1", "1", "0"]


def test_ticked_facet_is_checked_and_its_url_unticks_it(client: FlaskClient) -> None:
    doc = page(client, "/search?pem=required&q=IL-12p40")
    assert ("required", "PEM required", True, "/search?q=IL-12p40") in facet_boxes(doc, "pem")
    assert doc.find("h1").text == "No studies for “IL-12p40” with filters"
    assert "No studies match this search. Try removing a filter." in doc.find("p", cls="empty").text


def test_facet_form_works_without_javascript(client: FlaskClient) -> None:
    doc = page(client, "/search?q=cytokines&sort=newest")
    form = doc.find("form", id="search-form")
    assert (form.attrs["action"], form.attrs["method"]) == ("/search", "get")
    hidden = [(i.attrs["name"], i.attrs["value"]) for i in form.find_all("input", type="hidden")]
    assert hidden == [("sort", "newest")]
    boxes = doc.find("aside", id="filters").find_all("input", type="checkbox")
    assert boxes
    assert all(b.attrs["form"] == "search-form" for b in boxes)
    assert doc.find("button", cls="apply").attrs == {
        "type": "submit",
        "form": "search-form",
        "class": "apply",
    }
    # What the browser sends when one box is ticked and the form submitted:
    response = client.get(
        "/search",
        query_string={
            "q": "cytokines",
            "sort": "newest",
            "pem": "required",
            "year_from": "",
            "year_to": "",
        },
    )
    assert hit_slugs(parse_html(response.data)) == ["mueller-2019-tnf-alpha-exercise"]


def test_active_filters_are_removable_chips(client: FlaskClient) -> None:
    doc = page(client, "/search?pem=required&criteria=canadian&year_from=2010")
    chips = [(a.text, a.attrs["href"]) for a in doc.find_all("a", cls="chip")]
    assert chips == [
        ("Remove filter: PEM required ×", "/search?criteria=CCC&year_from=2010"),
        ("Remove filter: Criteria: CCC ×", "/search?pem=required&year_from=2010"),
        ("Remove filter: From 2010 ×", "/search?pem=required&criteria=CCC"),
    ]
    assert doc.find("a", cls="chips__clear").attrs["href"] == "/search"


def test_sort_links(client: FlaskClient) -> None:
    doc = page(client, "/search?q=cytokines")
    links = [
        (a.text, a.attrs["href"], "aria-current" in a.attrs)
        for a in doc.find("nav", cls="sorts").find_all("a")
    ]
    assert links == [
        ("Relevance", "/search?q=cytokines", True),
        ("Newest", "/search?q=cytokines&sort=newest", False),
        ("Oldest", "/search?q=cytokines&sort=oldest", False),
        ("Title", "/search?q=cytokines&sort=title", False),
    ]
    without_text = [a.text for a in page(client, "/search").find("nav", cls="sorts").find_all("a")]
    assert without_text == ["Newest", "Oldest", "Title"]


def test_page_links(client: FlaskClient) -> None:
    doc = page(client, "/search?per_page=3&page=2")
    links = [
        (e.text, e.attrs.get("href"))
        for li in doc.find("nav", cls="pagination").find_all("li")
        for e in li.children
        if not isinstance(e, str)
    ]
    assert links == [
        ("Previous", "/search?per_page=3"),
        ("Page 1", "/search?per_page=3"),
        ("Page 2", None),
        ("Page 3", "/search?page=3&per_page=3"),
        ("Next", "/search?page=3&per_page=3"),
    ]
    assert doc.find("ol", cls="hits").attrs["start"] == "4"
    assert [link.attrs["href"] for link in doc.find_all("link", rel="next")] == [
        "/search?page=3&per_page=3"
    ]


def test_page_past_the_end_links_back(client: FlaskClient) -> None:
    doc = page(client, "/search?page=9")
    assert doc.find("p", cls="empty").find("a").attrs["href"] == "/search"


def test_year_histogram_bars_link_to_year_filters(client: FlaskClient) -> None:
    doc = page(client, "/search?year=2019")
    svg = doc.find("svg", cls="histogram__chart")
    bars = [(a.attrs["aria-label"], a.attrs["href"]) for a in svg.find_all("a")]
    assert bars == [
        ("1998: 1 study", "/search?year=1998&year=2019"),
        ("2005: 1 study", "/search?year=2005&year=2019"),
        ("2012: 1 study", "/search?year=2012&year=2019"),
        ("2016: 1 study", "/search?year=2016&year=2019"),
        ("2017: 1 study", "/search?year=2017&year=2019"),
        ("2019: 1 study (selected)", "/search"),
        ("2020: 1 study", "/search?year=2019&year=2020"),
        ("2021: 1 study", "/search?year=2019&year=2021"),
    ]
    selected = [r for r in svg.find_all("rect") if "is-selected" in r.classes]
    assert len(selected) == 1
    assert "style" not in svg.attrs
    assert not any("style" in e.attrs for e in svg.iter())
    assert facet_boxes(doc, "year") == [("2019", "2019", True, "/search")]


def test_year_histogram_geometry() -> None:
    histogram = year_histogram([(2000, 2), (2001, 0), (2019, 4)], {2019}, lambda y: f"/y/{y}")
    assert histogram is not None
    assert (histogram.first_year, histogram.last_year, histogram.max_count) == (2000, 2019, 4)
    assert [(b.year, b.height, b.y, b.url, b.is_selected) for b in histogram.bars] == [
        (2000, 30.0, 30.0, "/y/2000", False),
        (2019, 60.0, 0.0, "/y/2019", True),
    ]
    assert histogram.bars[1].x + histogram.bars[1].width <= histogram.width
    assert year_histogram([], set(), str) is None
    short = year_histogram([(2010, 1)], set(), str, this_year=2026)
    assert short is not None
    assert (short.axis_from, short.axis_to) == (2001, 2020)


@pytest.mark.parametrize(
    ("years", "axis"),
    [
        ([2019], (2007, 2026)),  # padded, but not past this year: the rest goes before
        ([2026], (2007, 2026)),
        ([2021, 2023], (2007, 2026)),
        ([2000, 2003], (1992, 2011)),  # old enough: half on each side
        ([1990, 2026], (1990, 2026)),  # long enough: the data's own span
        ([2027], (2008, 2027)),  # a record dated next year still shows, at the axis's end
    ],
)
def test_the_year_axis_never_runs_past_this_year(years: list[int], axis: tuple[int, int]) -> None:
    histogram = year_histogram([(y, 1) for y in years], set(), str, this_year=2026)
    assert histogram is not None
    assert (histogram.axis_from, histogram.axis_to) == axis
    assert histogram.years == "–".join(str(y) for y in sorted({years[0], years[-1]}))
    assert histogram.axis_to - histogram.axis_from + 1 >= MIN_YEARS
    last = histogram.bars[-1]
    assert round(last.x + last.width, 1) <= histogram.width


def test_the_year_axis_ends_at_the_current_year_by_default() -> None:
    histogram = year_histogram([(2019, 3)], set(), str)
    assert histogram is not None
    assert histogram.axis_to == max(2019, datetime.date.today().year)


def test_a_query_that_finds_nothing_shows_the_corrected_query_results(client: FlaskClient) -> None:
    doc = page(client, "/search?q=cytokin&pem=required")
    corrected = doc.find("p", cls="corrected")
    assert corrected.text == "Showing results for cytokine. Search instead for cytokin"
    assert corrected.find("a").attrs["href"] == "/search?q=cytokin&pem=required&as_typed=1"
    assert doc.find("p", cls="suggestion") is corrected  # no second "Did you mean"
    assert doc.find("h1").text.startswith("1 study for")


def test_did_you_mean_links_to_the_suggestion_when_searching_as_typed(client: FlaskClient) -> None:
    doc = page(client, "/search?q=cytokin&pem=required&as_typed=1")
    assert doc.find_all("p", cls="corrected") == []
    suggestion = doc.find("p", cls="suggestion")
    assert suggestion.text == "Did you mean cytokine?"
    assert suggestion.find("a").attrs["href"] == "/search?q=cytokine&pem=required"
    assert doc.find("h1").text.startswith("No studies for")


def test_exports_and_feed_are_linked_for_the_whole_result_set(client: FlaskClient) -> None:
    doc = page(client, "/search?q=cytokines&page=1&per_page=1")
    links = [(a.text, a.attrs["href"]) for a in doc.find("p", cls="exports").find_all("a")]
    assert links == [
        ("CSV", "/search.csv?q=cytokines"),
        ("BibTeX", "/search.bib?q=cytokines"),
        ("RIS", "/search.ris?q=cytokines"),
        ("JSON", "/api/v1/search?q=cytokines&per_page=1"),
        ("Atom feed", "/search.atom?q=cytokines"),
    ]
    feed = doc.find("link", rel="alternate", type="application/atom+xml")
    assert feed.attrs["href"] == "/search.atom?q=cytokines"
    twin = doc.find("link", rel="alternate", type="application/json")
    assert twin.attrs["href"] == "/api/v1/search?q=cytokines&per_page=1"


def test_retracted_hits_are_marked(client: FlaskClient) -> None:
    doc = page(client, "/search?q=oxford")
    hit = doc.find("li", cls="hit")
    assert "hit--retracted" in hit.classes
    pem = hit.find("div", cls="hit__tags").find("details", cls="explain")
    assert pem.find("summary").text == "?What “PEM not required” means"
    assert hit.find("span", cls="retracted-label").text == "Retracted"
    assert hit.find("div", cls="hit__retracted").find("details", cls="explain").text == (
        "?What “Retracted” meansThe journal or the authors withdrew this study. It stays "
        "listed so that citations to it can be checked; do not rely on its findings."
    )


# ---- notices, bounds and canonical URLs -----------------------------------------------------


def test_invalid_values_are_ignored_with_a_visible_notice(client: FlaskClient) -> None:
    doc = page(client, "/search?pem=sometimes&sort=sideways&page=abc&year=20x&colour=red")
    notices = [li.text for li in doc.find("ul", cls="notices").find_all("li")]
    assert notices == [
        "Ignored pem='sometimes': expected one of required, not-required, unknown.",
        "Ignored year='20x': expected a year such as 2017.",
        "Ignored sort='sideways': expected one of relevance, newest, oldest, title.",
        "Ignored page='abc': expected a whole number from 1.",
    ]
    assert doc.find("h1").text == "8 studies"
    assert doc.find("link", rel="canonical").attrs["href"] == "http://localhost/search"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            f"q={'a' * (MAX_QUERY_CHARS + 1)}",
            "q: the query is 501 characters long; at most 500 are allowed",
        ),
        ("per_page=101", "per_page: at most 100"),
        ("page=1001", "page: at most 1000"),
        (
            "&".join(["topic=x"] * (MAX_FILTER_VALUES + 1)),
            "topic: at most 50 values are allowed",
        ),
    ],
)
def test_values_beyond_bounds_are_a_400_page(client: FlaskClient, query: str, message: str) -> None:
    doc = page(client, f"/search?{query}", status=400)
    assert doc.find("h1").text == "400: Bad request"
    assert next(p.text for p in doc.find("main").find_all("p")) == message


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (
            [
                "marker=TNF-alpha&criteria=canadian",
                "criteria=CCC&marker=tnf-%CE%B1",
                "utm_source=x&marker=TNF%CE%B1&criteria=Canadian+Consensus+Criteria&page=1&per_page=20",
            ],
            "http://localhost/search?criteria=CCC&marker=TNF-%CE%B1",
        ),
        (
            ["q=IL-6&sort=relevance", "q=++IL-6++", "q=IL-6&sort=bogus", "sort=RELEVANCE&q=IL-6"],
            "http://localhost/search?q=IL-6",
        ),
        (
            ["pem=required&pem=not-required", "pem=Not-Required&pem=REQUIRED&pem=required"],
            "http://localhost/search?pem=not-required&pem=required",
        ),
        (
            ["year_to=2010&year_from=2020&sort=oldest", "sort=oldest&year_from=2010&year_to=2020"],
            "http://localhost/search?year_from=2010&year_to=2020&sort=oldest",
        ),
        (["", "sort=newest", "page=1", "per_page=20&q="], "http://localhost/search"),
    ],
)
def test_the_same_view_always_has_the_same_canonical_url(
    client: FlaskClient, spellings: list[str], expected: str
) -> None:
    assert [canonical(client, f"/search?{s}") for s in spellings] == [expected] * len(spellings)


def test_canonical_url_keeps_the_page(client: FlaskClient) -> None:
    assert (
        canonical(client, "/search?per_page=3&page=2")
        == "http://localhost/search?page=2&per_page=3"
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("pem", "required", [("pem", "required"), ("criteria", "CCC")]),
        ("criteria", "ICC", [("criteria", "CCC"), ("criteria", "ICC")]),
        ("criteria", "CCC", []),
        ("sort", "title", [("criteria", "CCC"), ("sort", "title")]),
        ("page", "3", [("criteria", "CCC"), ("page", "3")]),
        ("q", "IL-6", [("q", "IL-6"), ("criteria", "CCC")]),
        ("year_from", "2001", [("criteria", "CCC"), ("year_from", "2001")]),
    ],
)
def test_changed_adds_or_removes_one_parameter(
    name: str, value: str, expected: list[tuple[str, str]]
) -> None:
    params = SearchParams(filters=(("criteria", ("CCC",)),), page=2)
    assert changed(params, name, value).canonical_query() == expected


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from((*PARAM_NAMES, "junk", "Q", "page[]")),
            st.one_of(
                st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
                st.sampled_from(
                    (
                        "",
                        "0",
                        "-1",
                        "1e3",
                        "99999999999999",
                        "2017",
                        "required",
                        "relevance",
                        "title:",
                        '"',
                        "(",
                        "AND OR",
                        "IL-6",
                        "10.1186/x",
                        "\x00",
                        "*",
                    )
                ),
            ),
        ),
        max_size=8,
    )
)
def test_fuzzed_query_strings_never_fail(client: FlaskClient, pairs: list[tuple[str, str]]) -> None:
    query = urlencode(pairs)
    for path in ("/search", "/api/v1/search"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 400), (path, query, response.data[:300])
        if path.startswith("/api/") and response.status_code == 400:
            assert set(response.get_json()) == {"error", "messages"}


@pytest.mark.parametrize("raw", ["q=%ff%fe", "q=%", "pem=%E2%28%A1", "&&&=&=", "q=a&q=b&q=%00"])
def test_undecodable_query_strings_never_fail(client: FlaskClient, raw: str) -> None:
    assert client.get(f"/search?{raw}").status_code == 200
    # the API refuses a pem value it cannot read; undecodable text elsewhere is searched
    assert client.get(f"/api/v1/search?{raw}").status_code == (400 if "pem" in raw else 200)


# ---- the study page --------------------------------------------------------------------------


def test_study_page_shows_the_record(client: FlaskClient) -> None:
    doc = page(client, "/studies/mueller-2019-tnf-alpha-exercise")
    assert doc.find("h1").text == "TNF-α and IL-6 after exercise in ME/CFS"
    byline = doc.find("p", cls="study__byline")
    assert (
        byline.text
        == "Müller, Hélène; Øster, Jörg; Smith, A B · Journal of Fatigue Studies · 2019 · "
        "doi:10.1000/TEST.001"
    )
    assert byline.find("a").attrs["href"] == "https://doi.org/10.1000/TEST.001"
    sections = {s.find("h2").text: s for s in doc.find_all("section") if s.find_all("h2")}
    assert sections["Summary"].find("p").text.startswith("Plasma TNF-α and IL-6 were measured")
    assert (
        sections["Why it matters"].find("p").text
        == "Suggests exercise may expose immune differences."
    )
    assert sections["What it does not prove"].find("p").text == "Small sample; one exercise test."
    pem = doc.find("section", cls="pem-panel")
    assert pem.find("span", cls="badge").text == "PEM required"
    assert "every participant had to have it" in pem.text
    facts = doc.find_all("dl", cls="facts")[0]
    explained = {
        dt.text: dd.find("details", cls="explain").find("span", cls="explain__text").text
        for dt, dd in zip(facts.find_all("dt"), facts.find_all("dd"), strict=True)
        if dd.find_all("details")
    }
    assert explained == {
        "Design": "Compares people who have ME/CFS with people who do not, at one time. It "
        "shows differences, not what causes them.",
        "Evidence level": "A grade from E0 to E3 that the publishing atlas gave the study's "
        "evidence when it read the paper. It is the publisher's grade, not a verdict on whether "
        "the findings are true.",
        "Confidence": "How sure the publishing atlas is of its reading of the paper: low, "
        "moderate or high.",
        "Peer reviewed": "Other researchers checked the paper before it was published.",
    }
    for details in facts.find_all("details"):
        details.children.clear()  # compare the values alone
    pairs = dict(
        zip(
            [dt.text for dt in facts.find_all("dt")],
            [dd.text for dd in facts.find_all("dd")],
            strict=True,
        )
    )
    assert pairs == {
        "Diagnostic criteria": "CCC requires PEM, ICC requires PEM",
        "Design": "Case-control",
        "Participants": "40 patients, 40 controls",
        "Sex": "mixed",
        "Topics": "immunology, exercise, cytokines",
        "Evidence level": "E2",
        "Confidence": "moderate",
        "Peer reviewed": "Yes",
    }
    assert facts.find("a", href="/search?criteria=CCC").text == "CCC"
    rows = [
        [c.text for c in r.find_all() if c.tag in ("th", "td")]
        for r in doc.find("table", cls="findings").find("tbody").find_all("tr")
    ]
    assert rows == [["TNF-alpha", "Increased", "plasma"], ["IL-6", "No difference", "plasma"]]
    links = [a.attrs["href"] for a in doc.find("ul", cls="links").find_all("a")]
    assert links == [
        "https://doi.org/10.1000/TEST.001",
        "https://pubmed.ncbi.nlm.nih.gov/31000001/",
        "/studies/mueller-2019-tnf-alpha-exercise.bib",
        "/studies/mueller-2019-tnf-alpha-exercise.ris",
        "/studies/mueller-2019-tnf-alpha-exercise.json",
    ]
    assert (
        doc.find("link", rel="canonical").attrs["href"]
        == "http://localhost/studies/mueller-2019-tnf-alpha-exercise"
    )
    related = [a.attrs["href"] for a in doc.find("ul", cls="related").find_all("a")]
    assert related == [
        "/studies/roerink-2017-cytokine-signatures",
        "/studies/script-2021-escaping",
        "/studies/natural-killer-2020-nk-cells",
    ]
    assert not doc.find_all("div", cls="retracted-banner")
    assert not doc.find_all("p", cls="snapshot")


def test_study_page_citation_and_bibtex_with_copy_buttons(client: FlaskClient) -> None:
    doc = page(client, "/studies/mueller-2019-tnf-alpha-exercise")
    assert doc.find("p", id="citation-text").text == (
        "Müller H, Øster J, Smith AB. TNF-α and IL-6 after exercise in ME/CFS. "
        "Journal of Fatigue Studies. 2019. doi:10.1000/TEST.001 PMID: 31000001."
    )
    bibtex = doc.find("pre", id="bibtex-text")
    assert bibtex.children[0].startswith("@article{mecfsatlas-mueller-2019-tnf-alpha-exercise,\n")
    buttons = [
        (b.attrs["data-copy"], "hidden" in b.attrs) for b in doc.find_all("button", cls="copy")
    ]
    assert buttons == [
        ("citation-text", True),
        ("cite-apa", True),
        ("cite-vancouver", True),
        ("cite-ama", True),
        ("cite-harvard", True),
        ("bibtex-text", True),
    ]  # shown by JavaScript
    assert doc.find("p", id="cite-apa").text == (
        "Müller, H., Øster, J., & Smith, A. B. (2019). TNF-α and IL-6 after exercise in ME/CFS. "
        "Journal of Fatigue Studies. https://doi.org/10.1000/TEST.001"
    )


def test_study_page_markers_without_findings_snapshot_and_other_fields(client: FlaskClient) -> None:
    doc = page(client, "/studies/roerink-2017-cytokine-signatures")
    rows = [
        [c.text for c in r.find_all() if c.tag in ("th", "td")]
        for r in doc.find("table", cls="findings").find("tbody").find_all("tr")
    ]
    assert rows == [
        ["IL-12p40", "Increased", "plasma"],
        ["CSF-1", "Increased", "plasma"],
        ["TGF-β", "No difference", "plasma"],
        ["IL-1Ra", "Measured; no direction given", ""],
    ]
    other = doc.find("section", **{"aria-labelledby": "other-heading"}).find("dl")
    assert [
        (dt.text, dd.text)
        for dt, dd in zip(other.find_all("dt"), other.find_all("dd"), strict=True)
    ] == [("curator_note", "kept as an unknown field")]
    assert doc.find("section", cls="pem-panel").find("span", cls="badge").text == "PEM unknown"


def test_minimal_record_page(client: FlaskClient) -> None:
    doc = page(client, "/studies/minimal-1998-record")
    assert doc.find("p", cls="study__byline").text == "Solo, A · 1998"
    facts = doc.find_all("dl", cls="facts")[0]
    assert [dd.text for dd in facts.find_all("dd")] == ["Not known"] * 4
    assert (
        doc.find("p", id="citation-text").text
        == "Solo A. A minimal record with only the required fields. 1998."
    )
    assert not doc.find_all("table", cls="findings")


def test_retracted_study_has_a_banner(client: FlaskClient) -> None:
    doc = page(client, "/studies/oxford-2005-cbt-trial")
    assert doc.find("div", cls="retracted-banner").text.startswith("RETRACTED.")
    assert doc.find("title").text.startswith("[Retracted] ")


def test_study_page_links_to_the_correction_form(client: FlaskClient) -> None:
    doc = page(client, "/studies/il16-2012-csf-proteins")
    assert (
        doc.find("p", cls="study__actions").find("a", href="#suggest-correction").text
        == "Suggest a correction"
    )
    assert doc.find("section", id="suggest-correction")


@pytest.mark.parametrize(
    "url", ["/studies/no-such-study", "/studies/UPPER", "/studies/a.b", "/studies/"]
)
def test_unknown_study_is_404(client: FlaskClient, url: str) -> None:
    doc = page(client, url, status=404)
    assert doc.find("h1").text == "404: Not Found"


# ---- escaping ----------------------------------------------------------------------------------


def test_record_text_is_escaped_everywhere(client: FlaskClient) -> None:
    for url in ("/studies/script-2021-escaping", "/search?q=script", "/search", "/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "<b>bold" not in html, url
        assert "Escaping &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends" in html, url
    snippet = page(client, "/search?q=script").find("p", cls="hit__snippet")
    assert [m.text for m in snippet.find_all("mark")] == ["script", "script"]
    assert snippet.text.startswith("Markup like <b>bold</b> and <script>alert(1)</script>")


def test_the_query_is_escaped(client: FlaskClient) -> None:
    html = client.get("/search", query_string={"q": '"><script>alert(1)</script>'}).get_data(
        as_text=True
    )
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_snippets_are_marked_safe() -> None:
    sources = {
        p.relative_to(WEB).as_posix(): p.read_text()
        for p in WEB.rglob("*")
        if p.suffix in (".py", ".html")
    }
    marked = sorted(
        name for name, text in sources.items() if re.search(r"\bMarkup\(|\|\s*safe\b", text)
    )
    # snippets (pages/__init__.py), the histogram's bars, made of numbers and escaped URLs, and
    # the evidence marks in a draft's abstract (the workspace), which escape everything else
    assert marked == ["highlight_evidence.py", "histogram.py", "pages/__init__.py"]
    assert sources["pages/__init__.py"].count("Markup(") == 1
    assert sources["histogram.py"].count("Markup(") == 1


def test_histogram_bars_escape_their_urls() -> None:
    histogram = year_histogram([(2000, 1), (2001, 3)], {2001}, lambda y: f'/s?q="><b>{y}&x')
    assert histogram is not None
    svg = str(histogram.bars_svg())
    assert "<b>" not in svg
    assert 'href="/s?q=&quot;&gt;&lt;b&gt;2000&amp;x"' in svg
    assert 'aria-label="2000: 1 study"' in svg
    assert 'aria-label="2001: 3 studies (selected)"' in svg


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    for url in (
        "/",
        "/search?q=IL-6",
        "/studies/roerink-2017-cytokine-signatures",
        "/about",
        "/nope",
    ):
        doc = parse_html(client.get(url).data)
        assert all("src" in s.attrs for s in doc.find_all("script")), url
        assert not doc.find_all("style"), url
        assert not [
            e.tag
            for e in doc.iter()
            if "style" in e.attrs or any(a.startswith("on") for a in e.attrs)
        ], url


# ---- accessibility basics -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/search?q=IL-6", "/studies/mueller-2019-tnf-alpha-exercise", "/about"]
)
def test_pages_have_landmarks_labels_and_a_skip_link(client: FlaskClient, url: str) -> None:
    doc = page(client, url)
    assert doc.find("html").attrs["lang"] == "en"
    skip = doc.find("a", cls="skip-link")
    assert skip.attrs["href"] == "#main"
    assert doc.find("main").attrs["id"] == "main"
    assert doc.find_all("header")
    assert doc.find_all("footer")
    assert doc.find_all("nav")
    assert len(doc.find_all("h1")) == 1
    labels = {label.attrs.get("for") for label in doc.find_all("label")}
    for field in doc.find_all("input") + doc.find_all("select") + doc.find_all("textarea"):
        if field.attrs.get("type") in ("hidden", "submit") or field.attrs.get("tabindex") == "-1":
            continue
        wrapped = any(field in label.find_all() for label in doc.find_all("label"))
        assert wrapped or field.attrs.get("id") in labels, field.attrs


# ---- fast paths and headers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/studies/roerink-2017-cytokine-signatures",
        "/studies/roerink-2017-cytokine-signatures.bib",
        "/search?q=IL-6",
        "/search.csv?q=IL-6",
        "/search.atom",
        "/api/v1/search?q=IL-6",
        "/api/v1/studies/roerink-2017-cytokine-signatures",
        "/api/v1/facets",
    ],
)
def test_etag_and_if_none_match_give_304(client: FlaskClient, url: str) -> None:
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", tag)
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    other_url = client.get(url + ("&" if "?" in url else "?") + "x=1")
    assert other_url.headers["ETag"] != tag


def test_no_etag_on_errors_or_for_visitors_with_a_session(client: FlaskClient) -> None:
    assert "ETag" not in client.get("/studies/no-such-study").headers
    url = "/studies/roerink-2017-cytokine-signatures"
    tag = client.get(url).headers["ETag"]
    client.set_cookie("session", "x")
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200


def test_static_files_have_hashed_urls_and_long_cache(client: FlaskClient) -> None:
    doc = page(client, "/")
    css = doc.find("link", rel="stylesheet").attrs["href"]
    scripts = [s.attrs["src"] for s in doc.find_all("script")]
    for url in (css, *scripts):
        assert re.fullmatch(r"/static/(app|reading)\.(css|js)\?v=[0-9a-f]{12}", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/app.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/app.css?v=000000000000").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/missing.css?v=1").status_code == 404


def test_security_headers_on_pages(client: FlaskClient) -> None:
    response = client.get("/search")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url", ["/", "/search", "/studies/minimal-1998-record", "/search.csv", "/about"]
)
def test_read_routes_answer_get_and_head_only(client: FlaskClient, url: str) -> None:
    assert client.head(url).status_code == 200
    for method in (client.post, client.put, client.delete):
        response = method(url)
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_unknown_page_is_a_404_page(client: FlaskClient) -> None:
    assert page(client, "/no/such/page", status=404).find("h1").text == "404: Not Found"


# ---- page weight on the bundled corpus ----------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    path = tmp_path_factory.mktemp("corpus")
    assert build(path / "index", [BUNDLED_STUDIES]).ok
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(path / "index"), "DATA_DIR": str(path / "data")}
    )
    return app.test_client()


def test_a_page_of_20_results_is_under_60_kb(corpus_client: FlaskClient) -> None:
    for url in ("/search", "/search?q=chronic+fatigue", "/search?pem=unknown&sort=title"):
        response = corpus_client.get(url)
        assert response.status_code == 200
        assert len(parse_html(response.data).find("ol", cls="hits").find_all("li", cls="hit")) == 20
        assert len(response.data) < 60_000, (url, len(response.data))


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"q": ["IL-6"], "sort": ["newest"]},
        {"q": ["x"], "pem": ["required"], "criteria": ["ICC", "CCC"], "per_page": ["50"]},
        {"marker": ["TNF-α"], "year": ["2019"], "year_from": ["2010"], "page": ["3"]},
        {"topic": ["Immunology"], "sort": ["title"], "design": ["rct"]},
    ],
)
def test_fast_toggle_urls_equal_the_canonical_ones(app: Flask, args: dict) -> None:
    from search import parse
    from web.urls import changed, search_url, toggle_url

    params = parse(args)
    with app.test_request_context("/search"):
        for name in ("pem", "criteria", "marker", "year", "topic", "design", "sex"):
            for value in ("required", "CCC", "ICC", "TNF-α", "2019", "2020", "Immunology", "rct"):
                assert toggle_url(params, name, value) == search_url(changed(params, name, value))


# ---- the study page, point by point with the atlas's evidence page (issue #18) -----------------

ROERINK = "/studies/roerink-2017-cytokine-signatures"
ROERINK_URL = "https://www.mecfsatlas.com/evidence/roerink-2017-cytokine-signatures"


def test_roerink_page_walks_the_atlas_page_in_order(client: FlaskClient) -> None:
    doc = page(client, ROERINK)
    # 1. Header: three authors as "Family, Given", et al., journal, year, a DOI link.
    byline = doc.find("p", cls="study__byline")
    assert byline.text == (
        "Roerink, Megan E; Knoop, Hans; Bronkhorst, Ewald M; et al. · "
        "Journal of translational medicine · 2017 · doi:10.1186/s12967-017-1371-9"
    )
    assert byline.find("a").attrs["href"] == "https://doi.org/10.1186/s12967-017-1371-9"
    headings = [h.text for h in doc.find("article").find_all("h2")]
    order = [
        "Summary",
        "Why it matters",
        "What it does not prove",
        "PEM unknown",
        "Cite this study",
        "Suggest a correction",
    ]
    assert [h for h in headings if h in order] == order
    # 3. The PEM badge: what "PEM required" means, which definitions are "not required", a link.
    pem = doc.find("section", id="pem")
    assert pem.find("p", cls="help").text == (
        "“PEM required” means the study made post-exertional malaise an explicit inclusion "
        "criterion; it does not tell whether the study measured PEM. Studies that selected "
        "patients by definitions that do not require PEM (Fukuda, Oxford…) are tagged "
        "“PEM not required”. How the atlas works"
    )
    assert pem.find("a").attrs["href"] == "/about#pem"
    assert "the record" not in doc.find("article").text.casefold()
    cite = doc.find("section", id="cite")
    # 4. Which citation to use.
    assert cite.find("p", cls="citation-note").text == (
        "The citation below cites the paper itself: use it in your own writing and research. "
        "The atlas snapshot reference further down is only for referring to the atlas's "
        "reading of the paper on the date it shows."
    )
    # 5-7. Primary citation, BibTeX, snapshot reference: each with a copy button, in that order.
    assert [b.attrs["data-copy"] for b in cite.find_all("button", cls="copy")] == [
        "citation-text",
        "cite-apa",
        "cite-vancouver",
        "cite-ama",
        "cite-harvard",
        "bibtex-text",
        "snapshot-text",
    ]
    assert cite.find("p", id="citation-text").text.startswith("Roerink ME, Knoop H, ")
    assert cite.find("pre", id="bibtex-text").text == " ".join(
        client.get(ROERINK + ".bib").get_data(as_text=True).split()
    )
    assert cite.find("p", id="snapshot-text").text == (
        f"ME/CFS Atlas. Generator v1 / Scanner v1.4 / policy v0.1. Accessed 2026-05-29. "
        f"{ROERINK_URL}"
    )
    # 8. Contribute: private and reviewed.
    assert doc.find("section", id="suggest-correction")


def test_roerink_bibtex_key_doi_pubmed_note_and_publisher_url(client: FlaskClient) -> None:
    assert client.get(ROERINK + ".bib").get_data(as_text=True) == (
        "@article{mecfsatlas-roerink-2017-cytokine-signatures,\n"
        "  author = {Roerink, Megan E and Knoop, Hans and Bronkhorst, Ewald M and "
        "van der Meer, Jos W M},\n"
        "  title = {{Cytokine signatures in chronic fatigue syndrome patients: a Case Control "
        "Study and the effect of anakinra treatment}},\n"
        "  journal = {Journal of translational medicine},\n"
        "  year = {2017},\n"
        "  doi = {10.1186/s12967-017-1371-9},\n"
        f"  url = {{{ROERINK_URL}}},\n"
        "  note = {PubMed: 29284500}\n"
        "}\n"
    )


def test_site_name_and_short_name_are_settings(index_dir: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "SITE_NAME": "Test Atlas",
            "SITE_SHORT": "testatlas",
        }
    )
    client = app.test_client()
    doc = page(client, ROERINK)
    assert doc.find("title").text.endswith("· Test Atlas")
    assert doc.find("p", id="snapshot-text").text.startswith("Test Atlas. Generator v1")
    assert "Test Atlas" in doc.find("footer").text
    bib = client.get("/search.bib?q=cytokines").get_data(as_text=True)
    assert "@article{testatlas-roerink-2017-cytokine-signatures,\n" in bib
    ris = client.get(ROERINK + ".ris").get_data(as_text=True)
    assert "ID  - testatlas-roerink-2017-cytokine-signatures\r\n" in ris
    assert f"UR  - {ROERINK_URL}\r\n" in ris


def test_snapshot_reference_falls_back_to_the_study_page_and_is_absent_without_snapshot() -> None:
    from citations import snapshot_citation

    record = {"slug": "s-1", "snapshot": {"generator": "v2", "accessed": "2026-01-02"}}
    assert snapshot_citation(record, "ME/CFS Atlas", "http://x/studies/s-1") == (
        "ME/CFS Atlas. Generator v2. Accessed 2026-01-02. http://x/studies/s-1"
    )
    assert snapshot_citation({"slug": "s-1"}, "ME/CFS Atlas", "http://x/studies/s-1") is None


# ---- retractions ---------------------------------------------------------------------------------


def test_retractions_lists_every_retracted_study_and_is_linked(client: FlaskClient) -> None:
    doc = page(client, "/retractions")
    hits = doc.find("ul", cls="hits").find_all("li", cls="hit--retracted")
    assert [h.find("a").attrs["href"] for h in hits] == ["/studies/oxford-2005-cbt-trial"]
    assert hits[0].find("span", cls="retracted-label").text == "Retracted"
    assert "1 study in the atlas has been retracted." in doc.find("main").text
    for url in ("/", "/search?q=il-6", "/about", "/studies/mueller-2019-tnf-alpha-exercise"):
        assert page(client, url).find("footer").find_all("a", href="/retractions"), url
    assert page(client, "/about").find("main").find_all("a", href="/retractions")
    banner = page(client, "/studies/oxford-2005-cbt-trial").find("div", cls="retracted-banner")
    assert banner.text.startswith("RETRACTED.")


def test_retractions_without_any(tmp_path: Path) -> None:
    source = tmp_path / "studies"
    source.mkdir()
    (source / "a.json").write_text(
        '{"slug": "a-2020-x", "title": "X", "authors": ["A, B"], "year": 2020}', encoding="utf-8"
    )
    assert build(tmp_path / "index", [source]).ok
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    doc = page(app.test_client(), "/retractions")
    assert doc.find("p", cls="empty").text == "No study in the atlas has been retracted."


def test_retractions_of_the_bundled_corpus(corpus_client: FlaskClient) -> None:
    doc = page(corpus_client, "/retractions")
    links = [h.find("a").attrs["href"] for h in doc.find_all("li", cls="hit--retracted")]
    assert links == ["/studies/lo-2010-detection-mlv"]


# ---- reading settings -------------------------------------------------------------------------


def test_reading_settings_panel_on_every_page_and_in_step_with_its_script(
    client: FlaskClient,
) -> None:
    script = (WEB / "static" / "reading.js").read_text(encoding="utf-8")
    choices = {
        name: re.findall(r'"([a-z]+)"', values)
        for name, values in re.findall(r"(\w+): \[([^\]]*)\]", script)
    }
    assert list(choices) == ["theme", "text", "spacing", "short"]
    for url in ("/", "/search?q=il-6", "/about", "/retractions", ROERINK):
        doc = page(client, url)
        head_scripts = [s.attrs for s in doc.find("head").find_all("script")]
        assert head_scripts[0]["src"].startswith("/static/reading.js?v=")
        assert "defer" not in head_scripts[0]
        assert "async" not in head_scripts[0]
        toggle = doc.find("button", cls="reading__toggle")
        assert "hidden" in toggle.attrs
        assert toggle.attrs["aria-controls"] == "reading-panel"
        panel = doc.find("div", id="reading-panel")
        groups = {
            f.find("legend").text: [i.attrs["value"] for i in f.find_all("input")]
            for f in panel.find_all("fieldset")
        }
        assert groups == {
            "Colours": ["system", "light", "dark"],
            "Text size": ["standard", "large", "larger"],
            "Line spacing": ["standard", "wide"],
            "Short view: summaries first, other sections fold": ["phones", "always", "never"],
        }
        by_setting = {
            name: [i.attrs["value"] for i in panel.find_all("input", **{"data-setting": name})]
            for name in choices
        }
        assert by_setting == choices  # the panel offers exactly what reading.js accepts


def test_stylesheet_follows_the_system_without_javascript() -> None:
    css = (WEB / "static" / "app.css").read_text(encoding="utf-8")
    for query in ("prefers-color-scheme: dark", "prefers-reduced-motion", "prefers-contrast: more"):
        assert f"@media ({query}" in css
    assert ':root:not([data-theme="light"])' in css
    assert ':root[data-theme="dark"]' in css


# ---- short view ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("One. Two. Three.", "One. Two."),
        ("Short first, e.g. this. Then more. And more.", "Short first, e.g. this. Then more."),
        ("A" * 170 + ". Second.", "A" * 170 + "."),
        ("Only one sentence", "Only one sentence"),
        ("  ", None),
    ],
)
def test_in_short_is_the_first_sentence_or_two(summary: str, expected: str | None) -> None:
    from web.pages.study import in_short

    assert in_short(summary) == expected


def test_study_page_has_in_short_and_foldable_sections(client: FlaskClient) -> None:
    doc = page(client, ROERINK)
    assert doc.find("section", cls="in-short").find("p").text == (
        "Blood cytokines of 50 women with ME/CFS were compared with 48 healthy women; IL-12p40 "
        "and CSF-1 were higher in patients. Four weeks of anakinra did not change cytokine levels."
    )
    folds = [s.find_all("h2")[0].text for s in doc.find_all("section", cls="foldable")]
    assert folds == [
        "Summary",
        "Why it matters",
        "What it does not prove",
        "PEM unknown",
        "About the study",
        "Markers and findings",
        "Cite this study",
        "Other fields",
        "Related studies",
        "Suggest a correction",
    ]
    assert not page(client, "/studies/minimal-1998-record").find_all("section", cls="in-short")


def test_about_lists_what_every_label_means(client: FlaskClient) -> None:
    from web.pages.labels import DESIGN_LABELS

    section = page(client, "/about").find("section", id="labels")
    terms = [dt.text for dt in section.find_all("dt")]
    assert terms == [
        *DESIGN_LABELS.values(),
        "Evidence level (E0–E3)",
        "Confidence",
        "Peer reviewed",
        "Not peer reviewed",
        "Retracted",
    ]
