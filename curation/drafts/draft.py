"""A draft as data: the paper to be stored, the stored draft, what accepting it wrote, and the
JSON its columns hold in drafts.sqlite3 (the table is in curation/drafts/store.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from curation.drafts.record import citation_record
from curation.duplicates import Duplicate
from curation.papers import Paper
from curation.suggest import Suggestion
from search.records import Problem

# Paper fields that are tuples in Python and arrays in the `paper` JSON column.
_PAPER_LISTS = ("authors", "mesh", "publication_types", "keywords")


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


def paper_json(paper: Paper) -> str:
    """Return the `paper` column: the citation facts and texts as imported."""
    return json.dumps(asdict(paper), ensure_ascii=False)


def paper_from_json(text: str) -> Paper:
    """Return the paper a `paper` column holds."""
    data = json.loads(text)
    for name in _PAPER_LISTS:
        data[name] = tuple(data.get(name) or ())
    return Paper(**data)


def suggested_json(suggested: Mapping[str, Suggestion]) -> str:
    """Return the `suggested` column: {field: {value, evidence}}."""
    return json.dumps({n: s.to_json() for n, s in suggested.items()}, ensure_ascii=False)


def duplicates_json(duplicates: tuple[Duplicate, ...]) -> str:
    """Return the `duplicates` column: the possible versions of the same paper."""
    return json.dumps([d.to_json() for d in duplicates], ensure_ascii=False)


def draft_from_row(row: sqlite3.Row) -> Draft:
    """Return the draft a row of the drafts table holds."""
    return Draft(
        id=row["id"],
        status=row["status"],
        slug=row["slug"],
        created=row["created"],
        decided=row["decided"],
        paper=paper_from_json(row["paper"]),
        suggested={
            name: Suggestion(s["value"], tuple(s["evidence"]))
            for name, s in json.loads(row["suggested"]).items()
        },
        duplicates=tuple(Duplicate(**d) for d in json.loads(row["duplicates"])),
        note=row["note"],
        accepted_record=json.loads(row["record"]) if row["record"] else None,
        path=row["path"],
    )
