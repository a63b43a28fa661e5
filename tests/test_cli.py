"""The `atlas` command: options, exit codes and the JSON it prints."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from atlas_cli import cli
from tests.conftest import SOURCES, copy_records

SOURCE_ARGS = [arg for s in SOURCES for arg in ("--source", str(s))]


def test_index_build_reports_and_exits_zero(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["index", "build", "--index", str(tmp_path / "ix"), *SOURCE_ARGS])
    assert result.exit_code == 0, result.output
    assert "Indexed 8 records (full: 8 added or changed, 0 removed)" in result.output
    again = runner.invoke(cli, ["index", "build", "--index", str(tmp_path / "ix"), *SOURCE_ARGS])
    assert again.exit_code == 0
    assert "Index is up to date: 8 records" in again.output


def test_index_build_json_metadata(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["index", "build", "--json", "--index", str(tmp_path / "ix"), *SOURCE_ARGS]
    )
    meta = json.loads(result.output)
    assert meta["records"] == 8
    assert meta["status"] == "built"


def test_index_build_with_errors_exits_one_and_lists_every_problem(
    runner: CliRunner, tmp_path: Path
) -> None:
    records = copy_records(tmp_path)
    (records / "a.json").write_text('{"slug": "bad-one", "title": "x", "authors": [], "year": 1}')
    (records / "b.json").write_text("[]")
    result = runner.invoke(
        cli, ["index", "build", "--index", str(tmp_path / "ix"), "--source", str(records)]
    )
    assert result.exit_code == 1
    assert f"{records / 'a.json'}: bad-one: authors: must list at least one author" in result.stderr
    assert f"{records / 'a.json'}: bad-one: year: must be 1900-2100" in result.stderr
    assert f"{records / 'b.json'}: -: expected one JSON object, found an array" in result.stderr
    assert "nothing was indexed" in result.stderr
    assert not (tmp_path / "ix" / "CURRENT").exists()


def test_skip_invalid_exits_zero_when_something_was_indexed(
    runner: CliRunner, tmp_path: Path
) -> None:
    records = copy_records(tmp_path)
    (records / "a.json").write_text('{"slug": "bad-one"}')
    args = [
        "index",
        "build",
        "--skip-invalid",
        "--index",
        str(tmp_path / "ix"),
        "--source",
        str(records),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert "bad-one: title: is required" in result.stderr


def test_skip_invalid_with_nothing_valid_exits_one(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "a.json").write_text("{}")
    args = [
        "index",
        "build",
        "--skip-invalid",
        "--index",
        str(tmp_path / "ix"),
        "--source",
        str(tmp_path / "r"),
    ]
    assert runner.invoke(cli, args).exit_code == 1


def test_missing_source_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["index", "build", "--source", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_index_check_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["index", "check", *SOURCE_ARGS])
    assert result.exit_code == 0
    assert "8 valid record(s) in 7 file(s); 0 error(s), 0 warning(s)." in result.output
    records = copy_records(tmp_path)
    (records / "warn.json").write_text(
        json.dumps(
            {
                "slug": "warn-2020",
                "title": "t",
                "authors": ["A, B"],
                "year": 2020,
                "criteria": ["Weird"],
            }
        )
    )
    result = runner.invoke(cli, ["index", "check", "--source", str(records)])
    assert result.exit_code == 0
    assert "warn-2020: criteria: warning: unknown criteria 'Weird' kept as written" in result.stderr
    (records / "bad.json").write_text("{")
    assert runner.invoke(cli, ["index", "check", "--source", str(records)]).exit_code == 1


def test_search_json_shape(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(cli, ["search", "IL-12p40", "--index", str(index_dir), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {"query", "total", "page", "per_page", "results", "facets", "suggestion"} <= set(data)
    assert data["query"] == "IL-12p40"
    assert data["page"] == 1
    assert data["per_page"] == 20
    first = data["results"][0]
    assert first["slug"] == "roerink-2017-cytokine-signatures"
    assert {
        "slug",
        "title",
        "authors",
        "year",
        "journal",
        "doi",
        "pem",
        "criteria",
        "design",
        "markers",
        "score",
    } <= set(first)
    assert set(data["facets"]) >= {"pem", "criteria", "design", "marker", "year"}
    for values in data["facets"].values():
        for value in values:
            assert set(value) == {"value", "count", "selected"}


def test_empty_query_lists_every_study_newest_first(runner: CliRunner, index_dir: Path) -> None:
    data = json.loads(runner.invoke(cli, ["search", "--index", str(index_dir), "--json"]).output)
    assert data["total"] == 8
    years = [r["year"] for r in data["results"]]
    assert years == sorted(years, reverse=True)


def test_search_filters(runner: CliRunner, index_dir: Path) -> None:
    args = ["search", "--index", str(index_dir), "--json", "--filter", "pem=required"]
    data = json.loads(runner.invoke(cli, args).output)
    assert data["total"] == 4
    assert all(r["pem"] == "required" for r in data["results"])
    assert {"value": "required", "count": 4, "selected": True} in data["facets"]["pem"]
    args += ["--filter", "year_from=2019"]
    data = json.loads(runner.invoke(cli, args).output)
    assert sorted(r["slug"] for r in data["results"]) == [
        "mueller-2019-tnf-alpha-exercise",
        "natural-killer-2020-nk-cells",
        "script-2021-escaping",
    ]


def test_search_bad_filter_name_is_a_usage_error(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(cli, ["search", "--index", str(index_dir), "--filter", "colour=red"])
    assert result.exit_code == 2
    assert "expected NAME=VALUE" in result.stderr


def test_search_per_page_bound(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(cli, ["search", "--index", str(index_dir), "--per-page", "1000"])
    assert result.exit_code == 2
    assert "per_page: at most 100" in result.stderr


def test_search_without_index_exits_one(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no index at" in result.stderr
    assert "atlas index build" in result.stderr


def test_search_text_output(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(cli, ["search", "IL-12p40", "--index", str(index_dir)])
    assert result.exit_code == 0
    assert "1. Cytokine signatures in chronic fatigue syndrome patients" in result.output
    assert (
        "Roerink et al. · Journal of translational medicine · 2017 · PEM: unknown" in result.output
    )


def test_show_json_and_unknown_slug(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(
        cli, ["show", "roerink-2017-cytokine-signatures", "--index", str(index_dir), "--json"]
    )
    record = json.loads(result.output)
    assert record["slug"] == "roerink-2017-cytokine-signatures"
    assert record["curator_note"] == "kept as an unknown field"
    result = runner.invoke(cli, ["show", "no-such-study", "--index", str(index_dir)])
    assert result.exit_code == 1
    assert "no study with slug 'no-such-study'" in result.stderr


def test_environment_configures_index_and_sources(runner: CliRunner, tmp_path: Path) -> None:
    env = {
        "ATLAS_INDEX": str(tmp_path / "envix"),
        "ATLAS_SOURCE": ":".join(str(s) for s in SOURCES),
    }
    assert runner.invoke(cli, ["index", "build"], env=env).exit_code == 0
    data = json.loads(runner.invoke(cli, ["search", "--json"], env=env).output)
    assert data["total"] == 8
