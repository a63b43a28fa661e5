"""Running the real server (`atlas serve`) in a subprocess on a free loopback port.

Used by the benchmark and by the server tests. The server picks its own port (`--port 0`)
and prints it; its log goes to a file so a busy access log can never fill a pipe and stall it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
_SERVING = re.compile(r"Serving .* on http://[^:]+:(\d+) ")


def atlas_command() -> list[str]:
    """Return the command that runs `atlas` from the interpreter's environment."""
    beside = Path(sys.executable).with_name("atlas")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("atlas")
    if found:
        return [found]
    return [sys.executable, "-c", "from atlas_cli import main; main()"]


@dataclass(frozen=True)
class Server:
    """A running server: its process id, port and log file."""

    pid: int
    port: int
    log: Path
    started: float  # time.perf_counter() when the process was spawned
    ready_after: float  # seconds from spawn to the first answer of /healthz

    host: str = HOST

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
        """Return the status and body of a GET request."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def get_json(self, path: str) -> Any:
        status, body = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        return json.loads(body)

    def peak_rss_mb(self) -> float | None:
        """Return the process's peak resident memory (VmHWM) in MB, or None if unknown."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return round(int(match.group(1)) / 1024, 1) if match else None


def _wait_for_port(proc: subprocess.Popen[bytes], log: Path, deadline: float) -> int:
    while time.monotonic() < deadline:
        match = _SERVING.search(log.read_text(encoding="utf-8", errors="replace"))
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            raise RuntimeError(
                f"the server exited with {proc.returncode}: {log.read_text()[-2000:]}"
            )
        time.sleep(0.02)
    raise RuntimeError(f"the server did not start in time: {log.read_text()[-2000:]}")


@contextmanager
def running_server(
    index_dir: Path,
    log: Path,
    threads: int = 8,
    startup_timeout: float = 60.0,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Start `atlas serve` on a free loopback port, yield it once it answers, then stop it."""
    command = [
        *atlas_command(),
        "serve",
        "--index",
        str(index_dir),
        "--host",
        HOST,
        "--port",
        "0",
        "--threads",
        str(threads),
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as handle:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    try:
        deadline = time.monotonic() + startup_timeout
        port = _wait_for_port(proc, log, deadline)
        probe = Server(proc.pid, port, log, started, 0.0)
        while True:
            try:
                status, _ = probe.get("/healthz", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz in time")
            time.sleep(0.02)
        yield Server(proc.pid, port, log, started, time.perf_counter() - started)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
