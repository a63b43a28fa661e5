"""`atlas serve` as a real process: start-up build, access log, headers, bounds, shutdown."""

from __future__ import annotations

import http.client
import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import Server, atlas_command, running_server
from indexer.build import build
from tests.conftest import DATA, SOURCES

pytestmark = pytest.mark.server


Response = tuple[int, dict[str, str], bytes]


def request(
    server: Server, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> Response:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("serve")
    assert build(tmp / "index", SOURCES).ok
    with running_server(tmp / "index", tmp / "serve.log", threads=4) as running:
        yield running


def test_access_log_has_method_path_status_and_milliseconds(server: Server) -> None:
    request(server, "GET", "/search?q=cytokines")
    time.sleep(0.2)
    lines = server.log.read_text(encoding="utf-8").splitlines()
    assert any(line.endswith("ms") and " GET /search?q=cytokines 200 " in line for line in lines)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=IL-6",
        "/api/v1/search?q=x",
        "/healthz",
        "/studies/roerink-2017-cytokine-signatures",
        "/nope",
    ],
)
def test_security_headers_on_every_response(server: Server, path: str) -> None:
    _, headers, _ = request(server, "GET", path)
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/search?q=" + "x" * 600, 400),
        ("GET", "/api/v1/search?per_page=1000", 400),
        ("GET", "/api/v1/search?page=100000", 400),
        ("GET", "/search?" + "&".join(f"marker=m{n}" for n in range(60)), 400),
        ("POST", "/search", 405),
        ("PUT", "/api/v1/search", 405),
        ("DELETE", "/studies/roerink-2017-cytokine-signatures", 405),
        ("GET", "/search?page=abc&sort=sideways&pem=maybe", 200),
    ],
)
def test_bounds_and_methods(server: Server, method: str, path: str, status: int) -> None:
    code, _, body = request(server, method, path)
    assert code == status
    assert b"Traceback" not in body


def test_oversized_body_is_refused(server: Server) -> None:
    body = b"x" * (200 * 1024)
    path = "/studies/roerink-2017-cytokine-signatures/corrections"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    code, _, page = request(server, "POST", path, body, form)
    assert code == 413
    assert b"Traceback" not in page


def test_api_errors_are_json(server: Server) -> None:
    code, headers, body = request(server, "GET", "/api/v1/search?per_page=1000")
    assert code == 400
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"error": "Bad request", "messages": ["per_page: at most 100"]}


def test_serve_builds_the_index_first_when_there_is_none(tmp_path: Path) -> None:
    index = tmp_path / "empty-index"
    env = {"ATLAS_SOURCE": str(DATA / "studies")}
    with running_server(index, tmp_path / "log", threads=2, env=env) as running:
        assert running.get_json("/healthz")["documents"] == 6
    assert "No usable index at" in (tmp_path / "log").read_text()


def test_sigterm_shuts_down_cleanly(tmp_path: Path) -> None:
    assert build(tmp_path / "index", SOURCES).ok
    log = tmp_path / "log"
    with log.open("wb") as handle:
        command = [*atlas_command(), "serve", "--index", str(tmp_path / "index"), "--port", "0"]
        proc = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while "Serving" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert "Shutting down." in log.read_text()
    assert "Traceback" not in log.read_text()


def test_cached_searches_follow_a_new_generation(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(DATA / "studies", records)
    assert build(tmp_path / "index", [records]).ok
    with running_server(tmp_path / "index", tmp_path / "log", threads=2) as running:
        path = "/api/v1/search?q=orexin"
        assert running.get_json(path)["total"] == 0  # now cached
        (records / "new.json").write_text(
            json.dumps(
                {
                    "slug": "new-2025-orexin",
                    "title": "Orexin in ME/CFS",
                    "authors": ["New, A"],
                    "year": 2025,
                }
            ),
            encoding="utf-8",
        )
        assert build(tmp_path / "index", [records]).ok
        # the server looks every half second; the bound is generous for a loaded machine
        deadline = time.monotonic() + 10.0
        while running.get_json(path)["total"] == 0:
            assert time.monotonic() < deadline, "the new generation was not served within 10 s"
            time.sleep(0.05)
        assert running.get_json(path)["results"][0]["slug"] == "new-2025-orexin"


def test_several_processes_serve_the_same_results(tmp_path: Path) -> None:
    assert build(tmp_path / "index", SOURCES).ok
    with (
        running_server(tmp_path / "index", tmp_path / "a.log", threads=2) as a,
        running_server(tmp_path / "index", tmp_path / "b.log", threads=2) as b,
    ):
        for path in ("/api/v1/search?q=cytokines", "/api/v1/search?pem=required&sort=title"):
            assert a.get_json(path) == b.get_json(path)
