"""The audit trail: who did what, when, and which fields changed, in the instance data (SQLite).

Append-only: entries are added, never changed or removed. Shown in the curator workspace and
by `atlas audit list`. Pure Python, no Flask.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curation.database import Database

DB_FILE = "audit.sqlite3"
BUSY_TIMEOUT = 10.0
SCHEMA_VERSION = 1

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      TEXT NOT NULL,      -- UTC ISO 8601, fixed width: text order is time order
        actor   TEXT NOT NULL,      -- a curator's name, or 'cli' for commands run by an operator
        action  TEXT NOT NULL,      -- e.g. sign-in, resolve-correction, accept-draft, publish
        target  TEXT NOT NULL,      -- what it acted on: a slug, 'correction:12', 'draft:3'
        changes TEXT NOT NULL,      -- JSON {field: [before, after]}
        note    TEXT
    )""",
)


@dataclass(frozen=True)
class AuditEntry:
    """One action: when, who, what it did to which target, the field changes and a note."""

    id: int
    at: str
    actor: str
    action: str
    target: str
    changes: dict[str, list[Any]]
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "changes": self.changes,
            "note": self.note,
        }


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [before, after]} for each top-level field whose value differs."""
    names = sorted(set(before) | set(after))
    return {n: [before.get(n), after.get(n)] for n in names if before.get(n) != after.get(n)}


class AuditLog:
    """The append-only audit trail in one data directory (mode 0600 database)."""

    def __init__(self, data_dir: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self._db = Database(self.path, _SCHEMA, SCHEMA_VERSION, busy_timeout)

    def record(
        self,
        actor: str,
        action: str,
        target: str,
        changes: Mapping[str, list[Any]] | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> AuditEntry:
        """Return the entry appended for one action."""
        at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload = json.dumps(dict(changes or {}), ensure_ascii=False, sort_keys=True)
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO audit (at, actor, action, target, changes, note)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (at, actor, action, target, payload, note),
            )
            entry_id = int(cursor.lastrowid or 0)
        return AuditEntry(entry_id, at, actor, action, target, json.loads(payload), note)

    def list(self, limit: int | None = None, target: str | None = None) -> list[AuditEntry]:
        """Return entries newest first (all, or the latest `limit`; only `target`'s if given)."""
        sql = "SELECT * FROM audit"
        args: list[str | int] = []
        if target is not None:
            sql, args = sql + " WHERE target = ?", [target]
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql, args = sql + " LIMIT ?", [*args, limit]
        with self._db.connection(create=False) as conn:
            if conn is None:
                return []
            return [
                AuditEntry(
                    r["id"],
                    r["at"],
                    r["actor"],
                    r["action"],
                    r["target"],
                    json.loads(r["changes"]),
                    r["note"],
                )
                for r in conn.execute(sql, args)
            ]
