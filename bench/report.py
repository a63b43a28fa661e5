"""BENCHMARKS.md from the raw figures: a table per corpus size with the targets of issue 7."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.mix import KINDS, QUERY_MIX

# Sections other benchmark scripts write (bench/suggestions.py, bench/imports.py), kept in
# BENCHMARKS.md whenever it is rendered again.
SECTIONS = Path(__file__).parent / "sections"

Entry = dict[str, Any]


def _get(entry: Entry, *path: str) -> Any:
    value: Any = entry
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


@dataclass(frozen=True)
class Target:
    """A target from the issues: where it applies, how to read the figure, and the bound."""

    id: str
    text: str
    sizes: tuple[int, ...] | None  # None: every size
    value: Callable[[Entry], float | None]
    is_met: Callable[[float], bool]
    source: str  # the issue that sets it


def _behind_sqlite(entry: Entry) -> float | None:
    by_kind = _get(entry, "search", "ratio_ours_to", "sqlite-fts5", "by_kind")
    return max(by_kind.values()) if by_kind else None


TARGETS: tuple[Target, ...] = (
    Target(
        "uncached-10k",
        "uncached median < 8 ms",
        (10_000,),
        lambda e: _get(e, "search", "engines", "ours_uncached", "all", "median"),
        lambda v: v < 8,
        "#3, #7",
    ),
    Target(
        "tantivy-4x",
        "within 4x of tantivy (median over the mix)",
        (10_000,),
        lambda e: _get(e, "search", "ratio_ours_to", "tantivy", "all"),
        lambda v: v <= 4,
        "#3, #7",
    ),
    Target(
        "sqlite-every-class",
        "ahead of SQLite FTS5 on every query class",
        (10_000,),
        _behind_sqlite,
        lambda v: v < 1,
        "#3, #7",
    ),
    Target(
        "filter-only",
        "filter-only median < 3 ms",
        (10_000,),
        lambda e: _get(e, "search", "engines", "ours_uncached", "by_kind", "filter-only", "median"),
        lambda v: v < 3,
        "#3, #7",
    ),
    Target(
        "repeated",
        "repeated median < 0.5 ms",
        (10_000,),
        lambda e: _get(e, "search", "engines", "ours_repeated", "all", "median"),
        lambda v: v < 0.5,
        "#3, #7",
    ),
    Target(
        "uncached-100k",
        "uncached median < 80 ms",
        (100_000,),
        lambda e: _get(e, "search", "engines", "ours_uncached", "all", "median"),
        lambda v: v < 80,
        "#7",
    ),
    Target(
        "build-rate",
        "full build >= 330 records/s",
        None,
        lambda e: _get(e, "build", "full", "records_per_s"),
        lambda v: v >= 330,
        "#7",
    ),
    Target(
        "open-1s",
        "open the index and answer < 1 s",
        (10_000,),
        lambda e: _get(e, "cold_start", "open_and_first_search"),
        lambda v: v < 1,
        "#3",
    ),
    Target(
        "server-rss",
        "server peak RSS < 250 MB",
        (10_000,),
        lambda e: _get(e, "http", "server_peak_rss_mb"),
        lambda v: v < 250,
        "#5, #7",
    ),
    Target(
        "cycling-search",
        "/search cycling mix >= 50% of /healthz requests/s",
        None,
        lambda e: _get(e, "http", "search_cycling", "share_of_trivial"),
        lambda v: v >= 0.5,
        "#5, #7",
    ),
    Target(
        "cycling-api",
        "/api/v1/search cycling mix >= 50% of /healthz requests/s",
        None,
        lambda e: _get(e, "http", "api_cycling", "share_of_trivial"),
        lambda v: v >= 0.5,
        "#5, #7",
    ),
    Target(
        "unique-api",
        "never-repeated API queries > 88 requests/s (SQLite FTS5's figure)",
        (10_000,),
        lambda e: _get(e, "http", "api_unique", "requests_per_s"),
        lambda v: v > 88,
        "#5",
    ),
)


# Why a target can be missed and what would close it, from the profiles this run writes.
MISS_NOTES: dict[str, str] = {
    "build-rate": (
        "Whoosh's writer is most of a build: turning each record into postings with positions "
        "(`_KeepingWriter.add_document`, `TermPositions.word_values`) and writing them out at "
        "commit "
        "(`W3FieldWriter.add_postings`, with zlib `compress` and a pickle per block); see the "
        "build profile below. With two cores a second process writes half the index, so the "
        "rest (validation, marker mentions, tables) is what the second core cannot share. "
        "What would close it: more writer processes on more cores; keep positions only for "
        "fields that phrases need; skip the zlib step for short posting blocks."
    ),
    "tantivy-4x": (
        "What is left is Python work per page: the 20 snippets (`Highlighter.snippet`: "
        "finding the query's words in each hit's text, escaping, choosing a window), counting "
        "and ordering every facet value and the evidence table, and scoring with numpy over "
        "dense vectors. What would close it: cut snippets from tokens stored at build time; "
        "score only candidates that can reach the page (block-max WAND) and count the rest "
        "from bitsets."
    ),
    "uncached-10k": "See the note on tantivy.",
    "uncached-100k": (
        "Per-match work grows with the corpus for common words (every match is scored) and "
        "for phrases (every place of every word is compared). Score only the candidates that "
        "can reach the top 20 (block-max WAND / MaxScore) and count the rest from bitsets."
    ),
    "sqlite-every-class": (
        "The class table shows which classes (a ratio of 1 or more). Phrases compare sorted "
        "arrays of each word's places (decoded once per word and cached); the first phrase "
        "with a word pays for decoding its positions, about 1 µs per document holding it."
    ),
    "filter-only": (
        "Facet counting over every value (one popcount over a stacked bit matrix, then a "
        "`FacetValue` each) and the evidence table over every marker. The unfiltered home "
        "page is the same answer until the next build and could be precomputed."
    ),
    "repeated": "The result cache should answer in microseconds; check it is consulted.",
    "open-1s": "Opening loads tables.json/.bin and the Whoosh segment; persist less or map it.",
    "server-rss": "One searcher per generation should keep this flat across thread counts.",
    "cycling-search": (
        "The page does much more than the search: a toggle URL for every facet value "
        "(`web/urls.py` `search_url` → `dataclasses.replace`, `_canonical_filters`, "
        "`urlencode`) and the template cost about 20 ms a page even when the search itself is "
        "cached (measured with the Flask test client at 1,000 studies). Cache the rendered "
        "page, or build facet URLs from one precomputed base query string."
    ),
    "cycling-api": (
        "With the result cache warm, what is left is Flask, JSON encoding and waitress; the "
        "load generator shares the two cores, so compare with /healthz of the same run."
    ),
    "unique-api": (
        "A never-repeated query often names a word no earlier query used: its postings are "
        "decoded from Whoosh's blocks (a pickle per block of 128 postings, positions "
        "included) before it can be scored, 10–35 ms for a common word at 10,000 studies. "
        "Postings kept as arrays beside the index at build time would remove that step."
    ),
}


def assess(entry: Entry) -> list[dict[str, Any]]:
    """Return each target that applies to this size with its value and MET/MISSED/NOT MEASURED."""
    out = []
    for target in TARGETS:
        if target.sizes is not None and entry["size"] not in target.sizes:
            continue
        value = target.value(entry)
        status = "NOT MEASURED" if value is None else ("MET" if target.is_met(value) else "MISSED")
        out.append(
            {
                "id": target.id,
                "target": target.text,
                "value": value,
                "status": status,
                "source": target.source,
            }
        )
    return out


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _status(entry: Entry, target_id: str) -> tuple[str, str]:
    for row in assess(entry):
        if row["id"] == target_id:
            return next(t.text for t in TARGETS if t.id == target_id), f"**{row['status']}**"
    return "—", ""


def _stage(entry: Entry, name: str) -> dict[str, Any]:
    """Return a stage's figures, or nothing when it failed or did not run."""
    value = entry.get(name) or {}
    return {} if "error" in value else value


