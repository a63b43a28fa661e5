"""Opening one index generation: its metadata, serving tables, Whoosh searcher, records and
snippet lines, ready for searches to read."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from search.markers import MarkerDictionary
from search.scoring import Scorer, bits_to_mask
from search.store import INDEX_FORMAT, POSTINGS_DIR, WHOOSH_DIR
from search.store.meta import read_meta
from search.store.records import RecordsReader
from search.store.snippets import SnippetsReader
from search.store.tables import IndexTables, read_tables
from search.whoosh_compat import WhooshIncompatible
from search.whoosh_compat import check as check_whoosh


class IndexUnavailable(Exception):
    """There is no usable index at the configured place."""


@lru_cache(maxsize=1)
def _table_markers() -> MarkerDictionary:
    return MarkerDictionary.from_table()


def _close_quietly(searcher: Any, ix: Any, *fds: int) -> None:
    for action in (searcher.close, ix.close, *(partial(os.close, fd) for fd in fds)):
        with contextlib.suppress(Exception):  # closing during shutdown must never raise
            action()


class GenerationReader:
    """One built index generation, opened: what every search of it reads.

    One Whoosh searcher is shared by all threads; its file reads are guarded by `lock`.
    """

    def __init__(self, path: Path) -> None:
        try:
            check_whoosh()
        except WhooshIncompatible as exc:
            raise IndexUnavailable(str(exc)) from None
        self.path = path
        self.name = path.name
        self.meta: dict[str, Any] = read_meta(path)
        if self.meta.get("format") != INDEX_FORMAT:
            raise IndexUnavailable(
                f"the index at {path.parent} was built by another version of the atlas "
                f"(format {self.meta.get('format')}, this version reads {INDEX_FORMAT}); "
                "rebuild it with `atlas index build`"
            )
        self.tables: IndexTables = read_tables(path)
        self.ix = whoosh_index.open_dir(str(path / WHOOSH_DIR))
        self.searcher = self.ix.searcher()
        self.lock = threading.Lock()
        self.markers = _table_markers().merged(self.tables.marker_forms, self.tables.marker_labels)
        self.years = sorted(int(y) for y in self.tables.facets["year"])
        self.docnum_by_slug = {s: d for d, s in enumerate(self.tables.slugs) if s is not None}
        self.ranks: dict[str, list[int]] = {}
        for name, order in self.tables.orders.items():
            rank = [len(order)] * self.tables.doc_count
            for position, docnum in enumerate(order):
                rank[docnum] = position
            self.ranks[name] = rank
        self.records_file = RecordsReader(path)
        try:
            self.snippets = SnippetsReader(path, self.tables.doc_count)
        except ValueError:
            os.close(self.records_file.fd)
            raise IndexUnavailable(f"the index generation {path.name} is incomplete") from None
        self.live = bits_to_mask(self.tables.all_docs, self.tables.doc_count)
        self.newest_rank = np.array(self.ranks["newest"], dtype=np.int64)
        self.scorer = Scorer(
            self.searcher, self.tables.field_lengths, self.live, path / POSTINGS_DIR
        )
        weakref.finalize(
            self, _close_quietly, self.searcher, self.ix, self.records_file.fd, self.snippets.fd
        )

    def record(self, docnum: int) -> dict[str, Any]:
        """Return the full record of a document (read from beside the index)."""
        offset, length = self.tables.offsets[docnum]
        return self.records_file.read(offset, length)

    def snippet_texts(self, docnum: int) -> tuple[list[str], str]:
        """Return the texts a snippet is cut from, and the marker mentions in them as JSON
        ([text number, start, end, key] each)."""
        return self.snippets.texts(docnum)

    def record_by_slug(self, slug: str) -> dict[str, Any] | None:
        """Return the full record of a study, or None when the generation has no such slug."""
        docnum = self.docnum_by_slug.get(slug)
        return None if docnum is None else self.record(docnum)
