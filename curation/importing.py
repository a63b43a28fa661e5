"""Papers -> drafts: skip those already in the atlas or drafted, suggest facts, propose a slug."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from curation.drafts import DraftStore, NewDraft, known_papers
from curation.duplicates import Duplicate, KnownPapers, known_from_paper
from curation.papers import Paper
from curation.slugs import propose_slug
from curation.suggest import suggest

BATCH = 500  # drafts written per transaction by import_papers


@dataclass(frozen=True)
class Skipped:
    """A paper not drafted, and why: the known paper it duplicates, or a problem."""

    paper: Paper
    duplicate: Duplicate | None = None
    problem: str = ""


@dataclass
class ImportReport:
    """What an import did: drafts made (id, slug, flags) and papers skipped."""

    drafted: list[tuple[int, str, tuple[Duplicate, ...]]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return {
            "drafted": [
                {"id": i, "slug": s, "possible_versions": [d.to_json() for d in flags]}
                for i, s, flags in self.drafted
            ],
            "skipped": [
                {
                    "source": s.paper.source,
                    "title": s.paper.title,
                    "duplicate": s.duplicate.to_json() if s.duplicate else None,
                    "problem": s.problem or None,
                }
                for s in self.skipped
            ],
        }


class Importer:
    """Turns papers into drafts in one store, against the atlas's records and earlier drafts."""

    def __init__(self, store: DraftStore, atlas_records: Iterable[Mapping[str, Any]]) -> None:
        self.store = store
        self.known: KnownPapers = known_papers(list(atlas_records), store)

    def store_paper(self, conn: sqlite3.Connection, paper: Paper, report: ImportReport) -> None:
        """Draft one paper inside a transaction, or record in report why it was skipped."""
        if not paper.title:
            report.skipped.append(Skipped(paper, problem="no title"))
            return
        same = self.known.same_paper(paper) or self.store.drafted_as(conn, paper)
        if same is not None:
            report.skipped.append(Skipped(paper, same))
            return
        slug = propose_slug(paper, lambda s: s in self.known.slugs or self.store.has_slug(conn, s))
        versions = tuple(self.known.possible_versions(paper))
        draft_id = self.store.add(conn, NewDraft(slug, paper, suggest(paper), versions))
        self.known.add(known_from_paper(paper, slug, draft_id))
        report.drafted.append((draft_id, slug, versions))

    def import_papers(self, papers: Iterable[Paper]) -> ImportReport:
        """Draft every new paper, BATCH per transaction; return what was drafted and skipped."""
        report = ImportReport()
        batch: list[Paper] = []
        for paper in papers:
            batch.append(paper)
            if len(batch) >= BATCH:
                self._write(batch, report)
                batch = []
        if batch:
            self._write(batch, report)
        return report

    def _write(self, papers: list[Paper], report: ImportReport) -> None:
        with self.store.transaction() as conn:
            for paper in papers:
                self.store_paper(conn, paper, report)
