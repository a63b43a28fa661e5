"""Where a benchmark run works: the checkout it measures, bench/out/ and its cached corpora."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.generate import write_corpus

ROOT = Path(__file__).resolve().parent.parent
# Git-ignored: generated corpora, indexes, the rivals' stores, profiles and raw figures.
OUT = ROOT / "bench" / "out"


def log(message: str) -> None:
    """Print one line of the run's progress to stderr, with the time of day."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_corpus(size: int, seed: int) -> tuple[Path, float | None]:
    """Return the cached corpus for a size and seed, and the seconds generating it took (None
    when it was already there)."""
    path = OUT / f"corpus-{size}-seed{seed}.jsonl"
    if path.exists():
        return path, None
    started = time.perf_counter()
    write_corpus(path, size, seed)
    return path, round(time.perf_counter() - started, 2)
