"""Building index generations: a new one is written beside the served one, verified, then
switched to in one atomic rename. Only one build runs at a time (a lock file)."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import gc
import hashlib
import json
import os
import pickle
import secrets
import shutil
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as whoosh_query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import CLEAR, NO_MERGE, SegmentWriter

from indexer.forked import ChildFailed, Forked, parent_alive
from indexer.sources import LoadResult, load_records
from indexer.tables import build_tables, marker_keys, update_tables, word_counts
from search.markers import SYNONYMS_FILE, mention_keys, mention_spans
from search.schema import (
    BUILDING_PREFIX,
    CURRENT_FILE,
    GENERATION_PREFIX,
    INDEX_FORMAT,
    LOCK_FILE,
    META_FILE,
    POSTINGS_DIR,
    POSTINGS_IDS,
    POSTINGS_TERMS,
    POSTINGS_WEIGHTS,
    RECORDS_FILE,
    SCORED_FIELDS,
    SNIPPET_TEXTS,
    SNIPPETS_FILE,
    SNIPPETS_INDEX_FILE,
    TABLES_FILE,
    UNIT,
    WHOOSH_DIR,
    IndexTables,
    MarkerDictionary,
    criterion_key,
    index_schema,
)

HASHES_FILE = "hashes.json"
DIGESTS_FILE = "digests.json"  # slug -> digest of the raw text each record was cleaned from
# Full builds of at least this many records use a second process when there is a second core
# (below it, forking costs more than it saves).
PARALLEL_FROM = 1000
# Incremental builds add a segment each; past this many, the next build is a full one.
MAX_SEGMENTS = 8
# Whoosh's writer buffers postings in memory up to this size (by its own estimate) before
# spilling sorted runs to disk and merging them back at commit. Spilling made builds of
# 100,000 studies about 30% slower; each writer's pool then holds about 1.3 GB.
# $ATLAS_BUILD_MEMORY_MB sets it (per writer process) on machines with less memory.
WRITER_LIMIT_MB = 2048
MEMORY_VARIABLE = "ATLAS_BUILD_MEMORY_MB"


def _length_bytes(reader: Any, fieldname: str) -> bytes:
    """Return a segment's length byte of every document for a field (0 where it has none).

    Whoosh keeps these as a column of one byte per document, possibly cut short (the missing
    end is 0); reading it as one block replaces a seek and a read per document.
    """
    perdoc = getattr(reader, "_perdoc", reader)  # a segment's reader, or its per-doc reader
    count = perdoc.doc_count_all()
    try:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return bytes(count)
        raw = column._dbfile.get(column._basepos, min(column._count, count))
    except AttributeError:  # not the W3 codec's layout: ask document by document
        read = perdoc.doc_field_length
        return bytes(length_to_byte(read(d, fieldname, 0)) for d in range(count))
    return raw + bytes(count - len(raw))


class _CachedLengths:
    """Field lengths of a new segment, each field's read from disk in one block.

    While writing a segment Whoosh asks for the field length of every posting, one seek and
    read each (postings come term by term, so the same document is asked again and again);
    reading each field's lengths once makes commits markedly faster.
    """

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.count = reader.doc_count_all()
        self.fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.fields.get(fieldname)
        if lengths is None:
            lengths = self.fields[fieldname] = [
                byte_to_length(b) if b else default for b in _length_bytes(self.reader, fieldname)
            ]
        return lengths[docnum] if docnum < self.count else default


class _Writer(SegmentWriter):
    """Whoosh's segment writer with field lengths cached while the segment is flushed, which
    also keeps every posting it writes as plain arrays in `postings_dir` (see `_kept`)."""

    postings_dir: Path

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _CachedLengths(pdr) if pdr is not None else None
        postings = _kept(self.pool.iter_postings(), self.postings_dir, self.newsegment)
        self.fieldwriter.add_postings(self.schema, lengths, postings)
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()


def _writer(ix: Any, postings_dir: Path) -> SegmentWriter:
    # Separate segment files (no compound file) spare copying every byte once more at commit,
    # and let incremental builds hard-link the previous generation's files.
    writer = _Writer(ix, limitmb=writer_memory_mb(), compound=False)
    writer.postings_dir = postings_dir
    return writer


def writer_memory_mb() -> int:
    """Return how many megabytes of postings a writer keeps before spilling to disk."""
    raw = os.environ.get(MEMORY_VARIABLE, "").strip()
    if not raw:
        return WRITER_LIMIT_MB
    value = int(raw) if raw.isdigit() else 0
    if value < 1:
        raise BuildError(f"{MEMORY_VARIABLE} must be a whole number of megabytes, 1 or more "
                         f"(it is {raw!r})")  # fmt: skip
    return value


def _kept(items: Iterator[tuple[Any, ...]], directory: Path, segment: Any) -> Iterator[Any]:
    """Pass a segment's postings through to Whoosh, keeping each term's documents and weights.

    Whoosh stores a block of postings as one pickle with the positions in it, so reading a
    word's documents meant unpickling all of that: 10-35 ms for a common word at 10,000
    studies, paid by the first search using it. Kept here as arrays (a term's documents,
    then its weights, in the order Whoosh writes them), a search reads them in microseconds.
    """
    ids, weights = array("i"), array("f")
    add_id, add_weight = ids.append, weights.append
    terms: dict[tuple[str, bytes], tuple[int, int]] = {}
    last: tuple[str, bytes] | None = None
    start = 0
    for item in items:
        key = (item[0], item[1])
        if key != last:
            if last is not None:
                terms[last] = (start, len(ids) - start)
            last, start = key, len(ids)
        add_id(item[2])
        add_weight(item[3])
        yield item
    if last is not None:
        terms[last] = (start, len(ids) - start)
    write_segment_postings(directory, segment.segment_id(), ids, weights, terms)


def write_segment_postings(directory: Path, segment: str, ids: array, weights: array,
                           terms: dict[tuple[str, bytes], tuple[int, int]]) -> None:  # fmt: skip
    """Write one segment's kept postings, little-endian (search/postings.py reads them)."""
    for suffix, values in ((POSTINGS_IDS, ids), (POSTINGS_WEIGHTS, weights)):
        if sys.byteorder != "little":
            values = array(values.typecode, values)
            values.byteswap()
        (directory / f"{segment}{suffix}").write_bytes(values.tobytes())
    data = pickle.dumps(terms, pickle.HIGHEST_PROTOCOL)
    (directory / f"{segment}{POSTINGS_TERMS}").write_bytes(data)  # last: the segment is whole


