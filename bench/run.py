"""The benchmark run: build, update, search, cold start, HTTP and the rivals, per corpus size.

    python -m bench.run --sizes 1000,10000,100000
    python -m bench.run --quick            # 1,000 studies, fewer rounds, under two minutes

Writes bench/out/results.json (raw figures, merged with earlier runs of other sizes) and
BENCHMARKS.md (tables with the targets of issue 7). A --quick run writes its own figures and
report, bench/out/results-quick.json and bench/out/BENCHMARKS-quick.md, and leaves the
committed BENCHMARKS.md (and the full figures) alone: on a fresh checkout results.json holds
no other size, so a report written from it would drop the committed 10,000 and 100,000
sections. Generated corpora and indexes are kept under bench/out/ (git-ignored) and reused
when the seed and size match.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED, write_corpus
from bench.mix import KINDS, QUERY_MIX, MixQuery, unique_queries
from bench.server import atlas_command

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
RESULTS = OUT / "results.json"
REPORT = ROOT / "BENCHMARKS.md"
QUICK_RESULTS = OUT / "results-quick.json"
QUICK_REPORT = OUT / "BENCHMARKS-quick.md"


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    rounds: int  # timed passes over the query mix (after one untimed warm-up pass)
    cold_samples: int
    http_connections: int
    http_trivial_requests: int
    http_mix_requests: int
    http_unique_requests: int
    http_max_seconds: float
    server_threads: int = 8


QUICK = Settings(
    rounds=3,
    cold_samples=2,
    http_connections=32,
    http_trivial_requests=2000,
    http_mix_requests=800,
    http_unique_requests=200,
    http_max_seconds=12,
)
FULL = Settings(
    rounds=5,
    cold_samples=3,
    http_connections=32,
    http_trivial_requests=5000,
    http_mix_requests=3000,
    http_unique_requests=600,
    http_max_seconds=60,
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Return the median, p95, p99 and mean of timings, in milliseconds."""
    if not seconds:
        return {}
    return {
        "median": round(statistics.median(seconds) * 1000, 3),
        "p95": round(_percentile(seconds, 0.95) * 1000, 3),
        "p99": round(_percentile(seconds, 0.99) * 1000, 3),
        "mean": round(statistics.fmean(seconds) * 1000, 3),
        "samples": len(seconds),
    }


def _by_kind(timings: dict[int, list[float]]) -> dict[str, dict[str, float]]:
    out = {}
    for kind in KINDS:
        samples = [t for i, q in enumerate(QUERY_MIX) if q.kind == kind for t in timings[i]]
        out[kind] = summary_ms(samples)
    return out


