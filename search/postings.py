"""Postings kept beside the Whoosh index as arrays: a term's documents and weights, per segment.

The build keeps every posting it hands Whoosh (`indexer.build._kept`), three files a segment:
`<segment>.ids` (int32 document numbers within the segment), `<segment>.weights` (float32,
Whoosh's weight of the posting) and `<segment>.terms` (a pickled dict: (field, term bytes) ->
(first, count)). Whoosh's own postings stay the source for positions and for anything else.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from search.schema import POSTINGS_IDS, POSTINGS_TERMS, POSTINGS_WEIGHTS


def _segment_id(reader: Any) -> str:
    return reader.segment().segment_id()


class SegmentPostings:
    """One segment's kept postings, mapped from disk (pages are read as terms are used)."""

    def __init__(self, directory: Path, segment: str) -> None:
        with (directory / f"{segment}{POSTINGS_TERMS}").open("rb") as handle:
            self.terms: dict[tuple[str, bytes], tuple[int, int]] = pickle.load(handle)
        self.ids = _mapped(directory / f"{segment}{POSTINGS_IDS}", "<i4")
        self.weights = _mapped(directory / f"{segment}{POSTINGS_WEIGHTS}", "<f4")
        if len(self.ids) != len(self.weights):
            raise ValueError(f"kept postings of segment {segment} do not agree")

    def get(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Return a term's documents (within the segment) and weights, or None."""
        where = self.terms.get((fieldname, term))
        if where is None:
            return None
        first, count = where
        return self.ids[first : first + count], self.weights[first : first + count]


def _mapped(path: Path, dtype: str) -> np.ndarray:
    if path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")


def open_postings(leaves: Iterable[tuple[Any, int]], directory: Path) -> list[Any] | None:
    """Return each leaf's kept postings, or None when any segment has none (read Whoosh's)."""
    out = []
    for leaf, _ in leaves:
        try:
            out.append(SegmentPostings(directory, _segment_id(leaf)))
        except (OSError, ValueError, pickle.UnpicklingError, EOFError):
            return None
    return out
