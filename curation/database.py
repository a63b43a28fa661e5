"""The SQLite files of the instance data, opened one way: private, durable, shared safely.

Reader corrections, drafts, curator accounts and sessions, saved draft edits and the audit
trail each live in their own file, and every operation opens its own connection, so threads
and processes share a file safely: WAL lets readers work while one writer commits,
`synchronous=FULL` makes a commit durable before anyone is told it is done, and the busy timeout
makes concurrent writers wait instead of failing. A file is created mode 0600 on first write,
because several hold personal data (emails, password hashes).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

BUSY_TIMEOUT = 10.0  # seconds a writer waits for another writer before giving up


class Database:
    """One SQLite file: its schema (CREATE ... IF NOT EXISTS statements) and version."""

    def __init__(
        self,
        path: Path,
        schema: Sequence[str],
        version: int = 1,
        busy_timeout: float = BUSY_TIMEOUT,
        foreign_keys: bool = False,
    ) -> None:
        self.path = Path(path)
        self.schema = tuple(schema)
        self.version = version
        self.busy_timeout = busy_timeout
        self.foreign_keys = foreign_keys
        self._ready = False
        self._ready_lock = threading.Lock()

    def exists(self) -> bool:
        """Return whether the file has been created."""
        return self.path.exists()

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Created here rather than by SQLite so it is private from the start; SQLite gives the
        # -wal and -shm files the same permissions.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        with closing(self._open()) as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # persistent: recorded in the file
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in self.schema:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={int(self.version)}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=FULL")
        if self.foreign_keys:
            conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _ensure(self) -> None:
        if not self._ready:
            with self._ready_lock:
                if not self._ready:
                    self._create()
                    self._ready = True

    @contextmanager
    def connection(self, create: bool = True) -> Iterator[sqlite3.Connection | None]:
        """Yield an autocommit connection; None when the file does not exist and not `create`."""
        if not self._ready and not create and not self.path.exists():
            yield None
            return
        self._ensure()
        with closing(self._open()) as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one write transaction, committed when the block ends."""
        self._ensure()
        with closing(self._open()) as conn:
            # IMMEDIATE takes the write lock first, so a check and the write after it see the
            # same data even when other processes write at the same time.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
