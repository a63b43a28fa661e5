"""Record validation: every kind of problem is reported with file, slug, field and expectation."""

from __future__ import annotations

import pytest

from search.records import Problem, validate_record

GOOD = {"slug": "good-2020-study", "title": "A study", "authors": ["Doe, J"], "year": 2020}


def problems(raw: object) -> list[str]:
    _record, found = validate_record(raw, "f.json")
    return [str(p) for p in found]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"slug": "Bad Slug"},
            "f.json: Bad Slug: slug: must be 3-120 characters of a-z, 0-9 and -",
        ),
        ({"slug": "ab"}, "f.json: ab: slug: must be 3-120 characters of a-z, 0-9 and -"),
        ({"title": ""}, "f.json: good-2020-study: title: must not be empty"),
        ({"authors": []}, "f.json: good-2020-study: authors: must list at least one author"),
        ({"authors": "Doe, J"}, "f.json: good-2020-study: authors: must be a list"),
        ({"year": "2020"}, "f.json: good-2020-study: year: must be an integer"),
        ({"year": True}, "f.json: good-2020-study: year: must be an integer"),
        ({"year": 1850}, "f.json: good-2020-study: year: must be 1900-2100"),
        ({"pmid": "PMC123"}, "f.json: good-2020-study: pmid: must be digits only"),
        ({"pmid": 123}, "f.json: good-2020-study: pmid: must be a string"),
        (
            {"pem": "yes"},
            "f.json: good-2020-study: pem: must be one of: required, not-required, unknown",
        ),
        (
            {"design": "anecdote"},
            "f.json: good-2020-study: design: must be one of: case-control, cohort, "
            "cross-sectional, rct, non-randomised-trial, systematic-review, meta-analysis, review, "
            "case-report, qualitative, other",
        ),
        (
            {"sex": "both"},
            "f.json: good-2020-study: sex: must be one of: female, male, mixed, unknown",
        ),
        (
            {"evidence_level": "E9"},
            "f.json: good-2020-study: evidence_level: must be one of: E0, E1, E2, E3",
        ),
        (
            {"confidence": "sure"},
            "f.json: good-2020-study: confidence: must be one of: low, moderate, high",
        ),
        ({"peer_reviewed": "yes"}, "f.json: good-2020-study: peer_reviewed: must be true or false"),
        ({"retracted": 1}, "f.json: good-2020-study: retracted: must be true or false"),
        (
            {"findings": [{"marker": "IL-6", "direction": "up"}]},
            "f.json: good-2020-study: findings[0].direction: must be one of: increased, decreased, "
            "no-difference, mixed",
        ),
        (
            {"findings": [{"direction": "increased"}]},
            "f.json: good-2020-study: findings[0].marker: is required",
        ),
        (
            {"participants": {"patients": -1}},
            "f.json: good-2020-study: participants.patients: must be 0 or more",
        ),
        (
            {"snapshot": {"accessed": "May 2026"}},
            "f.json: good-2020-study: snapshot.accessed: must be an ISO date such as 2026-05-29",
        ),
        (
            {"doi": "not a doi"},
            "f.json: good-2020-study: doi: must be a DOI such as 10.1186/s12967-017-1371-9",
        ),
    ],
)
def test_each_problem_names_file_slug_field_and_expectation(change: dict, expected: str) -> None:
    assert problems({**GOOD, **change}) == [expected]


def test_missing_required_fields_are_all_reported() -> None:
    assert problems({"slug": "only-a-slug"}) == [
        "f.json: only-a-slug: title: is required",
        "f.json: only-a-slug: authors: is required",
        "f.json: only-a-slug: year: is required",
    ]


def test_line_number_is_shown_for_json_lines() -> None:
    record, found = validate_record({**GOOD, "year": "x"}, "s.jsonl", 7)
    assert record is None
    assert [str(p) for p in found] == ["s.jsonl:7: good-2020-study: year: must be an integer"]


def test_normalises_doi_criteria_whitespace_and_keeps_unknown_fields() -> None:
    record, found = validate_record(
        {
            **GOOD,
            "title": "  A   study\nof things ",
            "doi": "https://doi.org/10.1186/S12967-017-1371-9",
            "criteria": ["canadian consensus criteria", "CDC-1994", "Carruthers 2011", "nice 2021"],
            "pem": "Required",
            "lab_notes": {"freezer": 3},
        },
        "f.json",
    )
    assert found == []
    assert record == {
        "slug": "good-2020-study",
        "title": "A study of things",
        "authors": ["Doe, J"],
        "year": 2020,
        "doi": "10.1186/S12967-017-1371-9",
        "criteria": ["CCC", "Fukuda", "ICC", "NICE-2021"],
        "pem": "required",
        "lab_notes": {"freezer": 3},
    }


def test_pem_defaults_to_unknown_and_is_never_guessed() -> None:
    record, found = validate_record({**GOOD, "criteria": ["CCC"]}, "f.json")
    assert record is not None
    assert record["pem"] == "unknown"
    assert found == []


@pytest.mark.parametrize(
    ("pem", "criteria", "message"),
    [
        ("required", ["Fukuda"], "pem is 'required' but none of the criteria requires PEM"),
        (
            "not-required",
            ["CCC", "ICC"],
            "pem is 'not-required' but every listed criterion requires PEM",
        ),
    ],
)
def test_pem_criteria_mismatch_is_a_warning_not_an_error(
    pem: str, criteria: list[str], message: str
) -> None:
    record, found = validate_record({**GOOD, "pem": pem, "criteria": criteria}, "f.json")
    assert record is not None
    assert found == [Problem("f.json", None, "good-2020-study", "pem", message, is_warning=True)]


def test_unknown_criteria_are_kept_with_a_warning() -> None:
    record, found = validate_record({**GOOD, "criteria": ["Home-made 2024"]}, "f.json")
    assert record is not None
    assert record["criteria"] == ["Home-made 2024"]
    assert [str(p) for p in found] == [
        "f.json: good-2020-study: criteria: warning: "
        "unknown criteria 'Home-made 2024' kept as written"
    ]


def test_greek_letters_and_accents_survive_unchanged() -> None:
    record, _ = validate_record(
        {**GOOD, "authors": ["Müller, Hélène"], "markers": ["TNF-α", "IFN-γ"]}, "f.json"
    )
    assert record is not None
    assert record["authors"] == ["Müller, Hélène"]
    assert record["markers"] == ["TNF-α", "IFN-γ"]
