"""The HTTP stage: `atlas serve` under load on loopback, each mix of requests in turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.load import mix_paths, run_load
from bench.mix import unique_queries
from bench.server import Server, running_server
from bench.settings import Settings
from bench.workspace import OUT, log

# Each load: the paths, how many requests and whether the paths repeat (cycle) until then.
Loads = dict[str, tuple[list[str], int, bool]]
CYCLING = ("search_cycling", "api_cycling")
# Compared with /healthz, the same stack answering without a search.
SEARCHING = ("search_cycling", "api_cycling", "search_unique", "api_unique")


def _loads(size: int, settings: Settings) -> Loads:
    """Return the loads of a run, in the order they run; never-repeated queries seeded by size."""
    count = settings.http_unique_requests
    unique = unique_queries(2 * count, seed=size)
    unique_search = [f"/search?{urlencode(a)}" for a in unique[:count]]
    unique_api = [f"/api/v1/search?{urlencode(a)}" for a in unique[count:]]
    return {
        "healthz": (["/healthz"], settings.http_trivial_requests, True),
        "search_cycling": (mix_paths("/search"), settings.http_mix_requests, True),
        "api_cycling": (mix_paths("/api/v1/search"), settings.http_mix_requests, True),
        "search_unique": (unique_search, len(unique_search), False),
        "api_unique": (unique_api, len(unique_api), False),
    }


def _warm_up(server: Server, loads: Loads, settings: Settings) -> dict[str, Any]:
    """Ask each cycling query once, untimed, so the cycling figures are the steady state."""
    out: dict[str, Any] = {}
    for name in CYCLING:
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
    return out


def _timed_loads(size: int, server: Server, loads: Loads, settings: Settings) -> dict[str, Any]:
    """Return each load's figures (requests/s, latency, errors) through the server."""
    out: dict[str, Any] = {}
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
    return out


def bench_http(size: int, index_dir: Path, settings: Settings) -> dict[str, Any]:
    """Return requests/s and latency through waitress for each mix, and the server's peak RSS."""
    loads = _loads(size, settings)
    out: dict[str, Any] = {
        "threads": settings.server_threads,
        "connections": settings.http_connections,
    }
    log_path = OUT / f"serve-{size}.log"
    with running_server(index_dir, log_path, threads=settings.server_threads) as server:
        out["server_start_to_first_answer_s"] = round(server.ready_after, 3)
        out["rss_after_start_mb"] = server.peak_rss_mb()
        out.update(_warm_up(server, loads, settings))
        out.update(_timed_loads(size, server, loads, settings))
        out["server_peak_rss_mb"] = server.peak_rss_mb()
    trivial = out["healthz"]["requests_per_s"] or 1e-9
    for name in SEARCHING:
        out[name]["share_of_trivial"] = round(out[name]["requests_per_s"] / trivial, 3)
    return out
