"""The private SQLite store of drafts: add, list, count, get, export, reject and accept them.

A draft and the import progress that produced it are written in one transaction (the importer
holds `DraftStore.transaction`), so an import killed at any moment loses nothing and repeats
nothing. Accepting writes the record file before it marks the draft, inside one transaction.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curation.atomic import write_atomically
from curation.database import Database
from curation.drafts.draft import (
    Accepted,
    Draft,
    NewDraft,
    draft_from_row,
    duplicates_json,
    paper_from_json,
    paper_json,
    suggested_json,
)
from curation.drafts.record import record_for
from curation.duplicates import (
    Duplicate,
    KnownPaper,
    KnownPapers,
    known_from_paper,
    known_from_record,
)
from curation.papers import Paper, fold_title
from search.records import Problem, validate_record

DB_FILE = "drafts.sqlite3"
STATUSES = ("new", "accepted", "rejected")
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another writer before giving up
MAX_NOTE = 5_000  # characters of a rejection note kept

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS drafts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: curators cite ids
        status      TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'accepted', 'rejected')),
        slug        TEXT NOT NULL UNIQUE,
        created     TEXT NOT NULL,
        decided     TEXT,
        doi         TEXT NOT NULL,  -- lower case, '' when none
        pmid        TEXT NOT NULL,
        title_key   TEXT NOT NULL,
        year        INTEGER,
        paper       TEXT NOT NULL,  -- JSON: the citation facts and texts as imported
        suggested   TEXT NOT NULL,  -- JSON: {field: {value, evidence}}
        duplicates  TEXT NOT NULL,  -- JSON: possible versions of the same paper
        note        TEXT,
        record      TEXT,           -- JSON: the record written on accepting
        path        TEXT            -- where that record was written
    )""",
    "CREATE UNIQUE INDEX IF NOT EXISTS drafts_by_doi ON drafts (doi) WHERE doi != ''",
    "CREATE UNIQUE INDEX IF NOT EXISTS drafts_by_pmid ON drafts (pmid) WHERE pmid != ''",
    "CREATE INDEX IF NOT EXISTS drafts_by_status ON drafts (status, id)",
)


class UnknownDraft(LookupError):
    """No draft has this id."""


class AlreadyDecided(Exception):
    """The draft was accepted or rejected before."""

    def __init__(self, draft: Draft) -> None:
        super().__init__(f"draft #{draft.id} was {draft.status} at {draft.decided}")
        self.draft = draft


class InvalidDraft(ValueError):
    """Accepting would write a record the record schema refuses; problems say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field or '-'}: {p.message}" for p in problems))
        self.problems = problems


class SlugTaken(ValueError):
    """Another study already has the slug the draft would be written under."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _is_own_file(target: Path, draft: Draft) -> bool:
    """Return whether the record file is this draft's paper (written by an earlier accept)."""
    try:
        existing = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(existing, dict):
        return False
    paper = draft.paper
    return bool(
        (paper.pmid and existing.get("pmid") == paper.pmid)
        or (paper.doi and str(existing.get("doi", "")).lower() == paper.doi.lower())
    )


def _check_slug_free(
    conn: sqlite3.Connection,
    draft: Draft,
    slug: str,
    target: Path,
    atlas_slugs: frozenset[str] | set[str],
) -> None:
    """Raise SlugTaken when another draft, another file or a served study has the slug."""
    if slug != draft.slug:
        taken = conn.execute(
            "SELECT id FROM drafts WHERE slug = ? AND id != ?", (slug, draft.id)
        ).fetchone()
        if taken:
            raise SlugTaken(f"slug {slug!r} belongs to draft #{taken['id']}")
    if target.exists() and not _is_own_file(target, draft):
        raise SlugTaken(f"{target} already exists")
    if slug in atlas_slugs and not target.exists():
        raise SlugTaken(f"a study in the atlas already has the slug {slug!r}")


