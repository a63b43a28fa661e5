"""The cold-start stage: a new interpreter's imports, index open and first answer, timed."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.workspace import ROOT

# Runs in the fresh interpreter; prints its own timings (seconds) as one JSON line.
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
    best: dict[str, Any] = {
        k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0] if k != "total"
    }
    best["open_and_first_search"] = round(
        statistics.median(r["open"] + r["first_search"] for r in runs), 3
    )
    best["samples"] = samples
    return best
