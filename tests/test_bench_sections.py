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


def _entry(size: int) -> dict[str, object]:
    return {"size": size, "run_at": "2026-12-01T00:00:00+00:00", "commit": "abc1234"}


def test_a_quick_run_never_rewrites_the_committed_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import bench.run as run

    monkeypatch.setattr(report, "SECTIONS", tmp_path / "sections")
    out = tmp_path / "out"
    paths = {
        "OUT": out,
        "RESULTS": out / "results.json",
        "REPORT": tmp_path / "BENCHMARKS.md",
        "QUICK_RESULTS": out / "results-quick.json",
        "QUICK_REPORT": out / "BENCHMARKS-quick.md",
    }
    for name, path in paths.items():
        monkeypatch.setattr(run, name, path)
    out.mkdir()
    full = {"sizes": {str(n): _entry(n) for n in (1000, 10_000, 100_000)}}
    paths["RESULTS"].write_text(json.dumps(full), encoding="utf-8")
    paths["QUICK_RESULTS"].write_text(json.dumps({"sizes": {"1000": _entry(1000)}}), "utf-8")
    run.main(["--report-only"])
    committed = paths["REPORT"].read_text(encoding="utf-8")
    assert "## N = 100,000 studies" in committed

    run.main(["--quick", "--report-only"])
    assert paths["REPORT"].read_text(encoding="utf-8") == committed
    quick = paths["QUICK_REPORT"].read_text(encoding="utf-8")
    assert "## N = 1,000 studies" in quick
    assert "## N = 10,000 studies" not in quick


@pytest.mark.slow
def test_compare_measures_both_sides_in_turn_and_writes_its_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bench.compare as compare

    monkeypatch.setattr(report, "SECTIONS", tmp_path / "sections")
    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n\ncommitted figures\n", encoding="utf-8")
    argv = ["HEAD", "--size", "30", "--rounds", "2", "--passes", "1", "--pages", "3"]
    assert compare.main([*argv, "--report", str(target)]) == 0
    section = (tmp_path / "sections" / "before-after.md").read_text(encoding="utf-8")
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\ncommitted figures\n")
    assert section.strip() in text
    head = compare._git("rev-parse", "--short", "HEAD")
    assert f"Before: `HEAD` ({head}); after: `HEAD` ({head}) + working tree. 30 generated" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "÷" not in line]
    assert [row.split(" | ")[0] for row in rows] == [
        f"| {label}" for _, label, _, _ in compare.FIGURES
    ]
    assert all(float(row.split(" | ")[3]) > 0 for row in rows)
    worktrees = compare._git("worktree", "list")
    assert "atlas-compare-" not in worktrees  # the temporary checkout is gone


def test_the_probe_refuses_to_measure_code_from_another_tree(tmp_path: Path) -> None:
    import bench.compare as compare

    # A tree without the code: `import search` finds the installed one, which is refused.
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuntimeError, match=r"imported .*search"):
        compare.measure(tmp_path / "empty", {"size": 1}, tmp_path / "run")
