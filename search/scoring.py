"""Evaluating a query over the index's postings: the match set and BM25F scores, with numpy.

Whoosh's own matchers score one document at a time through a tree of Python objects; for a
word found in most studies that is nearly all of a search's time. Here each term's postings
are read from the arrays the build keeps beside the index (search/store/postings.py; from
Whoosh's blocks for an index without them), kept in a bounded cache per generation, scored as
arrays, and AND / OR / NOT become array operations over dense per-document vectors. Ranking follows
Whoosh's BM25F (B=0.75, K1=1.2, its idf and its stored field lengths), so results rank as
Whoosh would rank them. Phrases compare sorted arrays of each word's places.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from search.store.postings import open_postings
from search.whoosh_compat import position_blocks, position_decoder, posting_blocks, segment_id

log = logging.getLogger(__name__)
V = TypeVar("V")

B, K1 = 0.75, 1.2
_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
# Decoded postings kept per generation, counted in postings (16 bytes each).
POSTINGS_CACHE = 4_000_000
# Decoded word places (for phrases) kept per generation, counted in places (8 bytes each).
PLACES_CACHE = 4_000_000
_POSITION_BITS = 32


@dataclass(frozen=True)
class Match:
    """Documents a query matches (a boolean vector) and their scores (zero elsewhere)."""

    mask: np.ndarray
    scores: np.ndarray


def mask_to_bits(mask: np.ndarray) -> int:
    """Return a boolean vector as a bitset (int): bit d set when mask[d]."""
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def bits_to_mask(bits: int, size: int) -> np.ndarray:
    """Return a bitset (int) as a boolean vector of the given size."""
    raw = np.frombuffer(bits.to_bytes((size + 7) // 8 + 1, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].astype(bool)


class _Bounded(Generic[V]):
    """A thread-safe least-recently-used map whose entries are counted by a size each."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[tuple[str, str], tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> V | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: tuple[str, str], value: V, size: int) -> V:
        """Keep a value (the newest kept, however large); return it."""
        with self._lock:
            if key not in self._items:
                self._items[key] = (value, size)
                self._total += size
            while self._total > self.limit and len(self._items) > 1:
                _, (_, old) = self._items.popitem(last=False)
                self._total -= old
        return value


