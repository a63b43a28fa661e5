"""Facet counting over bitsets (Python ints: bit d set when document d has the value).

Counts cover the whole match set. Each facet's counts leave out that facet's own selection
(Solr's tag/exclude), so ticking a second value shows how many studies it would add.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from search.results import FacetValue

# Long facets are cut to this many values (selected values are always kept).
FACET_LIMITS = {"marker": 30, "topic": 30, "intervention": 30, "year": 200}
DEFAULT_LIMIT = 50


def members(bits: int) -> Iterator[int]:
    """Yield the set bit positions of an int in increasing order."""
    text = bin(bits)[:1:-1]
    i = text.find("1")
    while i != -1:
        yield i
        i = text.find("1", i + 1)


def union(bitsets: Mapping[str, int], keys: list[str]) -> int:
    """Return the OR of the bitsets of these keys (unknown keys add nothing)."""
    out = 0
    for key in keys:
        out |= bitsets.get(key, 0)
    return out


class BitMatrix:
    """The bitsets of many values as one numpy matrix, to count all of them against a set at once.

    Counting a match set against each of 300 marker bitsets one Python int at a time was the
    largest cost of a facet-only page; one vectorised AND and popcount does it in microseconds.
    Values also carry their rank by label, so ordering by count then label stays in numpy.
    """

    def __init__(
        self, bitsets: Mapping[str, int], size: int, labels: Mapping[str, str] | None = None
    ) -> None:
        self.keys = list(bitsets)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.words = (size + 63) // 64
        rows = [bits.to_bytes(self.words * 8, "little") for bits in bitsets.values()]
        data = b"".join(rows) or b""
        self.matrix = np.frombuffer(data, dtype=np.uint64).reshape(len(rows), self.words)
        names = labels or {}

        def by_name(i: int) -> tuple[str, str]:
            key = self.keys[i]
            return (names.get(key, key).casefold(), key)

        by_label = sorted(range(len(self.keys)), key=by_name)
        self.label_rank = np.empty(len(self.keys), dtype=np.int64)
        self.label_rank[by_label] = np.arange(len(self.keys))

    def counts(self, base: int) -> np.ndarray:
        """Return, for each value, how many of its documents are in `base`."""
        if not self.keys:
            return np.zeros(0, dtype=np.int64)
        return _popcounts(self.matrix, base, self.words)

    def counts_of(self, rows: list[int], base: int) -> np.ndarray:
        """Return, for the given rows only, how many of their documents are in `base`."""
        if not rows:
            return np.zeros(0, dtype=np.int64)
        return _popcounts(self.matrix[rows], base, self.words)

    def top(self, counts: np.ndarray, limit: int, first: np.ndarray | None = None) -> list[int]:
        """Return the indexes of the values with a count: `first` ranks, then count, then label."""
        nonzero = np.flatnonzero(counts)
        keys = [self.label_rank[nonzero], -counts[nonzero]]
        if first is not None:
            keys.append(first[nonzero])
        order = np.lexsort(keys)
        return nonzero[order[:limit]].tolist()


def _popcounts(matrix: np.ndarray, base: int, words: int) -> np.ndarray:
    vector = np.frombuffer(base.to_bytes(words * 8, "little"), dtype=np.uint64)
    used = np.flatnonzero(vector)
    if len(used) * 4 < words:  # a small set: only the 64-bit words it touches
        matrix, vector = matrix[:, used], vector[used]
    # summing into 32 bits is markedly faster than into 64, and no count comes near 2**32
    return np.bitwise_count(matrix & vector).sum(axis=1, dtype=np.uint32).astype(np.int64)


_MAX_COUNT = 1 << 21  # counts, and values per facet, stay below this (2 million)


class StackedCounts:
    """Several BitMatrix stacked into one, so a single AND and popcount counts them all.

    Most of a search counts every facet over the same set (only a facet with a selection of
    its own needs another); one numpy call instead of one per facet, and one sort that orders
    every facet's values at once, make that a small part of a search.
    """

    def __init__(self, parts: Mapping[str, BitMatrix], size: int) -> None:
        self.words = (size + 63) // 64
        self.names = list(parts)
        self.slices: dict[str, slice] = {}
        at = 0
        for name, part in parts.items():
            self.slices[name] = slice(at, at + len(part.keys))
            at += len(part.keys)
        matrices = [p.matrix for p in parts.values() if len(p.keys)]
        self.matrix = (
            np.vstack(matrices) if matrices else np.zeros((0, self.words), dtype=np.uint64)
        )
        for name, part in parts.items():  # the parts read their rows of the stack: one copy
            part.matrix = self.matrix[self.slices[name]]
        self.part = np.concatenate(
            [np.full(len(p.keys), n, dtype=np.int64) for n, p in enumerate(parts.values())]
            or [np.zeros(0, dtype=np.int64)]
        )
        self.label_rank = np.concatenate(
            [p.label_rank for p in parts.values()] or [np.zeros(0, dtype=np.int64)]
        )
        self.one_key = size < _MAX_COUNT and len(self.label_rank) < _MAX_COUNT

    def counts(self, base: int) -> np.ndarray:
        """Return each value's number of documents in `base` (all parts, end to end)."""
        return _popcounts(self.matrix, base, self.words)

    def part_counts(self, counts: np.ndarray, name: str) -> np.ndarray:
        """Return one part's share of `counts`."""
        return counts[self.slices[name]]

    def tops(self, counts: np.ndarray) -> dict[str, tuple[list[int], list[int], int]]:
        """Return per part its values with a count, best first (count, then label): their
        indexes within the part and their counts, and how many values have a count."""
        nonzero = np.flatnonzero(counts)
        part, label = self.part[nonzero], self.label_rank[nonzero]
        if self.one_key:  # one sort key: part, then count (descending), then label
            key = (part << 42) | ((_MAX_COUNT - counts[nonzero]) << 21) | label
            order = nonzero[np.argsort(key)]
        else:
            order = nonzero[np.lexsort((label, -counts[nonzero], part))]
        bounds = np.searchsorted(self.part[order], np.arange(len(self.names) + 1)).tolist()
        rows, found = order.tolist(), counts[order].tolist()
        out = {}
        for n, name in enumerate(self.names):
            first, last = bounds[n], bounds[n + 1]
            start = self.slices[name].start
            out[name] = ([r - start for r in rows[first:last]], found[first:last], last - first)
        return out


