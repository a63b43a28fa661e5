"""Text analysis for prose fields: the same chain at index time, query time and highlighting."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pickle import dumps
from typing import Any

from whoosh.analysis import StopFilter, Token, Tokenizer
from whoosh.formats import Positions
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

from search.markers import GREEK
from search.spelling import american

# A letters-hyphen-digits compound (CSF-1, IL-6, SF-36) stays one word, so "CSF" does not
# match inside "CSF-1"; other hyphens split words ("post-exertional" -> post, exertional).
WORD = re.compile(r"[^\W\d_]+-\d\w*|\w+(?:\.?\w+)*")


# Letters that are not a base letter plus an accent, so Unicode cannot strip them; written
# without them in English (`Oster` finds `Øster`, `Lukasz` finds `Łukasz`).
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Return a word lowercased, without accents, with Greek letters spelled out."""
    text = unicodedata.normalize("NFKC", word).casefold()
    if any(ch in GREEK for ch in text):
        text = "".join(GREEK.get(ch, ch) for ch in text)
    if text.isascii():
        return text
    text = text.translate(_PLAIN_LETTERS)
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


# Whoosh drops words shorter than two letters by default; "IL 6" needs its "6".
STOP_WORDS = StopFilter(minsize=1).stops


class TermTokenizer(Tokenizer):
    """One pass from text to index terms: find words, map each through a cached function.

    Does what RegexTokenizer | FoldFilter | StopFilter | StemFilter would, without a chain of
    generators per token; indexing spends most of its time here. Stop words leave no gap in
    positions, as with Whoosh's StopFilter.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TermTokenizer) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)

    def terms(self, value: str) -> list[str]:
        """Return the index terms of a text, in order."""
        term_of = prose_term if self.kind == "prose" else fold_word
        return [t for t in map(term_of, WORD.findall(value)) if t]

    def placed_terms(self, value: str) -> list[tuple[int, str]]:
        """Return (position, term) pairs; a stop word leaves its position empty."""
        term_of = prose_term if self.kind == "prose" else fold_word
        return [(i, t) for i, t in enumerate(map(term_of, WORD.findall(value))) if t]

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        term_of = prose_term if self.kind == "prose" else fold_word
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            term = term_of(value)
            if term:
                token.text, token.boost, token.stopped = term, 1.0, False
                if positions:
                    token.pos = start_pos
                if chars:
                    token.startchar, token.endchar = start_char, start_char + len(value)
                yield token
            return
        pos = start_pos
        for match in WORD.finditer(value):
            term = term_of(match.group())
            pos += 1
            if not term:
                continue  # a stop word keeps its position: "PEM and malaise" is no phrase
            token.text, token.boost, token.stopped = term, 1.0, False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = pos - 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class TermPositions(Positions):
    """Whoosh's Positions format, filled from `TermTokenizer.terms` in one pass.

    Same postings and encoding as Positions (reading is inherited); indexing skips the Token
    objects and generator chain, which would otherwise be the largest cost of a build.
    Unlike Whoosh's StopFilter, a removed stop word keeps its position, as in tantivy and
    SQLite: the phrase "post-exertional malaise" does not match "post-exertional and malaise".
    """

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, TermTokenizer) or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        places: dict[str, list[int]] = {}
        for pos, term in analyzer.placed_terms(value):
            places.setdefault(term, []).append(pos)
        for term, where in places.items():
            deltas = [where[0], *(b - a for a, b in itertools.pairwise(where))]
            yield term, len(where), len(where) * boost, pack_uint(len(deltas)) + dumps(deltas, 2)


def prose_analyzer() -> TermTokenizer:
    """Return the analyzer for prose fields: words folded, stop words out, English stems."""
    return TermTokenizer("prose")


def name_analyzer() -> TermTokenizer:
    """Return the analyzer for names (authors, journals): folded words, no stemming."""
    return TermTokenizer("name")


@lru_cache(maxsize=200_000)
def prose_term(word: str) -> str | None:
    """Return the indexed form of one word of prose, or None for a stop word.

    British spellings are folded to American ones first (search/spelling.py), so either finds
    both.
    """
    folded = fold_word(word)
    if folded in STOP_WORDS:
        return None
    return NUMBER_WORDS.get(folded) or stem(american(folded))


# Small numbers written as words are the digits ("two-day CPET" = "2-day CPET"). Not "one",
# which is mostly a pronoun.
NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], start=2
    )
}


def placed_prose_terms(text: str) -> list[tuple[int, str]]:
    """Return (position, indexed form) of the words of a text; stop words leave gaps."""
    return [(i, t) for i, t in enumerate(prose_term(w) for w in WORD.findall(text)) if t]


def prose_terms(text: str) -> list[str]:
    """Return the indexed forms of the words of a text, in order, stop words left out."""
    return [t for t in (prose_term(w) for w in WORD.findall(text)) if t]


def name_terms(text: str) -> list[str]:
    """Return the indexed forms of the words of a name."""
    return [fold_word(w) for w in WORD.findall(text)]
