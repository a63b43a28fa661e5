"""Drafts: imported papers waiting for a curator, kept private in SQLite in the instance data.

Pure Python, no Flask, so the `atlas drafts` commands and a web workspace share one API:
`DraftStore.list/get/accept/reject/export`. Nothing here is in the index or public until a
curator accepts a draft, which writes a record file into the curated source directory.

Like the reader-corrections store, every operation opens its own connection: WAL lets readers
work while one writer commits, `synchronous=FULL` makes a commit durable, and the busy timeout
makes concurrent writers wait. A draft and the import progress that produced it are written in
one transaction, so an import killed at any moment loses nothing and repeats nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from curation.database import Database
from curation.duplicates import (
    Duplicate,
    KnownPaper,
    KnownPapers,
    known_from_paper,
    known_from_record,
)
from curation.papers import Paper, fold_title
from curation.suggest import Suggestion
from search.records import RECORD_SCHEMA, Problem, validate_record

DB_FILE = "drafts.sqlite3"
STATUSES = ("new", "accepted", "rejected")
BUSY_TIMEOUT = 30.0
MAX_NOTE = 5_000
# Suggested fields copied into a record on accepting (when the value is not "unknown").
SUGGESTED_FIELDS = (
    "design",
    "criteria",
    "pem",
    "markers",
    "participants",
    "sex",
    "interventions",
    "retracted",
)
RECORD_FIELDS = tuple(RECORD_SCHEMA.fields)

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


@dataclass(frozen=True)
class NewDraft:
    """A paper ready to be stored as a draft."""

    slug: str
    paper: Paper
    suggested: Mapping[str, Suggestion]
    duplicates: tuple[Duplicate, ...] = ()


@dataclass(frozen=True)
class Draft:
    """One stored draft, as curators see it."""

    id: int
    status: str
    slug: str
    created: str
    decided: str | None
    paper: Paper
    suggested: Mapping[str, Suggestion]
    duplicates: tuple[Duplicate, ...]
    note: str | None = None
    accepted_record: Mapping[str, Any] | None = None
    path: str | None = None

    def citation_record(self) -> dict[str, Any]:
        """Return the citation facts in the record format (no suggested facts)."""
        return citation_record(self.slug, self.paper)

    def to_json(self) -> dict[str, Any]:
        """Return the draft as `atlas drafts show --json` prints it."""
        return {
            "id": self.id,
            "status": self.status,
            "slug": self.slug,
            "record": self.citation_record(),
            "abstract": self.paper.abstract,
            "mesh": list(self.paper.mesh),
            "publication_types": list(self.paper.publication_types),
            "keywords": list(self.paper.keywords),
            "suggested": {name: s.to_json() for name, s in self.suggested.items()},
            "duplicates": [d.to_json() for d in self.duplicates],
            "source": self.paper.source,
            "created": self.created,
            "decided": self.decided,
            "note": self.note,
            "accepted_record": dict(self.accepted_record) if self.accepted_record else None,
            "path": self.path,
        }


@dataclass(frozen=True)
class Accepted:
    """What accepting a draft wrote: the draft, the record, the file and any record warnings."""

    draft: Draft
    record: dict[str, Any]
    path: Path
    warnings: list[Problem] = field(default_factory=list)


# PubMed publication types that say nothing a reader of the study page needs.
_GENERIC_TYPES = (
    "Journal Article",
    "Research Support",
    "Retracted Publication",
    "English Abstract",
    "Comparative Study",
)


def _publication_type(paper: Paper) -> str:
    """Return the publication type a record shows: Preprint, or PubMed's most telling one."""
    if paper.is_preprint:
        return "Preprint"
    telling = [t for t in paper.publication_types if not t.startswith(_GENERIC_TYPES)]
    if telling:
        return telling[0]
    return "Journal Article" if paper.publication_types else ""


def citation_record(slug: str, paper: Paper) -> dict[str, Any]:
    """Return a paper's citation facts as a record: slug, title, authors, year, ids, journal."""
    record: dict[str, Any] = {"slug": slug, "title": paper.title, "authors": list(paper.authors)}
    if paper.year is not None:
        record["year"] = paper.year
    for name in ("journal", "doi", "pmid", "pmcid"):
        if getattr(paper, name):
            record[name] = getattr(paper, name)
    kind = _publication_type(paper)
    if kind:
        record["publication_type"] = kind
    if paper.is_preprint:
        record["peer_reviewed"] = False
    return record


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _paper_json(paper: Paper) -> str:
    return json.dumps(asdict(paper), ensure_ascii=False)


def _paper(text: str) -> Paper:
    data = json.loads(text)
    for name in ("authors", "mesh", "publication_types", "keywords"):
        data[name] = tuple(data.get(name) or ())
    return Paper(**data)