def facet_counts(
    name: str,
    counts: np.ndarray,
    values: BitMatrix,
    labels: Mapping[str, str],
    selected: set[str],
) -> tuple[tuple[FacetValue, ...], int]:
    """Return a facet's values (count desc, then label) from its counts, and how many have one."""
    distinct = int(np.count_nonzero(counts))
    shown = values.top(counts, FACET_LIMITS.get(name, DEFAULT_LIMIT))
    keys = values.keys
    pairs = list(zip([keys[i] for i in shown], counts[shown].tolist(), strict=True))
    if selected:
        # selected values are always shown, with a zero count when nothing matches them
        present = {k for k, _ in pairs}
        for key in sorted(selected - present):
            i = values.index.get(key)
            pairs.append((key, int(counts[i]) if i is not None else 0))
        rank = {k: (-c, labels.get(k, k).casefold(), k) for k, c in pairs}
        pairs.sort(key=lambda kc: rank[kc[0]])
    return (
        tuple(FacetValue(labels.get(k, k), k, c, k in selected) for k, c in pairs),
        distinct,
    )


def unselected_facet(
    name: str, shown: list[int], counts: list[int], values: BitMatrix, labels: Mapping[str, str]
) -> tuple[FacetValue, ...]:
    """Return a facet's values when none is selected: `shown` and `counts` in display order."""
    keys = values.keys
    limit = FACET_LIMITS.get(name, DEFAULT_LIMIT)
    make = tuple.__new__  # what FacetValue._make does, less a call per value
    return tuple(
        make(FacetValue, (labels.get(keys[i], keys[i]), keys[i], c, False))
        for i, c in zip(shown[:limit], counts[:limit], strict=False)
    )