class DraftStore:
    """The drafts in one instance data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_FILE
        self._db = Database(self.path, _SCHEMA, busy_timeout=BUSY_TIMEOUT)
        # One write transaction, committed when the block ends (the importer writes a batch of
        # drafts and its progress in one).
        self.transaction = self._db.transaction

    def _read(self, sql: str, args: Sequence[object] = ()) -> builtins.list[sqlite3.Row]:
        """Return the rows of one query, on a connection of its own."""
        with self._db.connection() as conn:
            assert conn is not None  # connection() creates the file when it is missing
            rows: builtins.list[sqlite3.Row] = conn.execute(sql, args).fetchall()
        return rows

    def known(self) -> builtins.list[KnownPaper]:
        """Return the identity of every draft, for duplicate checks."""
        rows = self._read("SELECT id, slug, paper FROM drafts ORDER BY id")
        return [known_from_paper(paper_from_json(r["paper"]), r["slug"], r["id"]) for r in rows]

    @staticmethod
    def drafted_as(conn: sqlite3.Connection, paper: Paper) -> Duplicate | None:
        """Return the draft with the paper's DOI or PMID, read inside a transaction."""
        row = conn.execute(
            "SELECT id, slug, paper FROM drafts WHERE (doi != '' AND doi = ?) "
            "OR (pmid != '' AND pmid = ?) LIMIT 1",
            (paper.doi.lower(), paper.pmid),
        ).fetchone()
        if row is None:
            return None
        known = paper_from_json(row["paper"])
        reason = "doi" if paper.doi and known.doi.lower() == paper.doi.lower() else "pmid"
        return Duplicate("draft", reason, row["slug"], known.title, row["id"])

    @staticmethod
    def has_slug(conn: sqlite3.Connection, slug: str) -> bool:
        """Return whether a draft has this slug, read inside a transaction."""
        return conn.execute("SELECT 1 FROM drafts WHERE slug = ?", (slug,)).fetchone() is not None

    def add(self, conn: sqlite3.Connection, draft: NewDraft) -> int:
        """Store a draft inside a transaction (see drafted_as and has_slug); return its id."""
        paper = draft.paper
        cursor = conn.execute(
            "INSERT INTO drafts (slug, created, doi, pmid, title_key, year, paper, "
            "suggested, duplicates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                draft.slug,
                _now(),
                paper.doi.lower(),
                paper.pmid,
                fold_title(paper.title),
                paper.year,
                paper_json(paper),
                suggested_json(draft.suggested),
                duplicates_json(draft.duplicates),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def list(
        self, status: str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Draft]:
        """Return the drafts with a status (all when None), oldest first, a page at a time."""
        where, args = ("", []) if status is None else ("WHERE status = ?", [status])
        sql = f"SELECT * FROM drafts {where} ORDER BY id LIMIT ? OFFSET ?"
        rows = self._read(sql, (*args, -1 if limit is None else limit, offset))
        return [draft_from_row(r) for r in rows]

    def count(self, status: str | None = None) -> int:
        """Return how many drafts have a status (all when None)."""
        if status is None:
            return int(self._read("SELECT count(*) FROM drafts")[0][0])
        return int(self._read("SELECT count(*) FROM drafts WHERE status = ?", (status,))[0][0])

    def get(self, draft_id: int) -> Draft | None:
        """Return one draft, or None."""
        rows = self._read("SELECT * FROM drafts WHERE id = ?", (draft_id,))
        return draft_from_row(rows[0]) if rows else None

    def export(self) -> builtins.list[dict[str, Any]]:
        """Return every draft as JSON-ready dicts, oldest first."""
        return [d.to_json() for d in self.list()]

    def _undecided(self, conn: sqlite3.Connection, draft_id: int) -> Draft:
        row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise UnknownDraft(draft_id)
        draft = draft_from_row(row)
        if draft.status != "new":
            raise AlreadyDecided(draft)
        return draft

    def reject(self, draft_id: int, note: str) -> Draft:
        """Mark a new draft rejected with the curator's note; return it."""
        with self.transaction() as conn:
            self._undecided(conn, draft_id)
            conn.execute(
                "UPDATE drafts SET status = 'rejected', decided = ?, note = ? WHERE id = ?",
                (_now(), note.strip()[:MAX_NOTE], draft_id),
            )
        draft = self.get(draft_id)
        assert draft is not None
        return draft

    def accept(
        self,
        draft_id: int,
        curated_dir: Path,
        sets: Mapping[str, Any] | None = None,
        atlas_slugs: frozenset[str] | set[str] = frozenset(),
    ) -> Accepted:
        """Write a draft as a record in curated_dir, mark it accepted; return what was written.

        The record is the citation facts, the suggestions and then `sets` (a value of None
        removes a field), validated with the record schema. Raises UnknownDraft,
        AlreadyDecided, InvalidDraft or SlugTaken, and then nothing is written.
        """
        with self.transaction() as conn:
            draft = self._undecided(conn, draft_id)
            record = record_for(draft, sets or {})
            slug = str(record.get("slug"))
            target = curated_dir / f"{slug}.json"
            cleaned, problems = validate_record(record, str(target))
            errors = [p for p in problems if not p.is_warning]
            if cleaned is None or errors:
                raise InvalidDraft(errors)
            _check_slug_free(conn, draft, slug, target, atlas_slugs)
            # The file is written before the draft is marked, inside the transaction: a crash
            # between the two leaves the draft new, and accepting again rewrites the same file.
            write_atomically(target, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            conn.execute(
                "UPDATE drafts SET status = 'accepted', decided = ?, slug = ?, record = ?, "
                "path = ? WHERE id = ?",
                (_now(), slug, json.dumps(record, ensure_ascii=False), str(target), draft_id),
            )
        accepted = self.get(draft_id)
        assert accepted is not None
        return Accepted(accepted, record, target, [p for p in problems if p.is_warning])


def known_papers(atlas_records: list[Mapping[str, Any]], store: DraftStore) -> KnownPapers:
    """Return every paper in the atlas and among the store's drafts."""
    return KnownPapers([*(known_from_record(r) for r in atlas_records), *store.known()])