def missing_postings(reader: Any, directory: Path) -> list[str]:
    """Return the ids of an index's segments without kept postings in `directory`."""
    names = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()]
    return [n for n in names if not (directory / f"{n}{POSTINGS_TERMS}").is_file()]


@contextmanager
def _long_lived() -> Iterator[None]:
    """Hide the objects a block makes from Python's cyclic garbage collector until the build
    ends (`build` unfreezes them).

    Records and tables, once read, live to the end of a build and hold no reference cycles, yet
    the collector walked all of their millions of objects again at every full pass: a sixth of
    an incremental build. They are made with the collector paused, then frozen (gc.freeze).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class BuildError(Exception):
    """A build could not run or complete; the served index is unchanged."""


class BuildLocked(BuildError):
    """Another build holds the index lock."""


@dataclass
class BuildReport:
    """What a build did: the outcome, the new generation's metadata and the problems found."""

    status: str  # "built", "unchanged" or "invalid"
    meta: dict[str, Any] = field(default_factory=dict)
    load: LoadResult = field(default_factory=LoadResult)

    @property
    def ok(self) -> bool:
        return self.status in ("built", "unchanged")


def record_hash(record: dict[str, Any]) -> str:
    """Return a stable content hash of a cleaned record."""
    data = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def current_generation(index_dir: Path) -> Path | None:
    """Return the folder of the served generation, or None when there is none."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    if not name.startswith(GENERATION_PREFIX) or "/" in name:
        return None
    path = index_dir / name
    return path if (path / META_FILE).is_file() else None


def is_current_format(index_dir: Path) -> bool:
    """Return whether the index directory serves a generation this version can read."""
    generation = current_generation(index_dir)
    if generation is None:
        return False
    try:
        return read_meta(generation).get("format") == INDEX_FORMAT
    except (OSError, ValueError):
        return False


def read_meta(generation: Path) -> dict[str, Any]:
    """Return the metadata recorded by the build of a generation."""
    return json.loads((generation / META_FILE).read_text(encoding="utf-8"))


# Descriptors of build locks this process holds: a forked second writer closes its copies, so
# the lock goes with the build that took it, not with whichever process dies last.
_HELD_LOCKS: set[int] = set()


def _release_inherited_locks() -> None:
    """In a forked child: close its copies of the build lock's descriptors."""
    for fd in _HELD_LOCKS:
        os.close(fd)  # not flock(LOCK_UN): that would release the build's lock too
    _HELD_LOCKS.clear()


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's build lock, or raise BuildLocked when another build has it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_FILE
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLocked(
                f"another build of {index_dir} is running (pid {holder}); "
                "wait for it to finish and try again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD_LOCKS.add(handle.fileno())
        yield
    finally:
        _HELD_LOCKS.discard(handle.fileno())
        handle.close()  # closing releases the lock, also when the process is killed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(index_dir: Path, keep: set[str]) -> None:
    """Delete unfinished builds and generations older than the previous one."""
    for path in index_dir.iterdir():
        name = path.name
        stale_build = name.startswith(BUILDING_PREFIX)
        old_gen = name.startswith(GENERATION_PREFIX) and name not in keep
        if (stale_build or old_gen) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif name.startswith(CURRENT_FILE + ".") and path.is_file():
            path.unlink(missing_ok=True)


def _switch_current(index_dir: Path, generation: str) -> None:
    tmp = index_dir / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)


