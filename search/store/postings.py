"""`postings/`: each Whoosh segment's postings kept again as arrays, a term's documents and
weights, so a search reads them without unpickling Whoosh's blocks.

Four files a segment, all little-endian: `<segment>.ids` (int32 document numbers within the
segment), `<segment>.weights` (float32, Whoosh's weight of each posting), `<segment>.starts`
(int64, where each term's postings begin, one more than there are terms) and
`<segment>.terms` (a JSON list of the terms in the order of their postings, each
`field NUL term`, the term's bytes read as UTF-8 with surrogate escapes). The terms file is
written last: a segment without one is incomplete. Whoosh's own postings stay the source
for positions and for anything else.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is loaded by readers only: a build does without it
    import numpy as np

IDS, WEIGHTS, STARTS, TERMS = ".ids", ".weights", ".starts", ".terms"


def term_key(fieldname: str, term: bytes) -> str:
    """Return how a segment's term list names a term of a field."""
    return f"{fieldname}\x00{term.decode('utf-8', 'surrogateescape')}"


class PostingsWriter:
    """Collects one segment's postings in the order Whoosh writes them (term by term)."""

    def __init__(self) -> None:
        self.ids, self.weights = array("i"), array("f")
        self.starts = array("q")
        self.terms: list[str] = []

    def passing(self, postings: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Yield the postings (tuples that begin field, term bytes, docnum, weight, as Whoosh's
        pool gives them) while keeping each one; call write() once they are all through."""
        ids, weights, starts, terms = self.ids, self.weights, self.starts, self.terms
        add_id, add_weight = ids.append, weights.append
        last = None
        for item in postings:
            key = (item[0], item[1])
            if key != last:
                last = key
                terms.append(term_key(item[0], item[1]))
                starts.append(len(ids))
            add_id(item[2])
            add_weight(item[3])
            yield item

    def write(self, directory: Path, segment: str) -> None:
        """Write the segment's files; the terms last, when the rest is whole."""
        starts = array("q", self.starts)
        starts.append(len(self.ids))
        for suffix, values in ((IDS, self.ids), (WEIGHTS, self.weights), (STARTS, starts)):
            if sys.byteorder != "little":
                values = array(values.typecode, values)
                values.byteswap()
            (directory / f"{segment}{suffix}").write_bytes(values.tobytes())
        text = json.dumps(self.terms, separators=(",", ":"))
        (directory / f"{segment}{TERMS}").write_text(text, encoding="ascii")


def has_segment(directory: Path, segment: str) -> bool:
    """Return whether a segment's kept postings are complete in `directory`."""
    return (directory / f"{segment}{TERMS}").is_file()


class _Terms:
    """A segment's terms as (field, term bytes) pairs: `in` and iteration, as a set of them."""

    def __init__(self, index: dict[str, int]) -> None:
        self._index = index

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return term_key(*key) in self._index

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        for key in self._index:
            fieldname, _, text = key.partition("\x00")
            yield fieldname, text.encode("utf-8", "surrogateescape")

    def __len__(self) -> int:
        return len(self._index)


class SegmentPostings:
    """One segment's kept postings, mapped from disk (pages are read as terms are used)."""

    def __init__(self, directory: Path, segment: str) -> None:
        terms = json.loads((directory / f"{segment}{TERMS}").read_text(encoding="ascii"))
        if not isinstance(terms, list):
            raise ValueError(f"kept postings of segment {segment} are not a term list")
        self.index = {key: n for n, key in enumerate(terms)}
        self.terms = _Terms(self.index)  # (field, term bytes) pairs
        starts = array("q")
        starts.frombytes((directory / f"{segment}{STARTS}").read_bytes())
        if sys.byteorder != "little":
            starts.byteswap()
        self.starts = starts.tolist()
        self.ids = _mapped(directory / f"{segment}{IDS}", "<i4")
        self.weights = _mapped(directory / f"{segment}{WEIGHTS}", "<f4")
        agree = len(self.starts) == len(terms) + 1 and self.starts[-1] == len(self.ids)
        if not agree or len(self.ids) != len(self.weights):
            raise ValueError(f"kept postings of segment {segment} do not agree")

    def get(self, fieldname: str, term: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Return a term's documents (within the segment) and weights, or None."""
        n = self.index.get(term_key(fieldname, term))
        if n is None:
            return None
        first, last = self.starts[n], self.starts[n + 1]
        return self.ids[first:last], self.weights[first:last]


def _mapped(path: Path, dtype: str) -> np.ndarray:
    import numpy as np

    if path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")


def open_postings(segments: Iterable[str], directory: Path) -> list[SegmentPostings] | None:
    """Return each segment's kept postings, or None when any has none (read Whoosh's)."""
    out = []
    for segment in segments:
        try:
            out.append(SegmentPostings(directory, segment))
        except (OSError, ValueError, UnicodeDecodeError):
            return None
    return out
