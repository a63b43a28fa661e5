"""Every use of Whoosh's internals, in one place, each with a probe.

We depend on the classic Whoosh 2.7 API (whoosh-reloaded 2.7.5, see README "Which Whoosh") and
lean on seven of its internals where the public API is too slow:

1. `segment_writer`: the segment writer's flush (`SegmentWriter._flush_segment`), to keep
   every posting it writes (`pool.iter_postings()` tuples: field, term bytes, docnum, weight,
   value) and to answer its field-length lookups from a cache.
2. `length_bytes`: a segment's field lengths read as one column (the W3 per-document reader's
   `_cached_reader`, `_lenfield`, `LENGTHS_COLUMN` and the column reader's `_dbfile`,
   `_basepos`, `_count`); falls back to the public `doc_field_length` per document.
3. `join_segments`: the table of contents (`TOC`, `FileIndex._segments`, `TOC._filename`)
   that lists the segments of two writers as one index.
4. `posting_blocks`: a W3 postings matcher's blocks (`_read_ids`, `_read_weights`, `_ids`,
   `_weights`, `_next_block`); falls back to the public `id()`/`weight()`/`next()`.
5. `position_blocks`: the same for position values (`_read_values`, `_values`).
6. `position_decoder`: Positions values are `pack_uint(count)` then a pickled list of deltas
   without pickle's STOP opcode (`whoosh_system._INT_SIZE`); decoded here without the
   per-position Python loop. The index schema's `TermPositions` (search/analysis.py) writes
   the same bytes, which the probe checks too.
7. `segment_id`: the id that names a segment's files (`reader.segment().segment_id()`).

`check()` probes all of them without touching an index (a few microseconds; the result is kept)
and raises `WhooshIncompatible` naming what is missing. Opening an index and starting a build
call it, so a different Whoosh fails at once with a clear message, not at query time.
tests/test_whoosh_compat.py compares each one with Whoosh's public answers on a real index.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import whoosh
from whoosh import columns as whoosh_columns
from whoosh import index as whoosh_index
from whoosh import system as whoosh_system
from whoosh.codec import whoosh3
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

SUPPORTED = "whoosh-reloaded>=2.7.5,<2.8"  # as in pyproject.toml

Postings = Iterator[tuple[Any, ...]]
Keep = Callable[[Postings, str], Postings]


class WhooshIncompatible(RuntimeError):
    """The installed Whoosh lacks an internal the atlas relies on."""


# -- 1. the segment writer's flush -------------------------------------------------------


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
                byte_to_length(b) if b else default for b in length_bytes(self.reader, fieldname)
            ]
        return lengths[docnum] if docnum < self.count else default


class _KeepingWriter(SegmentWriter):
    """Whoosh's segment writer with field lengths cached while the segment is flushed, which
    also passes every posting it writes through `keep` (with the new segment's id)."""

    keep: Keep

    def _flush_segment(self) -> None:
        # Whoosh 2.7's _flush_segment, with the lengths cached and the postings passed on.
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = _CachedLengths(pdr) if pdr is not None else None
        postings = self.keep(self.pool.iter_postings(), self.newsegment.segment_id())
        self.fieldwriter.add_postings(self.schema, lengths, postings)
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()


def segment_writer(ix: Any, keep: Keep, limitmb: int) -> SegmentWriter:
    """Return a writer that hands each new segment's postings through `keep` as it writes them.

    Separate segment files (no compound file) spare copying every byte once more at commit,
    and let incremental builds hard-link the previous generation's files.
    """
    writer = _KeepingWriter(ix, limitmb=limitmb, compound=False)
    writer.keep = keep
    return writer


# -- 2. field lengths as one column ---------------------------------------------------------


def length_bytes(reader: Any, fieldname: str) -> bytes:
    """Return a segment's length byte of every document for a field (0 where it has none).

    Whoosh keeps these as a column of one byte per document, possibly cut short (the missing
    end is 0); reading it as one block replaces a seek and a read per document.
    """
    perdoc = getattr(reader, "_perdoc", reader)  # a segment's reader, or its per-doc reader
    count = perdoc.doc_count_all()
    try:
        column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is None:
            return bytes(count)
        raw: bytes = column._dbfile.get(column._basepos, min(column._count, count))
    except AttributeError:  # not the W3 codec's layout: ask document by document
        read = perdoc.doc_field_length
        return bytes(length_to_byte(read(d, fieldname, 0)) for d in range(count))
    return raw + bytes(count - len(raw))


# -- 3. one table of contents for two writers' segments ------------------------------------


def join_segments(whoosh_dir: Path, part_dir: Path) -> None:
    """Make the index in `whoosh_dir` hold its segments followed by those of `part_dir`'s
    index (whose files are moved over), in that order of document numbers."""
    first = whoosh_index.open_dir(str(whoosh_dir))
    second = whoosh_index.open_dir(str(part_dir))
    segments = first._segments() + second._segments()
    schema, generation = first.schema, first.latest_generation() + 1
    first.close()
    second.close()
    for path in part_dir.iterdir():
        if path.suffix not in (".toc", ".lock"):
            path.rename(whoosh_dir / path.name)
    toc = whoosh_index.TOC(schema, segments, generation)
    toc.write(FileStorage(str(whoosh_dir)), whoosh_index._DEF_INDEX_NAME)
    keep = whoosh_index.TOC._filename(whoosh_index._DEF_INDEX_NAME, generation)
    for path in whoosh_dir.glob("*.toc"):
        if path.name != keep:
            path.unlink()


# -- 4, 5. postings and positions a block at a time ----------------------------------------


def _unwrap(matcher: Any) -> Any:
    # Deleted documents are masked out by the caller with the live-document vector.
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _has_blocks(matcher: Any, *readers: str) -> bool:
    return hasattr(matcher, "_next_block") and all(hasattr(matcher, r) for r in readers)


def posting_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """Yield (ids, weights) a block at a time from a Whoosh postings matcher."""
    matcher = _unwrap(matcher)
    if _has_blocks(matcher, "_read_ids", "_read_weights"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


def position_blocks(matcher: Any) -> Iterator[Iterator[tuple[int, bytes]]]:
    """Yield (docnum, encoded value) pairs a block at a time from a Whoosh postings matcher."""
    matcher = _unwrap(matcher)
    pairs: Iterator[tuple[int, bytes]]
    while matcher.is_active():
        if _has_blocks(matcher, "_read_ids", "_read_values"):
            matcher._read_ids()
            matcher._read_values()
            pairs = iter(zip(matcher._ids, matcher._values, strict=True))
            matcher._next_block()
        else:
            pairs = iter([(matcher.id(), matcher.value())])
            matcher.next()
        yield pairs


# -- 6. decoding position values -----------------------------------------------------------


def position_decoder(fmt: Any) -> Callable[[bytes], list[int]]:
    """Return a fast decoder for Whoosh's Positions values (a pickled list of deltas)."""
    if (
        not isinstance(fmt, Positions)
        or type(fmt).decode_positions is not Positions.decode_positions
    ):
        decode_positions: Callable[[bytes], list[int]] = fmt.decode_positions
        return decode_positions
    skip = whoosh_system._INT_SIZE

    def decode(value: bytes) -> list[int]:
        if not value.endswith(b"."):  # Whoosh strips pickle's STOP opcode to save a byte
            value += b"."
        return list(accumulate(pickle.loads(value[skip:])))

    return decode


# -- 7. segment ids ------------------------------------------------------------------------


def segment_id(leaf: Any) -> str:
    """Return the id that names a segment reader's files."""
    name: str = leaf.segment().segment_id()
    return name


# -- the probes ------------------------------------------------------------------------------


def _names(function: Any) -> set[str]:
    code = getattr(function, "__code__", None)
    return set(code.co_names) if code is not None else set()


def problems() -> list[str]:
    """Return what this Whoosh lacks of the internals above (empty when it has them all)."""
    found = []
    if tuple(whoosh.__version__[:2]) != (2, 7):
        found.append(f"version {whoosh.versionstring()}, not 2.7")
    flush = {
        "perdocwriter",
        "per_document_reader",
        "length_stats",
        "pool",
        "iter_postings",
        "fieldwriter",
        "add_postings",
    }
    missing = flush - _names(getattr(SegmentWriter, "_flush_segment", None))
    if missing:
        found.append(f"SegmentWriter._flush_segment no longer uses {sorted(missing)}")
    if "newsegment" not in _names(SegmentWriter.__init__):
        found.append("SegmentWriter has no newsegment")
    perdoc = getattr(whoosh3, "W3PerDocReader", None)
    if not (
        hasattr(perdoc, "_cached_reader")
        and hasattr(whoosh3, "_lenfield")
        and isinstance(getattr(whoosh3, "LENGTHS_COLUMN", None), whoosh_columns.FixedBytesColumn)
        and {"_basepos", "_count"} <= _names(whoosh_columns.FixedBytesColumn.Reader.__init__)
    ):
        found.append("the W3 codec's length columns are laid out differently")
    toc = getattr(whoosh_index, "TOC", None)
    if not (
        hasattr(whoosh_index.FileIndex, "_segments")
        and hasattr(toc, "_filename")
        and hasattr(toc, "write")
        and hasattr(whoosh_index, "_DEF_INDEX_NAME")
    ):
        found.append("the index's table of contents (TOC) is not Whoosh 2.7's")
    matcher = getattr(whoosh3, "W3LeafMatcher", None)
    readers = ("_read_ids", "_read_weights", "_read_values", "_next_block")
    if not all(hasattr(matcher, r) for r in readers) or not {"_ids"} <= _names(
        getattr(matcher, "_read_ids", None)
    ):
        found.append("the W3 postings matcher does not read whole blocks")
    found += _position_problems()
    return found


def _position_problems() -> list[str]:
    from search.analysis import TermTokenizer
    from search.schema import index_schema

    fmt = index_schema()["body"].format
    text = "pem malaise pem after pem"
    ours = list(fmt.word_values(text, TermTokenizer("prose")))
    theirs = list(Positions.word_values(fmt, text, TermTokenizer("prose")))
    if sorted(ours) != sorted(theirs):
        return ["the index schema's TermPositions no longer writes Whoosh's Positions values"]
    decode = position_decoder(Positions())
    if not hasattr(whoosh_system, "_INT_SIZE") or any(
        decode(value) != Positions().decode_positions(value) for *_, value in theirs
    ):
        return ["Positions values are encoded differently"]
    return []


@lru_cache(maxsize=1)
def _checked() -> tuple[str, ...]:
    try:
        return tuple(problems())
    except Exception as exc:
        return (f"a probe failed: {exc!r}",)


def check() -> None:
    """Raise WhooshIncompatible when the installed Whoosh lacks an internal the atlas uses."""
    found = _checked()
    if found:
        raise WhooshIncompatible(
            f"the installed Whoosh ({whoosh.versionstring()}) is not one this version of the "
            f"atlas works with ({SUPPORTED}): {'; '.join(found)}. Install the supported "
            "version, e.g. `pip install 'whoosh-reloaded>=2.7.5,<2.8'`"
        )
