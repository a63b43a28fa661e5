"""The load test script against the real server: zero errors, also during a live index swap."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load import NotLoopback, check_loopback, mix_paths, run_load
from bench.server import Server, atlas_command, running_server
from indexer.build import build
from tests.conftest import DATA, SOURCES

MIX = [*mix_paths("/api/v1/search"), *mix_paths("/search"), "/healthz", "/"]


def _build(path: Path) -> Path:
    report = build(path, SOURCES)
    assert report.ok, [str(p) for p in report.load.problems]
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that only read; the swap test starts its own."""
    tmp = tmp_path_factory.mktemp("served")
    with running_server(_build(tmp / "index"), tmp / "serve.log", threads=4) as running:
        yield running


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "::1", "[::1]"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert check_loopback(host) == host


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.5", "example.org", "0.0.0.0", "::"])
def test_other_hosts_are_refused(host: str) -> None:
    with pytest.raises(NotLoopback):
        check_loopback(host)


@pytest.mark.server
def test_a_small_load_has_no_errors(server: Server) -> None:
    result = run_load(server.host, server.port, MIX, requests=200, connections=4, max_seconds=30)
    assert (result.requests, result.errors, result.error_samples) == (200, 0, ())
    assert result.stopped_by == "count"
    assert result.requests_per_s > 0
    assert 0 < result.p50_ms <= result.p99_ms


@pytest.mark.server
def test_the_load_stops_after_its_maximum_duration(server: Server) -> None:
    started = time.monotonic()
    result = run_load(
        server.host, server.port, MIX, requests=1_000_000, connections=2, max_seconds=0.5
    )
    assert time.monotonic() - started < 5
    assert result.stopped_by == "duration"
    assert result.errors == 0


def _edited_sources(tmp_path: Path) -> list[Path]:
    """Return a copy of the test records with one study's title changed."""
    records = tmp_path / "records"
    shutil.copytree(DATA / "studies", records)
    lines = tmp_path / "more-studies.jsonl"
    shutil.copy(DATA / "more-studies.jsonl", lines)
    path = records / "roerink-2017-cytokine-signatures.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["title"] = "Cytokine signatures revisited after a live index swap"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return [records, lines]


def _generation(server: Server) -> str:
    return server.get_json("/healthz")["generation"]


@pytest.mark.server
def test_a_live_index_swap_under_load_has_no_errors(tmp_path: Path) -> None:
    served_index = _build(tmp_path / "index")
    sources = _edited_sources(tmp_path)
    with running_server(served_index, tmp_path / "serve.log", threads=4) as server:
        old = _generation(server)
        stop = threading.Event()
        results = []
        load = threading.Thread(
            target=lambda: results.append(
                run_load(
                    server.host,
                    server.port,
                    MIX,
                    requests=100_000,
                    connections=2,
                    max_seconds=30,
                    stop=stop,
                )
            )
        )
        load.start()
        try:
            time.sleep(0.3)
            command = [*atlas_command(), "index", "build", "--index", str(served_index), "--json"]
            for source in sources:
                command += ["--source", str(source)]
            built = subprocess.run(command, capture_output=True, text=True, timeout=60)
            finished = time.monotonic()
            assert built.returncode == 0, built.stderr
            new = json.loads(built.stdout)["generation"]
            assert new != old
            seen = _generation(server)
            while seen != new and time.monotonic() - finished < 2.0:
                time.sleep(0.05)
                seen = _generation(server)
            switched_after = time.monotonic() - finished
            time.sleep(0.3)  # keep loading on the new generation for a moment
        finally:
            stop.set()
            load.join(40)
        status, body = server.get("/api/v1/search?q=title%3Arevisited")
    assert seen == new, f"still serving {seen} {switched_after:.2f} s after the build"
    assert switched_after <= 2.0
    assert status == 200
    assert json.loads(body)["total"] == 1
    [result] = results
    assert (result.errors, result.error_samples) == (0, ())
    assert result.requests > 20
