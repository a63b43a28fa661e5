"""A curator's saved, unfinished edits of a draft ("save and come back"), in the instance data.

One row per draft: the form's text fields as last saved, by whom and when. Accepting or
rejecting the draft leaves the row as a record of what was saved last. No Flask.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from curation.database import Database

DB_FILE = "draft-edits.sqlite3"

_SCHEMA = """CREATE TABLE IF NOT EXISTS draft_edits (
    draft_id INTEGER PRIMARY KEY,
    fields   TEXT NOT NULL,   -- JSON {form field: text}
    curator  TEXT NOT NULL,
    saved    TEXT NOT NULL    -- UTC ISO 8601
)"""


@dataclass(frozen=True)
class SavedEdit:
    """A draft's form as a curator last saved it."""

    draft_id: int
    fields: dict[str, str]
    curator: str
    saved: str


class EditStore:
    """Saved draft forms in one data directory (mode 0600 database)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / DB_FILE
        self._db = Database(self.path, (_SCHEMA,))

    def save(self, draft_id: int, fields: Mapping[str, str], curator: str) -> SavedEdit:
        """Return the edit stored for a draft, replacing the one saved before."""
        saved = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = json.dumps(dict(fields), ensure_ascii=False, sort_keys=True)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO draft_edits (draft_id, fields, curator, saved) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (draft_id) DO UPDATE SET fields = excluded.fields,"
                " curator = excluded.curator, saved = excluded.saved",
                (draft_id, payload, curator, saved),
            )
        return SavedEdit(draft_id, json.loads(payload), curator, saved)

    def get(self, draft_id: int) -> SavedEdit | None:
        """Return the edit last saved for a draft, or None."""
        with self._db.connection(create=False) as conn:
            if conn is None:
                return None
            row = conn.execute(
                "SELECT fields, curator, saved FROM draft_edits WHERE draft_id = ?", (draft_id,)
            ).fetchone()
        if row is None:
            return None
        return SavedEdit(draft_id, json.loads(row[0]), row[1], row[2])
