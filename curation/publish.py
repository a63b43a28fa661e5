"""Publishing: incremental index builds run in the background, one at a time, for the workspace.

A build runs as its own process (`python -m atlas_cli index build`), so a server's threads
never share memory with it, a crash of it is only a failed job, and the index lock, the
validation and the atomic switch are exactly those of `atlas index build`: a failed build
changes nothing that is served. The running service notices the new generation by itself.

Jobs are kept in memory (the audit trail keeps the outcome). A job asked for while another
waits joins it: one build publishes every change written before it starts.
"""

from __future__ import annotations

import itertools
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict, Unpack

BUILD_TIMEOUT = 30 * 60  # seconds one build may take before it is stopped
BUSY_RETRIES = 20  # another build holds the lock (exit 75): try again this often ...
BUSY_WAIT = 3.0  # ... this many seconds apart
EXIT_BUSY = 75
KEPT_JOBS = 200
MAX_OUTPUT = 20_000  # characters of a build's output kept for the page


@dataclass(frozen=True)
class Job:
    """One publication: who asked, why, its state (queued, running, done, failed) and output."""

    id: int
    requested_by: str
    reason: str
    state: str
    queued: str
    started: str | None = None
    finished: str | None = None
    output: str = ""

    @property
    def is_finished(self) -> bool:
        return self.state in ("done", "failed")


class JobChanges(TypedDict, total=False):
    """The fields of a Job that change as it runs."""

    state: str
    started: str
    finished: str
    output: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Publisher:
    """Runs queued builds of one index from its sources on one worker thread."""

    def __init__(
        self,
        index_dir: Path,
        sources: Callable[[], Sequence[Path]],
        on_finish: Callable[[Job], None] | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.sources = sources
        self.on_finish = on_finish
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue[int] = queue.Queue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def submit(self, requested_by: str, reason: str) -> Job:
        """Return the job that will publish this change: a waiting one, or a new one."""
        with self._lock:
            for job in self._jobs.values():
                if job.state == "queued":
                    return job
            job = Job(next(self._ids), requested_by, reason, "queued", _now())
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT_JOBS:
                del self._jobs[min(self._jobs)]
            self._queue.put(job.id)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="publisher", daemon=True)
                self._worker.start()
            return job

    def job(self, job_id: int) -> Job | None:
        """Return a job by id, or None when there is none (or it is long gone)."""
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: int, timeout: float) -> Job | None:
        """Return the job once finished, or as it is when the timeout passes."""
        deadline = time.monotonic() + timeout
        job = self.job(job_id)
        while job is not None and not job.is_finished and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.job(job_id)
        return job

    def _update(self, job_id: int, **changes: Unpack[JobChanges]) -> Job:
        with self._lock:
            job = replace(self._jobs[job_id], **changes)
            self._jobs[job_id] = job
            return job

    def _run(self) -> None:
        while True:
            try:
                job_id = self._queue.get(timeout=5)
            except queue.Empty:
                return
            self._update(job_id, state="running", started=_now())
            try:
                state, output = self._build()
            except Exception as exc:
                state, output = "failed", f"The build could not start: {exc}"
            job = self._update(job_id, state=state, finished=_now(), output=output)
            if self.on_finish is not None:
                self.on_finish(job)

    def command(self) -> list[str]:
        """Return the build command this publisher runs."""
        args = [sys.executable, "-m", "atlas_cli", "index", "build", "--index", str(self.index_dir)]
        for source in self.sources():
            args += ["--source", str(source)]
        return args

    def _build(self) -> tuple[str, str]:
        for _ in range(BUSY_RETRIES):
            try:
                done = subprocess.run(
                    self.command(),
                    capture_output=True,
                    text=True,
                    errors="replace",
                    timeout=BUILD_TIMEOUT,
                    stdin=subprocess.DEVNULL,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return "failed", f"The build could not run: {exc}"
            output = (done.stdout + done.stderr)[-MAX_OUTPUT:]
            if done.returncode != EXIT_BUSY:
                return ("done" if done.returncode == 0 else "failed"), output
            time.sleep(BUSY_WAIT)
        return "failed", "Another build kept the index busy; nothing was published. Try again."