def run_with_rusage(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run a command; return it, its wall time in seconds and its peak RSS in MB (wait4)."""
    started = time.perf_counter()
    with (
        open(OUT / ".stdout", "w+", encoding="utf-8") as out,
        open(OUT / ".stderr", "w+", encoding="utf-8") as err,
    ):
        proc = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, proc.returncode, out.read(), err.read())
    return result, wall, round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes


def _generation_bytes(index_dir: Path) -> int:
    """Return the size on disk of the served generation (the one CURRENT names)."""
    name = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    return sum(p.stat().st_size for p in (index_dir / name).rglob("*") if p.is_file())


def ensure_corpus(size: int, seed: int) -> tuple[Path, float | None]:
    """Return the cached corpus for a size and seed (generating it when missing)."""
    path = OUT / f"corpus-{size}-seed{seed}.jsonl"
    if path.exists():
        return path, None
    started = time.perf_counter()
    write_corpus(path, size, seed)
    return path, round(time.perf_counter() - started, 2)


def _edited_corpus(corpus: Path, fraction: float = 0.01) -> tuple[Path, int]:
    """Write a copy of a corpus with every 1/fraction-th record's summary changed."""
    path = corpus.with_name(corpus.stem + "-edited.jsonl")
    step = round(1 / fraction)
    changed = 0
    with corpus.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i % step == 0:
                record = json.loads(line)
                record["summary"] = record["summary"] + " A correction was published in 2026."
                line = json.dumps(record, ensure_ascii=False) + "\n"
                changed += 1
            dst.write(line)
    return path, changed


# ---- build --------------------------------------------------------------------------------------


def bench_build(size: int, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Return full-build and 1% incremental-update figures (each in its own process)."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    command = [
        *atlas_command(),
        "index",
        "build",
        "--full",
        "--json",
        "--index",
        str(index_dir),
        "--source",
        str(corpus),
    ]
    result, wall, rss = run_with_rusage(command)
    if result.returncode != 0:
        raise RuntimeError(f"build failed: {result.stderr[-2000:]}")
    meta = json.loads(result.stdout)
    full = {
        "seconds": round(wall, 2),
        "build_function_seconds": meta.get("seconds"),
        "records_per_s": round(size / wall, 1),
        "peak_rss_mb": rss,
        "index_mb": round(_generation_bytes(index_dir) / 1e6, 1),
        "corpus_mb": round(corpus.stat().st_size / 1e6, 1),
        "mode": meta.get("mode"),
    }
    log(f"N={size}: full build {wall:.1f} s ({size / wall:.0f} records/s), peak RSS {rss} MB")

    copy = index_dir.with_name(index_dir.name + "-incremental")
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(index_dir, copy)
    edited, changed = _edited_corpus(corpus)
    command = [
        *atlas_command(),
        "index",
        "build",
        "--json",
        "--index",
        str(copy),
        "--source",
        str(edited),
    ]
    result, wall, rss = run_with_rusage(command)
    shutil.rmtree(copy, ignore_errors=True)
    if result.returncode != 0:
        raise RuntimeError(f"incremental build failed: {result.stderr[-2000:]}")
    meta = json.loads(result.stdout)
    incremental = {
        "seconds": round(wall, 2),
        "build_function_seconds": meta.get("seconds"),
        "changed_records": changed,
        "mode": meta.get("mode"),
        "added_or_changed": meta.get("added_or_changed"),
        "peak_rss_mb": rss,
    }
    log(f"N={size}: incremental update of {changed} records {wall:.1f} s ({meta.get('mode')})")
    return {"full": full, "incremental": incremental}


def profile_build(size: int, corpus: Path) -> dict[str, Any]:
    """Return where a full build of the corpus spends its time (pyinstrument, in this process)."""
    from bench.profile import profile
    from indexer.build import build

    target = OUT / f"index-{size}-profiled"
    shutil.rmtree(target, ignore_errors=True)
    text_out = OUT / f"profile-build-{size}.txt"
    result = profile(lambda: build(target, [corpus], full=True), text_out, interval=0.001)
    shutil.rmtree(target, ignore_errors=True)
    result["text_file"] = str(text_out.relative_to(ROOT))
    return result


# ---- in-process search, ours and the rivals --------------------------------------------------


def _time_mix(search: Callable[[MixQuery, int], Any], rounds: int) -> dict[int, list[float]]:
    timings: dict[int, list[float]] = {i: [] for i in range(len(QUERY_MIX))}
    for i, q in enumerate(QUERY_MIX):  # warm-up: first reads, lazy loads
        search(q, i)
    for _ in range(rounds):
        for i, q in enumerate(QUERY_MIX):
            started = time.perf_counter()
            search(q, i)
            timings[i].append(time.perf_counter() - started)
    return timings


def _cache_check(index_dir: Path) -> dict[str, Any]:
    """Return whether open_atlas(cache_size=0) really answers every search afresh."""
    from search import open_atlas, parse

    atlas = open_atlas(index_dir, cache_size=0)
    params = parse({"q": "fatigue"})
    first, second = atlas.search(params), atlas.search(params)
    cached = open_atlas(index_dir)
    third, fourth = cached.search(params), cached.search(params)
    entries = len(getattr(atlas, "_cache", {}))
    return {
        "cache_size_0_disables_cache": first is not second and entries == 0,
        "cache_entries_with_size_0": entries,
        "default_cache_returns_same_result": third is fourth,
    }


def bench_search(
    size: int, corpus: Path, index_dir: Path, settings: Settings, profile_out: Path | None
) -> dict[str, Any]:
    """Return timings of the query mix: ours uncached and repeated, tantivy and SQLite FTS5."""
    from bench.rivals import (
        SqliteRival,
        TantivyRival,
        Unsupported,
        fts5_available,
        interpret,
        rival_docs,
    )
    from indexer.build import corpus_markers
    from indexer.sources import load_records
    from search import open_atlas, parse

    started = time.perf_counter()
    uncached = open_atlas(index_dir, cache_size=0)
    uncached.search(parse({}))
    open_seconds = time.perf_counter() - started
    generation = uncached.current()

    cache = _cache_check(index_dir)
    if not cache["cache_size_0_disables_cache"]:
        log("WARNING: open_atlas(cache_size=0) still caches results; 'uncached' figures are not")

    log(f"N={size}: preparing the rivals")
    records = load_records([corpus]).records
    markers, _, _ = corpus_markers(records)
    t0 = time.perf_counter()
    docs = rival_docs(records, markers)
    prepare_seconds = time.perf_counter() - t0
    rivals: dict[str, Any] = {}
    build_seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    rivals["tantivy"] = TantivyRival(OUT / f"tantivy-{size}", docs)
    build_seconds["tantivy"] = time.perf_counter() - t0
    if fts5_available():
        t0 = time.perf_counter()
        rivals["sqlite-fts5"] = SqliteRival(OUT / f"sqlite-{size}.db", docs)
        build_seconds["sqlite-fts5"] = time.perf_counter() - t0
    else:
        log("SQLite here has no FTS5: the SQLite comparison is skipped")
    del docs, records
    requests = {}
    for i, q in enumerate(QUERY_MIX):
        try:
            requests[i] = interpret(q.params, generation.markers)
        except Unsupported as exc:
            log(f"rivals cannot run {q.label}: {exc}")

    # Our totals and facet counts, then each rival's, for the consistency check.
    ours_results = {i: uncached.search(parse(q.params)) for i, q in enumerate(QUERY_MIX)}
    checks = []
    for i, q in enumerate(QUERY_MIX):
        ours = ours_results[i]
        row: dict[str, Any] = {
            "query": q.label,
            "kind": q.kind,
            "is_plain": q.is_plain,
            "ours": ours.total,
        }
        filtered = {name for name, _ in ours.params.filters}
        if ours.params.year_from is not None or ours.params.year_to is not None:
            filtered.add("year")
        for name, rival in rivals.items():
            if i not in requests:
                continue
            theirs = rival.search(requests[i])
            row[name] = theirs.total
            differing = []
            for facet in ("pem", "criteria", "design", "year"):
                if facet in filtered:
                    continue
                mine = {v.key: v.count for v in ours.facets.get(facet, ()) if v.count}
                if mine != theirs.facets[facet]:
                    differing.append(facet)
            row[f"{name}_facets_differ"] = differing
        row["totals_equal"] = all(row.get(n, ours.total) == ours.total for n in rivals)
        checks.append(row)

    log(f"N={size}: timing the mix, {settings.rounds} rounds, uncached / tantivy / SQLite")
    per_engine: dict[str, dict[int, list[float]]] = {}
    per_engine["ours_uncached"] = _time_mix(
        lambda q, i: uncached.search(parse(q.params)), settings.rounds
    )
    for name, rival in rivals.items():
        runnable = [i for i in range(len(QUERY_MIX)) if i in requests]
        timings = _time_mix(
            lambda q, i, r=rival: i in requests and r.search(requests[i]), settings.rounds
        )
        per_engine[name] = {i: (timings[i] if i in runnable else []) for i in timings}

    log(f"N={size}: timing the mix repeated (result cache on)")
    cached = open_atlas(index_dir)
    per_engine["ours_repeated"] = _time_mix(
        lambda q, i: cached.search(parse(q.params)), settings.rounds
    )

    engines = {}
    for name, timings in per_engine.items():
        engines[name] = {
            "all": summary_ms([t for ts in timings.values() for t in ts]),
            "by_kind": _by_kind(timings),
            "by_query": {QUERY_MIX[i].label: summary_ms(ts) for i, ts in timings.items()},
        }
    ratios: dict[str, Any] = {}
    ours = engines["ours_uncached"]
    for name in rivals:
        theirs = engines[name]
        ratios[name] = {
            "all": round(ours["all"]["median"] / theirs["all"]["median"], 2),
            "by_kind": {
                k: round(ours["by_kind"][k]["median"] / theirs["by_kind"][k]["median"], 2)
                for k in KINDS
                if theirs["by_kind"].get(k) and ours["by_kind"].get(k)
            },
        }
    result = {
        "open_seconds": round(open_seconds, 3),
        "cache": cache,
        "engines": engines,
        "ratio_ours_to": ratios,
        "rival_build_seconds": {k: round(v, 2) for k, v in build_seconds.items()},
        "rival_prepare_seconds": round(prepare_seconds, 2),
        "rival_index_mb": {k: round(r.size_bytes / 1e6, 1) for k, r in rivals.items()},
        "consistency": checks,
    }
    if profile_out is not None:
        from bench.profile import profile

        log(f"N={size}: profiling the uncached mix with pyinstrument")

        def work() -> None:
            for _ in range(max(2, settings.rounds)):
                for q in QUERY_MIX:
                    uncached.search(parse(q.params))

        result["profile"] = profile(work, profile_out)
        result["profile"]["text_file"] = str(profile_out.relative_to(ROOT))
        browsing = [q for q in QUERY_MIX if q.kind == "filter-only"]

        def browse() -> None:
            for _ in range(10 * max(2, settings.rounds)):
                for q in browsing:
                    uncached.search(parse(q.params))

        result["profile_filter_only"] = profile(browse, top=10)
    return result


# ---- cold start -------------------------------------------------------------------------------

_COLD = """
import json, sys, time
t0 = time.perf_counter()
from search import open_atlas, parse
t1 = time.perf_counter()
atlas = open_atlas(sys.argv[1])
t2 = time.perf_counter()
result = atlas.search(parse({"q": "fatigue", "pem": "required"}))
t3 = time.perf_counter()
timings = {"import": t1 - t0, "open": t2 - t1, "first_search": t3 - t2}
print(json.dumps({**timings, "total": result.total}))
"""


def bench_cold_start(index_dir: Path, samples: int) -> dict[str, Any]:
    """Return process start to first answer, in a fresh interpreter (the OS cache is warm)."""
    runs = []
    for _ in range(samples):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _COLD, str(index_dir)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"cold start failed: {done.stderr[-2000:]}")
        inner = json.loads(done.stdout)
        runs.append({"process_to_first_answer": wall, **inner})
    best = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0] if k != "total"}
    best["open_and_first_search"] = round(
        statistics.median(r["open"] + r["first_search"] for r in runs), 3
    )
    best["samples"] = samples
    return best


