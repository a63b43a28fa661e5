"""Searching the fixture index: matching, markers, filters, facets, sorting, pages, snippets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from search import Atlas, parse
from search.markers import mention_spans
from search.params import ParamError
from search.store.snippets import SNIPPET_TEXTS


def slugs(atlas: Atlas, **args: Any) -> list[str]:
    return [h.slug for h in atlas.search(parse(args)).hits]


def total(atlas: Atlas, **args: Any) -> int:
    return atlas.search(parse(args)).total


@pytest.mark.parametrize(
    "q", ["IL-12p40", "IL12p40", "IL-12 p40", "IL12B", "IL-12/23p40", "marker:IL12B"]
)
def test_marker_spellings_find_the_same_studies(atlas: Atlas, q: str) -> None:
    found = slugs(atlas, q=q)
    assert found[0] == "roerink-2017-cytokine-signatures"
    # the CSF study only mentions "IL-12 p40" in passing; marker: scoping leaves it out
    expected = {"roerink-2017-cytokine-signatures"} | (
        set() if q.startswith("marker:") else {"il16-2012-csf-proteins"}
    )
    assert set(found) == expected


def test_listed_marker_ranks_above_a_passing_mention(atlas: Atlas) -> None:
    assert slugs(atlas, q="IL-12p40") == [
        "roerink-2017-cytokine-signatures",
        "il16-2012-csf-proteins",
    ]


def test_il6_does_not_match_il16(atlas: Atlas) -> None:
    assert slugs(atlas, q="IL-6") == ["mueller-2019-tnf-alpha-exercise"]
    assert slugs(atlas, q="IL-16") == ["il16-2012-csf-proteins"]


def test_il_prefix_does_not_match_every_il_study(atlas: Atlas) -> None:
    assert "mueller-2019-tnf-alpha-exercise" not in slugs(atlas, q="IL-12p40")


@pytest.mark.parametrize("q", ["TNF-alpha", "TNFa", "TNF alpha", "TNF-α"])
def test_greek_letter_spellings(atlas: Atlas, q: str) -> None:
    assert slugs(atlas, q=q) == ["mueller-2019-tnf-alpha-exercise"]


@pytest.mark.parametrize("q", ["IFN-gamma", "IFN-γ", "interferon gamma"])
def test_ifn_gamma(atlas: Atlas, q: str) -> None:
    assert slugs(atlas, q=q) == ["script-2021-escaping"]


def test_csf_alone_means_cerebrospinal_fluid_not_csf1(atlas: Atlas) -> None:
    found = slugs(atlas, q="CSF")
    assert "il16-2012-csf-proteins" in found
    assert "roerink-2017-cytokine-signatures" not in found


def test_accents_fold(atlas: Atlas) -> None:
    assert slugs(atlas, q="Muller") == ["mueller-2019-tnf-alpha-exercise"]
    assert slugs(atlas, q="author:Müller") == ["mueller-2019-tnf-alpha-exercise"]
    assert slugs(atlas, q="Sean") == ["script-2021-escaping"]


def test_stemming_for_prose(atlas: Atlas) -> None:
    assert set(slugs(atlas, q="cytokines")) == set(slugs(atlas, q="cytokine"))
    assert "roerink-2017-cytokine-signatures" in slugs(atlas, q="cytokines")


def test_default_operator_is_and(atlas: Atlas) -> None:
    assert slugs(atlas, q="plasma exercise") == ["mueller-2019-tnf-alpha-exercise"]


def test_or_not_minus_and_parentheses(atlas: Atlas) -> None:
    assert set(slugs(atlas, q="orexin OR anakinra")) == {"roerink-2017-cytokine-signatures"}
    assert set(slugs(atlas, q="exercise OR anakinra")) == {
        "roerink-2017-cytokine-signatures",
        "mueller-2019-tnf-alpha-exercise",
    }
    assert slugs(atlas, q="cytokines -anakinra") == ["mueller-2019-tnf-alpha-exercise"]
    assert slugs(atlas, q="cytokines NOT anakinra") == ["mueller-2019-tnf-alpha-exercise"]
    assert set(slugs(atlas, q="(anakinra OR exercise) cytokines")) == {
        "roerink-2017-cytokine-signatures",
        "mueller-2019-tnf-alpha-exercise",
    }


def test_exact_phrase(atlas: Atlas) -> None:
    assert slugs(atlas, q='"cognitive behaviour therapy"') == ["oxford-2005-cbt-trial"]
    assert slugs(atlas, q='"therapy cognitive"') == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("title:anakinra", ["roerink-2017-cytokine-signatures"]),
        ("journal:PNAS", ["metabolomics-2016-hypometabolic"]),
        (
            "criteria:CCC",
            [
                "script-2021-escaping",
                "mueller-2019-tnf-alpha-exercise",
                "metabolomics-2016-hypometabolic",
            ],
        ),
        (
            'criteria:"Canadian Consensus Criteria"',
            [
                "script-2021-escaping",
                "mueller-2019-tnf-alpha-exercise",
                "metabolomics-2016-hypometabolic",
            ],
        ),
        ("design:rct", ["oxford-2005-cbt-trial"]),
        ("intervention:CBT", ["oxford-2005-cbt-trial"]),
        ("topic:neurology", ["il16-2012-csf-proteins"]),
        ("doi:10.1186/s12967-017-1371-9", ["roerink-2017-cytokine-signatures"]),
        ("pmid:29284500", ["roerink-2017-cytokine-signatures"]),
        ("year:2017", ["roerink-2017-cytokine-signatures"]),
        (
            "year:2016..2019",
            [
                "mueller-2019-tnf-alpha-exercise",
                "roerink-2017-cytokine-signatures",
                "metabolomics-2016-hypometabolic",
            ],
        ),
        ("year:>=2020", ["script-2021-escaping", "natural-killer-2020-nk-cells"]),
        ("year:<2000", ["minimal-1998-record"]),
    ],
)
def test_field_scoping(atlas: Atlas, q: str, expected: list[str]) -> None:
    assert slugs(atlas, q=q, sort="newest") == expected


@pytest.mark.parametrize(
    "q", ["10.1186/s12967-017-1371-9", "https://doi.org/10.1186/s12967-017-1371-9", "29284500"]
)
def test_doi_or_pmid_alone_finds_its_study(atlas: Atlas, q: str) -> None:
    assert slugs(atlas, q=q)[0] == "roerink-2017-cytokine-signatures"


def test_doi_prefix_in_records_is_stripped(atlas: Atlas) -> None:
    assert slugs(atlas, q="10.1000/test.001") == ["mueller-2019-tnf-alpha-exercise"]


@pytest.mark.parametrize(
    "q", ['"unclosed', "title:", "((", "AND OR", "!!! ??? ...", ")(", "NOT", "a OR", '-"']
)
def test_malformed_input_never_errors_and_says_how_it_was_read(atlas: Atlas, q: str) -> None:
    result = atlas.search(parse({"q": q}))
    assert result.total >= 0
    assert result.notices, q


def test_malformed_input_is_searched_as_words(atlas: Atlas) -> None:
    result = atlas.search(parse({"q": '"anakinra'}))
    assert [h.slug for h in result.hits] == ["roerink-2017-cytokine-signatures"]
    assert result.read_as == "anakinra"


def test_read_as_shows_markers_and_operators(atlas: Atlas) -> None:
    assert atlas.search(parse({"q": "IL12p40 plasma -anakinra"})).read_as == (
        "marker:IL-12p40 AND plasma AND NOT anakinra"
    )


def test_filters_or_within_and_across_facets(atlas: Atlas) -> None:
    assert total(atlas, criteria=["CCC", "Oxford"]) == 4
    assert total(atlas, criteria=["CCC", "Oxford"], pem="required") == 3
    assert total(atlas, marker="IL12p40") == 1
    assert total(atlas, marker=["IL-12/23p40", "TNF alpha"]) == 2


def test_year_bounds(atlas: Atlas) -> None:
    assert total(atlas, year_from="2010", year_to="2020") == 5
    assert total(atlas, year="2017") == 1
    assert total(atlas, year=["2017", "2019"], year_from="2018") == 1


def test_facet_counts_exclude_their_own_selection(atlas: Atlas) -> None:
    result = atlas.search(parse({"criteria": "CCC"}))
    criteria = {v.value: (v.count, v.selected) for v in result.facets["criteria"]}
    # counts for criteria ignore the criteria selection: ticking ICC would add studies
    assert criteria["CCC"] == (3, True)
    assert criteria["ICC"] == (2, False)
    pem = {v.value: v.count for v in result.facets["pem"]}
    assert pem == {"required": 3}


def test_facet_values_sorted_by_count_then_name(atlas: Atlas) -> None:
    values = atlas.search(parse({})).facets["pem"]
    assert [(v.value, v.count) for v in values] == [
        ("required", 4),
        ("not-required", 2),
        ("unknown", 2),
    ]


def test_empty_results_keep_selected_zero_count_values(atlas: Atlas) -> None:
    result = atlas.search(parse({"q": "anakinra", "pem": "required", "marker": "no-such-marker"}))
    assert result.total == 0
    assert {"value": "required", "count": 0, "selected": True} in [
        v.to_json() for v in result.facets["pem"]
    ]
    assert any(v.selected and v.count == 0 for v in result.facets["marker"])


def test_marker_facet_shows_canonical_names(atlas: Atlas) -> None:
    markers = {v.value for v in atlas.search(parse({})).facets["marker"]}
    assert {"TNF-α", "IFN-γ", "IL-12p40", "NK cell cytotoxicity"} <= markers
    assert "TNF-alpha" not in markers
    assert "NKCC" not in markers


def test_filter_values_are_resolved_to_canonical_names(atlas: Atlas) -> None:
    result = atlas.search(parse({"marker": "il12b", "criteria": "canadian"}))
    assert result.params.values("marker") == ("IL-12p40",)
    assert result.params.values("criteria") == ("CCC",)


def test_sorting(atlas: Atlas) -> None:
    newest = slugs(atlas)
    assert newest[0] == "script-2021-escaping"
    assert newest[-1] == "minimal-1998-record"
    assert slugs(atlas, sort="oldest") == list(reversed(newest))
    titles = [h.title.casefold() for h in atlas.search(parse({"sort": "title"})).hits]
    assert titles == sorted(titles)


def test_pages(atlas: Atlas) -> None:
    everything = slugs(atlas)
    assert (
        slugs(atlas, per_page="3")
        + slugs(atlas, per_page="3", page="2")
        + slugs(atlas, per_page="3", page="3")
        == everything
    )
    beyond = atlas.search(parse({"page": "99"}))
    assert beyond.hits == ()
    assert beyond.total == 8


@pytest.mark.parametrize(
    "q", ["patients", "cytokine OR fatigue OR sleep", "IL-6 OR TNF-α OR fatigue"]
)
def test_relevance_pages_one_at_a_time_agree_with_one_whole_page(atlas: Atlas, q: str) -> None:
    # a short page sorts only the best scores (ties included); a long one sorts everything
    whole = atlas.search(parse({"q": q, "per_page": "100"}))
    assert whole.total >= 3
    one_by_one = [
        slugs(atlas, q=q, per_page="1", page=str(page)) for page in range(1, whole.total + 1)
    ]
    assert [s for page in one_by_one for s in page] == [h.slug for h in whole.hits]


def test_bounds_raise_param_error() -> None:
    with pytest.raises(ParamError):
        parse({"q": "x" * 501})
    with pytest.raises(ParamError):
        parse({"per_page": "101"})
    with pytest.raises(ParamError):
        parse({"marker": [f"m{n}" for n in range(51)]})


def test_invalid_values_are_ignored_with_notices() -> None:
    params = parse({"sort": "sideways", "page": "abc", "pem": "maybe", "year": "twenty"})
    assert (params.sort, params.page, params.filters) == (None, 1, ())
    assert len(params.notices) == 4


def test_snippets_mark_matches_and_escape_everything_else(atlas: Atlas) -> None:
    [hit] = atlas.search(parse({"q": "interferon gamma"})).hits
    assert "<mark>IFN-γ</mark>" in hit.snippet or "<mark>Interferon gamma</mark>" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "<b>" not in hit.snippet


def test_mentions_stored_by_the_build_are_what_a_scan_of_the_text_finds(atlas: Atlas) -> None:
    generation = atlas.current()
    checked = 0
    for docnum, slug in enumerate(generation.tables.slugs):
        if slug is None:
            continue
        record = generation.reader.record(docnum)
        texts, stored = generation.reader.snippet_texts(docnum)
        mentions = json.loads(stored)
        assert texts == [" ".join((record.get(k) or "").split("\n")) for k in SNIPPET_TEXTS]
        scanned = [
            [n, *span] for n, t in enumerate(texts) for span in mention_spans(t, generation.markers)
        ]
        assert mentions == scanned
        checked += len(mentions)
    assert checked > 10  # the fixture's prose names markers


def test_snippet_marks_stemmed_words(atlas: Atlas) -> None:
    [hit] = atlas.search(parse({"q": "cycling"})).hits
    assert "<mark>cycling</mark>" in hit.snippet


def test_retracted_studies_are_marked(atlas: Atlas) -> None:
    [hit] = atlas.search(parse({"q": "Oxford"})).hits
    assert hit.retracted is True


def test_suggestions(atlas: Atlas) -> None:
    assert atlas.search(parse({"q": "eotaxn"})).suggestion == "eotaxin"
    assert atlas.search(parse({"q": "cytokin"})).suggestion == "cytokine"
    assert atlas.search(parse({"q": "cytokine"})).suggestion is None
    assert atlas.search(parse({"q": "cytokines cytokin"})).suggestion == "cytokines cytokine"


def test_evidence_table(atlas: Atlas) -> None:
    evidence = [e.to_json() for e in atlas.search(parse({"q": "TNF-alpha"})).evidence]
    assert evidence[0] == {
        "marker": "TNF-α",
        "increased": 1,
        "decreased": 0,
        "no-difference": 0,
        "mixed": 0,
    }
    assert {
        "marker": "IL-6",
        "increased": 0,
        "decreased": 0,
        "no-difference": 1,
        "mixed": 0,
    } in evidence


def test_related_studies_share_markers_and_topics(atlas: Atlas) -> None:
    related = [h.slug for h in atlas.related("roerink-2017-cytokine-signatures")]
    assert related[0] == "mueller-2019-tnf-alpha-exercise"
    assert "roerink-2017-cytokine-signatures" not in related


def test_repeated_search_comes_from_the_cache(atlas: Atlas) -> None:
    params = parse({"q": "fatigue", "pem": "required"})
    assert atlas.search(params) is atlas.search(parse({"pem": "required", "q": "fatigue"}))


@pytest.mark.parametrize("raw", ["²", "٣", "1e3", "-", "0x10", "１２"])
def test_numbers_that_are_not_plain_digits_are_ignored_with_a_notice(raw: str) -> None:
    params = parse({"page": raw, "year_from": raw, "per_page": raw, "year": raw})
    assert (params.page, params.per_page, params.year_from, params.filters) == (1, 20, None, ())
    assert len(params.notices) == 4


def test_stop_words_keep_their_place_in_phrases(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from indexer.build import build
    from search import open_atlas

    records = tmp_path / "records"
    records.mkdir()
    for slug, summary in [
        ("adjacent-2020-pem", "Patients reported post-exertional malaise after exercise."),
        ("apart-2020-pem", "Patients reported post-exertional and malaise symptoms."),
        ("effects-2020-exercise", "The effects of exercise were measured."),
    ]:
        record = {
            "slug": slug,
            "title": "A study",
            "authors": ["A, B"],
            "year": 2020,
            "summary": summary,
        }
        (records / f"{slug}.json").write_text(json.dumps(record))
    build(tmp_path / "index", [records])
    atlas = open_atlas(tmp_path / "index")
    assert slugs(atlas, q='"post-exertional malaise"') == ["adjacent-2020-pem"]
    assert slugs(atlas, q='"effects of exercise"') == ["effects-2020-exercise"]
    assert slugs(atlas, q='"effects exercise"') == []


def test_facet_order_is_the_same_with_one_sort_key_or_several(atlas: Atlas) -> None:
    stacked = atlas.current().facet_counter.stacked
    for params in ({}, {"q": "cytokine"}, {"q": "fatigue OR sleep"}):
        matched = atlas.current().matcher.answer(parse(params)).matched
        counts = stacked.counts(matched)
        assert stacked.one_key
        one = stacked.tops(counts)
        stacked.one_key = False
        try:
            several = stacked.tops(counts)
        finally:
            stacked.one_key = True
        assert one == several
        assert any(n for _, _, n in one.values())


def test_snippets_of_texts_with_line_breaks_and_control_characters(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from indexer.build import build
    from search import open_atlas

    records = tmp_path / "records"
    records.mkdir()
    record = {
        "slug": "breaks-2020-il6",
        "title": "Line\nbreaks",
        "authors": ["A, B"],
        "year": 2020,
        "summary": "First line.\nSecond\x1fline\tnames IL-6 and\r\nfatigue.",
        "significance": "Also IL-6.",
    }
    (records / "breaks.json").write_text(json.dumps(record))
    assert build(tmp_path / "index", [records]).ok
    atlas = open_atlas(tmp_path / "index")
    [hit] = atlas.search(parse({"q": "IL-6 fatigue"})).hits
    assert (
        hit.snippet == "First line. Second line names <mark>IL-6</mark> and <mark>fatigue</mark>."
    )
