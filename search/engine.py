"""Opening index generations and answering searches: the API the CLI and the web call.

One `Atlas` per index directory and process. It serves the generation named by the index's
CURRENT file and notices within a second when a build switches it, loading the new one while
the old keeps answering. One Whoosh searcher per generation is shared by all threads (its
file reads are guarded by a lock; the interpreter serialises the work anyway).

A `Generation` joins the parts that answer from one generation: `GenerationReader`
(search/reader.py: its files, opened), `Matcher` (search/matcher.py: the text), the filters
(search/filters.py), `FacetCounter` (search/facets.py) and `HitCollector`
(search/collector.py: the page of hits).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from search.collector import RELATED_LIMIT, HitCollector
from search.facets import FacetCounter
from search.filters import constraints
from search.matcher import Matcher
from search.params import SearchParams
from search.reader import GenerationReader, IndexUnavailable
from search.results import Hit, SearchResult
from search.store.current import read_current
from search.store.meta import META_FILE

log = logging.getLogger(__name__)

CACHE_SIZE = 1024


def _sort(params: SearchParams, scores: np.ndarray | None) -> str:
    """Return the order a search's results come in: by relevance only when there are scores."""
    sort = params.effective_sort
    return "newest" if sort == "relevance" and scores is None else sort


class Generation:
    """One built index generation answering searches: its reader (the files, opened), its
    matcher (the text), its filters, its facet counter and its hit collector, joined."""

    def __init__(self, path: Path) -> None:
        self.reader = reader = GenerationReader(path)
        self.matcher = Matcher(reader)
        self.facet_counter = FacetCounter(reader.tables, reader.markers.display)
        self.collector = HitCollector(reader)
        # the reader's parts, under the names callers (the CLI, web/, tests) read
        self.path, self.name, self.meta = reader.path, reader.name, reader.meta
        self.tables, self.markers, self.years = reader.tables, reader.markers, reader.years
        self.searcher, self.lock, self.scorer = reader.searcher, reader.lock, reader.scorer
        self.live = reader.live

    def records(self, params: SearchParams, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Return the full records of a search's whole result set (at most `limit`), and its total.

        No facets, snippets or caching: this is what exports need.
        """
        answer = self.matcher.answer(params)
        matched = constraints(params, self.tables, self.markers, self.years).apply(answer.matched)
        total = matched.bit_count()
        sort = _sort(params, answer.scores)
        docnums = self.collector.page_docnums(matched, total, sort, answer.scores, 0, limit)
        return [self.reader.record(d) for d in docnums], total

    def search(self, params: SearchParams) -> SearchResult:
        """Return one page of results with facets, evidence table and suggestion."""
        answer = self.matcher.answer(params)
        parsed, scores = answer.parsed, answer.scores
        notices = list(params.notices)
        if parsed is not None and parsed.notice:
            notices.append(parsed.notice)
        notices.extend(answer.notices)
        kept = constraints(params, self.tables, self.markers, self.years)
        filtered = kept.apply(answer.matched)
        total = filtered.bit_count()
        facets, distinct, counts = self.facet_counter.facets(
            answer.matched, filtered, kept.bits, kept.selected
        )
        sort = _sort(params, scores)
        start = (params.page - 1) * params.per_page
        page = self.collector.page_docnums(
            filtered, total, sort, scores, start, start + params.per_page
        )
        marker_keys = parsed.marker_keys if parsed else []
        resolved_params = params.with_filters(kept.resolved)
        searched = dict.fromkeys(
            [self.markers.display.get(k, k) for k in marker_keys]
            + list(resolved_params.values("marker"))
        )
        return SearchResult(
            params=resolved_params,
            total=total,
            hits=self.collector.hits(page, scores, parsed),
            facets=facets,
            facet_value_counts=distinct,
            evidence=self.facet_counter.evidence(filtered, counts, marker_keys),
            suggestion=answer.corrected or self.matcher.suggestion(params.q, parsed),
            corrected=answer.corrected,
            read_as=parsed.read_as if parsed else "",
            notices=tuple(notices),
            generation=self.name,
            sort=sort,
            searched_markers=tuple(searched),
        )

    # -- studies -------------------------------------------------------------------------

    def record_by_slug(self, slug: str) -> dict[str, Any] | None:
        """Return the full record of a study, or None when the generation has no such slug."""
        return self.reader.record_by_slug(slug)

    def related(self, slug: str, limit: int = RELATED_LIMIT) -> list[Hit]:
        """Return the studies sharing most markers and topics with one study."""
        return self.collector.related(slug, limit)

    def retracted(self) -> list[Hit]:
        """Return every retracted study, newest first."""
        return self.collector.retracted()


class Atlas:
    """The index at one directory, as served: follows builds, caches repeated searches."""

    def __init__(
        self, index_dir: Path | str, cache_size: int = CACHE_SIZE, check_interval: float = 0.5
    ) -> None:
        self.index_dir = Path(index_dir)
        self.check_interval = check_interval
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[Any, ...], SearchResult] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._generation: Generation | None = None
        self._checked = 0.0
        self._watcher: threading.Thread | None = None
        self.current()

    def _pointer(self) -> str | None:
        return read_current(self.index_dir)

    def current(self) -> Generation:
        """Return the generation to answer from, switching when a build has made a new one."""
        generation = self._generation
        now = time.monotonic()
        if generation is not None and now - self._checked < self.check_interval:
            return generation
        self._checked = now
        name = self._pointer()
        if generation is not None and (name is None or name == generation.name):
            return generation
        if generation is not None:
            # a new generation is loading in another thread: keep answering from this one
            if not self._load_lock.acquire(blocking=False):
                return generation
            self._load_lock.release()
        with self._load_lock:
            return self._switch(name)

    def _switch(self, name: str | None) -> Generation:
        """Return the generation `name` opened and served from now on (under the load lock);
        the one served so far when it cannot be opened, if there is one."""
        generation = self._generation
        if generation is not None and generation.name == name:
            return generation
        if name is None:
            raise IndexUnavailable(
                f"no index at {self.index_dir}; build one with `atlas index build`"
            )
        try:
            fresh = Generation(self.index_dir / name)
        except IndexUnavailable:
            if generation is not None:
                return generation
            raise
        except Exception as exc:  # a half-deleted or foreign folder must not stop serving
            if generation is not None:
                log.warning("cannot open index generation %s: %s", name, exc)
                return generation
            raise IndexUnavailable(f"cannot open the index at {self.index_dir}: {exc}") from exc
        self._generation = fresh
        return fresh

    def start_watching(self) -> None:
        """Load new generations in a background thread, so no request waits for a load."""
        if self._watcher is not None:
            return

        def watch() -> None:
            while True:
                time.sleep(self.check_interval)
                try:
                    self.current()
                except Exception as exc:
                    log.warning("index watch: %s", exc)

        self._watcher = threading.Thread(target=watch, name="atlas-index-watch", daemon=True)
        self._watcher.start()

    def search(self, params: SearchParams) -> SearchResult:
        """Return the results of a search (from the cache when the same search was answered)."""
        generation = self.current()
        key = (generation.name, params, params.notices)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        result = generation.search(params)
        with self._cache_lock:
            self._cache[key] = result
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return result

    def study(self, slug: str) -> dict[str, Any] | None:
        """Return the full record of a study, or None when the index has no such slug."""
        return self.current().record_by_slug(slug)

    def records(self, params: SearchParams, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Return the full records of a search's result set (at most `limit`), and its total."""
        return self.current().records(params, limit)

    def marker_key(self, name: str) -> str:
        """Return the key of a marker name: equal keys mean the same marker."""
        return self.current().markers.key_of(name)

    @property
    def generation(self) -> str:
        """Return the name of the generation being served."""
        return self.current().name

    def related(self, slug: str, limit: int = RELATED_LIMIT) -> list[Hit]:
        """Return the studies most like one study."""
        return self.current().related(slug, limit)

    def retracted(self) -> list[Hit]:
        """Return every retracted study of the served generation, newest first."""
        return self.current().retracted()

    def built_at(self) -> str | None:
        """Return when the served generation was built (ISO 8601 UTC), if its metadata says."""
        built: str | None = self.current().meta.get("built_at")
        return built

    def health(self) -> dict[str, Any]:
        """Return what is served and whether it is still on disk, without any server path.

        Record sources and the warnings (which name files) stay in the build's metadata for
        the CLI; the public answer counts them.
        """
        generation = self.current()
        meta = generation.meta
        on_disk = (generation.path / META_FILE).is_file()
        build = {k: meta.get(k) for k in ("records", "content_hash", "mode", "seconds", "skipped")}
        build["sources"] = len(meta.get("sources") or ())
        build["warnings"] = len(meta.get("warnings") or ())
        return {
            "status": "ok" if on_disk else "missing",
            "generation": generation.name,
            "documents": generation.tables.all_docs.bit_count(),
            "built_at": meta.get("built_at"),
            "on_disk": on_disk,
            "latest": self._pointer(),
            "build": build,
        }


def open_atlas(index_dir: Path | str, **kwargs: Any) -> Atlas:
    """Return an Atlas over an index directory; raises IndexUnavailable when there is none."""
    return Atlas(index_dir, **kwargs)


__all__ = ["Atlas", "Generation", "IndexUnavailable", "open_atlas"]