def _summary_table(entry: Entry) -> list[str]:
    e = entry
    full = _get(e, "build", "full") or {}
    inc = _get(e, "build", "incremental") or {}
    engines = _get(e, "search", "engines") or {}
    ours = engines.get("ours_uncached", {})
    rep = engines.get("ours_repeated", {})
    tv = engines.get("tantivy", {})
    sq = engines.get("sqlite-fts5", {})
    ratios = _get(e, "search", "ratio_ours_to") or {}
    cold = _stage(e, "cold_start")
    http = _stage(e, "http")
    rows: list[tuple[str, str, str, str]] = []

    def add(measure: str, value: str, target_id: str | None = None) -> None:
        target, status = _status(e, target_id) if target_id else ("—", "")
        rows.append((measure, value, target, status))

    add(
        "Full build",
        f"{full.get('records_per_s')} records/s ({full.get('seconds')} s for the "
        f"command, {full.get('build_function_seconds')} s inside `build()`); peak RSS "
        f"{full.get('peak_rss_mb')} MB; index {full.get('index_mb')} MB on disk "
        f"(corpus {full.get('corpus_mb')} MB)",
        "build-rate",
    )
    add(
        f"Incremental update of 1% ({inc.get('changed_records')} records)",
        f"{inc.get('seconds')} s ({inc.get('mode')}; {inc.get('build_function_seconds')} s inside "
        f"`build()`); peak RSS {inc.get('peak_rss_mb')} MB",
    )
    a = ours.get("all", {})
    add(
        "Search, uncached (whole mix)",
        f"median {_ms(a.get('median'))}, p95 {_ms(a.get('p95'))}, p99 {_ms(a.get('p99'))}",
        "uncached-100k" if e["size"] == 100_000 else "uncached-10k",
    )
    f = _get(ours, "by_kind", "filter-only") or {}
    add(
        "Search, filter-only browsing, uncached",
        f"median {_ms(f.get('median'))}, p95 {_ms(f.get('p95'))}",
        "filter-only",
    )
    r = rep.get("all", {})
    add(
        "Search, repeated (result cache)",
        f"median {_ms(r.get('median'))}, p95 {_ms(r.get('p95'))}, p99 {_ms(r.get('p99'))}",
        "repeated",
    )
    if tv:
        add(
            "Same work in tantivy",
            f"median {_ms(tv['all']['median'])}; ours is {_x(ratios['tantivy']['all'])} its time",
            "tantivy-4x",
        )
    if sq:
        behind = [k for k, v in ratios["sqlite-fts5"]["by_kind"].items() if v >= 1]
        add(
            "Same work in SQLite FTS5",
            f"median {_ms(sq['all']['median'])}; ours is {_x(ratios['sqlite-fts5']['all'])} "
            f"its time; behind on: {', '.join(behind) or 'no class'}",
            "sqlite-every-class",
        )
    if cold:
        add(
            "Cold start (new process to first answer)",
            f"{cold.get('process_to_first_answer')} s: imports {cold.get('import')} s, open "
            f"{cold.get('open')} s, first search {cold.get('first_search')} s",
            "open-1s",
        )
    if http:
        add(
            "Server start to first answer (`atlas serve`)",
            f"{http.get('server_start_to_first_answer_s')} s",
        )
        for name, label, target_id in (
            ("healthz", "HTTP /healthz (ceiling of the stack)", None),
            ("search_cycling", "HTTP /search, cycling mix", "cycling-search"),
            ("api_cycling", "HTTP /api/v1/search, cycling mix", "cycling-api"),
            ("search_unique", "HTTP /search, never-repeated queries", None),
            ("api_unique", "HTTP /api/v1/search, never-repeated queries", "unique-api"),
        ):
            h = http.get(name)
            if not h:
                continue
            share = (
                f" ({100 * h['share_of_trivial']:.0f}% of /healthz)"
                if "share_of_trivial" in h
                else ""
            )
            errors = f", **{h['errors']} errors**" if h["errors"] else ", 0 errors"
            add(
                label,
                f"{h['requests_per_s']} requests/s{share}; p50 {_ms(h['p50_ms'])}, "
                f"p99 {_ms(h['p99_ms'])}; {h['requests']} requests{errors}",
                target_id,
            )
        add(
            "Server peak RSS (VmHWM, after all HTTP runs)",
            f"{http.get('server_peak_rss_mb')} MB",
            "server-rss",
        )
    lines = ["| Measure | Value | Target | Status |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {t} | {s} |" for m, v, t, s in rows]
    return lines


