"""Curator accounts, sign-in attempts and workspace sessions, kept in the instance data (SQLite).

Pure Python, no Flask: `atlas curators` manages accounts and the workspace (web/workspace/)
signs curators in. Passwords are kept only as Argon2id hashes (argon2-cffi). A session id is
shown to the browser once and stored only as its SHA-256, so a copy of the database opens no
session. Every operation opens its own connection, as the corrections store does.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from curation.database import Database

DB_FILE = "workspace.sqlite3"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another writer
SCHEMA_VERSION = 1

MIN_PASSWORD = 12  # characters; a passphrase of a few words passes
MAX_PASSWORD = 1_000  # Argon2 takes any length; a bound keeps hashing a request cheap
LOCK_AFTER = 10  # failed sign-ins in a row lock an account ...
LOCK_FOR = timedelta(minutes=15)  # ... for this long
CLIENT_FAILURES = 20  # failed sign-ins from one client within CLIENT_WINDOW refuse it
CLIENT_WINDOW = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS curators (
        name         TEXT PRIMARY KEY,
        password     TEXT NOT NULL,           -- Argon2id hash, never the password
        created      TEXT NOT NULL,           -- UTC ISO 8601, fixed width
        disabled     INTEGER NOT NULL DEFAULT 0,
        failures     INTEGER NOT NULL DEFAULT 0,  -- failed sign-ins since the last success
        locked_until TEXT,
        last_sign_in TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS sign_in_failures (
        client  TEXT NOT NULL,                -- keyed hash of the client address
        at      TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS failures_by_client ON sign_in_failures (client, at)",
    """CREATE TABLE IF NOT EXISTS sessions (
        id_hash  TEXT PRIMARY KEY,            -- SHA-256 of the id the browser holds
        curator  TEXT NOT NULL REFERENCES curators (name),
        csrf     TEXT NOT NULL,
        created  TEXT NOT NULL,
        seen     TEXT NOT NULL
    )""",
)

# Hashing is slow on purpose (argon2-cffi's RFC 9106 low-memory profile: ~50 ms here).
_HASHER = PasswordHasher()
# Verified when the name is unknown, so an unknown name costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A name or password that cannot be used; the text says why."""


class UnknownCurator(LookupError):
    """No curator of that name."""


class SignInRefused(Exception):
    """Sign-in refused: wrong name or password, disabled, locked out or too many attempts.

    The text is the same for an unknown name and a wrong password, so it tells nothing.
    """

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


WRONG = "That name and password do not match an account that can sign in."
TOO_MANY = "Too many failed sign-ins from here. Please wait 15 minutes and try again."
LOCKED = (
    "This account is locked after too many failed sign-ins. Try again in 15 minutes, or ask "
    "another curator to set a new password (atlas curators password NAME)."
)


@dataclass(frozen=True)
class Curator:
    """A curator account as listed: never the password hash."""

    name: str
    created: str
    disabled: bool
    locked_until: str | None
    last_sign_in: str | None


@dataclass(frozen=True)
class Session:
    """A signed-in session: whose it is and the token its forms must carry."""

    curator: str
    csrf: str
    created: str
    seen: str


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name: str) -> str:
    """Return the name if it can name an account; raises AccountError saying why not."""
    if not _NAME.fullmatch(name):
        raise AccountError(
            "a curator name is 2-64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    """Return the password if it is long enough and bounded; raises AccountError otherwise."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")
    return password


