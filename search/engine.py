"""Opening index generations and answering searches: the API the CLI and the web call.

One `Atlas` per index directory and process. It serves the generation named by the index's
CURRENT file and notices within a second when a build switches it, loading the new one while
the old keeps answering. One Whoosh searcher per generation is shared by all threads (its
file reads are guarded by a lock; the interpreter serialises the work anyway).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from search import query as query_language
from search.collector import RELATED_LIMIT, HitCollector
from search.concepts import read_concepts
from search.facets import FacetCounter, union
from search.markers import read_synonyms
from search.params import SearchParams
from search.reader import GenerationReader, IndexUnavailable
from search.results import Hit, SearchResult
from search.scoring import Scorer, mask_to_bits
from search.store.current import read_current
from search.store.meta import META_FILE
from search.suggest import Speller
from search.vocabularies import criterion_key, tag_key

log = logging.getLogger(__name__)

CACHE_SIZE = 1024
MOST_WORDS = "No study has every word; showing studies with most of them."
ALL_WORDS_FIRST = "Studies with every word come first, then studies with most of them."


@lru_cache(maxsize=1)
def _table_words() -> frozenset[str]:
    """Return the folded words of the marker table's names and of the thesaurus."""
    texts = [n for g in read_synonyms() for n in (g.canonical, *g.synonyms)]
    texts += [t for c in read_concepts() for t in (*c.names, *c.expansions)]
    return frozenset(w for t in texts for w in query_language.fold_name(t).split() if w.isalpha())


class IndexLexicon(query_language.Lexicon):
    """A generation's terms, looked up as queries need them (nothing is loaded up front).

    Reads the term tables of the postings kept beside the index (in memory already), or
    Whoosh's term index when there are none.
    """

    is_empty = False
    CACHE = 100_000

    def __init__(self, scorer: Scorer, lock: threading.Lock) -> None:
        self.scorer = scorer
        self.lock = lock
        self._known: dict[tuple[str, str], bool] = {}

    def _has(self, fields: Sequence[str], text: str) -> bool:
        key = (fields[0], text)
        known = self._known.get(key)
        if known is not None:
            return known
        data = text.encode("utf-8")
        kept = self.scorer.kept
        if kept is not None:
            known = any((f, data) in segment.terms for segment in kept for f in fields)
        else:
            with self.lock:
                known = any((f, text) in leaf for leaf, _ in self.scorer.leaves for f in fields)
        if len(self._known) >= self.CACHE:
            self._known.clear()
        self._known[key] = known
        return known

    def has_prose(self, term: str) -> bool:
        return self._has(query_language.PROSE_FIELDS, term)

    def has_author(self, word: str) -> bool:
        return self._has(("authors",), word)

    def author_words(self) -> set[str]:
        """Return every word of the index's author names."""
        kept = self.scorer.kept
        if kept is not None:
            return {
                t.decode("utf-8") for segment in kept for f, t in segment.terms if f == "authors"
            }
        with self.lock:
            return {t for leaf, _ in self.scorer.leaves for t in leaf.field_terms("authors")}


