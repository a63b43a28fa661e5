"""The search stage: the query mix timed in our engine (uncached, repeated) and in the rivals."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.mix import KINDS, QUERY_MIX, MixQuery
from bench.rivals import (
    Request,
    Rival,
    SqliteRival,
    TantivyRival,
    Unsupported,
    fts5_available,
    interpret,
    rival_docs,
)
from bench.settings import Settings
from bench.stages.consistency import consistency
from bench.stats import by_kind, summary_ms
from bench.workspace import OUT, ROOT, log
from indexer.build import corpus_markers
from indexer.sources import load_records
from search import open_atlas, parse
from search.engine import Atlas
from search.markers import MarkerDictionary

MixTimings = dict[int, list[float]]  # seconds of each timed run, by position in QUERY_MIX
MixSearch = Callable[[MixQuery, int], object]  # one search of a query (and its position)


def _time_mix(search: MixSearch, rounds: int) -> MixTimings:
    timings: MixTimings = {i: [] for i in range(len(QUERY_MIX))}
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


@dataclass(frozen=True)
class _Rivals:
    """The rivals built for a corpus, with the seconds their preparation took."""

    engines: dict[str, Rival]
    build_seconds: dict[str, float]
    prepare_seconds: float  # the records flattened for them (shared by both)


def _prepare_rivals(size: int, corpus: Path) -> _Rivals:
    """Return tantivy and (when this SQLite has FTS5) SQLite, each holding the corpus."""
    records = load_records([corpus]).records
    markers, _, _ = corpus_markers(records)
    t0 = time.perf_counter()
    docs = rival_docs(records, markers)
    prepare_seconds = time.perf_counter() - t0
    engines: dict[str, Rival] = {}
    build_seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    engines["tantivy"] = TantivyRival(OUT / f"tantivy-{size}", docs)
    build_seconds["tantivy"] = time.perf_counter() - t0
    if fts5_available():
        t0 = time.perf_counter()
        engines["sqlite-fts5"] = SqliteRival(OUT / f"sqlite-{size}.db", docs)
        build_seconds["sqlite-fts5"] = time.perf_counter() - t0
    else:
        log("SQLite here has no FTS5: the SQLite comparison is skipped")
    return _Rivals(engines, build_seconds, prepare_seconds)


def _interpreted(markers: MarkerDictionary) -> dict[int, Request]:
    """Return the rivals' form of each query of the mix they can run, by position."""
    requests = {}
    for i, q in enumerate(QUERY_MIX):
        try:
            requests[i] = interpret(q.params, markers)
        except Unsupported as exc:
            log(f"rivals cannot run {q.label}: {exc}")
    return requests


def _ours(atlas: Atlas) -> MixSearch:
    def search(q: MixQuery, i: int) -> object:
        return atlas.search(parse(q.params))

    return search


def _theirs(rival: Rival, requests: dict[int, Request]) -> MixSearch:
    def search(q: MixQuery, i: int) -> object:
        return i in requests and rival.search(requests[i])

    return search


def _time_engines(
    uncached: Atlas, rivals: dict[str, Rival], requests: dict[int, Request], rounds: int
) -> dict[str, MixTimings]:
    """Return the timings of our uncached engine and each rival (queries it can run only)."""
    per_engine = {"ours_uncached": _time_mix(_ours(uncached), rounds)}
    for name, rival in rivals.items():
        timings = _time_mix(_theirs(rival, requests), rounds)
        per_engine[name] = {i: (timings[i] if i in requests else []) for i in timings}
    return per_engine


def _summary(timings: MixTimings) -> dict[str, Any]:
    """Return an engine's summary: over the whole mix, by query class and by query."""
    return {
        "all": summary_ms([t for ts in timings.values() for t in ts]),
        "by_kind": by_kind(timings),
        "by_query": {QUERY_MIX[i].label: summary_ms(ts) for i, ts in timings.items()},
    }


def _ratios(engines: dict[str, Any], rivals: list[str]) -> dict[str, Any]:
    """Return our uncached median ÷ each rival's, over the mix and by class (below 1: faster)."""
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
    return ratios


def _profiles(size: int, uncached: Atlas, rounds: int, text_out: Path) -> dict[str, Any]:
    """Return where the uncached mix, and filter-only browsing alone, spend their time."""
    from bench.profile import profile

    log(f"N={size}: profiling the uncached mix with pyinstrument")

    def work() -> None:
        for _ in range(max(2, rounds)):
            for q in QUERY_MIX:
                uncached.search(parse(q.params))

    mix = profile(work, text_out)
    mix["text_file"] = str(text_out.relative_to(ROOT))
    browsing = [q for q in QUERY_MIX if q.kind == "filter-only"]

    def browse() -> None:
        for _ in range(10 * max(2, rounds)):
            for q in browsing:
                uncached.search(parse(q.params))

    return {"profile": mix, "profile_filter_only": profile(browse, top=10)}


def bench_search(
    size: int, corpus: Path, index_dir: Path, settings: Settings, profile_out: Path | None
) -> dict[str, Any]:
    """Return timings of the query mix: ours uncached and repeated, tantivy and SQLite FTS5."""
    started = time.perf_counter()
    uncached = open_atlas(index_dir, cache_size=0)
    uncached.search(parse({}))
    open_seconds = time.perf_counter() - started
    generation = uncached.current()

    cache = _cache_check(index_dir)
    if not cache["cache_size_0_disables_cache"]:
        log("WARNING: open_atlas(cache_size=0) still caches results; 'uncached' figures are not")

    log(f"N={size}: preparing the rivals")
    rivals = _prepare_rivals(size, corpus)
    requests = _interpreted(generation.markers)
    checks = consistency(uncached, rivals.engines, requests)

    log(f"N={size}: timing the mix, {settings.rounds} rounds, uncached / tantivy / SQLite")
    per_engine = _time_engines(uncached, rivals.engines, requests, settings.rounds)
    log(f"N={size}: timing the mix repeated (result cache on)")
    per_engine["ours_repeated"] = _time_mix(_ours(open_atlas(index_dir)), settings.rounds)

    engines = {name: _summary(timings) for name, timings in per_engine.items()}
    result = {
        "open_seconds": round(open_seconds, 3),
        "cache": cache,
        "engines": engines,
        "ratio_ours_to": _ratios(engines, list(rivals.engines)),
        "rival_build_seconds": {k: round(v, 2) for k, v in rivals.build_seconds.items()},
        "rival_prepare_seconds": round(rivals.prepare_seconds, 2),
        "rival_index_mb": {k: round(r.size_bytes / 1e6, 1) for k, r in rivals.engines.items()},
        "consistency": checks,
    }
    if profile_out is not None:
        result.update(_profiles(size, uncached, settings.rounds, profile_out))
    return result