# ---- HTTP ---------------------------------------------------------------------------------------


def bench_http(size: int, index_dir: Path, settings: Settings) -> dict[str, Any]:
    """Return requests/s and latency through waitress for each mix, and the server's peak RSS."""
    from bench.load import mix_paths, run_load
    from bench.server import running_server

    unique = unique_queries(2 * settings.http_unique_requests, seed=size)
    from urllib.parse import urlencode

    unique_search = [f"/search?{urlencode(a)}" for a in unique[: settings.http_unique_requests]]
    unique_api = [f"/api/v1/search?{urlencode(a)}" for a in unique[settings.http_unique_requests :]]
    loads = {
        "healthz": (["/healthz"], settings.http_trivial_requests, True),
        "search_cycling": (mix_paths("/search"), settings.http_mix_requests, True),
        "api_cycling": (mix_paths("/api/v1/search"), settings.http_mix_requests, True),
        "search_unique": (unique_search, len(unique_search), False),
        "api_unique": (unique_api, len(unique_api), False),
    }
    out: dict[str, Any] = {
        "threads": settings.server_threads,
        "connections": settings.http_connections,
    }
    log_path = OUT / f"serve-{size}.log"
    with running_server(index_dir, log_path, threads=settings.server_threads) as server:
        out["server_start_to_first_answer_s"] = round(server.ready_after, 3)
        out["rss_after_start_mb"] = server.peak_rss_mb()
        # The cycling figures are the steady state: one untimed pass asks each query once.
        for name in ("search_cycling", "api_cycling"):
            paths = loads[name][0]
            warm = run_load(
                server.host,
                server.port,
                paths,
                requests=len(paths),
                cycle=False,
                connections=4,
                max_seconds=settings.http_max_seconds * 5,
            )
            out[f"{name}_warm_up"] = {
                "requests": warm.requests,
                "seconds": warm.seconds,
                "errors": warm.errors,
            }
        for name, (paths, count, cycle) in loads.items():
            log(f"N={size}: HTTP {name}: {count} requests, {settings.http_connections} connections")
            result = run_load(
                server.host,
                server.port,
                paths,
                requests=count,
                cycle=cycle,
                connections=settings.http_connections,
                max_seconds=settings.http_max_seconds,
            )
            out[name] = result.to_json()
            log(
                f"  {result.requests_per_s} requests/s, p50 {result.p50_ms} ms, "
                f"p99 {result.p99_ms} ms, {result.errors} errors"
            )
        out["server_peak_rss_mb"] = server.peak_rss_mb()
    trivial = out["healthz"]["requests_per_s"] or 1e-9
    for name in ("search_cycling", "api_cycling", "search_unique", "api_unique"):
        out[name]["share_of_trivial"] = round(out[name]["requests_per_s"] / trivial, 3)
    return out