class Generation:
    """One built index generation answering searches: its reader (the files, opened), its
    facet counter and its hit collector, and the searching that joins them."""

    def __init__(self, path: Path) -> None:
        self.reader = reader = GenerationReader(path)
        self.facet_counter = FacetCounter(reader.tables, reader.markers.display)
        self.collector = HitCollector(reader)
        # what searching reads, under the names it has always had
        self.path, self.name, self.meta = reader.path, reader.name, reader.meta
        self.tables, self.markers, self.years = reader.tables, reader.markers, reader.years
        self.searcher, self.lock, self.scorer = reader.searcher, reader.lock, reader.scorer
        self.live = reader.live
        self._speller: Speller | None = None
        self._speller_lock = threading.Lock()
        self._lexicon = IndexLexicon(self.scorer, self.lock)

    # -- filters -------------------------------------------------------------------------

    def filter_key(self, facet: str, value: str) -> str:
        """Return the facet key a filter value selects (any synonym of a marker works)."""
        if facet == "marker":
            return self.markers.key_of(value)
        if facet == "criteria":
            return criterion_key(value)
        if facet in ("topic", "intervention"):
            return tag_key(value)
        return value

    def lexicon(self) -> query_language.Lexicon:
        """Return what the index knows for reading queries: prose terms and author words."""
        return self._lexicon

    def speller(self) -> Speller:
        with self._speller_lock:
            if self._speller is None:
                vocabulary = dict(self.tables.vocabulary)
                # authors' names (`Natelsen` -> Natelson), and the words of marker names and
                # of the thesaurus (`interlukin` -> interleukin), counted once each
                extra = set(self._lexicon.author_words()) | _table_words()
                for word in extra:
                    if word.isalpha() and len(word) >= 4:
                        vocabulary.setdefault(word, 1)
                self._speller = Speller(vocabulary)
            return self._speller

    # -- searching -----------------------------------------------------------------------

    def match(self, parsed: query_language.Parsed | None) -> tuple[int, np.ndarray | None]:
        """Return the bitset of documents the text matches, and the score vector."""
        if parsed is None or parsed.query is None:
            return self.tables.all_docs, None
        with self.lock:
            found = self.scorer.evaluate(parsed.query)
        return mask_to_bits(found.mask & self.live), found.scores

    def _constraints(
        self, params: SearchParams
    ) -> tuple[dict[str, int], dict[str, set[str]], dict[str, list[str]]]:
        """Return per filter its bitset, the selected keys, and the values in canonical spelling."""
        t = self.tables
        selected: dict[str, set[str]] = {}
        constraint: dict[str, int] = {}
        resolved: dict[str, list[str]] = {}
        for name, values in params.filters:
            keys = [self.filter_key(name, v) for v in values]
            selected[name] = set(keys)
            constraint[name] = union(t.facets[name], keys)
            labels = t.facet_labels[name]
            resolved[name] = [labels.get(k, v) for k, v in zip(keys, values, strict=True)]
        if params.year_from is not None or params.year_to is not None:
            lo = params.year_from if params.year_from is not None else 0
            hi = params.year_to if params.year_to is not None else 9999
            in_range = union(t.facets["year"], [str(y) for y in self.years if lo <= y <= hi])
            constraint["year"] = constraint.get("year", t.all_docs) & in_range
        return constraint, selected, resolved

    def _parse(self, params: SearchParams) -> query_language.Parsed | None:
        return self.parse_text(params.q) if params.q else None

    def parse_text(self, text: str) -> query_language.Parsed:
        """Return a query text read against this generation (its markers, years, lexicon)."""
        return query_language.build(text, self.markers, self.years, self.lexicon())

    def answer(
        self, params: SearchParams
    ) -> tuple[query_language.Parsed | None, int, np.ndarray | None, str | None, list[str]]:
        """Return how the text was read, its match set and scores, the corrected query (or
        None) and notices: the typed words first; a corrected spelling when they find nothing;
        the studies matching most of the words when no study has them all."""
        parsed = self._parse(params)
        matched, scores = self.match(parsed)
        if parsed is None or parsed.query is None:
            return parsed, matched, scores, None, []
        if matched:
            if parsed.is_question and self._relaxable(parsed):
                # a question is answered by the studies with most of its words, all first
                most, most_scores = self.match_most(parsed.clauses)
                if most != matched:
                    return parsed, most, most_scores, None, [ALL_WORDS_FIRST]
            return parsed, matched, scores, None, []
        corrected = None
        if not params.as_typed:
            suggestion = self._suggestion(params.q, parsed)
            if suggestion is not None:
                fixed = self.parse_text(suggestion)
                fixed_matched, fixed_scores = self.match(fixed)
                if fixed_matched:
                    return fixed, fixed_matched, fixed_scores, suggestion, []
                if fixed.clauses:
                    parsed, corrected = fixed, suggestion
        if not self._relaxable(parsed):
            return parsed, matched, scores, corrected, []
        matched, scores = self.match_most(parsed.clauses)
        if not matched:
            return parsed, matched, scores, corrected, []
        return parsed, matched, scores, corrected, [MOST_WORDS]

    @staticmethod
    def _relaxable(parsed: query_language.Parsed) -> bool:
        """Return whether a query has parts the fallback may leave out."""
        return len(parsed.clauses) >= 2 and any(optional for _, optional in parsed.clauses)

    def match_most(self, clauses: Sequence[tuple[Any, bool]]) -> tuple[int, np.ndarray]:
        """Return the documents matching every required clause and most of the optional ones,
        scored so that more matched clauses come first.

        Kept: the documents matching every required clause and at least half of the optional
        ones (or as many as any document does).
        """
        with self.lock:
            found = [(self.scorer.evaluate(c), optional) for c, optional in clauses]
        allowed = self.live.copy()
        for match, optional in found:
            if not optional:
                allowed &= match.mask
        optional_found = [m for m, optional in found if optional]
        count = np.sum([m.mask & allowed for m in optional_found], axis=0)
        best = int(count.max()) if len(optional_found) else 0
        if best == 0 and len(optional_found) == len(found):
            return 0, np.zeros(self.tables.doc_count)
        floor = min(best, -(-len(optional_found) // 2))
        mask = (count >= floor) & allowed
        scores = np.sum([m.scores for m, _ in found], axis=0)
        # each clause matched outweighs any score difference
        scores = (count * (float(scores.max()) + 1.0) + scores) * mask
        return mask_to_bits(mask), scores

    def records(self, params: SearchParams, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Return the full records of a search's whole result set (at most `limit`), and its total.

        No facets, snippets or caching: this is what exports need.
        """
        _, matched, scores, _, _ = self.answer(params)
        constraint, _, _ = self._constraints(params)
        for bits in constraint.values():
            matched &= bits
        total = matched.bit_count()
        sort = params.effective_sort
        if sort == "relevance" and scores is None:
            sort = "newest"
        return [
            self.reader.record(d)
            for d in self.collector.page_docnums(matched, total, sort, scores, 0, limit)
        ], total

    def search(self, params: SearchParams) -> SearchResult:
        """Return one page of results with facets, evidence table and suggestion."""
        parsed, matched, scores, corrected, more = self.answer(params)
        notices = list(params.notices)
        if parsed is not None and parsed.notice:
            notices.append(parsed.notice)
        notices.extend(more)
        constraint, selected, resolved = self._constraints(params)

        filtered = matched
        for bits in constraint.values():
            filtered &= bits
        total = filtered.bit_count()

        facets, distinct, counts = self.facet_counter.facets(
            matched, filtered, constraint, selected
        )

        sort = params.effective_sort
        if sort == "relevance" and scores is None:
            sort = "newest"
        start = (params.page - 1) * params.per_page
        stop = start + params.per_page
        page = self.collector.page_docnums(filtered, total, sort, scores, start, stop)
        hits = self.collector.hits(page, scores, parsed)

        evidence = self.facet_counter.evidence(
            filtered,
            counts,
            parsed.marker_keys if parsed else [],
        )
        suggestion = corrected or self._suggestion(params.q, parsed)
        resolved_params = params.with_filters(resolved)
        searched = dict.fromkeys(
            [self.markers.display.get(k, k) for k in (parsed.marker_keys if parsed else [])]
            + list(resolved_params.values("marker"))
        )
        return SearchResult(
            params=resolved_params,
            total=total,
            hits=hits,
            facets=facets,
            facet_value_counts=distinct,
            evidence=evidence,
            suggestion=suggestion,
            corrected=corrected,
            read_as=parsed.read_as if parsed else "",
            notices=tuple(notices),
            generation=self.name,
            sort=sort,
            searched_markers=tuple(searched),
        )

    def _suggestion(self, text: str, parsed: query_language.Parsed | None) -> str | None:
        if parsed is None or not parsed.plain_words:
            return None
        vocabulary = self.tables.vocabulary
        lexicon = self.lexicon()
        words = [(w, query_language.fold_name(w)) for w in parsed.plain_words]
        unknown = [
            (w, f)
            for w, f in words
            if f.isalpha() and f not in vocabulary and not lexicon.has_author(f)
        ]
        if not unknown:
            return None
        speller = self.speller()
        suggestion = text
        changed = False
        for word, folded in unknown:
            better = speller.correct(folded)
            if better is not None:
                if word[:1].isupper() and word[1:2].islower():
                    better = better.capitalize()  # a name stays a name
                # the word itself, not the same letters inside another word ("cytokine cytokin")
                whole_word = rf"(?<!\w){re.escape(word)}(?!\w)"
                suggestion = re.sub(whole_word, better.replace("\\", r"\\"), suggestion, count=1)
                changed = True
        return suggestion if changed else None

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
