"""Two commits measured side by side in one run: the quick figures, before and after.

    python -m bench.compare BEFORE [AFTER] [--size 1000] [--rounds 5]
    make bench-compare BEFORE=main [AFTER=rev]

BEFORE (and AFTER, when given; else this working tree as it is, uncommitted changes included)
is checked out into a temporary git worktree. Each round measures both, in an order that
alternates (A B, B A, ...), so load from other work on the machine falls on both alike. One
measurement is a fresh interpreter whose working directory and first sys.path entry is that
tree (the code is pure Python; it checks that it imported the tree's own `search`): a full
build of the same generated corpus, the uncached searches of the query mix, and
never-repeated results pages through the Flask test client. The medians and the ratio per
figure go to bench/sections/before-after.md and BENCHMARKS.md (bench/report.py
write_section).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.generate import DEFAULT_SEED, write_corpus
from bench.mix import QUERY_MIX, unique_queries
from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"
SECTION = "before-after"

# Runs inside the measured tree: only the public API both sides have (build, open_atlas,
# parse, create_app), so an older commit can be measured by the newer script.
PROBE = r"""
import json, sys, time
from pathlib import Path

spec = json.loads(sys.argv[1])
import search
assert search.__file__.startswith(spec["tree"]), f"imported {search.__file__}"
from indexer.build import build
from search import open_atlas, parse

started = time.perf_counter()
report = build(Path(spec["index"]), [Path(spec["corpus"])], full=True)
build_seconds = time.perf_counter() - started
assert report.ok, "the build failed"
atlas = open_atlas(spec["index"], cache_size=0)
for params in spec["mix"]:
    atlas.search(parse(params))
searches = []
for _ in range(spec["passes"]):
    for params in spec["mix"]:
        t = time.perf_counter()
        atlas.search(parse(params))
        searches.append(time.perf_counter() - t)
from web import create_app

app = create_app({"TESTING": True, "INDEX_DIR": spec["index"], "DATA_DIR": spec["data"]})
client = app.test_client()
assert client.get("/search?q=warm").status_code == 200
t = time.perf_counter()
for path in spec["pages"]:
    assert client.get(path).status_code == 200, path
pages_seconds = time.perf_counter() - t
searches.sort()
print(json.dumps({
    "build_records_per_s": spec["size"] / build_seconds,
    "search_median_ms": 1000 * searches[len(searches) // 2],
    "pages_per_s": len(spec["pages"]) / pages_seconds,
}))
"""

# A ratio within this of 1 is reported as the same: two runs of one commit differ this much.
NOISE = 0.03
# figure key, label, unit, whether more is better
FIGURES = (
    ("build_records_per_s", "full build (in process, after imports)", "records/s", True),
    ("search_median_ms", "uncached search, median over the mix", "ms", False),
    ("pages_per_s", "never-repeated results pages (Flask test client)", "pages/s", True),
)


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _worktree(rev: str, where: Path) -> Path:
    """Check out `rev` (detached) at `where`; return the path."""
    _git("worktree", "add", "--detach", "--force", str(where), rev)
    return where


def measure(tree: Path, spec: dict[str, Any], work: Path) -> dict[str, float]:
    """Return one measurement of the code in `tree` (a fresh interpreter, a fresh index)."""
    index, data = work / "index", work / "data"
    shutil.rmtree(index, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    spec = {**spec, "tree": str(tree.resolve()), "index": str(index), "data": str(data)}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "PYTHON"))}
    env["PYTHONPATH"] = str(tree.resolve())
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(spec)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring {tree} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def compare(
    before: str, after: str | None, size: int, rounds: int, passes: int, pages: int
) -> dict[str, Any]:
    """Return both sides' figures per round, measured alternately, with their labels."""
    with tempfile.TemporaryDirectory(prefix="atlas-compare-") as tmp:
        work = Path(tmp)
        corpus = write_corpus(work / "corpus.jsonl", size, DEFAULT_SEED)
        unique = unique_queries(pages, seed=size)
        spec = {
            "size": size,
            "corpus": str(corpus),
            "passes": passes,
            "mix": [q.params for q in QUERY_MIX],
            "pages": [f"/search?{urlencode(a, doseq=True)}" for a in unique],
        }
        trees = {"before": _worktree(before, work / "before")}
        try:
            trees["after"] = _worktree(after, work / "after") if after else ROOT
            runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
            for round_ in range(rounds):
                order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
                for side in order:
                    print(f"round {round_ + 1}/{rounds}: {side}", file=sys.stderr, flush=True)
                    runs[side].append(measure(trees[side], spec, work / "run"))
        finally:
            for side in ("before", "after"):
                if side in trees and trees[side] != ROOT:
                    _git("worktree", "remove", "--force", str(trees[side]))
    return {
        "before": _label(before),
        "after": _label(after) if after else _label("HEAD") + " + working tree",
        "size": size,
        "rounds": rounds,
        "runs": runs,
    }


def _label(rev: str) -> str:
    return f"`{rev}` ({_git('rev-parse', '--short', rev)})"


def render(result: dict[str, Any]) -> str:
    """Return the section: the median of each figure on both sides and after ÷ before."""
    lines = [
        "## Before and after (`python -m bench.compare`)",
        "",
        f"Before: {result['before']}; after: {result['after']}. {result['size']:,} generated "
        f"studies, {result['rounds']} round{'s' if result['rounds'] != 1 else ''}, the two sides "
        "alternating within each round.",
        "",
        "| figure | before | after | after ÷ before | |",
        "|---|---:|---:|---:|---|",
    ]
    for key, label, unit, more_is_better in FIGURES:
        old = statistics.median(run[key] for run in result["runs"]["before"])
        new = statistics.median(run[key] for run in result["runs"]["after"])
        ratio = new / old if old else float("nan")
        gain = ratio - 1 if more_is_better else 1 - ratio
        verdict = "same" if abs(gain) <= NOISE else ("better" if gain > 0 else "worse")
        lines.append(
            f"| {label} | {_figure(old)} {unit} | {_figure(new)} {unit} | {ratio:.2f} | {verdict} |"
        )
    return "\n".join(lines)


def _figure(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:,.0f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.compare", description=__doc__.split("\n")[0]
    )
    parser.add_argument("before", help="the commit to compare against (e.g. main)")
    parser.add_argument("after", nargs="?", help="the other commit (default: this working tree)")
    parser.add_argument("--size", type=int, default=1000, help="generated studies (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="measurements of each side")
    parser.add_argument("--passes", type=int, default=3, help="timed passes over the query mix")
    parser.add_argument("--pages", type=int, default=200, help="never-repeated results pages")
    parser.add_argument("--report", type=Path, default=REPORT, help="the report to update")
    args = parser.parse_args(argv)
    result = compare(args.before, args.after, args.size, args.rounds, args.passes, args.pages)
    text = render(result)
    write_section(SECTION, text, args.report)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
