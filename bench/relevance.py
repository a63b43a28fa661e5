"""Relevance: how often a search finds the studies that answer it, for us and for plain BM25.

`make eval` (python -m bench.relevance) builds an index of the bundled studies, runs every
query of bench/relevance.tsv through our engine and, when the bench extras are installed,
through tantivy as a plain BM25 engine (every field as text, its default English stemming;
the query's words OR-ed, and AND-ed), and prints success@k and nDCG@10 per query class.

success@k: the share of queries with at least one study that answers them in the first k
results. nDCG@10: binary gains, ideal order = all the answering studies first.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RELEVANCE_FILE = Path(__file__).parent / "relevance.tsv"
# A second held-out set (class held-out-2), written by another engineer before seeing how the
# engine treats its queries; scored beside the first, reported as its own class.
HELD_OUT_FILES = (
    Path(__file__).parent / "relevance-held-out-2.tsv",
    # a third, written after the changes for the second, measured without tuning for it
    Path(__file__).parent / "relevance-held-out-3.tsv",
    Path(__file__).parent / "relevance-held-out-4.tsv",  # session 4, measured before changes
)
# The relevance section of BENCHMARKS.md (bench/report.py appends it): `--write` replaces the
# part between these marks and leaves the notes around it alone.
REPORT_FILE = Path(__file__).parent / "relevance.md"
START, END = "<!-- make eval: start -->", "<!-- make eval: end -->"
DEPTH = 10
KS = (1, 3, 10)


@dataclass(frozen=True)
class Judged:
    """One query of the relevance set with the studies that answer it."""

    kind: str
    query: str
    relevant: frozenset[str]


def read_relevance(*paths: Path) -> list[Judged]:
    """Return the judged queries of relevance files (TSV, `#` comments); by default, all of them."""
    judged = []
    for path in paths or (RELEVANCE_FILE, *HELD_OUT_FILES):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            kind, query, slugs = raw.split("\t")
            judged.append(Judged(kind, query, frozenset(slugs.split())))
    return judged


def ndcg(ranked: Sequence[str], relevant: frozenset[str], depth: int = DEPTH) -> float:
    """Return the nDCG of a ranking at a depth, with binary gains."""
    dcg = sum(1 / math.log2(i + 2) for i, s in enumerate(ranked[:depth]) if s in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(depth, len(relevant))))
    return dcg / ideal if ideal else 0.0


@dataclass(frozen=True)
class Scores:
    """Per query class (and "all"): success@k for each k, nDCG@10, and the missed queries."""

    success: dict[str, dict[int, float]]
    ndcg: dict[str, float]
    counts: dict[str, int]
    misses: dict[str, list[str]]  # class -> queries with nothing that answers them in the top 10


def score(judged: Sequence[Judged], run: Callable[[str], Sequence[str]]) -> Scores:
    """Return the scores of a search function (query -> ranked slugs) over the relevance set."""
    by_kind: dict[str, list[tuple[Judged, Sequence[str]]]] = {}
    for item in judged:
        ranked = list(run(item.query))[:DEPTH]
        by_kind.setdefault(item.kind, []).append((item, ranked))
    by_kind["all"] = [pair for kind in list(by_kind) for pair in by_kind[kind]]
    success, gains, counts, misses = {}, {}, {}, {}
    for kind, pairs in by_kind.items():
        counts[kind] = len(pairs)
        success[kind] = {
            k: sum(bool(set(r[:k]) & j.relevant) for j, r in pairs) / len(pairs) for k in KS
        }
        gains[kind] = sum(ndcg(r, j.relevant) for j, r in pairs) / len(pairs)
        misses[kind] = [j.query for j, r in pairs if not set(r) & j.relevant]
    return Scores(success, gains, counts, misses)


# ---- the engines ------------------------------------------------------------------------------


def build_bundled_index(where: Path) -> Path:
    """Build an index of the bundled studies in a directory; return the index directory."""
    from indexer.build import build
    from search.settings import BUNDLED_STUDIES

    index_dir = where / "index"
    report = build(index_dir, [BUNDLED_STUDIES], full=True)
    if not report.ok:
        raise SystemExit(f"cannot build the bundled index: {report.status}")
    return index_dir


def ours(index_dir: Path) -> Callable[[str], list[str]]:
    """Return our engine as a search function (query -> the first ten slugs)."""
    from search import open_atlas, parse

    atlas = open_atlas(index_dir, check_interval=3600)

    def run(query: str) -> list[str]:
        result = atlas.search(parse({"q": [query], "per_page": [str(DEPTH)]}))
        return [hit.slug for hit in result.hits]

    return run


_WORD = re.compile(r"\w+")


class PlainBM25:
    """tantivy as a plain BM25 engine over every field as text: what 'no query language' gets."""

    FIELDS = ("title", "authors", "journal", "body", "topics", "markers", "year")

    def __init__(self, path: Path, records: Sequence[dict[str, Any]]) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("slug", stored=True, tokenizer_name="raw")
        for name in self.FIELDS:
            builder.add_text_field(name, tokenizer_name="en_stem")
        self.index = tantivy.Index(builder.build(), path=str(path))
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for record in records:
            writer.add_document(tantivy.Document(slug=record["slug"], **self._fields(record)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    @staticmethod
    def _fields(record: dict[str, Any]) -> dict[str, str]:
        prose = (record.get(k) or "" for k in ("summary", "significance", "limitations"))
        return {
            "title": record["title"],
            "authors": "; ".join(record.get("authors") or []),
            "journal": record.get("journal") or "",
            "body": " ".join(prose),
            "topics": "; ".join(record.get("topics") or []),
            "markers": "; ".join(record.get("markers") or []),
            "year": str(record["year"]),
        }

    def run(self, query: str, conjunction: bool) -> list[str]:
        words = _WORD.findall(query)
        if not words:
            return []
        text = " ".join(("+" if conjunction else "") + w for w in words)
        parsed = self.index.parse_query(text, list(self.FIELDS))
        found = self.searcher.search(parsed, DEPTH)
        return [self.searcher.doc(address)["slug"][0] for _, address in found.hits]


def plain_bm25(where: Path) -> PlainBM25 | None:
    """Return tantivy over the bundled studies, or None without the bench extras."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return None
    from indexer.sources import load_records
    from search.settings import BUNDLED_STUDIES

    path = where / "tantivy"
    path.mkdir()
    return PlainBM25(path, load_records([BUNDLED_STUDIES]).records)


