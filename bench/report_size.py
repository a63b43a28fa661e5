"""A corpus size's section of BENCHMARKS.md: the summary table, the classes, the consistency."""

from __future__ import annotations

from typing import Any

from bench.entry import Entry, figure, stage
from bench.mix import KINDS, QUERY_MIX
from bench.targets import assess, target_text

Row = tuple[str, str, str, str]  # measure, value, target, status
RIVALS = ("tantivy", "sqlite-fts5")
# HTTP loads in the order of the table: results.json key, the row's label, the target.
HTTP_ROWS = (
    ("healthz", "HTTP /healthz (ceiling of the stack)", None),
    ("search_cycling", "HTTP /search, cycling mix", "cycling-search"),
    ("api_cycling", "HTTP /api/v1/search, cycling mix", "cycling-api"),
    ("search_unique", "HTTP /search, never-repeated queries", None),
    ("api_unique", "HTTP /api/v1/search, never-repeated queries", "unique-api"),
)


def _ms(value: float | None) -> str:
    """Return milliseconds as the report writes them (two decimals below 10 ms)."""
    if value is None:
        return "—"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _row(entry: Entry, measure: str, value: str, target_id: str | None = None) -> Row:
    """Return a table row with the target it is held to and whether it is met."""
    if target_id:
        for row in assess(entry):
            if row["id"] == target_id:
                return measure, value, target_text(target_id), f"**{row['status']}**"
    return measure, value, "—", ""


def _build_rows(e: Entry) -> list[Row]:
    full = figure(e, "build", "full") or {}
    inc = figure(e, "build", "incremental") or {}
    return [
        _row(
            e,
            "Full build",
            f"{full.get('records_per_s')} records/s ({full.get('seconds')} s for the "
            f"command, {full.get('build_function_seconds')} s inside `build()`); peak RSS "
            f"{full.get('peak_rss_mb')} MB; index {full.get('index_mb')} MB on disk "
            f"(corpus {full.get('corpus_mb')} MB)",
            "build-rate",
        ),
        _row(
            e,
            f"Incremental update of 1% ({inc.get('changed_records')} records)",
            f"{inc.get('seconds')} s ({inc.get('mode')}; {inc.get('build_function_seconds')} s "
            f"inside `build()`); peak RSS {inc.get('peak_rss_mb')} MB",
        ),
    ]


def _search_rows(e: Entry) -> list[Row]:
    engines = figure(e, "search", "engines") or {}
    a = figure(engines, "ours_uncached", "all") or {}
    f = figure(engines, "ours_uncached", "by_kind", "filter-only") or {}
    r = figure(engines, "ours_repeated", "all") or {}
    return [
        _row(
            e,
            "Search, uncached (whole mix)",
            f"median {_ms(a.get('median'))}, p95 {_ms(a.get('p95'))}, p99 {_ms(a.get('p99'))}",
            "uncached-100k" if e["size"] == 100_000 else "uncached-10k",
        ),
        _row(
            e,
            "Search, filter-only browsing, uncached",
            f"median {_ms(f.get('median'))}, p95 {_ms(f.get('p95'))}",
            "filter-only",
        ),
        _row(
            e,
            "Search, repeated (result cache)",
            f"median {_ms(r.get('median'))}, p95 {_ms(r.get('p95'))}, p99 {_ms(r.get('p99'))}",
            "repeated",
        ),
    ]


def _rival_rows(e: Entry) -> list[Row]:
    engines = figure(e, "search", "engines") or {}
    ratios = figure(e, "search", "ratio_ours_to") or {}
    rows = []
    tv = engines.get("tantivy", {})
    if tv:
        rows.append(
            _row(
                e,
                "Same work in tantivy",
                f"median {_ms(tv['all']['median'])}; ours is {_x(ratios['tantivy']['all'])} its "
                "time",
                "tantivy-4x",
            )
        )
    sq = engines.get("sqlite-fts5", {})
    if sq:
        behind = [k for k, v in ratios["sqlite-fts5"]["by_kind"].items() if v >= 1]
        rows.append(
            _row(
                e,
                "Same work in SQLite FTS5",
                f"median {_ms(sq['all']['median'])}; ours is {_x(ratios['sqlite-fts5']['all'])} "
                f"its time; behind on: {', '.join(behind) or 'no class'}",
                "sqlite-every-class",
            )
        )
    return rows


def _cold_rows(e: Entry) -> list[Row]:
    cold = stage(e, "cold_start")
    if not cold:
        return []
    return [
        _row(
            e,
            "Cold start (new process to first answer)",
            f"{cold.get('process_to_first_answer')} s: imports {cold.get('import')} s, open "
            f"{cold.get('open')} s, first search {cold.get('first_search')} s",
            "open-1s",
        )
    ]


