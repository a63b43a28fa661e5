"""`tables.json` and `tables.npz`: what the build precomputes for fast serving (facet bitsets,
sort orders, result rows, field lengths), indexed by Whoosh document number.

tables.json holds what is text and small: names, labels, the vocabulary, and the keys of the
bitsets in the order of their rows. tables.npz (numpy arrays, read with `allow_pickle=False`)
holds the bitsets as one matrix of little-endian bytes, a row each (all documents first, then
each facet's values, then each marker's directions), the record offsets, the sort orders, the
field lengths, and the result rows as one UTF-8 blob of JSON values (`null` for a deleted
document) with where each starts: a row is decoded when first read, so opening a generation
of 100,000 studies decodes none of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

TABLES_FILE = "tables.json"
ARRAYS_FILE = "tables.npz"


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

    def encoded(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the rows as stored: the blob and where each row starts."""
        blob = np.frombuffer(self._blob, dtype=np.uint8)
        return blob, np.array(self._starts, dtype=np.int64)

    def __iter__(self) -> Iterator[Row]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


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


def _encoded_rows(rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(rows, LazyRows):
        return rows.encoded()
    parts = [_encode(r).encode() for r in rows]
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=starts[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), starts


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
    arrays = {
        "rows": rows,
        "row_starts": row_starts,
        "bitsets": np.frombuffer(matrix, dtype=np.uint8).reshape(len(bitsets), width),
        "offsets": np.array(tables.offsets, dtype=np.int64).reshape(-1, 2),
        "field_lengths": np.frombuffer(
            b"".join(tables.field_lengths.values()), dtype=np.uint8
        ).reshape(len(tables.field_lengths), tables.doc_count),
        **{
            f"order_{name}": np.array(order, dtype=np.int64)
            for name, order in tables.orders.items()
        },
    }
    with (generation / ARRAYS_FILE).open("wb") as handle:
        np.savez(handle, allow_pickle=False, **arrays)  # type: ignore[arg-type]
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
    }
    with (generation / TABLES_FILE).open("w", encoding="utf-8") as handle:
        handle.write(_encode(text))
        handle.flush()
        os.fsync(handle.fileno())


def read_tables(generation: Path) -> IndexTables:
    """Return the serving tables of a generation (OSError or ValueError when unreadable)."""
    with (generation / TABLES_FILE).open("r", encoding="utf-8") as handle:
        text = json.load(handle)
    with np.load(generation / ARRAYS_FILE, allow_pickle=False) as arrays:
        bitsets = arrays["bitsets"]
        offsets = arrays["offsets"]
        lengths = arrays["field_lengths"]
        rows = LazyRows(arrays["rows"].tobytes(), arrays["row_starts"].tolist())
        orders = {name: arrays[f"order_{name}"].tolist() for name in text["orders"]}
    doc_count = text["doc_count"]
    width = _width(doc_count)
    count = 1 + sum(map(len, text["facets"].values())) + sum(map(len, text["evidence"].values()))
    shapes = (bitsets.shape, lengths.shape[1:], len(rows))
    if shapes != ((count, width), (doc_count,), doc_count):
        raise ValueError(f"the tables of {generation.name} do not match their documents")
    raw = bitsets.tobytes()
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
        offsets=list(zip(offsets[:, 0].tolist(), offsets[:, 1].tolist(), strict=True)),
        all_docs=all_docs,
        facets=facets,
        facet_labels=text["facet_labels"],
        orders=orders,
        evidence=evidence,
        marker_forms=text["marker_forms"],
        marker_labels=text["marker_labels"],
        vocabulary=text["vocabulary"],
        field_lengths={name: lengths[n].tobytes() for n, name in enumerate(text["fields"])},
    )
