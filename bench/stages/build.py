"""The build stage: a full build and a 1% incremental update, each in its own process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.server import atlas_command
from bench.workspace import OUT, ROOT, log

EDITED_FRACTION = 0.01  # the share of records an incremental update changes


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


def _edited_corpus(corpus: Path, fraction: float = EDITED_FRACTION) -> tuple[Path, int]:
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


def _atlas_build(
    index_dir: Path, corpus: Path, *, full: bool
) -> tuple[dict[str, Any], float, float]:
    """Run `atlas index build --json` in its own process; return its JSON report, its wall
    time in seconds and its peak RSS in MB."""
    mode = ["--full"] if full else []
    command = [*atlas_command(), "index", "build", *mode, "--json"]
    result, wall, rss = run_with_rusage(
        [*command, "--index", str(index_dir), "--source", str(corpus)]
    )
    if result.returncode != 0:
        what = "build" if full else "incremental build"
        raise RuntimeError(f"{what} failed: {result.stderr[-2000:]}")
    meta: dict[str, Any] = json.loads(result.stdout)
    return meta, wall, rss


def _full_build(size: int, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Return the figures of a full build of the corpus into a fresh index_dir."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    meta, wall, rss = _atlas_build(index_dir, corpus, full=True)
    log(f"N={size}: full build {wall:.1f} s ({size / wall:.0f} records/s), peak RSS {rss} MB")
    return {
        "seconds": round(wall, 2),
        "build_function_seconds": meta.get("seconds"),
        "records_per_s": round(size / wall, 1),
        "peak_rss_mb": rss,
        "index_mb": round(_generation_bytes(index_dir) / 1e6, 1),
        "corpus_mb": round(corpus.stat().st_size / 1e6, 1),
        "mode": meta.get("mode"),
    }


def _incremental_update(size: int, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Return the figures of an update, on a copy of index_dir, with 1% of records edited."""
    copy = index_dir.with_name(index_dir.name + "-incremental")
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(index_dir, copy)
    edited, changed = _edited_corpus(corpus)
    try:
        meta, wall, rss = _atlas_build(copy, edited, full=False)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    log(f"N={size}: incremental update of {changed} records {wall:.1f} s ({meta.get('mode')})")
    return {
        "seconds": round(wall, 2),
        "build_function_seconds": meta.get("seconds"),
        "changed_records": changed,
        "mode": meta.get("mode"),
        "added_or_changed": meta.get("added_or_changed"),
        "peak_rss_mb": rss,
    }


def bench_build(size: int, corpus: Path, index_dir: Path) -> dict[str, Any]:
    """Return full-build and 1% incremental-update figures (each in its own process)."""
    full = _full_build(size, corpus, index_dir)
    return {"full": full, "incremental": _incremental_update(size, corpus, index_dir)}


def profile_build(size: int, corpus: Path) -> dict[str, Any]:
    """Return where a full build of the corpus spends its time (pyinstrument, in this process)."""
    from bench.profile import profile
    from indexer.build import build

    target = OUT / f"index-{size}-profiled"
    shutil.rmtree(target, ignore_errors=True)
    text_out = OUT / f"profile-build-{size}.txt"

    def work() -> None:
        build(target, [corpus], full=True)

    result = profile(work, text_out, interval=0.001)
    shutil.rmtree(target, ignore_errors=True)
    result["text_file"] = str(text_out.relative_to(ROOT))
    return result
