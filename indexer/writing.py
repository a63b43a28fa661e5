"""The third step of a build: writing the Whoosh index (with each segment's postings kept as
arrays beside it), in full or as an update of the served generation's segments."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as whoosh_query
from whoosh.writing import CLEAR, NO_MERGE, SegmentWriter

from indexer.commit import BuildError, release_inherited_locks
from indexer.forked import ChildFailed, Forked, parent_alive
from indexer.plan import Plan
from indexer.tables import marker_keys
from search.markers import MarkerDictionary, mention_keys, mention_spans
from search.schema import index_schema
from search.settings import SettingError, build_memory_mb
from search.store import POSTINGS_DIR, WHOOSH_DIR
from search.store.postings import PostingsWriter
from search.store.snippets import SNIPPET_TEXTS, encode_line, read_lines
from search.vocabularies import criterion_key
from search.whoosh_compat import join_segments, segment_writer

# Full builds of at least this many records use a second process when there is a second core
# (below it, forking costs more than it saves).
PARALLEL_FROM = 1000
Progress = Callable[[int, int], None]


def writer_memory_mb() -> int:
    """Return how many megabytes of postings a writer keeps before spilling to disk
    ($ATLAS_BUILD_MEMORY_MB, see search/settings.py); raise BuildError for a bad value."""
    try:
        return build_memory_mb()
    except SettingError as exc:
        raise BuildError(str(exc)) from None


def _kept(items: Iterator[tuple[Any, ...]], segment: str, directory: Path) -> Iterator[Any]:
    """Pass a segment's postings through to Whoosh, keeping each term's documents and weights.

    Whoosh stores a block of postings as one pickle with the positions in it, so reading a
    word's documents meant unpickling all of that: 10-35 ms for a common word at 10,000
    studies, paid by the first search using it. Kept as arrays (search/store/postings.py), a
    search reads them in microseconds.
    """
    kept = PostingsWriter()
    yield from kept.passing(items)
    kept.write(directory, segment)


def _writer(ix: Any, postings_dir: Path) -> SegmentWriter:
    """Return a writer that also keeps each new segment's postings as arrays in postings_dir."""
    return segment_writer(ix, partial(_kept, directory=postings_dir), writer_memory_mb())


def document(record: dict[str, Any], markers: MarkerDictionary) -> tuple[dict[str, str], bytes]:
    """Return the Whoosh document for a record (only what matching needs) and its snippet line.

    The snippet line holds the texts snippets are cut from with the marker mentions found in
    them, so a results page neither parses whole records nor scans prose for markers.
    """
    texts = [record.get(k) or "" for k in SNIPPET_TEXTS]
    spans = [mention_spans(text, markers) if text else [] for text in texts]
    mentions = {key for found in spans for _, _, key in found}
    mentions |= mention_keys(" \n ".join(record.get("topics") or []), markers)
    body = "\n".join(record.get(k, "") for k in ("summary", "significance", "limitations"))
    where = [[i, start, end, key] for i, found in enumerate(spans) for start, end, key in found]
    doc = {
        "slug": record["slug"],
        "title": record["title"],
        "body": body,
        "authors": " ; ".join(record["authors"]),
        "journal": record.get("journal", ""),
        "topic": " ; ".join(record.get("topics") or []),
        "intervention": " ; ".join(record.get("interventions") or []),
        "marker": " ".join(marker_keys(record, markers)),
        "mention": " ".join(sorted(mentions)),
        "criteria": " ".join(criterion_key(c) for c in record.get("criteria") or []),
        "design": record.get("design", ""),
        "doi": (record.get("doi") or "").lower(),
        "pmid": record.get("pmid", ""),
        "year": str(record["year"]),
    }
    return {k: v for k, v in doc.items() if v}, encode_line(record["slug"], texts, where)