def _draft(row: sqlite3.Row) -> Draft:
    return Draft(
        id=row["id"],
        status=row["status"],
        slug=row["slug"],
        created=row["created"],
        decided=row["decided"],
        paper=_paper(row["paper"]),
        suggested={
            name: Suggestion(s["value"], tuple(s["evidence"]))
            for name, s in json.loads(row["suggested"]).items()
        },
        duplicates=tuple(Duplicate(**d) for d in json.loads(row["duplicates"])),
        note=row["note"],
        accepted_record=json.loads(row["record"]) if row["record"] else None,
        path=row["path"],
    )


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record_for(draft: Draft, sets: Mapping[str, Any]) -> dict[str, Any]:
    """Return the record accepting would write: citation facts, suggestions, then `sets`."""
    record = draft.citation_record()
    for name in SUGGESTED_FIELDS:
        suggestion = draft.suggested.get(name)
        if suggestion is None or suggestion.value in (None, "unknown", [], {}):
            continue
        record[name] = suggestion.value
    for name, value in sets.items():
        top, _, sub = name.partition(".")
        if sub:
            inner = dict(record.get(top) or {})
            if value is None:
                inner.pop(sub, None)
            else:
                inner[sub] = value
            if inner:
                record[top] = inner
            else:
                record.pop(top, None)
        elif value is None:
            record.pop(top, None)
        else:
            record[top] = value
    return record


class DraftStore:
    """The drafts in one instance data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_FILE
        self._db = Database(self.path, _SCHEMA, busy_timeout=BUSY_TIMEOUT)
        # One write transaction, committed when the block ends (the importer writes a batch of
        # drafts and its progress in one).
        self.transaction = self._db.transaction

    def known(self) -> list[KnownPaper]:
        """Return the identity of every draft, for duplicate checks."""
        with self._db.connection() as conn:
            rows = conn.execute("SELECT id, slug, paper FROM drafts ORDER BY id").fetchall()
        return [known_from_paper(_paper(r["paper"]), r["slug"], r["id"]) for r in rows]

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
        known = _paper(row["paper"])
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
                _paper_json(paper),
                json.dumps(
                    {n: s.to_json() for n, s in draft.suggested.items()}, ensure_ascii=False
                ),
                json.dumps([d.to_json() for d in draft.duplicates], ensure_ascii=False),
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
        with self._db.connection() as conn:
            rows = conn.execute(sql, (*args, -1 if limit is None else limit, offset)).fetchall()
        return [_draft(r) for r in rows]

    def count(self, status: str | None = None) -> int:
        """Return how many drafts have a status (all when None)."""
        with self._db.connection() as conn:
            if status is None:
                return int(conn.execute("SELECT count(*) FROM drafts").fetchone()[0])
            return int(
                conn.execute("SELECT count(*) FROM drafts WHERE status = ?", (status,)).fetchone()[
                    0
                ]
            )

    def get(self, draft_id: int) -> Draft | None:
        """Return one draft, or None."""
        with self._db.connection() as conn:
            row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        return _draft(row) if row else None

    def export(self) -> list[dict[str, Any]]:
        """Return every draft as JSON-ready dicts, oldest first."""
        return [d.to_json() for d in self.list()]

    def _undecided(self, conn: sqlite3.Connection, draft_id: int) -> Draft:
        row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        if row is None:
            raise UnknownDraft(draft_id)
        draft = _draft(row)
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
            slug = record.get("slug")
            target = curated_dir / f"{slug}.json"
            cleaned, problems = validate_record(record, str(target))
            errors = [p for p in problems if not p.is_warning]
            if cleaned is None or errors:
                raise InvalidDraft(errors)
            if slug != draft.slug:
                taken = conn.execute(
                    "SELECT id FROM drafts WHERE slug = ? AND id != ?", (slug, draft_id)
                ).fetchone()
                if taken:
                    raise SlugTaken(f"slug {slug!r} belongs to draft #{taken['id']}")
            if target.exists() and not self._is_own_file(target, draft):
                raise SlugTaken(f"{target} already exists")
            if slug in atlas_slugs and not target.exists():
                raise SlugTaken(f"a study in the atlas already has the slug {slug!r}")
            # The file is written before the draft is marked, inside the transaction: a crash
            # between the two leaves the draft new, and accepting again rewrites the same file.
            _write_atomically(target, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            conn.execute(
                "UPDATE drafts SET status = 'accepted', decided = ?, slug = ?, record = ?, "
                "path = ? WHERE id = ?",
                (_now(), slug, json.dumps(record, ensure_ascii=False), str(target), draft_id),
            )
        accepted = self.get(draft_id)
        assert accepted is not None
        return Accepted(accepted, record, target, [p for p in problems if p.is_warning])

    @staticmethod
    def _is_own_file(target: Path, draft: Draft) -> bool:
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


def known_papers(atlas_records: list[Mapping[str, Any]], store: DraftStore) -> KnownPapers:
    """Return every paper in the atlas and among the store's drafts."""
    return KnownPapers([*(known_from_record(r) for r in atlas_records), *store.known()])
