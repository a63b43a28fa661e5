"""Collecting a page of hits: which documents are on it in the asked order, and each one as
a `Hit` with its snippet; also the related studies of a study and the retracted ones."""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from search import query as query_language
from search.facets import members
from search.highlight import Highlighter
from search.reader import GenerationReader
from search.results import Hit
from search.scoring import bits_to_mask

RELATED_LIMIT = 5
PLAIN_SNIPPETS = 20_000


class HitCollector:
    """Makes the hits of one generation; keeps what browsing shows again and again."""

    def __init__(self, reader: GenerationReader) -> None:
        self.reader = reader
        self.tables = reader.tables
        self._plain_snippets: dict[int, str] = {}
        self._hit_fields: dict[int, tuple[Any, ...]] = {}  # a Hit's fields up to `score`

    def page_docnums(
        self, bits: int, total: int, sort: str, scores: np.ndarray | None, start: int, stop: int
    ) -> list[int]:
        """Return the docnums at positions start..stop of the match set in the given order."""
        if stop <= start or start >= total:
            return []
        if sort == "relevance" and scores is not None:
            candidates = np.flatnonzero(bits_to_mask(bits, self.tables.doc_count))
            negated = -scores[candidates]
            if stop * 4 < len(candidates):
                # only what scores at least as well as the stop-th best (ties included) can
                # be on the page: sort that, not the whole match set
                kept = negated <= np.partition(negated, stop - 1)[stop - 1]
                candidates, negated = candidates[kept], negated[kept]
            # best score first, newest first among equal scores
            order = np.lexsort((self.reader.newest_rank[candidates], negated))
            page: list[int] = candidates[order[start:stop]].tolist()
            return page
        rank = self.reader.ranks["newest" if sort == "relevance" else sort]
        walk = self.tables.orders["newest" if sort == "relevance" else sort]
        if total * 8 >= self.tables.doc_count:
            # dense: walk the precomputed order, testing membership in a byte array
            flags = bits.to_bytes((self.tables.doc_count + 8) // 8, "little")
            out = []
            seen = 0
            for docnum in walk:
                if flags[docnum >> 3] >> (docnum & 7) & 1:
                    if seen >= start:
                        out.append(docnum)
                        if len(out) == stop - start:
                            break
                    seen += 1
            return out
        return heapq.nsmallest(stop, members(bits), key=rank.__getitem__)[start:stop]

    def highlighter(self, parsed: query_language.Parsed | None) -> Highlighter:
        """Return the highlighter of a query's words and markers (none without a query)."""
        markers = self.reader.markers
        if parsed is None:
            return Highlighter(set(), set(), set(), markers)
        return Highlighter(parsed.prose_terms, parsed.name_terms, set(parsed.marker_keys), markers)

    def hits(
        self, docnums: list[int], scores: np.ndarray | None, parsed: query_language.Parsed | None
    ) -> tuple[Hit, ...]:
        """Return the hits of documents, their snippets highlighted for the query."""
        highlighter = self.highlighter(parsed)
        return tuple(self.hit(d, scores, highlighter) for d in docnums)

    def hit(self, docnum: int, scores: np.ndarray | None, highlighter: Highlighter) -> Hit:
        """Return one document as a hit."""
        html = self._plain_snippets.get(docnum) if highlighter.is_empty else None
        if html is None:
            texts, mentions = self.reader.snippet_texts(docnum)
            html = highlighter.snippet(texts, mentions=mentions)
            # Browsing shows the same opening lines every time: keep them (bounded).
            if highlighter.is_empty and len(self._plain_snippets) < PLAIN_SNIPPETS:
                self._plain_snippets[docnum] = html
        score = None
        if scores is not None:
            score = round(float(scores[docnum]), 4)
        fields = self._hit_fields.get(docnum)
        row = self.tables.rows[docnum]
        assert row is not None
        if fields is None:
            fields = self._hit_fields[docnum] = (
                row["slug"],
                row["title"],
                tuple(row["authors"]),
                row["year"],
                row["journal"],
                row["doi"],
                row["pmid"],
                row["pem"],
                tuple(row["criteria"]),
                row["design"],
                tuple(row["markers"]),
            )
        return Hit._make((*fields, score, html, row["retracted"]))

    def related(self, slug: str, limit: int = RELATED_LIMIT) -> list[Hit]:
        """Return the studies sharing most markers and topics with one study."""
        docnum = self.reader.docnum_by_slug.get(slug)
        if docnum is None:
            return []
        row = self.tables.rows[docnum]
        assert row is not None
        scores: dict[int, float] = {}
        for key in row["marker_keys"]:
            for other in members(self.tables.facets["marker"].get(key, 0)):
                scores[other] = scores.get(other, 0) + 3
        for key in row["topic_keys"]:
            for other in members(self.tables.facets["topic"].get(key, 0)):
                scores[other] = scores.get(other, 0) + 1
        scores.pop(docnum, None)
        newest = self.reader.ranks["newest"]
        best = heapq.nsmallest(limit, scores, key=lambda d: (-scores[d], newest[d]))
        return list(self.hits(best, None, None))

    def retracted(self) -> list[Hit]:
        """Return every retracted study, newest first."""
        newest = self.reader.ranks["newest"]
        docnums = [d for d, row in enumerate(self.tables.rows) if row and row["retracted"]]
        docnums.sort(key=lambda d: newest[d])
        return list(self.hits(docnums, None, None))