def _load_value(h: dict[str, Any]) -> str:
    """Return one HTTP load's figures as the table writes them."""
    share = f" ({100 * h['share_of_trivial']:.0f}% of /healthz)" if "share_of_trivial" in h else ""
    errors = f", **{h['errors']} errors**" if h["errors"] else ", 0 errors"
    return (
        f"{h['requests_per_s']} requests/s{share}; p50 {_ms(h['p50_ms'])}, "
        f"p99 {_ms(h['p99_ms'])}; {h['requests']} requests{errors}"
    )


def _http_rows(e: Entry) -> list[Row]:
    http = stage(e, "http")
    if not http:
        return []
    started = f"{http.get('server_start_to_first_answer_s')} s"
    rows = [_row(e, "Server start to first answer (`atlas serve`)", started)]
    for name, label, target_id in HTTP_ROWS:
        if http.get(name):
            rows.append(_row(e, label, _load_value(http[name]), target_id))
    peak = f"{http.get('server_peak_rss_mb')} MB"
    rows.append(_row(e, "Server peak RSS (VmHWM, after all HTTP runs)", peak, "server-rss"))
    return rows


def _summary_table(entry: Entry) -> list[str]:
    """Return the table of every measure of a size, with its target and status."""
    rows = [
        *_build_rows(entry),
        *_search_rows(entry),
        *_rival_rows(entry),
        *_cold_rows(entry),
        *_http_rows(entry),
    ]
    lines = ["| Measure | Value | Target | Status |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {t} | {s} |" for m, v, t, s in rows]
    return lines


def _class_table(entry: Entry) -> list[str]:
    """Return the table of each query class: our medians beside the rivals' and the ratios."""
    engines = figure(entry, "search", "engines") or {}
    ratios = figure(entry, "search", "ratio_ours_to") or {}
    counts = {k: sum(1 for q in QUERY_MIX if q.kind == k) for k in KINDS}
    lines = [
        "| Query class (queries) | ours uncached median / p95 | repeated | tantivy | SQLite FTS5 "
        "| ours ÷ tantivy | ours ÷ SQLite |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        ours = figure(engines, "ours_uncached", "by_kind", kind) or {}
        rep = figure(engines, "ours_repeated", "by_kind", kind) or {}
        tv = figure(engines, "tantivy", "by_kind", kind) or {}
        sq = figure(engines, "sqlite-fts5", "by_kind", kind) or {}
        lines.append(
            f"| {kind} ({counts[kind]}) | {_ms(ours.get('median'))} / {_ms(ours.get('p95'))} "
            f"| {_ms(rep.get('median'))} | {_ms(tv.get('median'))} | {_ms(sq.get('median'))} "
            f"| {_x(figure(ratios, 'tantivy', 'by_kind', kind))} "
            f"| {_x(figure(ratios, 'sqlite-fts5', 'by_kind', kind))} |"
        )
    return lines


def _consistency(entry: Entry) -> list[str]:
    """Return how often the engines' totals agree, and a table of the queries where they or
    the unselected facet counts differ."""
    checks = figure(entry, "search", "consistency") or []
    if not checks:
        return []
    rivals = [n for n in RIVALS if n in checks[0]]
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


def _load_note(entry: Entry, cores: int) -> str:
    """Return the sentence on the load average during the run (empty when not recorded)."""
    load = entry.get("load_average_1min")
    if not load:
        return ""
    note = f" Load average (1 min) {load['before']:.1f} before, {load['after']:.1f} after"
    # our own single-threaded stages account for a load of about 1
    if load["before"] > 0.75 * cores:
        note += " (other processes were busy on this machine: figures are slower than an idle run)"
    return note + "."


def size_section(entry: Entry, cores: int) -> list[str]:
    """Return the lines of one corpus size's section, from its heading to its last table."""
    out = [
        f"## N = {entry['size']:,} studies",
        "",
        f"Run {entry.get('run_at')} at commit `{entry.get('commit')}`"
        + (" (quick settings)" if entry.get("quick") else "")
        + f"; {entry.get('seconds')} s in all."
        + _load_note(entry, cores),
        "",
    ]
    for name, rerun in (entry.get("reruns") or {}).items():
        out += [
            f"The {name} figures are from a later run, {rerun['run_at']} at commit "
            f"`{rerun['commit']}`.",
            "",
        ]
    for name in ("build", "search", "cold_start", "http"):
        error = figure(entry, name, "error")
        if error:
            out += [f"**The {name} stage failed:** `{error[-500:]}`", ""]
    cache = figure(entry, "search", "cache") or {}
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
    return out