def newest_first(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return records newest first: added in this order, docnum order is browsing order."""
    return sorted(records, key=lambda r: (-r["year"], r["title"].casefold(), r["slug"]))


def _index_part(
    directory: Path,
    postings_dir: Path,
    records: Sequence[dict[str, Any]],
    markers: MarkerDictionary,
    progress: Progress | None = None,
    parent: int | None = None,
) -> list[bytes]:
    """Write records as one new Whoosh index (one segment) in a directory; return their
    snippet lines.

    Run as the second writer of a build (`parent` set), it stops at its next check when that
    build is gone (on Linux it is killed with it: see indexer/forked.py).
    """
    ix = whoosh_index.create_in(str(directory), index_schema())
    writer = _writer(ix, postings_dir)
    lines = []
    for done, record in enumerate(records, start=1):
        doc, line = document(record, markers)
        writer.add_document(**doc)
        lines.append(line)
        if progress:
            progress(done, len(records))
        if parent is not None and done % 25 == 0 and not parent_alive(parent):
            os._exit(1)  # the build that started us was killed: stop, it will be cleaned up
    writer.commit(mergetype=CLEAR)
    return lines


def _index_in_full(
    work: Path,
    ordered: Sequence[dict[str, Any]],
    markers: MarkerDictionary,
    progress: Progress | None,
) -> list[bytes]:
    """Index every record into a new Whoosh index, using a second core for large builds;
    return the records' snippet lines, in order.

    Whoosh's writer is most of a build and uses one core. With two cores, a second process
    writes the older half as a segment of its own; both segments are then listed in one table
    of contents, in the same order (and so the same document numbers) as one writer would give.
    """
    whoosh_dir, postings_dir = work / WHOOSH_DIR, work / POSTINGS_DIR
    if len(ordered) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return _index_part(whoosh_dir, postings_dir, ordered, markers, progress)
    half = len(ordered) // 2
    part_dir = work / "part"
    part_dir.mkdir()
    build = os.getpid()
    other = Forked(
        lambda: _index_part(part_dir, postings_dir, ordered[half:], markers, None, build),
        on_start=release_inherited_locks,
    )
    lines = _index_part(whoosh_dir, postings_dir, ordered[:half], markers, progress)
    try:
        lines += other.result()
    except ChildFailed as exc:
        message = f"{exc} while writing half of the index; the served index is unchanged"
        raise BuildError(message) from None
    join_segments(whoosh_dir, part_dir)
    shutil.rmtree(part_dir)
    return lines


def _index_changes(work: Path, plan: Plan, progress: Progress | None) -> dict[str, bytes]:
    """Extend the served generation's index: its segment files hard-linked, the stale
    documents deleted, the changed records added as one new segment; return the snippet line
    of every slug."""
    assert plan.served is not None
    whoosh_dir, postings_dir = work / WHOOSH_DIR, work / POSTINGS_DIR
    for path in (plan.served / WHOOSH_DIR).iterdir():
        os.link(path, whoosh_dir / path.name)  # segment files are never modified
    for path in (plan.served / POSTINGS_DIR).iterdir():
        os.link(path, postings_dir / path.name)  # nor are the kept postings
    ix = whoosh_index.open_dir(str(whoosh_dir))
    writer = _writer(ix, postings_dir)
    if plan.stale:  # one query for all: delete_by_term opens a searcher per call
        writer.delete_by_query(whoosh_query.Or([whoosh_query.Term("slug", s) for s in plan.stale]))
    lines = read_lines(plan.served)
    for done, record in enumerate(newest_first(plan.changed), start=1):
        doc, lines[record["slug"]] = document(record, plan.markers)
        writer.add_document(**doc)
        if progress:
            progress(done, len(plan.changed))
    # Merging would rewrite the big segment now and then (seconds, unpredictably); a full
    # build after MAX_SEGMENTS incremental ones keeps both builds and searches fast.
    writer.commit(mergetype=NO_MERGE)
    return lines


def write_index(work: Path, plan: Plan, progress: Progress | None) -> dict[str, bytes]:
    """Write the new generation's Whoosh index and kept postings as planned; return the
    snippet line of every slug."""
    if plan.mode == "incremental":
        return _index_changes(work, plan, progress)
    ordered = newest_first(plan.records)
    lines = _index_in_full(work, ordered, plan.markers, progress)
    return {r["slug"]: line for r, line in zip(ordered, lines, strict=True)}
