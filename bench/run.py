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

Each stage is its own module in bench/stages/ (build, search with its consistency check,
cold_start, http); this one runs them in turn for each size and keeps their figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.generate import DEFAULT_SEED
from bench.machine import commit, machine
from bench.settings import FULL, QUICK, Settings
from bench.stages.build import bench_build, profile_build
from bench.stages.cold_start import bench_cold_start
from bench.stages.http import bench_http
from bench.stages.search import bench_search
from bench.workspace import OUT, ROOT, ensure_corpus, log

RESULTS = OUT / "results.json"
REPORT = ROOT / "BENCHMARKS.md"
QUICK_RESULTS = OUT / "results-quick.json"
QUICK_REPORT = OUT / "BENCHMARKS-quick.md"

STAGES = ("build", "build_profile", "search", "cold_start", "http")
PROFILED_BUILD_MAX = 1000  # larger builds are not profiled (pyinstrument slows them a lot)
PROFILED_SEARCH_MAX = 10_000

Entry = dict[str, Any]  # one size's figures in results.json
Stage = Callable[[], dict[str, Any]]


def _plan(size: int, corpus: Path, settings: Settings) -> list[tuple[str, Stage]]:
    """Return the stages of one size in the order they run, each ready to call."""
    index_dir = OUT / f"index-{size}"
    profile_out = OUT / f"profile-{size}.txt" if size <= PROFILED_SEARCH_MAX else None
    return [
        ("build", lambda: bench_build(size, corpus, index_dir)),
        ("build_profile", lambda: profile_build(size, corpus)),
        ("search", lambda: bench_search(size, corpus, index_dir, settings, profile_out)),
        ("cold_start", lambda: bench_cold_start(index_dir, settings.cold_samples)),
        ("http", lambda: bench_http(size, index_dir, settings)),
    ]


def _new_entry(
    size: int, seed: int, quick: bool, settings: Settings, corpus: Path, generated: float | None
) -> Entry:
    """Return the head of a size's entry: what was measured, when and at which commit."""
    return {
        "size": size,
        "seed": seed,
        "quick": quick,
        "settings": asdict(settings),
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "corpus": {"path": str(corpus.relative_to(ROOT)), "generated_seconds": generated},
    }


def _run_stage(size: int, name: str, stage: Stage) -> dict[str, Any]:
    """Return a stage's figures, or {"error": ...} when it raised."""
    log(f"N={size}: {name}")
    try:
        return stage()
    except Exception as exc:
        log(f"N={size}: {name} FAILED: {type(exc).__name__}: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}"[-3000:]}


def bench_size(
    size: int,
    seed: int,
    settings: Settings,
    quick: bool,
    stages: set[str],
    previous: Entry | None,
    save: Callable[[Entry], None],
) -> Entry:
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
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    partial = previous is not None and not set(STAGES) <= stages
    if partial:
        assert previous is not None
        entry = dict(previous)
        reruns = dict(entry.get("reruns") or {})
    else:
        entry = _new_entry(size, seed, quick, settings, corpus, generated)
        reruns = {}
    for name, stage in _plan(size, corpus, settings):
        if name not in stages or (name == "build_profile" and size > PROFILED_BUILD_MAX):
            continue
        entry[name] = _run_stage(size, name, stage)
        if partial:
            reruns[name] = {"run_at": now, "commit": commit(), "settings": asdict(settings)}
            entry["reruns"] = reruns
        else:
            entry["seconds"] = round(time.perf_counter() - started, 1)
            # Other work on the machine slows every figure; the load average says how much.
            entry["load_average_1min"] = {"before": load_before[0], "after": os.getloadavg()[0]}
            entry["commit_at_end"] = commit()
        save(entry)
    return entry


def load_results(path: Path) -> dict[str, Any]:
    """Return the raw figures kept at path, or none when it is missing or unreadable."""
    try:
        results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"sizes": {}}
    return results


def _parser() -> argparse.ArgumentParser:
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
    return parser


def _stages(parser: argparse.ArgumentParser, args: argparse.Namespace) -> set[str]:
    """Return the stages the options ask for (exits with a usage error on an unknown one)."""
    stages = {s.strip() for s in args.stages.split(",") if s.strip()}
    unknown = stages - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s) {', '.join(sorted(unknown))}; use {', '.join(STAGES)}")
    if args.skip_http:
        stages.discard("http")
    return stages


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
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

        def save(entry: Entry) -> None:
            results.setdefault("sizes", {})[str(entry["size"])] = entry
            results["updated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            text = json.dumps(results, indent=1, ensure_ascii=False)
            results_path.write_text(text, encoding="utf-8")
            write_report(results, report_path)

        stages = _stages(parser, args)
        for size in sizes:
            previous = results.get("sizes", {}).get(str(size))
            bench_size(size, args.seed, settings, args.quick, stages, previous, save)
            log(f"N={size}: done; wrote {results_path} and {report_path}")
    write_report(results, report_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
