"""Building index generations: a new one is written beside the served one, verified, then
switched to in one atomic rename. Only one build runs at a time (a lock file).

A build is these steps, each in a module of its own: validation (indexer/validation.py, over
indexer/sources.py), the plan (indexer/plan.py: unchanged, incremental or full), writing
(indexer/writing.py), the layout read back (indexer/layout.py), the serving tables
(indexer/tables.py) and the commit (indexer/commit.py: lock, verify, rename, switch). Every
file of a generation is written through its codec in search/store/.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.commit import (
    BuildError,
    BuildLocked,
    build_lock,
    remove_leftovers,
    start_generation,
    switch_to,
    verify,
)
from indexer.layout import Layout, read_layout
from indexer.plan import Plan, corpus_markers, make_plan, record_hash
from indexer.sources import LoadResult
from indexer.tables import TableInputs, build_tables, update_tables, updated_vocabulary
from indexer.validation import Previous, validate, validator_hash
from indexer.writing import PARALLEL_FROM, document, newest_first, write_index, writer_memory_mb
from search.store import INDEX_FORMAT
from search.store.meta import current_generation, is_current_format, read_meta, write_meta
from search.store.records import write_records
from search.store.reuse import write_digests, write_hashes
from search.store.snippets import write_snippets
from search.store.tables import IndexTables, write_tables
from search.whoosh_compat import WhooshIncompatible
from search.whoosh_compat import check as check_whoosh

__all__ = [
    "PARALLEL_FROM",
    "BuildError",
    "BuildLocked",
    "BuildReport",
    "build",
    "build_lock",
    "corpus_markers",
    "current_generation",
    "is_current_format",
    "read_meta",
    "record_hash",
]


@dataclass
class BuildReport:
    """What a build did: the outcome, the new generation's metadata and the problems found."""

    status: str  # "built", "unchanged" or "invalid"
    meta: dict[str, Any] = field(default_factory=dict)
    load: LoadResult = field(default_factory=LoadResult)

    @property
    def ok(self) -> bool:
        return self.status in ("built", "unchanged")


def build(
    index_dir: Path,
    sources: Sequence[Path],
    *,
    full: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Build a new generation from the sources and serve it; return what happened.

    Invalid records stop the build (status "invalid") unless `skip_invalid` is set, in which
    case the valid ones are indexed. The served generation changes only at the very end.
    """
    try:
        return _build(Path(index_dir), sources, full, skip_invalid, progress)
    finally:
        gc.unfreeze()  # what validation.long_lived froze goes back to the collector


def _build(
    index_dir: Path,
    sources: Sequence[Path],
    full: bool,
    skip_invalid: bool,
    progress: Callable[[int, int], None] | None,
) -> BuildReport:
    started = time.monotonic()
    _check_can_build()
    previous, load = validate(index_dir, sources, reuse=not full)
    if load.errors and (not skip_invalid or not load.records):
        return BuildReport("invalid", load=load)
    with build_lock(index_dir):
        served = current_generation(index_dir)
        remove_leftovers(index_dir, {served.name} if served else set())
        plan = make_plan(served, load, previous, full)
        if plan.mode == "unchanged":
            return BuildReport(
                "unchanged", meta=dict(plan.old_meta or {}, status="unchanged"), load=load
            )
        work = start_generation(index_dir, plan.generation)
        snippet_lines = write_index(work, plan, progress)
        layout = read_layout(index_dir, work, plan, previous)
        verify(work, layout.unkept, layout.documents, layout.placed, len(plan.records))
        _write_serving_files(work, plan, layout, previous, snippet_lines)
        write_digests(work, validator_hash(), load.digests)
        meta = _meta(plan, layout, load, sources, started)
        write_meta(work, meta)
        switch_to(index_dir, work, plan.generation, served)
        return BuildReport("built", meta=meta, load=load)


def _check_can_build() -> None:
    """Raise BuildError for a bad setting or an unsupported Whoosh, before any work."""
    writer_memory_mb()
    try:
        check_whoosh()
    except WhooshIncompatible as exc:
        raise BuildError(str(exc)) from None


def _write_serving_files(
    work: Path, plan: Plan, layout: Layout, previous: Previous, snippet_lines: dict[str, bytes]
) -> None:
    """Write the records, snippets, serving tables and content hashes of the new generation."""
    lines = {s: previous.lines[s] for s in plan.reused if s in previous.lines}
    offsets = write_records(work, newest_first(plan.records), lines)
    by_slug = {r["slug"]: r for r in plan.records}
    write_snippets(
        work, layout.slugs, snippet_lines, lambda slug: document(by_slug[slug], plan.markers)[1]
    )
    write_tables(work, _tables(plan, layout, previous, offsets))
    write_hashes(work, plan.hashes)


def _tables(
    plan: Plan, layout: Layout, previous: Previous, offsets: dict[str, tuple[int, int]]
) -> IndexTables:
    """Return the serving tables: the served generation's updated when this build extends it."""
    old = layout.old_tables
    vocabulary = None
    if plan.mode == "incremental" and old is not None:
        replaced = [
            *plan.removed,
            *(r["slug"] for r in plan.changed if r["slug"] in previous.hashes),
        ]
        vocabulary = updated_vocabulary(old.vocabulary, previous.records, plan.changed, replaced)
    doc_offsets = [offsets[r["slug"]] if r else (0, 0) for r in layout.records_by_doc]
    inputs = TableInputs(
        plan.generation,
        layout.records_by_doc,
        doc_offsets,
        plan.markers,
        plan.forms,
        plan.labels,
        layout.field_lengths,
        vocabulary,
    )
    if layout.kept and old is not None:
        return update_tables(old, inputs)
    return build_tables(inputs)


def _meta(
    plan: Plan, layout: Layout, load: LoadResult, sources: Sequence[Path], started: float
) -> dict[str, Any]:
    """Return what meta.json records about the new generation."""
    return {
        "format": INDEX_FORMAT,
        "generation": plan.generation,
        "built_at": plan.stamp.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "records": len(plan.records),
        "sources": [str(Path(s).resolve()) for s in sources],
        "content_hash": plan.content_hash,
        "synonyms_hash": plan.synonyms_hash,
        "corpus_markers_hash": plan.forms_hash,
        "warnings": [str(p) for p in load.warnings],
        "skipped": len(load.errors),
        "mode": plan.mode,
        "segments": layout.segments,
        **plan.stats,
        "seconds": round(time.monotonic() - started, 3),
        "status": "built",
    }
