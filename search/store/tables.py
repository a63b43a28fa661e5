"""`tables.json` and `tables.bin`: what the build precomputes for fast serving (facet bitsets,
sort orders, result rows, field lengths), indexed by Whoosh document number.

tables.json holds what is text and small: names, labels, the vocabulary, the keys of the
bitsets in the order of their rows, and where each section of tables.bin lies. tables.bin is
plain little-endian binary, read by slicing (nothing in it is executed or unpickled):
`bitsets` (a row of bytes per bitset: all documents first, then each facet's values, then
each marker's directions), `offsets` (int64 pairs: each record's place in records.jsonl),
`field_lengths` (a row of length bytes per scored field), `rows` (the result rows as one
UTF-8 blob of JSON values, `null` for a deleted document) with `row_starts` (int64), and
`order_<name>` (int64 document numbers). A row is decoded when first read, so opening a
generation of 100,000 studies decodes none of them. Neither writing nor reading needs numpy:
a build does not load it.
"""

from __future__ import annotations

import json
import os
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

TABLES_FILE = "tables.json"
BINARY_FILE = "tables.bin"


@dataclass
class IndexTables:
    """What the build precomputes for fast serving, indexed by Whoosh document number.

    Bitsets are Python ints: bit d is set when document d has the value.
    """

    generation: str
    doc_count: int  # size of the docnum space (deleted numbers included)
    slugs: list[str | None]
    rows: Sequence[dict[str, Any] | None]  # the fields a result list shows
    offsets: list[tuple[int, int]]  # (offset, length) of each full record in records.jsonl
    all_docs: int
    facets: dict[str, dict[str, int]]  # facet -> value key -> bitset
    facet_labels: dict[str, dict[str, str]]  # facet -> value key -> display label
    orders: dict[str, list[int]]  # sort name -> docnums in that order
    evidence: dict[str, dict[str, int]]  # marker key -> direction -> bitset
    marker_forms: dict[str, str]  # folded spelling -> key, learnt from the corpus
    marker_labels: dict[str, str]  # key -> display name, learnt from the corpus
    vocabulary: dict[str, int]  # folded word -> document frequency, for suggestions
    field_lengths: dict[str, bytes]  # scored field -> Whoosh's length byte of each document


Row = dict[str, Any] | None


class LazyRows(Sequence[Row]):
    """Result rows kept encoded, each decoded when first read (then kept)."""

    def __init__(self, blob: bytes, starts: list[int]) -> None:
        self._blob, self._starts = blob, starts
        self._decoded: dict[int, Row] = {}

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        try:
            return self._decoded[index]
        except KeyError:
            if not 0 <= index < len(self):
                raise IndexError(index) from None
        row: Row = json.loads(self._blob[self._starts[index] : self._starts[index + 1]])
        self._decoded[index] = row
        return row

    def encoded(self) -> tuple[bytes, list[int]]:
        """Return the rows as stored: the blob and where each row starts."""
        return self._blob, self._starts

    def __iter__(self) -> Iterator[Row]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # unhashable, as lists are (mypy expects a method)


# One encoder for every row: json.dumps with options makes a new encoder per call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def updated_rows(rows: Sequence[Row], changes: dict[int, Row], size: int) -> Sequence[Row]:
    """Return `rows` with the rows in `changes` replaced (None: a deleted document), extended
    to `size` rows (from `changes`, else None).

    Rows read from disk stay encoded: an incremental build neither decodes nor re-encodes the
    rows it keeps.
    """
    if not isinstance(rows, LazyRows):
        out = list(rows) + [None] * (size - len(rows))
        for docnum, row in changes.items():
            out[docnum] = row
        return out
    blob, starts = rows._blob, rows._starts
    parts: list[bytes] = []
    new_starts = [0]
    at = 0
    for docnum in range(size):
        if docnum in changes or docnum >= len(rows):
            part = _encode(changes.get(docnum)).encode()
        else:
            part = blob[starts[docnum] : starts[docnum + 1]]
        parts.append(part)
        at += len(part)
        new_starts.append(at)
    updated = LazyRows(b"".join(parts), new_starts)
    updated._decoded.update({d: r for d, r in changes.items()})
    return updated


def _encoded_rows(rows: Sequence[Row]) -> tuple[bytes, list[int]]:
    if isinstance(rows, LazyRows):
        return rows.encoded()
    parts = [_encode(r).encode() for r in rows]
    starts = [0]
    for part in parts:
        starts.append(starts[-1] + len(part))
    return b"".join(parts), starts


def _int64(values: Sequence[int]) -> bytes:
    numbers = array("q", values)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers.tobytes()


