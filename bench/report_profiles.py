"""The profile sections of BENCHMARKS.md: where our search, and the build, spend their time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.entry import Entry, figure, stage

SEARCH_PROFILE_SIZE = 10_000  # the size the search profile is shown for, when it was profiled


def _table(title: str, hotspots: Sequence[dict[str, Any]]) -> list[str]:
    return [
        title,
        "",
        "| Function | Where | % of time |",
        "|---|---|---|",
        *(f"| `{h['function']}` | `{h['location']}` | {h['percent']}% |" for h in hotspots),
    ]


def _hotspots(entry: Entry, prof: dict[str, Any] | None, work: str) -> list[str]:
    """Return a profile's summary line and its tables by own and by total time."""
    if not prof:
        return []
    lines = [
        f"pyinstrument, {prof['seconds']} s of {work}"
        + f" at N = {entry['size']:,} (interval {prof['interval'] * 1000:g} ms"
        + (f"; full tree in `{prof['text_file']}`" if prof.get("text_file") else "")
        + ").",
        "",
    ]
    lines += _table("Own time (time spent in the function itself):", prof["by_own_time"])
    lines += [""]
    lines += _table("Total time (the function and what it calls):", prof["by_total_time"])
    return lines


def search_profile_section(sizes: Sequence[Entry]) -> list[str]:
    """Return the section on the uncached mix's profile (at 10,000 studies when there)."""
    profiled = [e for e in sizes if figure(e, "search", "profile")]
    if not profiled:
        return []
    pick = next((e for e in profiled if e["size"] == SEARCH_PROFILE_SIZE), profiled[-1])
    out = ["## Where our search spends its time", ""]
    out += _hotspots(pick, figure(pick, "search", "profile"), "the uncached mix")
    out.append("")
    browsing = _hotspots(
        pick, figure(pick, "search", "profile_filter_only"), "uncached filter-only queries"
    )
    if browsing:
        out += ["### Filter-only browsing alone", "", *browsing, ""]
    return out


def build_profile_section(sizes: Sequence[Entry]) -> list[str]:
    """Return the section on the profile of a full build (of the largest size profiled)."""
    built = [e for e in sizes if stage(e, "build_profile")]
    if not built:
        return []
    last = built[-1]
    out = ["## Where the build spends its time", ""]
    out += _hotspots(last, stage(last, "build_profile"), "a full build (in-process)")
    out.append("")
    return out
