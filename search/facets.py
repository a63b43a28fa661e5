"""Facet counting over bitsets (Python ints: bit d set when document d has the value).

Counts cover the whole match set. Each facet's counts leave out that facet's own selection
(Solr's tag/exclude), so ticking a second value shows how many studies it would add.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from search.results import Evidence, FacetValue
from search.schema import FACETS
from search.store.tables import IndexTables
from search.vocabularies import DIRECTIONS

# Long facets are cut to this many values (selected values are always kept).
FACET_LIMITS = {"marker": 30, "topic": 30, "intervention": 30, "year": 200}
DEFAULT_LIMIT = 50
EVIDENCE_LIMIT = 20  # markers in the evidence table
EVIDENCE = "(evidence)"  # the evidence table's part of the stacked counts (not a facet name)


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

    Counting a match set against each of 300 marker bitsets one Python int at a time would be
    the largest cost of a facet-only page; one vectorised AND and popcount does it in microseconds.
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
        top: list[int] = nonzero[order[:limit]].tolist()
        return top


def _popcounts(matrix: np.ndarray, base: int, words: int) -> np.ndarray:
    vector = np.frombuffer(base.to_bytes(words * 8, "little"), dtype=np.uint64)
    used = np.flatnonzero(vector)
    if len(used) * 4 < words:  # a small set: only the 64-bit words it touches
        matrix, vector = matrix[:, used], vector[used]
    # summing into 32 bits is markedly faster than into 64, and no count comes near 2**32
    counts: np.ndarray = np.bitwise_count(matrix & vector).sum(axis=1, dtype=np.uint32)
    return counts.astype(np.int64)


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


class FacetCounter:
    """One generation's facets and evidence table as bit matrices, counted against match sets."""

    def __init__(self, tables: IndexTables, marker_names: Mapping[str, str]) -> None:
        self.tables = tables
        self.marker_names = marker_names
        size = tables.doc_count
        evidence_any = {}
        for key, directions in tables.evidence.items():
            union_bits = 0
            for direction_bits in directions.values():
                union_bits |= direction_bits
            evidence_any[key] = union_bits
        self.facet_matrices = {
            name: BitMatrix(tables.facets[name], size, tables.facet_labels[name]) for name in FACETS
        }
        self.evidence_matrix = BitMatrix(evidence_any, size, marker_names)
        self.direction_matrix = BitMatrix(
            {f"{k}\t{d}": b for k, by in tables.evidence.items() for d, b in by.items()}, size
        )
        self.stacked = StackedCounts(
            {**self.facet_matrices, EVIDENCE: self.evidence_matrix}, tables.doc_count
        )

    def facets(
        self,
        matched: int,
        filtered: int,
        constraint: Mapping[str, int],
        selected: Mapping[str, set[str]],
    ) -> tuple[dict[str, tuple[FacetValue, ...]], dict[str, int], np.ndarray]:
        """Return every facet's values, how many values each has with a count, and the stacked
        counts of `filtered` (the evidence table's share among them).

        A facet with a selection of its own is counted over `matched` with the other filters
        only, so its values show how many studies each would add.
        """
        labels = self.tables.facet_labels
        facets: dict[str, tuple[FacetValue, ...]] = {}
        distinct: dict[str, int] = {}
        # every facet without a selection of its own, and the evidence table, count `filtered`
        counts = self.stacked.counts(filtered)
        tops = self.stacked.tops(counts)
        for name in FACETS:
            if name not in constraint:
                shown, found, distinct[name] = tops[name]
                facets[name] = unselected_facet(
                    name, shown, found, self.facet_matrices[name], labels[name]
                )
                continue
            base = matched
            for other, bits in constraint.items():
                if other != name:
                    base &= bits
            facets[name], distinct[name] = facet_counts(
                name,
                self.facet_matrices[name].counts(base),
                self.facet_matrices[name],
                labels[name],
                selected.get(name, set()),
            )
        return facets, distinct, counts

    def evidence(
        self, bits: int, stacked_counts: np.ndarray, queried: Sequence[str]
    ) -> tuple[Evidence, ...]:
        """Return per marker how many studies in the match set found each direction.

        `stacked_counts` are the counts `facets()` returned for the same set.
        """
        counts = self.stacked.part_counts(stacked_counts, EVIDENCE)
        matrix = self.evidence_matrix
        first = None
        if queried:
            # queried markers first, then the most reported; directions only for those shown
            first = np.full(len(matrix.keys), len(queried), dtype=np.int64)
            for position, key in enumerate(queried):
                if key in matrix.index:
                    first[matrix.index[key]] = position
        keys = [matrix.keys[i] for i in matrix.top(counts, EVIDENCE_LIMIT, first)]
        # every direction of every marker shown, counted at once (DIRECTIONS is in the order
        # of Evidence's fields)
        directions = self.direction_matrix
        where = [directions.index.get(f"{k}\t{d}", -1) for k in keys for d in DIRECTIONS]
        found = directions.counts_of([w for w in where if w >= 0], bits).tolist()
        values = iter(found)
        numbers = [next(values) if w >= 0 else 0 for w in where]
        display = self.marker_names
        return tuple(
            Evidence(display.get(k, k), *numbers[n * len(DIRECTIONS) : (n + 1) * len(DIRECTIONS)])
            for n, k in enumerate(keys)
        )