def _from_int64(data: bytes | memoryview) -> list[int]:
    if len(data) % 8:
        raise ValueError("an int64 section of the tables is cut short")
    numbers = array("q")
    numbers.frombytes(data)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers.tolist()


def _width(doc_count: int) -> int:
    return max(1, (doc_count + 7) // 8)


def write_tables(generation: Path, tables: IndexTables) -> None:
    """Write the serving tables of a generation."""
    width = _width(tables.doc_count)
    bitsets = [tables.all_docs]
    bitsets += [bits for values in tables.facets.values() for bits in values.values()]
    bitsets += [bits for values in tables.evidence.values() for bits in values.values()]
    matrix = b"".join(bits.to_bytes(width, "little") for bits in bitsets)
    rows, row_starts = _encoded_rows(tables.rows)
    sections: dict[str, bytes] = {
        "bitsets": matrix,
        "offsets": _int64([n for pair in tables.offsets for n in pair]),
        "field_lengths": b"".join(tables.field_lengths.values()),
        "rows": rows,
        "row_starts": _int64(row_starts),
        **{f"order_{name}": _int64(order) for name, order in tables.orders.items()},
    }
    where: dict[str, tuple[int, int]] = {}
    with (generation / BINARY_FILE).open("wb") as handle:
        at = 0
        for name, data in sections.items():
            where[name] = (at, len(data))
            handle.write(data)
            at += len(data)
        handle.flush()
        os.fsync(handle.fileno())
    text = {
        "generation": tables.generation,
        "doc_count": tables.doc_count,
        "slugs": tables.slugs,
        "facets": {facet: list(values) for facet, values in tables.facets.items()},
        "facet_labels": tables.facet_labels,
        "orders": list(tables.orders),
        "evidence": {key: list(values) for key, values in tables.evidence.items()},
        "marker_forms": tables.marker_forms,
        "marker_labels": tables.marker_labels,
        "vocabulary": tables.vocabulary,
        "fields": list(tables.field_lengths),
        "sections": where,
    }
    with (generation / TABLES_FILE).open("w", encoding="utf-8") as handle:
        handle.write(_encode(text))
        handle.flush()
        os.fsync(handle.fileno())


def read_tables(generation: Path) -> IndexTables:
    """Return the serving tables of a generation (OSError or ValueError when unreadable)."""
    with (generation / TABLES_FILE).open("r", encoding="utf-8") as handle:
        text = json.load(handle)
    data = memoryview((generation / BINARY_FILE).read_bytes())
    sections = {name: _section(data, at, size) for name, (at, size) in text["sections"].items()}
    doc_count = text["doc_count"]
    width = _width(doc_count)
    count = 1 + sum(map(len, text["facets"].values())) + sum(map(len, text["evidence"].values()))
    raw = bytes(sections["bitsets"])
    lengths = bytes(sections["field_lengths"])
    offsets = _from_int64(sections["offsets"])
    rows = LazyRows(bytes(sections["rows"]), _from_int64(sections["row_starts"]))
    orders = {name: _from_int64(sections[f"order_{name}"]) for name in text["orders"]}
    sizes = (len(raw), len(lengths), len(offsets), len(rows))
    expected = (count * width, len(text["fields"]) * doc_count, 2 * doc_count, doc_count)
    if sizes != expected or rows._starts[-1] != len(rows._blob):
        raise ValueError(f"the tables of {generation.name} do not match their documents")
    places = iter(range(0, len(raw), width))

    def bitset() -> int:
        at = next(places)
        return int.from_bytes(raw[at : at + width], "little")

    all_docs = bitset()
    facets = {f: {key: bitset() for key in keys} for f, keys in text["facets"].items()}
    evidence = {m: {d: bitset() for d in directions} for m, directions in text["evidence"].items()}
    return IndexTables(
        generation=text["generation"],
        doc_count=doc_count,
        slugs=text["slugs"],
        rows=rows,
        offsets=list(zip(offsets[0::2], offsets[1::2], strict=True)),
        all_docs=all_docs,
        facets=facets,
        facet_labels=text["facet_labels"],
        orders=orders,
        evidence=evidence,
        marker_forms=text["marker_forms"],
        marker_labels=text["marker_labels"],
        vocabulary=text["vocabulary"],
        field_lengths={
            name: lengths[n * doc_count : (n + 1) * doc_count]
            for n, name in enumerate(text["fields"])
        },
    )


def _section(data: memoryview, at: int, size: int) -> memoryview:
    if not (isinstance(at, int) and isinstance(size, int) and 0 <= at <= at + size <= len(data)):
        raise ValueError("a section of the tables lies outside tables.bin")
    return data[at : at + size]
