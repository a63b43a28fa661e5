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
from bench.stats import percentile

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


class _Load:
    """One load run's shared state: the next request's number and what has been recorded."""

    def __init__(
        self,
        host: str,
        port: int,
        paths: Sequence[str],
        limit: int,
        deadline: float,  # time.perf_counter() after which no request starts
        stop: threading.Event | None,
        timeout: float,
    ) -> None:
        self.host, self.port, self.paths, self.limit = host, port, paths, limit
        self.deadline, self.stop, self.timeout = deadline, stop, timeout
        self.counter = itertools.count()  # next() on it is atomic under the interpreter lock
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.samples: list[str] = []
        self.stopped_by = "count"

    def record(self, status: str, elapsed: float, problem: str | None) -> None:
        with self.lock:
            self.latencies.append(elapsed)
            self.statuses[status] += 1
            if problem is not None and len(self.samples) < ERROR_SAMPLES:
                self.samples.append(problem)

    def _next_path(self) -> str | None:
        """Return the path of the next request, or None when this worker should stop."""
        if self.stop is not None and self.stop.is_set():
            self.stopped_by = "stop"
            return None
        if time.perf_counter() >= self.deadline:
            self.stopped_by = "duration"
            return None
        n = next(self.counter)
        if n >= self.limit:
            return None
        return self.paths[n % len(self.paths)]

    def _request(self, conn: http.client.HTTPConnection, path: str) -> bool:
        """Send one request and record it; return whether the connection can be kept."""
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.record("connection-error", time.perf_counter() - t0, f"{path}: {exc!r}")
            return False
        elapsed = time.perf_counter() - t0
        ok = 200 <= response.status < 400
        self.record(
            str(response.status), elapsed, None if ok else f"{path}: HTTP {response.status}"
        )
        return not response.will_close

    def worker(self) -> None:
        """Send requests over one keep-alive connection until the run stops."""
        conn: http.client.HTTPConnection | None = None
        try:
            while (path := self._next_path()) is not None:
                if conn is None:
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                if not self._request(conn, path):
                    conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    def result(self, seconds: float, connections: int) -> LoadResult:
        """Return the figures of the run, which took `seconds`."""
        with self.lock:
            done = sorted(self.latencies)
            counted = dict(self.statuses)
        errors = sum(n for s, n in counted.items() if not (s.isdigit() and 200 <= int(s) < 400))
        return LoadResult(
            requests=len(done),
            errors=errors,
            seconds=round(seconds, 3),
            requests_per_s=round(len(done) / seconds, 1) if seconds > 0 else 0.0,
            p50_ms=round(percentile(done, 0.50) * 1000, 2),
            p99_ms=round(percentile(done, 0.99) * 1000, 2),
            mean_ms=round(statistics.fmean(done) * 1000, 2) if done else 0.0,
            connections=connections,
            stopped_by=self.stopped_by,
            statuses=dict(sorted(counted.items())),
            error_samples=tuple(self.samples),
        )


def _check_bounds(paths: Sequence[str], requests: int, max_seconds: float) -> None:
    if not paths:
        raise ValueError("no paths to request")
    if not 1 <= requests <= MAX_REQUESTS:
        raise ValueError(f"requests must be between 1 and {MAX_REQUESTS}")
    if not 0 < max_seconds <= MAX_SECONDS:
        raise ValueError(f"max_seconds must be above 0 and at most {MAX_SECONDS}")


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
    _check_bounds(paths, requests, max_seconds)
    connections = max(1, min(connections, requests))
    limit = requests if cycle else min(requests, len(paths))
    started = time.perf_counter()
    load = _Load(host, port, paths, limit, started + max_seconds, stop, timeout)
    threads = [
        threading.Thread(target=load.worker, name=f"load-{i}", daemon=True)
        for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + timeout + 5)
    return load.result(time.perf_counter() - started, connections)


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
