"""Timings summarised: percentiles, and the median, p95, p99 and mean in milliseconds."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from bench.mix import KINDS, QUERY_MIX


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the value of rank round(fraction × count + 0.5) (from 1, clamped) among the sorted
    values, 0.0 for none: the figures of every earlier run were computed this way."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Return the median, p95, p99 and mean of timings, in milliseconds."""
    if not seconds:
        return {}
    return {
        "median": round(statistics.median(seconds) * 1000, 3),
        "p95": round(percentile(seconds, 0.95) * 1000, 3),
        "p99": round(percentile(seconds, 0.99) * 1000, 3),
        "mean": round(statistics.fmean(seconds) * 1000, 3),
        "samples": len(seconds),
    }


def by_kind(timings: dict[int, list[float]]) -> dict[str, dict[str, float]]:
    """Return the summary of each query class, from timings keyed by position in the mix."""
    out = {}
    for kind in KINDS:
        samples = [t for i, q in enumerate(QUERY_MIX) if q.kind == kind for t in timings[i]]
        out[kind] = summary_ms(samples)
    return out