def _document(record: dict[str, Any], markers: MarkerDictionary) -> tuple[dict[str, str], bytes]:
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
    # the texts as they are, one character for each (spans stay right), in a line of their own
    shown = UNIT.join(t.replace("\n", " ").replace("\r", " ").replace(UNIT, " ") for t in texts)
    line = f"{json.dumps(where, ensure_ascii=False, separators=(',', ':'))}\t{shown}"
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
    return {k: v for k, v in doc.items() if v}, f"{record['slug']}\t{line}".encode()


def corpus_markers(
    records: Sequence[dict[str, Any]],
) -> tuple[MarkerDictionary, dict[str, str], dict[str, str]]:
    """Return the synonym table extended with every marker the records name."""
    base = MarkerDictionary.from_table()
    markers = MarkerDictionary(dict(base.forms), dict(base.display), set(base.prefixes))
    spellings: dict[str, dict[str, int]] = {}
    for record in records:
        names = list(record.get("markers") or []) + [
            f["marker"] for f in record.get("findings") or []
        ]
        for name in names:
            key = markers.add_corpus_marker(name)
            counts = spellings.setdefault(key, {})
            counts[name] = counts.get(name, 0) + 1
    forms = {f: k for f, k in markers.forms.items() if base.forms.get(f) != k}
    labels = {}
    for key, counts in spellings.items():
        if key not in base.display:
            # the most common spelling names a marker the table does not know
            labels[key] = max(counts.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
            markers.display[key] = labels[key]
    return markers, forms, labels


def _validator_hash() -> str:
    """Return a hash of the code that cleans records: a change to it invalidates reuse."""
    from indexer import records as record_module
    from search import schema as schema_module

    code = b"".join(Path(m.__file__).read_bytes() for m in (record_module, schema_module))
    return hashlib.sha256(code).hexdigest()[:16]


@dataclass
class Previous:
    """What an incremental build reuses from the served generation."""

    name: str | None = None
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> cleaned record
    lines: dict[str, bytes] = field(default_factory=dict)  # slug -> its line in records.jsonl
    digests: dict[str, str] = field(default_factory=dict)  # slug -> digest of its raw text
    hashes: dict[str, str] = field(default_factory=dict)  # slug -> content hash

    def known(self) -> dict[str, dict[str, Any]]:
        """Return cleaned records by the digest of the raw text they were cleaned from."""
        return {self.digests[s]: r for s, r in self.records.items() if s in self.digests}

    def is_unchanged(self, slug: str, digest: str | None) -> bool:
        return digest is not None and self.digests.get(slug) == digest and slug in self.hashes

    def tables(self, index_dir: Path) -> IndexTables | None:
        try:
            path = index_dir / (self.name or "") / TABLES_FILE
            with path.open("rb") as handle, _long_lived():
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return None


def _previous(index_dir: Path) -> Previous:
    """Return the served generation's cleaned records with the digests of their raw text.

    An incremental build takes these instead of validating, hashing and serialising unchanged
    records again; nothing is reused when the cleaning code has changed since, or anything is
    missing or unreadable.
    """
    generation = current_generation(index_dir)
    if generation is None:
        return Previous()
    try:
        digests = json.loads((generation / DIGESTS_FILE).read_text(encoding="utf-8"))
        if digests.get("validator") != _validator_hash():
            return Previous()
        previous = Previous(generation.name, digests=digests["records"])
        previous.hashes = json.loads((generation / HASHES_FILE).read_text(encoding="utf-8"))
        with (generation / RECORDS_FILE).open("rb") as handle:
            for line in handle:
                record = json.loads(line)
                previous.records[record["slug"]] = record
                previous.lines[record["slug"]] = line.rstrip(b"\n")
        return previous
    except (OSError, ValueError, KeyError, TypeError):
        return Previous()


def _updated_vocabulary(old: IndexTables, previous: Previous, changed: Sequence[dict[str, Any]],
                        removed: Sequence[str]) -> dict[str, int] | None:  # fmt: skip
    """Return the previous vocabulary with old versions of records taken out and new ones added."""
    replaced = [*removed, *(r["slug"] for r in changed if r["slug"] in previous.hashes)]
    if any(slug not in previous.records for slug in replaced):
        return None
    counts = Counter(old.vocabulary)
    counts.subtract(word_counts(previous.records[s] for s in replaced))
    counts.update(word_counts(changed))
    return {w: n for w, n in counts.items() if n > 0}


def _field_lengths(
    reader: Any, records_by_doc: Sequence[dict[str, Any] | None]
) -> dict[str, bytes]:
    """Return each scored field's length byte per document (0 for deleted documents)."""
    gone = [d for d, r in enumerate(records_by_doc) if r is None]
    out = {}
    for name in SCORED_FIELDS:
        codes = bytearray(len(records_by_doc))
        for leaf, offset in reader.leaf_readers():
            raw = _length_bytes(leaf, name)
            codes[offset : offset + len(raw)] = raw
        for docnum in gone:
            codes[docnum] = 0
        out[name] = bytes(codes)
    return out


def _slugs_by_docnum(reader: Any, old: IndexTables | None,
                     stale: set[str]) -> tuple[list[str | None], int]:  # fmt: skip
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


def _index_part(
    directory: Path,
    postings_dir: Path,
    records: Sequence[dict[str, Any]],
    markers: MarkerDictionary,
    progress: Callable[[int, int], None] | None = None,
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
        doc, line = _document(record, markers)
        writer.add_document(**doc)
        lines.append(line)
        if progress:
            progress(done, len(records))
        if parent is not None and done % 25 == 0 and not parent_alive(parent):
            os._exit(1)  # the build that started us was killed: stop, it will be cleaned up
    writer.commit(mergetype=CLEAR)
    return lines


def _index_in_full(
    whoosh_dir: Path,
    postings_dir: Path,
    ordered: Sequence[dict[str, Any]],
    markers: MarkerDictionary,
    progress: Callable[[int, int], None] | None,
) -> list[bytes]:
    """Index every record into a new Whoosh index, using a second core for large builds;
    return the records' snippet lines, in order.

    Whoosh's writer is most of a build and uses one core. With two cores, a second process
    writes the older half as a segment of its own; both segments are then listed in one table
    of contents, in the same order (and so the same document numbers) as one writer would give.
    """
    if len(ordered) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return _index_part(whoosh_dir, postings_dir, ordered, markers, progress)
    half = len(ordered) // 2
    part_dir = whoosh_dir.parent / "part"
    part_dir.mkdir()
    build = os.getpid()
    other = Forked(
        lambda: _index_part(part_dir, postings_dir, ordered[half:], markers, None, build),
        on_start=_release_inherited_locks,
    )
    lines = _index_part(whoosh_dir, postings_dir, ordered[:half], markers, progress)
    try:
        lines += other.result()
    except ChildFailed as exc:
        message = f"{exc} while writing half of the index; the served index is unchanged"
        raise BuildError(message) from None
    first = whoosh_index.open_dir(str(whoosh_dir))
    second = whoosh_index.open_dir(str(part_dir))
    segments = first._segments() + second._segments()
    schema, generation = first.schema, first.latest_generation() + 1
    first.close()
    second.close()
    for path in part_dir.iterdir():
        if path.suffix not in (".toc", ".lock"):
            os.rename(path, whoosh_dir / path.name)
    shutil.rmtree(part_dir)
    TOC(schema, segments, generation).write(FileStorage(str(whoosh_dir)), "MAIN")
    for path in whoosh_dir.glob("_MAIN_*.toc"):
        if path.name != f"_MAIN_{generation}.toc":
            path.unlink()
    return lines


def _snippet_lines(generation: Path) -> dict[str, bytes]:
    """Return the snippet line of each slug in a generation (empty when it cannot be read)."""
    try:
        with (generation / SNIPPETS_FILE).open("rb") as handle:
            return {line.partition(b"\t")[0].decode(): line.rstrip(b"\n") for line in handle}
    except OSError:
        return {}


def _write_snippets(
    work: Path, records_by_doc: Sequence[dict[str, Any] | None], lines: dict[str, bytes],
    markers: MarkerDictionary,
) -> None:  # fmt: skip
    """Write each document's snippet line in docnum order, and where each line starts."""
    starts = array("q", bytes(8 * (len(records_by_doc) + 1)))
    with (work / SNIPPETS_FILE).open("wb") as handle:
        at = 0
        for docnum, record in enumerate(records_by_doc):
            if record is not None:
                line = lines.get(record["slug"]) or _document(record, markers)[1]
                handle.write(line + b"\n")
                at += len(line) + 1
            starts[docnum + 1] = at
        handle.flush()
        os.fsync(handle.fileno())
    if sys.byteorder != "little":
        starts.byteswap()  # the file is little-endian int64, as numpy reads it
    with (work / SNIPPETS_INDEX_FILE).open("wb") as handle:
        handle.write(starts.tobytes())
        handle.flush()
        os.fsync(handle.fileno())


def _newest_first(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    # Adding records newest first makes docnum order the default browsing order.
    return sorted(records, key=lambda r: (-r["year"], r["title"].casefold(), r["slug"]))


def _write_records(
    path: Path, records: Sequence[dict[str, Any]], lines: dict[str, bytes]
) -> dict[str, tuple[int, int]]:
    offsets: dict[str, tuple[int, int]] = {}
    with path.open("wb") as handle:
        for record in records:
            data = lines.get(record["slug"])
            if data is None:
                data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()
            offsets[record["slug"]] = (handle.tell(), len(data))
            handle.write(data + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return offsets


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
        return _build(index_dir, sources, full=full, skip_invalid=skip_invalid, progress=progress)
    finally:
        gc.unfreeze()  # what _long_lived froze goes back to the collector


def _build(
    index_dir: Path,
    sources: Sequence[Path],
    *,
    full: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    index_dir = Path(index_dir)
    started = time.monotonic()
    writer_memory_mb()  # a bad setting fails before any work
    with _long_lived():
        previous_build = Previous() if full else _previous(index_dir)
        load = load_records(sources, previous_build.known())
    if load.errors and (not skip_invalid or not load.records):
        return BuildReport("invalid", load=load)
    with build_lock(index_dir):
        previous = current_generation(index_dir)
        _remove_leftovers(index_dir, {previous.name} if previous else set())
        records = load.records
        reused = {
            r["slug"]
            for r in records
            if previous_build.is_unchanged(r["slug"], load.digests.get(r["slug"]))
        }
        hashes = {
            r["slug"]: previous_build.hashes[r["slug"]] if r["slug"] in reused else record_hash(r)
            for r in records
        }
        markers, forms, labels = corpus_markers(records)
        synonyms_hash = _file_hash(SYNONYMS_FILE)
        forms_hash = hashlib.sha256(json.dumps(sorted(forms.items())).encode()).hexdigest()[:16]
        content_hash = hashlib.sha256(
            json.dumps([INDEX_FORMAT, synonyms_hash, sorted(hashes.items())]).encode()
        ).hexdigest()[:32]
        old_meta = read_meta(previous) if previous else None
        up_to_date = old_meta is not None and old_meta.get("content_hash") == content_hash
        if up_to_date and not full and old_meta.get("format") == INDEX_FORMAT:  # type: ignore[union-attr]
            meta = dict(old_meta, status="unchanged")
            return BuildReport("unchanged", meta=meta, load=load)
        can_update = (
            old_meta is not None
            and not full
            and old_meta.get("format") == INDEX_FORMAT
            and old_meta.get("synonyms_hash") == synonyms_hash
            and old_meta.get("corpus_markers_hash") == forms_hash
            and old_meta.get("segments", MAX_SEGMENTS) < MAX_SEGMENTS
        )
        stamp = dt.datetime.now(dt.UTC)
        generation = f"{GENERATION_PREFIX}{stamp:%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}"
        work = index_dir / f"{BUILDING_PREFIX}{generation}"
        work.mkdir()
        whoosh_dir = work / WHOOSH_DIR
        whoosh_dir.mkdir()
        postings_dir = work / POSTINGS_DIR
        postings_dir.mkdir()
        mode = "full"
        stale: list[str] = []  # slugs whose old documents an incremental build deletes
        if can_update and previous is not None:
            old_hashes = json.loads((previous / HASHES_FILE).read_text(encoding="utf-8"))
            changed = [r for r in records if old_hashes.get(r["slug"]) != hashes[r["slug"]]]
            removed = [s for s in old_hashes if s not in hashes]
            for path in (previous / WHOOSH_DIR).iterdir():
                os.link(path, whoosh_dir / path.name)  # segment files are never modified
            for path in (previous / POSTINGS_DIR).iterdir():
                os.link(path, postings_dir / path.name)  # nor are the kept postings
            ix = whoosh_index.open_dir(str(whoosh_dir))
            writer = _writer(ix, postings_dir)
            stale = removed + [r["slug"] for r in changed if r["slug"] in old_hashes]
            if stale:  # one query for all: delete_by_term opens a searcher per call
                writer.delete_by_query(
                    whoosh_query.Or([whoosh_query.Term("slug", s) for s in stale])
                )
            snippet_lines = _snippet_lines(previous)
            for done, record in enumerate(_newest_first(changed), start=1):
                doc, snippet_lines[record["slug"]] = _document(record, markers)
                writer.add_document(**doc)
                if progress:
                    progress(done, len(changed))
            # Merging would rewrite the big segment now and then (seconds, unpredictably); a
            # full build after MAX_SEGMENTS incremental ones keeps both builds and searches fast.
            writer.commit(mergetype=NO_MERGE)
            mode = "incremental"
            stats = {"added_or_changed": len(changed), "removed": len(removed)}
        else:
            ordered = _newest_first(records)
            lines = _index_in_full(whoosh_dir, postings_dir, ordered, markers, progress)
            snippet_lines = {r["slug"]: line for r, line in zip(ordered, lines, strict=True)}
            stats = {"added_or_changed": len(records), "removed": 0}
        ix = whoosh_index.open_dir(str(whoosh_dir))
        with ix.reader() as reader:
            doc_count = reader.doc_count()
            segments = len(list(reader.leaf_readers()))
            unkept = missing_postings(reader, postings_dir)
            # Lengths, vocabulary and tables carry over only onto the generation they came from.
            carry = mode == "incremental" and previous is not None
            carry = carry and previous.name == previous_build.name  # type: ignore[union-attr]
            old_tables = previous_build.tables(index_dir) if carry else None
            slugs, kept = _slugs_by_docnum(reader, old_tables, set(stale))
            by_slug = {r["slug"]: r for r in records}
            records_by_doc = [by_slug.get(s) if s is not None else None for s in slugs]
            field_lengths = _field_lengths(reader, records_by_doc)
        ix.close()
        placed = sum(1 for r in records_by_doc if r is not None)
        if unkept:
            shutil.rmtree(work, ignore_errors=True)
            raise BuildError(
                f"verification failed: no kept postings for segment(s) {', '.join(unkept)}; "
                "the served index is unchanged"
            )
        if doc_count != len(records) or placed != len(records):
            shutil.rmtree(work, ignore_errors=True)
            raise BuildError(
                f"verification failed: the new index holds {doc_count} documents "
                f"({placed} known), expected {len(records)}; the served index is unchanged"
            )
        lines = {s: previous_build.lines[s] for s in reused if s in previous_build.lines}
        offsets = _write_records(work / RECORDS_FILE, _newest_first(records), lines)
        doc_offsets = [offsets[r["slug"]] if r else (0, 0) for r in records_by_doc]
        _write_snippets(work, records_by_doc, snippet_lines, markers)
        vocabulary = None
        if mode == "incremental" and old_tables is not None:
            vocabulary = _updated_vocabulary(old_tables, previous_build, changed, removed)
        table_args = (generation, records_by_doc, doc_offsets, markers, forms, labels)
        if kept and old_tables is not None:
            tables = update_tables(old_tables, *table_args, field_lengths, vocabulary)
        else:
            tables = build_tables(*table_args, field_lengths, vocabulary)
        with (work / TABLES_FILE).open("wb") as handle:
            pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        (work / HASHES_FILE).write_text(json.dumps(hashes), encoding="utf-8")
        digests = {"validator": _validator_hash(), "records": load.digests}
        (work / DIGESTS_FILE).write_text(json.dumps(digests), encoding="utf-8")
        meta = {
            "format": INDEX_FORMAT,
            "generation": generation,
            "built_at": stamp.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "records": len(records),
            "sources": [str(Path(s).resolve()) for s in sources],
            "content_hash": content_hash,
            "synonyms_hash": synonyms_hash,
            "corpus_markers_hash": forms_hash,
            "warnings": [str(p) for p in load.warnings],
            "skipped": len(load.errors),
            "mode": mode,
            "segments": segments,
            **stats,
            "seconds": round(time.monotonic() - started, 3),
            "status": "built",
        }
        (work / META_FILE).write_text(
            json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        _fsync_dir(work)
        final = index_dir / generation
        os.rename(work, final)
        _fsync_dir(index_dir)
        _switch_current(index_dir, generation)
        keep = {generation} | ({previous.name} if previous else set())
        _remove_leftovers(index_dir, keep)
        return BuildReport("built", meta=meta, load=load)
