"""Matching a search's text against one generation: the query read against the index's
lexicon, its match set and scores, the fallbacks when it finds nothing (a corrected
spelling, the studies with most of the words) and the spelling suggestion.

Match sets are Python ints (bit d set when document d matches); scores are a numpy vector
over all document numbers, or None when there is no text to score by.

(Named `Matcher`, not "searcher": that name is Whoosh's `Searcher`, which the reader opens.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from search import query as query_language
from search.concepts import read_concepts
from search.markers import read_synonyms
from search.params import SearchParams
from search.reader import GenerationReader
from search.scoring import Scorer, mask_to_bits
from search.suggest import Speller

MOST_WORDS = "No study has every word; showing studies with most of them."
ALL_WORDS_FIRST = "Studies with every word come first, then studies with most of them."
# Words the speller learns beyond the index's prose: this long at least, letters only.
SPELLER_MIN_LENGTH = 4


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
    CACHE = 100_000  # answers kept, (field, text) -> known; cleared when full

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

    def has_marker(self, key: str) -> bool:
        return self._has(("marker", "mention"), key)

    def author_words(self) -> set[str]:
        """Return every word of the index's author names."""
        kept = self.scorer.kept
        if kept is not None:
            return {
                t.decode("utf-8") for segment in kept for f, t in segment.terms if f == "authors"
            }
        with self.lock:
            return {t for leaf, _ in self.scorer.leaves for t in leaf.field_terms("authors")}


class Answer(NamedTuple):
    """What a search's text found: how it was read, its match set and scores, the corrected
    query it was answered with (or None), and the notices the fallbacks add.

    A named tuple, as `Hit` is: made on every search, at a third of a frozen dataclass's cost.
    """

    parsed: query_language.Parsed | None
    matched: int
    scores: np.ndarray | None
    corrected: str | None = None
    notices: tuple[str, ...] = ()


def _relaxable(parsed: query_language.Parsed) -> bool:
    """Return whether a query has parts the fallback may leave out."""
    return len(parsed.clauses) >= 2 and any(optional for _, optional in parsed.clauses)


class Matcher:
    """Matches texts against one generation; keeps its lexicon and (built on first need) its
    speller."""

    def __init__(self, reader: GenerationReader) -> None:
        self.tables, self.markers, self.years = reader.tables, reader.markers, reader.years
        self.lock, self.scorer, self.live = reader.lock, reader.scorer, reader.live
        self.lexicon = IndexLexicon(self.scorer, self.lock)
        self._speller: Speller | None = None
        self._speller_lock = threading.Lock()

    def speller(self) -> Speller:
        """Return the speller of the index's vocabulary, its authors and the tables' words."""
        with self._speller_lock:
            if self._speller is None:
                vocabulary = dict(self.tables.vocabulary)
                # authors' names (`Natelsen` -> Natelson), and the words of marker names and
                # of the thesaurus (`interlukin` -> interleukin), counted once each
                extra = set(self.lexicon.author_words()) | _table_words()
                for word in extra:
                    if word.isalpha() and len(word) >= SPELLER_MIN_LENGTH:
                        vocabulary.setdefault(word, 1)
                self._speller = Speller(vocabulary)
            return self._speller

    def parse(self, text: str) -> query_language.Parsed:
        """Return a query text read against this generation (its markers, years, lexicon)."""
        return query_language.build(text, self.markers, self.years, self.lexicon)

    def match(self, parsed: query_language.Parsed | None) -> tuple[int, np.ndarray | None]:
        """Return the bitset of documents the text matches, and the score vector."""
        if parsed is None or parsed.query is None:
            return self.tables.all_docs, None
        with self.lock:
            found = self.scorer.evaluate(parsed.query)
        return mask_to_bits(found.mask & self.live), found.scores

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

    def answer(self, params: SearchParams) -> Answer:
        """Return what a search's text finds: the typed words first; a corrected spelling when
        they find nothing; the studies matching most of the words when no study has them all."""
        parsed = self.parse(params.q) if params.q else None
        matched, scores = self.match(parsed)
        if parsed is None or parsed.query is None:
            return Answer(parsed, matched, scores)
        if matched:
            return self._found(parsed, matched, scores)
        return self._fallback(params, parsed, matched, scores)

    def _found(
        self, parsed: query_language.Parsed, matched: int, scores: np.ndarray | None
    ) -> Answer:
        """Return the answer of a text that matched: a question is answered by the studies
        with most of its words, those with all of them first."""
        if parsed.is_question and _relaxable(parsed):
            most, most_scores = self.match_most(parsed.clauses)
            if most != matched:
                return Answer(parsed, most, most_scores, notices=(ALL_WORDS_FIRST,))
        return Answer(parsed, matched, scores)

    def _fallback(
        self,
        params: SearchParams,
        parsed: query_language.Parsed,
        matched: int,
        scores: np.ndarray | None,
    ) -> Answer:
        """Return the answer of a text that matched nothing: its corrected spelling when that
        matches, else the studies with most of the words (of the corrected text, when it has
        parts to leave out)."""
        corrected = None
        if not params.as_typed:
            suggestion = self.suggestion(params.q, parsed)
            if suggestion is not None:
                fixed = self.parse(suggestion)
                fixed_matched, fixed_scores = self.match(fixed)
                if fixed_matched:
                    return Answer(fixed, fixed_matched, fixed_scores, suggestion)
                if fixed.clauses:
                    parsed, corrected = fixed, suggestion
        if not _relaxable(parsed):
            return Answer(parsed, matched, scores, corrected)
        most, most_scores = self.match_most(parsed.clauses)
        if not most:
            return Answer(parsed, most, most_scores, corrected)
        return Answer(parsed, most, most_scores, corrected, (MOST_WORDS,))

    def suggestion(self, text: str, parsed: query_language.Parsed | None) -> str | None:
        """Return the text with its unknown words spelt as the index knows them, or None."""
        if parsed is None or not parsed.plain_words:
            return None
        vocabulary = self.tables.vocabulary
        lexicon = self.lexicon
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