class AccountStore:
    """Curators, failed sign-ins and sessions in one data directory (mode 0600 database)."""

    def __init__(self, data_dir: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self._db = Database(self.path, _SCHEMA, SCHEMA_VERSION, busy_timeout, foreign_keys=True)
        self._transaction = self._db.transaction

    # -- accounts ----------------------------------------------------------------------------

    def add(self, name: str, password: str, now: datetime | None = None) -> Curator:
        """Return the new account; raises AccountError for a bad or taken name or password."""
        check_name(name)
        hashed = _HASHER.hash(check_password(password))
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM curators WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"there is already a curator named {name!r}")
            conn.execute(
                "INSERT INTO curators (name, password, created) VALUES (?, ?, ?)",
                (name, hashed, _timestamp(now or datetime.now(UTC))),
            )
            return self._curator(conn, name)

    def list(self) -> list[Curator]:
        """Return every account, by name."""
        if not self.path.exists():
            return []
        with self._transaction() as conn:
            names = [r["name"] for r in conn.execute("SELECT name FROM curators ORDER BY name")]
            return [self._curator(conn, name) for name in names]

    def disable(self, name: str) -> Curator:
        """Return the account disabled, its sessions ended; raises UnknownCurator."""
        with self._transaction() as conn:
            self._require(conn, name)
            conn.execute("UPDATE curators SET disabled = 1 WHERE name = ?", (name,))
            conn.execute("DELETE FROM sessions WHERE curator = ?", (name,))
            return self._curator(conn, name)

    def set_password(self, name: str, password: str) -> Curator:
        """Return the account with a new password, unlocked, its sessions ended."""
        hashed = _HASHER.hash(check_password(password))
        with self._transaction() as conn:
            self._require(conn, name)
            conn.execute(
                "UPDATE curators SET password = ?, failures = 0, locked_until = NULL"
                " WHERE name = ?",
                (hashed, name),
            )
            conn.execute("DELETE FROM sessions WHERE curator = ?", (name,))
            return self._curator(conn, name)

    @staticmethod
    def _require(conn: sqlite3.Connection, name: str) -> sqlite3.Row:
        # curation.database gives every connection the row factory sqlite3.Row
        row: sqlite3.Row | None
        row = conn.execute("SELECT * FROM curators WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise UnknownCurator(name)
        return row

    def _curator(self, conn: sqlite3.Connection, name: str) -> Curator:
        row = self._require(conn, name)
        return Curator(
            row["name"],
            row["created"],
            bool(row["disabled"]),
            row["locked_until"],
            row["last_sign_in"],
        )

    # -- signing in --------------------------------------------------------------------------

    def sign_in(
        self, name: str, password: str, client: str, now: datetime | None = None
    ) -> tuple[str, Session]:
        """Return a new session id and its session; raises SignInRefused.

        A new id every time (no fixation). Each failure counts for the account and the
        client; LOCK_AFTER failures in a row lock the account for LOCK_FOR.
        """
        now = now or datetime.now(UTC)
        password = password[:MAX_PASSWORD]
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM sign_in_failures WHERE at <= ?", (_timestamp(now - CLIENT_WINDOW),)
            )
            failures = conn.execute(
                "SELECT count(*) FROM sign_in_failures WHERE client = ?", (client,)
            ).fetchone()[0]
            row = conn.execute("SELECT * FROM curators WHERE name = ?", (name,)).fetchone()
        if failures >= CLIENT_FAILURES:
            raise SignInRefused(TOO_MANY, int(CLIENT_WINDOW.total_seconds()))
        # Verified outside the write lock (it is slow on purpose). An unknown name is checked
        # against a dummy hash: the same work and the same answer as a wrong password.
        ok = _verify(row["password"] if row else _DUMMY_HASH, password) and row is not None
        if not ok:
            self._count_failure(name, client, now)
            raise SignInRefused(WRONG)
        # Only someone who knows the password learns that the account is locked.
        if row["locked_until"] and _parse(row["locked_until"]) > now:
            raise SignInRefused(
                LOCKED, int((_parse(row["locked_until"]) - now).total_seconds()) + 1
            )
        if row["disabled"]:
            raise SignInRefused(WRONG)
        session_id = secrets.token_urlsafe(32)
        stamp = _timestamp(now)
        session = Session(name, secrets.token_urlsafe(32), stamp, stamp)
        rehashed = _HASHER.hash(password) if _HASHER.check_needs_rehash(row["password"]) else None
        with self._transaction() as conn:
            conn.execute(
                "UPDATE curators SET failures = 0, locked_until = NULL, last_sign_in = ?,"
                " password = coalesce(?, password) WHERE name = ?",
                (stamp, rehashed, name),
            )
            conn.execute(
                "INSERT INTO sessions (id_hash, curator, csrf, created, seen)"
                " VALUES (?, ?, ?, ?, ?)",
                (_hash_id(session_id), name, session.csrf, stamp, stamp),
            )
        return session_id, session

    def _count_failure(self, name: str, client: str, now: datetime) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sign_in_failures (client, at) VALUES (?, ?)",
                (client, _timestamp(now)),
            )
            conn.execute(
                "UPDATE curators SET failures = failures + 1,"
                " locked_until = CASE WHEN failures + 1 >= ? THEN ? ELSE locked_until END"
                " WHERE name = ?",
                (LOCK_AFTER, _timestamp(now + LOCK_FOR), name),
            )

    def session(self, session_id: str, now: datetime | None = None) -> Session | None:
        """Return the live session of this id, its idle clock restarted; None when ended."""
        if not session_id or len(session_id) > 200 or not self.path.exists():
            return None
        now = now or datetime.now(UTC)
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT s.*, c.disabled FROM sessions s JOIN curators c ON c.name = s.curator"
                " WHERE s.id_hash = ?",
                (_hash_id(session_id),),
            ).fetchone()
            if row is None:
                return None
            expired = (
                row["disabled"]
                or now - _parse(row["seen"]) > IDLE_TIMEOUT
                or now - _parse(row["created"]) > ABSOLUTE_TIMEOUT
            )
            if expired:
                conn.execute("DELETE FROM sessions WHERE id_hash = ?", (row["id_hash"],))
                return None
            conn.execute(
                "UPDATE sessions SET seen = ? WHERE id_hash = ?", (_timestamp(now), row["id_hash"])
            )
            return Session(row["curator"], row["csrf"], row["created"], _timestamp(now))

    def sign_out(self, session_id: str) -> None:
        """End the session of this id on the server (nothing happens for an unknown id)."""
        if not self.path.exists():
            return
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash_id(session_id),))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
