"""The fourth step of a build: reading back which document number each record got in the
index just written, and the field lengths Whoosh stored for them (the serving tables and
BM25F scores are laid out by document number)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from indexer.plan import Plan
from indexer.validation import Previous
from search.schema import SCORED_FIELDS
from search.store import POSTINGS_DIR, WHOOSH_DIR
from search.store.postings import has_segment
from search.store.tables import IndexTables
from search.whoosh_compat import length_bytes, segment_id


@dataclass
class Layout:
    """The new index as written: its documents by number, and what verification checks."""

    documents: int  # live documents
    segments: int
    unkept: list[str]  # segments without kept postings (none, unless writing went wrong)
    slugs: list[str | None]  # by document number (None: deleted)
    records_by_doc: list[dict[str, Any] | None]
    kept: int  # leading document numbers laid out as in `old_tables` (0: none)
    old_tables: IndexTables | None  # the served generation's tables, when this one extends it
    field_lengths: dict[str, bytes]

    @property
    def placed(self) -> int:
        """Return how many documents are known records."""
        return sum(1 for r in self.records_by_doc if r is not None)


def read_layout(index_dir: Path, work: Path, plan: Plan, previous: Previous) -> Layout:
    """Return the layout of the index written in `work`."""
    ix = whoosh_index.open_dir(str(work / WHOOSH_DIR))
    with ix.reader() as reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        unkept = [s for s in map(segment_id, leaves) if not has_segment(work / POSTINGS_DIR, s)]
        # Lengths, vocabulary and tables carry over only onto the generation they came from.
        served = plan.served if plan.mode == "incremental" else None
        carry = served is not None and served.name == previous.name
        old_tables = previous.tables(index_dir) if carry else None
        slugs, kept = _slugs_by_docnum(reader, old_tables, set(plan.stale))
        by_slug = {r["slug"]: r for r in plan.records}
        records_by_doc = [by_slug.get(s) if s is not None else None for s in slugs]
        layout = Layout(
            reader.doc_count(),
            len(leaves),
            unkept,
            slugs,
            records_by_doc,
            kept,
            old_tables,
            _field_lengths(reader, records_by_doc),
        )
    ix.close()
    return layout


def _field_lengths(
    reader: Any, records_by_doc: Sequence[dict[str, Any] | None]
) -> dict[str, bytes]:
    """Return each scored field's length byte per document (0 for deleted documents)."""
    gone = [d for d, r in enumerate(records_by_doc) if r is None]
    out = {}
    for name in SCORED_FIELDS:
        codes = bytearray(len(records_by_doc))
        for leaf, offset in reader.leaf_readers():
            raw = length_bytes(leaf, name)
            codes[offset : offset + len(raw)] = raw
        for docnum in gone:
            codes[docnum] = 0
        out[name] = bytes(codes)
    return out


def _slugs_by_docnum(
    reader: Any, old: IndexTables | None, stale: set[str]
) -> tuple[list[str | None], int]:
    """Return the slug of each document number, and how many leading numbers are laid out as
    in the old tables (0 when they are not).

    An incremental build adds one segment and merges nothing, so Whoosh keeps the document
    numbers of the old segments (deleted ones stay deleted) and puts the new one after them:
    only the new segment's slugs need reading, one stored-fields lookup each. The layout is
    checked, not assumed; when it differs every slug is read.
    """
    slugs: list[str | None] = [None] * reader.doc_count_all()
    live = list(reader.all_doc_ids())
    kept = old.doc_count if old is not None else 0
    if old is not None and 0 < kept <= len(slugs):
        expected = [d for d, s in enumerate(old.slugs) if s is not None and s not in stale]
        boundaries = {offset for _, offset in reader.leaf_readers()} | {len(slugs)}
        is_kept = (
            kept in boundaries
            and live[: len(expected)] == expected
            and all(d >= kept for d in live[len(expected) :])
            and all(
                reader.stored_fields(d)["slug"] == old.slugs[d]
                for d in expected[:1] + expected[-1:]
            )
        )
        if is_kept:
            for docnum in expected:
                slugs[docnum] = old.slugs[docnum]
            for docnum in live[len(expected) :]:
                slugs[docnum] = reader.stored_fields(docnum)["slug"]
            return slugs, kept
    for docnum in live:
        slugs[docnum] = reader.stored_fields(docnum)["slug"]
    return slugs, 0
