"""The prose lint and reading level: warnings for any source, failures for the bundled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli
from indexer.prose import prose_warnings, reading_level, sentence_count
from indexer.sources import load_records
from search.settings import BUNDLED_STUDIES

# The bundled summaries must read at or below this Flesch–Kincaid grade (median).
MAX_MEDIAN_GRADE = 10.0

GOOD = {
    "slug": "good-2020",
    "summary": "Researchers compared 40 patients with 40 healthy people. Patients had lower "
    "levels of the marker in their blood.",
    "significance": "It suggests a blood test that may one day help doctors.",
    "limitations": "The study was small and looked at one point in time only.",
}


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("One sentence.", 1),
        ("One. Two follow here.", 2),
        ("Levels rose (p = 0.04). In 2017 they fell.", 2),
        ("Levels rose, e.g. in blood.", 1),  # no capital after "e.g.": no end
        ("A fragment without a full stop", 1),
    ],
)
def test_sentence_count(text: str, count: int) -> None:
    assert sentence_count(text) == count


def test_good_prose_has_no_warnings() -> None:
    assert prose_warnings(GOOD, "f.json", None) == []


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("summary", "", "is missing: readers see no account of the study"),
        ("significance", "   ", "is missing: readers see no account of the study"),
        ("limitations", "Small sample.", "is a fragment (2 words); write at least a sentence"),
        (
            "summary",
            "Researchers compared forty patients with forty healthy people in this study.",
            "is one sentence; say who was studied, what was done and what was found",
        ),
        (
            "limitations",
            "The record does not say how patients were chosen for the study.",
            "speaks of the data ('The record'), not of the study",
        ),
        (
            "significance",
            "Sample sizes are not recorded, so the weight of the finding is unclear.",
            "speaks of the data ('not recorded'), not of the study",
        ),
    ],
)
def test_each_prose_fault_is_one_warning_naming_the_field(
    field: str, text: str, message: str
) -> None:
    problems = prose_warnings(dict(GOOD, **{field: text}), "f.json", 3)
    assert [(p.file, p.line, p.slug, p.field, p.message, p.is_warning) for p in problems] == [
        ("f.json", 3, "good-2020", field, message, True)
    ]


def test_reading_level_scores_summaries_only() -> None:
    easy = dict(GOOD, slug="easy")
    hard = dict(
        GOOD,
        slug="hard",
        summary="Immunophenotypic characterisation demonstrated statistically significant "
        "dysregulation of cytotoxic lymphocyte subpopulations. Heterogeneity "
        "notwithstanding, methodological considerations necessitate circumspection.",
    )
    level = reading_level([easy, dict(easy, slug="easy-too"), hard, {"slug": "none"}])
    assert level.scored == 3
    assert level.hardest_slug == "hard"
    assert level.highest is not None
    assert level.median is not None
    assert level.highest > 15 > level.median


def test_index_check_reports_prose_as_warnings(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "records"
    source.mkdir()
    record = dict(GOOD, title="A study", authors=["Doe, J"], year=2020)
    (source / "good.json").write_text(json.dumps(record), encoding="utf-8")
    bad = dict(record, slug="bad-2020", limitations="The record does not say more than this.")
    (source / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(cli, ["index", "check", "--source", str(source)])
    assert result.exit_code == 0  # prose problems are warnings, never errors
    assert (
        f"{source / 'bad.json'}: bad-2020: limitations: warning: speaks of the data "
        "('The record'), not of the study"
    ) in result.stderr
    assert "good-2020" not in result.stderr
    assert "Prose: 1 warning(s). Reading level of 2 summaries (Flesch-Kincaid grade)" in (
        result.stdout
    )


def test_bundled_prose_is_whole_plain_and_about_the_studies() -> None:
    load = load_records([BUNDLED_STUDIES])
    assert load.errors == []
    problems = [str(p) for r in load.records for p in prose_warnings(r, r["slug"], None)]
    assert problems == []
    level = reading_level(load.records)
    assert level.scored == len(load.records)
    assert level.median is not None, str(level)
    assert level.median <= MAX_MEDIAN_GRADE, str(level)