# ---- the report -------------------------------------------------------------------------------


def table(results: dict[str, Scores]) -> str:
    """Return a Markdown table: per class and engine, success@1/3/10 and nDCG@10."""
    first = next(iter(results.values()))
    kinds = [k for k in first.counts if k != "all"] + ["all"]
    head = "| class | queries | engine | " + " | ".join(f"success@{k}" for k in KS)
    lines = [head + " | nDCG@10 |", "|---|---:|---|" + "---:|" * (len(KS) + 1)]
    for kind in kinds:
        for engine, scores in results.items():
            cells = [f"{100 * scores.success[kind][k]:.0f}%" for k in KS]
            lines.append(
                f"| {kind} | {scores.counts[kind]} | {engine} | "
                + " | ".join(cells)
                + f" | {scores.ndcg[kind]:.2f} |"
            )
    return "\n".join(lines)


def write_report(results: dict[str, Scores], path: Path = REPORT_FILE) -> None:
    """Write the table and our misses between the marks of the relevance report."""
    import datetime as dt

    misses = [
        f"- {kind}: `{query}`"
        for kind, queries in results["atlas"].misses.items()
        if kind != "all"
        for query in queries
    ]
    generated = [
        START,
        f"Measured {dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()} over "
        f"{results['atlas'].counts['all']} queries (`bench/relevance.tsv`, "
        "`bench/relevance-held-out-2.tsv`, `bench/relevance-held-out-3.tsv`).",
        "",
        table(results),
        "",
        "Queries where nothing that answers them is in our first 10:",
        "",
        *(misses or ["- none"]),
        END,
    ]
    text = (
        path.read_text(encoding="utf-8") if path.exists() else f"## Relevance\n\n{START}\n{END}\n"
    )
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    path.write_text(before + "\n".join(generated) + after, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="an index of the bundled studies to use")
    parser.add_argument("--misses", action="store_true", help="list the queries we miss")
    parser.add_argument("--write", action="store_true", help=f"write the table into {REPORT_FILE}")
    args = parser.parse_args(argv)
    judged = read_relevance()
    where = Path(tempfile.mkdtemp(prefix="atlas-eval-"))
    try:
        index_dir = args.index or build_bundled_index(where)
        results = {"atlas": score(judged, ours(index_dir))}
        rival = plain_bm25(where)
        if rival is None:
            print(
                "tantivy is not installed (pip install -e '.[bench]'): ours only", file=sys.stderr
            )
        else:
            results["BM25 OR"] = score(judged, lambda q: rival.run(q, conjunction=False))
            results["BM25 AND"] = score(judged, lambda q: rival.run(q, conjunction=True))
        print(table(results))
        if args.write:
            write_report(results)
        if args.misses:
            print("\nMissed by atlas (nothing that answers them in the first 10):")
            for kind, queries in results["atlas"].misses.items():
                if kind != "all":
                    for query in queries:
                        print(f"  {kind}: {query}")
    finally:
        shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
