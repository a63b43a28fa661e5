"""The benchmark report's parts: timing summaries, and a size's section from its raw figures."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.report as report
from bench.stats import percentile, summary_ms


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, 0.0),
        ([3.0], 0.99, 3.0),
        ([4.0, 1.0, 3.0, 2.0], 0.5, 2.0),
        ([float(n) for n in range(1, 101)], 0.95, 96.0),
        ([float(n) for n in range(1, 101)], 0.99, 100.0),
    ],
)
def test_percentile_is_the_rank_the_earlier_figures_used(
    values: list[float], fraction: float, expected: float
) -> None:
    assert percentile(values, fraction) == expected


def test_a_summary_is_in_milliseconds() -> None:
    assert summary_ms([0.001, 0.003, 0.002]) == {
        "median": 2.0,
        "p95": 3.0,
        "p99": 3.0,
        "mean": 2.0,
        "samples": 3,
    }
    assert summary_ms([]) == {}


def test_a_failed_stage_and_a_rerun_are_said_and_the_failed_figures_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "SECTIONS", tmp_path / "sections")
    entry = {
        "size": 10_000,
        "run_at": "2026-12-01T00:00:00+00:00",
        "commit": "abc1234",
        "seconds": 12.5,
        "cold_start": {"process_to_first_answer": 0.7, "open_and_first_search": 0.4},
        "http": {"error": "RuntimeError: the server did not start"},
        "reruns": {"cold_start": {"run_at": "2026-12-02T00:00:00+00:00", "commit": "def5678"}},
    }
    text = report.render({"machine": {"cores": 2}, "sizes": {"10000": entry}})
    assert "**The http stage failed:** `RuntimeError: the server did not start`" in text
    assert "The cold_start figures are from a later run, 2026-12-02T00:00:00+00:00 at " in text
    assert "| Cold start (new process to first answer) | 0.7 s: " in text
    assert "| open the index and answer < 1 s | **MET** |" in text
    assert "HTTP /healthz" not in text
    assert "- N = 10,000: server peak RSS < 250 MB (#5, #7): NOT MEASURED" in text
    assert "- N = 1,000: not run yet." in text
