"""Sections other benchmark scripts keep in BENCHMARKS.md (bench/report.py write_section)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.report as report
from bench.imports import write_records
from curation.formats import read_papers


def test_a_section_is_replaced_not_repeated_and_survives_a_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "SECTIONS", tmp_path / "sections")
    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n\nother text\n", encoding="utf-8")
    report.write_section("imports", "## Importing papers\n\nfirst", target)
    report.write_section("imports", "## Importing papers\n\nsecond", target)
    text = target.read_text(encoding="utf-8")
    assert text.count("## Importing papers") == 1
    assert "second" in text
    assert "first" not in text
    assert text.startswith("# Benchmarks\n\nother text\n")
    assert "## Importing papers\n\nsecond" in report.render({})


def test_the_import_benchmark_writes_readable_pubmed_xml(tmp_path: Path) -> None:
    write_records(tmp_path / "set.xml", 20)
    kind, papers = read_papers(tmp_path / "set.xml")
    assert (kind, len(papers), len({p.pmid for p in papers})) == ("pubmed-xml", 20, 20)
    assert all(len(p.abstract.split()) >= 250 for p in papers)
