"""The private SQLite store of readers' corrections: add, list, get and resolve them.

Pure Python, no Flask: the form (web/corrections/views.py) adds submissions, and the
`atlas contributions` commands list, show and resolve them. Nothing stored here is shown on
any public page or API.

Every operation opens its own connection, so threads and processes share the file safely: WAL
lets readers work while one writer commits, `synchronous=FULL` makes each commit durable before
the reader is thanked, and the busy timeout makes concurrent writers wait instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from curation.database import Database
from search.settings import RateLimit
from web.corrections.rules import Draft

STATUSES = ("open", "resolved")
DB_FILE = "contributions.sqlite3"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another writer before giving up
SCHEMA_VERSION = 1

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS contributions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: curators cite ids
        slug        TEXT NOT NULL,
        generation  TEXT,
        created     TEXT NOT NULL,  -- UTC ISO 8601, fixed width: text order is time order
        kind        TEXT NOT NULL,
        text        TEXT NOT NULL,
        name        TEXT,
        email       TEXT,
        client_hash TEXT NOT NULL,
        form_key    TEXT UNIQUE,    -- the same form sent twice (a retry) is stored once
        status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolution  TEXT,
        resolved    TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS contributions_by_client ON contributions (client_hash, created)",
    "CREATE INDEX IF NOT EXISTS contributions_by_status ON contributions (status, id)",
)


@dataclass(frozen=True)
class Submission:
    """A valid draft with where it came from, ready to store."""

    slug: str
    generation: str | None
    draft: Draft
    client_hash: str
    form_nonce: str | None = None  # from the form's token: identifies one rendered form


@dataclass(frozen=True)
class Contribution:
    """One stored correction, as curators see it."""

    id: int
    slug: str
    generation: str | None
    created: str
    kind: str
    text: str
    name: str | None
    email: str | None
    client_hash: str
    status: str
    resolution: str | None
    resolved: str | None

    def to_json(self) -> dict[str, Any]:
        """Return the contribution as a JSON-ready dict."""
        return asdict(self)


class RateLimited(Exception):
    """The client has sent as many submissions as the limit allows; retry_after is in seconds."""

    def __init__(self, limit: RateLimit, retry_after: int) -> None:
        super().__init__(f"more than {limit.count} submissions in {limit.seconds} seconds")
        self.limit = limit
        self.retry_after = retry_after


class UnknownContribution(LookupError):
    """No contribution has this id."""


class AlreadyResolved(Exception):
    """The contribution was resolved before."""


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _form_key(submission: Submission) -> str | None:
    if not submission.form_nonce:
        return None
    d = submission.draft
    fields = [submission.form_nonce, submission.slug, d.kind, d.text, d.name, d.email]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


def _contribution(row: sqlite3.Row) -> Contribution:
    return Contribution(**{name: row[name] for name in Contribution.__dataclass_fields__})


def _by_id(conn: sqlite3.Connection, contribution_id: int | None) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM contributions WHERE id = ?", (contribution_id,)
    ).fetchone()
    return row


def _check_rate(
    conn: sqlite3.Connection, client_hash: str, limit: RateLimit, now: datetime
) -> None:
    """Raise RateLimited when the client has sent `limit.count` within `limit.seconds` of now."""
    since = _timestamp(now - timedelta(seconds=limit.seconds))
    count, oldest = conn.execute(
        "SELECT count(*), min(created) FROM contributions WHERE client_hash = ? AND created > ?",
        (client_hash, since),
    ).fetchone()
    if count >= limit.count:
        frees_at = datetime.fromisoformat(oldest) + timedelta(seconds=limit.seconds)
        raise RateLimited(limit, max(1, int((frees_at - now).total_seconds()) + 1))


def _insert(
    conn: sqlite3.Connection, submission: Submission, key: str | None, now: datetime
) -> int | None:
    d = submission.draft
    cursor = conn.execute(
        "INSERT INTO contributions (slug, generation, created, kind, text, name, email,"
        " client_hash, form_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            submission.slug,
            submission.generation,
            _timestamp(now),
            d.kind,
            d.text,
            d.name,
            d.email,
            submission.client_hash,
            key,
        ),
    )
    return cursor.lastrowid


class ContributionStore:
    """The corrections database in one data directory; created, mode 0600, on first write."""

    def __init__(self, data_dir: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self._db = Database(self.path, _SCHEMA, SCHEMA_VERSION, busy_timeout)
        self._connection = self._db.connection
        self._transaction = self._db.transaction

    def add(
        self, submission: Submission, limit: RateLimit, now: datetime | None = None
    ) -> Contribution:
        """Return the stored contribution; raises RateLimited when the client is over the limit.

        A form sent again with the same content returns the contribution already stored.
        """
        now = now or datetime.now(UTC)
        key = _form_key(submission)
        with self._transaction() as conn:
            if key is not None:
                row = conn.execute(
                    "SELECT * FROM contributions WHERE form_key = ?", (key,)
                ).fetchone()
                if row is not None:
                    return _contribution(row)
            _check_rate(conn, submission.client_hash, limit, now)
            row = _by_id(conn, _insert(conn, submission, key, now))
            assert row is not None
            return _contribution(row)

    def get(self, contribution_id: int) -> Contribution | None:
        """Return one contribution, or None when there is no such id."""
        with self._connection(create=False) as conn:
            if conn is None:
                return None
            row = _by_id(conn, contribution_id)
            return _contribution(row) if row is not None else None

    def list(self, status: str | None = None) -> list[Contribution]:
        """Return the contributions with a status (all when None), oldest first."""
        with self._connection(create=False) as conn:
            if conn is None:
                return []
            if status is None:
                rows = conn.execute("SELECT * FROM contributions ORDER BY id").fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM contributions WHERE status = ? ORDER BY id", (status,)
                ).fetchall()
            return [_contribution(row) for row in rows]

    def resolve(self, contribution_id: int, note: str, now: datetime | None = None) -> Contribution:
        """Return the contribution marked resolved with a note.

        Raises UnknownContribution or AlreadyResolved.
        """
        if not self.path.exists():
            raise UnknownContribution(contribution_id)
        with self._transaction() as conn:
            row = _by_id(conn, contribution_id)
            if row is None:
                raise UnknownContribution(contribution_id)
            if row["status"] == "resolved":
                raise AlreadyResolved(contribution_id)
            conn.execute(
                "UPDATE contributions SET status = 'resolved', resolution = ?, resolved = ?"
                " WHERE id = ?",
                (note, _timestamp(now or datetime.now(UTC)), contribution_id),
            )
            row = _by_id(conn, contribution_id)
            assert row is not None
            return _contribution(row)
