"""A bounded load test: replays a query mix against a running server on this machine.

Loopback only (127.0.0.0/8, ::1 or `localhost`), and always bounded: it stops after a fixed
number of requests or a maximum duration, whichever comes first. N threads each keep one HTTP
keep-alive connection (http.client) and take the next path from a shared counter.

    python -m bench.load --port 8080 --requests 2000 --connections 32 --mix api
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import itertools
import json
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from bench.mix import QUERY_MIX

DEFAULT_TIMEOUT = 30.0
MAX_REQUESTS = 1_000_000
MAX_SECONDS = 600.0
ERROR_SAMPLES = 5


class NotLoopback(ValueError):
    """The target host is not on this machine's loopback interface."""


def check_loopback(host: str) -> str:
    """Return the host when it is a loopback address or `localhost`; raise NotLoopback otherwise."""
    if host.strip().lower() == "localhost":
        return host
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise NotLoopback(
            f"{host!r} is not a loopback address; use 127.0.0.1, ::1 or localhost"
        ) from None
    if not address.is_loopback:
        raise NotLoopback(
            f"{host} is not a loopback address; the load test only targets this machine"
        )
    return host


@dataclass(frozen=True)
class LoadResult:
    """What a load run measured: throughput, latency percentiles and failures."""

    requests: int  # requests completed (successful or not)
    errors: int  # non-2xx/3xx answers plus connection errors
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    connections: int
    stopped_by: str  # "count", "duration" or "stop"
    statuses: dict[str, int] = field(default_factory=dict)
    error_samples: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["error_samples"] = list(self.error_samples)
        return data


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def run_load(
    host: str,
    port: int,
    paths: Sequence[str],
    *,
    requests: int,
    connections: int = 8,
    max_seconds: float = 30.0,
    cycle: bool = True,
    stop: threading.Event | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> LoadResult:
    """Send GET requests for `paths` (in order, cycling when `cycle`) and return the figures.

    Stops after `requests` requests, after `max_seconds`, when `paths` run out (cycle=False),
    or when `stop` is set.
    """
    check_loopback(host)
    if not paths:
        raise ValueError("no paths to request")
    if not 1 <= requests <= MAX_REQUESTS:
        raise ValueError(f"requests must be between 1 and {MAX_REQUESTS}")
    if not 0 < max_seconds <= MAX_SECONDS:
        raise ValueError(f"max_seconds must be above 0 and at most {MAX_SECONDS}")
    connections = max(1, min(connections, requests))
    limit = requests if cycle else min(requests, len(paths))
    counter = itertools.count()  # next() on it is atomic under the interpreter lock
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    samples: list[str] = []
    stopped = {"by": "count"}
    started = time.perf_counter()
    deadline = started + max_seconds

    def record(status: str, elapsed: float, problem: str | None) -> None:
        with lock:
            latencies.append(elapsed)
            statuses[status] += 1
            if problem is not None and len(samples) < ERROR_SAMPLES:
                samples.append(problem)

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        try:
            while True:
                if stop is not None and stop.is_set():
                    stopped["by"] = "stop"
                    return
                if time.perf_counter() >= deadline:
                    stopped["by"] = "duration"
                    return
                n = next(counter)
                if n >= limit:
                    return
                path = paths[n % len(paths)]
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as exc:
                    record("connection-error", time.perf_counter() - t0, f"{path}: {exc!r}")
                    conn.close()
                    conn = None
                    continue
                elapsed = time.perf_counter() - t0
                ok = 200 <= response.status < 400
                record(
                    str(response.status), elapsed, None if ok else f"{path}: HTTP {response.status}"
                )
                if response.will_close:
                    conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    threads = [
        threading.Thread(target=worker, name=f"load-{i}", daemon=True) for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + timeout + 5)
    seconds = time.perf_counter() - started
    with lock:
        done = sorted(latencies)
        counted = dict(statuses)
    errors = sum(n for s, n in counted.items() if not (s.isdigit() and 200 <= int(s) < 400))
    return LoadResult(
        requests=len(done),
        errors=errors,
        seconds=round(seconds, 3),
        requests_per_s=round(len(done) / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(_percentile(done, 0.50) * 1000, 2),
        p99_ms=round(_percentile(done, 0.99) * 1000, 2),
        mean_ms=round(statistics.fmean(done) * 1000, 2) if done else 0.0,
        connections=connections,
        stopped_by=stopped["by"],
        statuses=dict(sorted(counted.items())),
        error_samples=tuple(samples),
    )


def mix_paths(endpoint: str) -> list[str]:
    """Return the realistic query mix as URLs of one endpoint (`/search` or `/api/v1/search`)."""
    return [
        f"{endpoint}?{urlencode(q.args, doseq=True)}" if q.args else endpoint for q in QUERY_MIX
    ]


def unique_paths(endpoint: str, count: int, seed: int = 1) -> list[str]:
    """Return `count` different searches (no two alike), so no response can come from a cache."""
    from bench.mix import unique_queries

    return [f"{endpoint}?{urlencode(args, doseq=True)}" for args in unique_queries(count, seed)]


MIXES = {
    "search": lambda n: mix_paths("/search"),
    "api": lambda n: mix_paths("/api/v1/search"),
    "unique-search": lambda n: unique_paths("/search", n),
    "unique-api": lambda n: unique_paths("/api/v1/search", n),
    "healthz": lambda n: ["/healthz"],
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback host (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=int, default=1000, help="stop after this many requests")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="stop after this long")
    parser.add_argument(
        "--connections", type=int, default=8, help="concurrent keep-alive connections"
    )
    parser.add_argument(
        "--mix",
        choices=sorted(MIXES),
        default="api",
        help="the query mix on the page or the API, never-repeated queries, "
        "or the trivial /healthz endpoint",
    )
    parser.add_argument("--path", action="append", default=[], help="request these paths instead")
    args = parser.parse_args(argv)
    try:
        check_loopback(args.host)
    except NotLoopback as exc:
        parser.error(str(exc))
    paths = args.path or MIXES[args.mix](args.requests)
    try:
        result = run_load(
            args.host,
            args.port,
            paths,
            requests=args.requests,
            connections=args.connections,
            max_seconds=args.max_seconds,
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(json.dumps(result.to_json(), indent=2))
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
