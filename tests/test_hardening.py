"""Failures a hostile probe and real client software found (issue #14), each reproduced here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas_cli import cli

# ---- 3: deep nesting in the query text --------------------------------------------------------

DEEP = ["(" * 245 + "fatigue" + ")" * 245, "NOT " * 120 + "fatigue", "(" * 400]


@pytest.mark.parametrize("q", DEEP)
def test_deeply_nested_query_is_read_as_words_on_every_route(client, q: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
    assert "nested more than 32 deep" in page.get_data(as_text=True)
    answer = client.get("/api/v1/search", query_string={"q": q})
    assert answer.status_code == 200
    assert any("nested more than 32 deep" in n for n in answer.get_json()["notices"])


def test_deeply_nested_query_from_the_cli(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(cli, ["search", DEEP[0], "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["read_as"] == "fatigue"
    assert any("nested more than 32 deep" in n for n in answer["notices"])


def test_nesting_up_to_the_bound_is_read_as_written(client) -> None:  # type: ignore[no-untyped-def]
    q = "(" * 32 + "fatigue OR cytokine" + ")" * 32
    answer = client.get("/api/v1/search", query_string={"q": q}).get_json()
    assert answer["read_as"] == "fatigue OR cytokine"
    assert not any("nested" in n for n in answer["notices"])