class Scorer:
    """Scores queries against one searcher. Not thread-safe: callers hold the searcher lock."""

    def __init__(
        self,
        searcher: Any,
        lengths: dict[str, bytes],
        live: np.ndarray,
        postings_dir: Path | None = None,
    ) -> None:
        self.searcher = searcher
        self.leaves = list(searcher.reader().leaf_readers())
        # the build's copy of the postings as arrays; Whoosh's blocks when there is none
        segments = [segment_id(leaf) for leaf, _ in self.leaves]
        self.kept = open_postings(segments, postings_dir) if postings_dir else None
        if postings_dir and self.kept is None:
            log.warning("no postings arrays in %s: reading Whoosh's (slower)", postings_dir)
        self.size = len(live)
        self.live = live
        # BM25's length normalisation per document and field, computed once.
        self.denominators = {}
        for name, codes in lengths.items():
            doc_lengths = _LENGTH_OF_BYTE[np.frombuffer(codes, dtype=np.uint8)]
            avg = searcher.avg_field_length(name, 1.0) or 1.0
            self.denominators[name] = K1 * ((1 - B) + B * doc_lengths / avg)
        self._postings: _Bounded[tuple[np.ndarray, np.ndarray]] = _Bounded(POSTINGS_CACHE)
        self._places: _Bounded[np.ndarray] = _Bounded(PLACES_CACHE)

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the document numbers and term frequencies of a term (cached)."""
        key = (fieldname, text)
        hit = self._postings.get(key)
        if hit is not None:
            return hit
        if self.kept is not None:
            result = self._kept_postings(fieldname, text)
        else:
            result = self._whoosh_postings(fieldname, text)
        return self._postings.put(key, result, len(result[0]))

    def _kept_postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        assert self.kept is not None
        term = self.searcher.schema[fieldname].to_bytes(text)
        ids, weights = [], []
        for (_, offset), segment in zip(self.leaves, self.kept, strict=True):
            found = segment.get(fieldname, term)
            if found is not None:
                ids.append(found[0].astype(np.int64) + offset)
                weights.append(found[1].astype(np.float64))
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        if len(ids) == 1:
            return ids[0], weights[0]
        return np.concatenate(ids), np.concatenate(weights)

    def _whoosh_postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids: list[int] = []
        weights: list[float] = []
        for reader, offset in self.leaves:
            if (fieldname, text) not in reader:
                continue
            for block_ids, block_weights in posting_blocks(reader.postings(fieldname, text)):
                ids.extend(d + offset for d in block_ids) if offset else ids.extend(block_ids)
                weights.extend(block_weights)
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)

    def term_scores(self, fieldname: str, text: str, boost: float) -> tuple[np.ndarray, Any]:
        """Return the documents holding a term (each once) and their BM25F scores."""
        ids, tf = self.postings(fieldname, text)
        if not len(ids):
            return ids, 0.0
        denominators = self.denominators.get(fieldname)
        if denominators is None:  # an ID field: every match counts the same
            return ids, boost
        idf = self.searcher.idf(fieldname, text)
        return ids, idf * (K1 + 1) * boost * tf / (tf + denominators[ids])

    def term(self, fieldname: str, text: str, boost: float) -> Match:
        """Return the documents holding a term with their BM25F scores."""
        return self._terms([(fieldname, text, boost)])

    def _terms(self, terms: Sequence[tuple[str, str, float]]) -> Match:
        """Return the documents holding any of the terms, with their summed scores.

        Filled term by term into one pair of vectors, so a word searched in six fields makes
        two vectors, not six of each to add up.
        """
        mask = np.zeros(self.size, dtype=bool)
        scores = np.zeros(self.size, dtype=np.float64)
        for fieldname, text, boost in terms:
            ids, values = self.term_scores(fieldname, text, boost)
            if len(ids):
                mask[ids] = True
                scores[ids] += values  # a term lists each document once
        return Match(mask, scores)

    def evaluate(self, query: wq.Query) -> Match:
        """Return the documents a query matches, with their scores."""
        if isinstance(query, wq.Term):
            return self.term(query.fieldname, query.text, query.boost)
        if isinstance(query, wq.Or) and all(type(q) is wq.Term for q in query.subqueries):
            return self._terms([(q.fieldname, q.text, q.boost) for q in query.subqueries])
        if isinstance(query, wq.Or):
            parts = [self.evaluate(q) for q in query.subqueries]
            if not parts:
                return self._nothing()
            mask = np.logical_or.reduce([p.mask for p in parts])
            return Match(mask, np.sum([p.scores for p in parts], axis=0))
        if isinstance(query, wq.And):
            parts = [self.evaluate(q) for q in query.subqueries]
            if not parts:
                return self._nothing()
            mask = np.logical_and.reduce([p.mask for p in parts])
            return Match(mask, np.sum([p.scores for p in parts], axis=0) * mask)
        if isinstance(query, wq.AndNot):
            positive = self.evaluate(query.a)
            mask = positive.mask & ~self.evaluate(query.b).mask
            return Match(mask, positive.scores * mask)
        if isinstance(query, wq.Not):
            mask = self.live & ~self.evaluate(query.query).mask
            return Match(mask, np.zeros(self.size))
        if isinstance(query, wq.Every):
            return Match(self.live.copy(), np.zeros(self.size))
        if isinstance(query, wq.Phrase):
            return self._phrase(query)
        if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
            return self._nothing()
        # Anything else: let Whoosh match it, with a flat score.
        mask = np.zeros(self.size, dtype=bool)
        mask[list(self.searcher.docs_for_query(query))] = True
        return Match(mask, mask * float(query.boost))

    def _nothing(self) -> Match:
        return Match(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _phrase(self, query: wq.Phrase) -> Match:
        words = [self.term(query.fieldname, w, query.boost) for w in query.words]
        if not words:
            return self._nothing()
        candidates = np.logical_and.reduce([w.mask for w in words])
        mask = np.zeros(self.size, dtype=bool)
        if candidates.any():
            # distance of each word from the first: 1, 2, … unless stop words left gaps
            offsets = getattr(query, "offsets", None) or list(range(len(query.words)))
            # each word's places moved back by its offset: a phrase starts where all agree
            places = sorted(
                (
                    self.places(query.fieldname, w) - o
                    for w, o in zip(query.words, offsets, strict=True)
                ),
                key=len,
            )
            found = places[0]
            for other in places[1:]:
                if not len(found) or not len(other):
                    found = other[:0]
                    break
                at = np.searchsorted(other, found)
                at[at == len(other)] = 0
                found = found[other[at] == found]
            mask[np.unique(found >> _POSITION_BITS)] = True
            mask &= candidates
        return Match(mask, np.sum([w.scores for w in words], axis=0) * mask)

    def places(self, fieldname: str, word: str) -> np.ndarray:
        """Return a word's places in a field, sorted: docnum << 32 | position (cached).

        Decoding Whoosh's pickled position lists document by document would be most of a
        phrase search; decoded once into one array per word, a phrase is a few sorted-array lookups.
        """
        key = (fieldname, word)
        hit = self._places.get(key)
        if hit is not None:
            return hit
        decode = position_decoder(self.searcher.schema[fieldname].format)
        docs: list[int] = []
        where: list[int] = []
        for reader, offset in self.leaves:
            if (fieldname, word) not in reader:
                continue
            for pairs in position_blocks(reader.postings(fieldname, word)):
                for docnum, value in pairs:
                    found = decode(value)
                    where.extend(found)
                    docs.extend([docnum + offset] * len(found))
        result = np.array(docs, dtype=np.int64) << _POSITION_BITS | np.array(where, dtype=np.int64)
        return self._places.put(key, result, len(result))
