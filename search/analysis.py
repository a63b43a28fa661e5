"""Text analysis for prose fields: the same chain at index time, query time and highlighting."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang.porter import stem

from search.markers import GREEK

# A letters-hyphen-digits compound (CSF-1, IL-6, SF-36) stays one word, so "CSF" does not
# match inside "CSF-1"; other hyphens split words ("post-exertional" -> post, exertional).
WORD = re.compile(r"[^\W\d_]+-\d\w*|\w+(?:\.?\w+)*")


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Return a word lowercased, without accents, with Greek letters spelled out."""
    text = unicodedata.normalize("NFKC", word).casefold()
    if any(ch in GREEK for ch in text):
        text = "".join(GREEK.get(ch, ch) for ch in text)
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


class FoldFilter(Filter):
    """Whoosh filter applying `fold_word` to every token (`Müller` -> `muller`, `α` -> `alpha`)."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for t in tokens:
            t.text = fold_word(t.text)
            yield t


# Whoosh drops words shorter than two letters by default; "IL 6" needs its "6".
_STOP = StopFilter(minsize=1)


def prose_analyzer():  # type: ignore[no-untyped-def]
    """Return the analyzer for prose fields: words folded, stop words out, English stems."""
    return RegexTokenizer(WORD) | FoldFilter() | _STOP | StemFilter(cachesize=100_000)


def name_analyzer():  # type: ignore[no-untyped-def]
    """Return the analyzer for names (authors, journals): folded words, no stemming."""
    return RegexTokenizer(WORD) | FoldFilter()


STOP_WORDS = _STOP.stops


@lru_cache(maxsize=200_000)
def prose_term(word: str) -> str | None:
    """Return the indexed form of one word of prose, or None for a stop word."""
    folded = fold_word(word)
    if folded in STOP_WORDS:
        return None
    return stem(folded)


def prose_terms(text: str) -> list[str]:
    """Return the indexed forms of the words of a text, in order, stop words left out."""
    return [t for t in (prose_term(w) for w in WORD.findall(text)) if t]


def name_terms(text: str) -> list[str]:
    """Return the indexed forms of the words of a name."""
    return [fold_word(w) for w in WORD.findall(text)]