def _class_table(entry: Entry) -> list[str]:
    engines = _get(entry, "search", "engines") or {}
    ratios = _get(entry, "search", "ratio_ours_to") or {}
    counts = {k: sum(1 for q in QUERY_MIX if q.kind == k) for k in KINDS}
    lines = [
        "| Query class (queries) | ours uncached median / p95 | repeated | tantivy | SQLite FTS5 "
        "| ours ÷ tantivy | ours ÷ SQLite |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        ours = _get(engines, "ours_uncached", "by_kind", kind) or {}
        rep = _get(engines, "ours_repeated", "by_kind", kind) or {}
        tv = _get(engines, "tantivy", "by_kind", kind) or {}
        sq = _get(engines, "sqlite-fts5", "by_kind", kind) or {}
        lines.append(
            f"| {kind} ({counts[kind]}) | {_ms(ours.get('median'))} / {_ms(ours.get('p95'))} "
            f"| {_ms(rep.get('median'))} | {_ms(tv.get('median'))} | {_ms(sq.get('median'))} "
            f"| {_x(_get(ratios, 'tantivy', 'by_kind', kind))} "
            f"| {_x(_get(ratios, 'sqlite-fts5', 'by_kind', kind))} |"
        )
    return lines


def _consistency(entry: Entry) -> list[str]:
    checks = _get(entry, "search", "consistency") or []
    if not checks:
        return []
    rivals = [n for n in ("tantivy", "sqlite-fts5") if n in checks[0]]
    plain = [c for c in checks if c["is_plain"]]
    plain_equal = sum(1 for c in plain if c["totals_equal"])
    all_equal = sum(1 for c in checks if c["totals_equal"])
    lines = [
        f"Totals equal in all three engines: **{plain_equal} of {len(plain)} plain-word queries** "
        f"(where equality is expected) and {all_equal} of {len(checks)} queries overall.",
    ]
    odd = [
        c
        for c in checks
        if not c["totals_equal"] or any(c.get(f"{n}_facets_differ") for n in rivals)
    ]
    if odd:
        lines += [
            "",
            "Differences (facet counts are compared only for facets without a selection):",
            "",
            "| Query | class | ours | " + " | ".join(rivals) + " | facets differing |",
            "|---|---|---|" + "---|" * len(rivals) + "---|",
        ]
        for c in odd:
            facets = "; ".join(
                f"{n}: {', '.join(c.get(f'{n}_facets_differ') or []) or '—'}" for n in rivals
            )
            lines.append(
                f"| `{c['query']}` | {c['kind']} | {c['ours']} | "
                + " | ".join(str(c.get(n, "—")) for n in rivals)
                + f" | {facets} |"
            )
    else:
        lines.append("Facet counts (pem, criteria, design, year) agree for every query.")
    return lines


def _hotspots(entry: Entry, key: str = "profile", stage: str = "search") -> list[str]:
    prof = _get(entry, stage, key) if stage != key else _stage(entry, key)
    if not prof:
        return []
    lines = [
        f"pyinstrument, {prof['seconds']} s of "
        + {
            "profile": "the uncached mix",
            "profile_filter_only": "uncached filter-only queries",
            "build_profile": "a full build (in-process)",
        }[key]
        + f" at N = {entry['size']:,} (interval {prof['interval'] * 1000:g} ms"
        + (f"; full tree in `{prof['text_file']}`" if prof.get("text_file") else "")
        + ").",
        "",
        "Own time (time spent in the function itself):",
        "",
        "| Function | Where | % of time |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{h['function']}` | `{h['location']}` | {h['percent']}% |" for h in prof["by_own_time"]
    ]
    lines += [
        "",
        "Total time (the function and what it calls):",
        "",
        "| Function | Where | % of time |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{h['function']}` | `{h['location']}` | {h['percent']}% |"
        for h in prof["by_total_time"]
    ]
    return lines


def _load_note(entry: Entry, cores: int) -> str:
    load = entry.get("load_average_1min")
    if not load:
        return ""
    note = f" Load average (1 min) {load['before']:.1f} before, {load['after']:.1f} after"
    # our own single-threaded stages account for a load of about 1
    if load["before"] > 0.75 * cores:
        note += " (other processes were busy on this machine: figures are slower than an idle run)"
    return note + "."


def render(results: dict[str, Any]) -> str:
    """Return the text of BENCHMARKS.md."""
    m = results.get("machine", {})
    sizes = sorted(results.get("sizes", {}).values(), key=lambda e: e["size"])
    out = [
        "# Benchmarks",
        "",
        "Generated by `make bench` / `make bench-quick` (`python -m bench.run`); raw figures in "
        "`bench/out/results.json`. Do not edit by hand: rerun, or "
        "`python -m bench.run --report-only`.",
        "",
        "## Machine",
        "",
        f"- `{m.get('uname', '?')}`",
        f"- CPU: {m.get('cpu', '?')}, {m.get('cores', '?')} cores; "
        f"memory {m.get('memory_gb', '?')} GB",
        f"- Python {m.get('python', '?')}; "
        + ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items()),
        f"- Last updated {results.get('updated_at', '?')}",
        "",
        "## What is measured",
        "",
        "- Corpora: `bench/generate.py`, seed 1 (150–300 words of prose per study, Zipf-like "
        "vocabulary and marker popularity, markers and criteria in varied spellings).",
        "- Search: `open_atlas(dir).search(search.parse(args))` for a fixed mix of "
        f"{len(QUERY_MIX)} queries (`bench/mix.py`), page 1 (or the deep page) with all facets, "
        "snippets and the evidence table. *Uncached* = `open_atlas(dir, cache_size=0)` in a warm "
        "process (one untimed pass first); *repeated* = the default result cache, every query "
        "already asked once. Timings are every query × every round.",
        "- Rivals: the same records (as our indexer cleans them, with our marker keys and criteria "
        "ids) and the same queries in tantivy (Python bindings) and SQLite FTS5: total, the page "
        "in the query's order and counts of pem, criteria, design and year over the whole match "
        "set. Their queries are interpreted by our query reader once, outside the timing. Ratios "
        "are our median ÷ theirs (below 1 = we are faster).",
        "- Build: `atlas index build --full` in its own process; records/s over the whole command "
        "(start-up and validation included), peak RSS from `wait4`. Incremental: 1% of the "
        "records' summaries changed, on a copy of the index.",
        "- Cold start: a new interpreter that imports `search`, opens the index and answers one "
        "search (the OS file cache is warm: the index was just built or searched).",
        "- HTTP: `atlas serve` (waitress, 8 threads) on loopback, `bench/load.py` with 32 "
        "keep-alive connections. The load generator runs on the same cores as the server, so "
        "all HTTP figures are lower bounds. Cycling mix = the query mix over and over, after "
        "one untimed pass (so the result cache holds every query: the steady state); "
        "never-repeated = word + filter combinations that no other request uses.",
        "",
    ]
    if not sizes:
        out.append("No results yet.")
    for entry in sizes:
        out += [
            f"## N = {entry['size']:,} studies",
            "",
            f"Run {entry.get('run_at')} at commit `{entry.get('commit')}`"
            + (" (quick settings)" if entry.get("quick") else "")
            + f"; {entry.get('seconds')} s in all."
            + _load_note(entry, m.get("cores") or 1),
            "",
        ]
        for stage, rerun in (entry.get("reruns") or {}).items():
            out += [
                f"The {stage} figures are from a later run, {rerun['run_at']} at commit "
                f"`{rerun['commit']}`.",
                "",
            ]
        for stage in ("build", "search", "cold_start", "http"):
            error = _get(entry, stage, "error")
            if error:
                out += [f"**The {stage} stage failed:** `{error[-500:]}`", ""]
        cache = _get(entry, "search", "cache") or {}
        if cache and not cache.get("cache_size_0_disables_cache"):
            out += [
                "**Warning: `open_atlas(dir, cache_size=0)` still cached results; the "
                "uncached figures are not uncached.**",
                "",
            ]
        out += _summary_table(entry)
        out += ["", "By query class:", ""]
        out += _class_table(entry)
        out += [""]
        out += _consistency(entry)
        out += [""]
    missed = [(e["size"], row) for e in sizes for row in assess(e) if row["status"] != "MET"]
    out += ["## Targets missed or not measured", ""]
    if missed:
        out += [
            f"- N = {size:,}: {row['target']} ({row['source']}): {row['status']}"
            for size, row in missed
        ]
    else:
        out.append("None.")
    notes = list(dict.fromkeys(row["id"] for _, row in missed if row["id"] in MISS_NOTES))
    if notes:
        out += ["", "Why, and what would close it:", ""]
        out += [f"- *{next(t.text for t in TARGETS if t.id == i)}*: {MISS_NOTES[i]}" for i in notes]
    measured = {e["size"] for e in sizes}
    for size in (1000, 10_000, 100_000):
        if size not in measured:
            out.append(f"- N = {size:,}: not run yet.")
    out.append("")
    profiled = [e for e in sizes if _get(e, "search", "profile")]
    if profiled:
        pick = next((e for e in profiled if e["size"] == 10_000), profiled[-1])
        out += ["## Where our search spends its time", ""]
        out += _hotspots(pick)
        out.append("")
        browsing = _hotspots(pick, "profile_filter_only")
        if browsing:
            out += ["### Filter-only browsing alone", "", *browsing, ""]
    built = [e for e in sizes if _stage(e, "build_profile")]
    if built:
        out += ["## Where the build spends its time", ""]
        out += _hotspots(built[-1], "build_profile", "build_profile")
        out.append("")
    for section in sorted(SECTIONS.glob("*.md")):
        out += [section.read_text(encoding="utf-8").rstrip(), ""]
    relevance = Path(__file__).parent / "relevance.md"  # written by `make eval`
    if relevance.exists():
        out += [relevance.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(out)


def write_report(results: dict[str, Any], path: Path) -> None:
    """Write BENCHMARKS.md for these results."""
    text = render(results)
    if not results.get("sizes"):
        text += f"\n_{dt.date.today()}_\n"
    path.write_text(text, encoding="utf-8")


def write_section(name: str, text: str, report: Path) -> None:
    """Keep a section another script measured: in bench/sections/NAME.md and in the report."""
    SECTIONS.mkdir(exist_ok=True)
    body = f"<!-- section: {name} -->\n{text.strip()}\n<!-- /section: {name} -->"
    (SECTIONS / f"{name}.md").write_text(body + "\n", encoding="utf-8")
    current = report.read_text(encoding="utf-8") if report.exists() else "# Benchmarks\n"
    start, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    if start in current and end in current:
        before, _, rest = current.partition(start)
        _, _, after = rest.partition(end)
        current = before + body + after
    else:
        current = current.rstrip() + "\n\n" + body + "\n"
    report.write_text(current, encoding="utf-8")