# ---- the whole run ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Return a description of the machine and software the run used."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {"sqlite": sqlite3.sqlite_version}
    for package in ("whoosh-reloaded", "tantivy", "waitress", "flask", "pyinstrument"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "not installed"
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True).stdout.strip()
    return {
        "uname": uname or " ".join(platform.uname()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "python": platform.python_version(),
        "versions": versions,
    }


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "status",
            "--porcelain",
            "--",
            "search",
            "indexer",
            "web",
            "atlas_cli",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return done.stdout.strip() + ("+uncommitted changes" if dirty else "")


STAGES = ("build", "build_profile", "search", "cold_start", "http")


def bench_size(
    size: int,
    seed: int,
    settings: Settings,
    quick: bool,
    stages: set[str],
    previous: dict[str, Any] | None,
    save: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Return the figures for one corpus size, saving after each stage.

    Only `stages` run; when that is not all of them, the other figures are kept from the
    previous entry (the index it built must still be there). A stage that fails (other work
    on the code base can break an import mid-run) is recorded as {"error": ...}; the stages
    after it still run.
    """
    started = time.perf_counter()
    load_before = os.getloadavg()
    log(f"N={size}: corpus")
    corpus, generated = ensure_corpus(size, seed)
    index_dir = OUT / f"index-{size}"
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    partial = previous is not None and not set(STAGES) <= stages
    if partial:
        assert previous is not None
        entry = dict(previous)
        reruns = dict(entry.get("reruns") or {})
    else:
        entry = {
            "size": size,
            "seed": seed,
            "quick": quick,
            "settings": asdict(settings),
            "run_at": now,
            "commit": _commit(),
            "corpus": {"path": str(corpus.relative_to(ROOT)), "generated_seconds": generated},
        }
        reruns = {}
    profile_out = OUT / f"profile-{size}.txt" if size <= 10_000 else None
    plan: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("build", lambda: bench_build(size, corpus, index_dir)),
        ("build_profile", lambda: profile_build(size, corpus)),
        ("search", lambda: bench_search(size, corpus, index_dir, settings, profile_out)),
        ("cold_start", lambda: bench_cold_start(index_dir, settings.cold_samples)),
        ("http", lambda: bench_http(size, index_dir, settings)),
    ]
    for name, stage in plan:
        if name not in stages or (name == "build_profile" and size > 1000):
            continue
        log(f"N={size}: {name}")
        try:
            entry[name] = stage()
        except Exception as exc:
            log(f"N={size}: {name} FAILED: {type(exc).__name__}: {exc}")
            entry[name] = {"error": f"{type(exc).__name__}: {exc}"[-3000:]}
        if partial:
            reruns[name] = {"run_at": now, "commit": _commit(), "settings": asdict(settings)}
            entry["reruns"] = reruns
        else:
            entry["seconds"] = round(time.perf_counter() - started, 1)
            # Other work on the machine slows every figure; the load average says how much.
            entry["load_average_1min"] = {"before": load_before[0], "after": os.getloadavg()[0]}
            entry["commit_at_end"] = _commit()
        save(entry)
    return entry


def load_results(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"sizes": {}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="comma-separated corpus sizes (default 1000,10000,100000)",
    )
    parser.add_argument("--quick", action="store_true", help="1,000 studies only, fewer rounds")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP measurements")
    parser.add_argument(
        "--stages",
        default=",".join(STAGES),
        help="run only these stages, keeping the other figures from the last run "
        f"(default: all of {','.join(STAGES)})",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the report from the raw figures without measuring (with --quick: the "
        "quick report)",
    )
    args = parser.parse_args(argv)
    # Import what the in-process measurements use now, so one run measures one version of it.
    import bench.rivals  # noqa: F401
    import indexer.build  # noqa: F401
    import search  # noqa: F401
    from bench.report import write_report

    OUT.mkdir(parents=True, exist_ok=True)
    results_path, report_path = (QUICK_RESULTS, QUICK_REPORT) if args.quick else (RESULTS, REPORT)
    results = load_results(results_path)
    if not args.report_only:
        sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
        settings = QUICK if args.quick else FULL
        results["machine"] = machine()

        def save(entry: dict[str, Any]) -> None:
            results.setdefault("sizes", {})[str(entry["size"])] = entry
            results["updated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            text = json.dumps(results, indent=1, ensure_ascii=False)
            results_path.write_text(text, encoding="utf-8")
            write_report(results, report_path)

        stages = {s.strip() for s in args.stages.split(",") if s.strip()}
        unknown = stages - set(STAGES)
        if unknown:
            parser.error(f"unknown stage(s) {', '.join(sorted(unknown))}; use {', '.join(STAGES)}")
        if args.skip_http:
            stages.discard("http")
        for size in sizes:
            previous = results.get("sizes", {}).get(str(size))
            bench_size(size, args.seed, settings, args.quick, stages, previous, save)
            log(f"N={size}: done; wrote {results_path} and {report_path}")
    write_report(results, report_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
