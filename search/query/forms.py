"""Plain words, each matched in the forms the index knows: joined, hyphenated or spaced
(`postviral`, `post-viral`, `post viral`; `HHV 6`, `HHV-6`), and a year as the study's year."""

from __future__ import annotations

import re

from whoosh import query as wq

from search.analysis import WORD, fold_word, prose_term
from search.query.clauses import ID_LIKE, Context, any_of, marker_query, prose_query
from search.query.fields import YEAR_TOKEN, year_query
from search.query.wordlists import PREFIXES

# Letters and digits, joined or hyphenated (`HHV6`, `HHV-6`): also searched spaced.
_LETTERS_DIGITS = re.compile(r"^([^\W\d_]+)-?(\d+)$")
# A word no prose has is searched in at most this many markers' names.
MAX_NAMED_WITH = 20


def plain_clauses(words: list[str], ctx: Context) -> list[tuple[wq.Query | None, str]]:
    """Return one part per word; words without digits (and years) may be left out."""
    out: list[tuple[wq.Query | None, str]] = []
    for word in words:
        forms = _word_forms(word, ctx)
        query, named = _word_query(word, forms, ctx)
        if query is not None and (not ID_LIKE.search(word) or YEAR_TOKEN.match(word)):
            ctx.optional.add(id(query))
        shown = word
        if forms:
            shown = f"{word} (or: {', '.join(forms)})"
        elif named:
            markers = ", ".join(f"marker:{ctx.markers.display.get(k, k)}" for k in named)
            shown = f"{word} (in: {markers})"
        out.append((query, shown))
    return out


def merge_joined(words: list[str], ctx: Context) -> list[str]:
    """Return the words with each two the index knows as one written as one (`HHV 6`)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        joined = joined_word(words[i], words[i + 1], ctx) if i + 1 < len(words) else None
        if joined is None:
            out.append(words[i])
            i += 1
        else:
            out.append(joined)
            i += 2
    return out


def joined_word(first: str, second: str, ctx: Context) -> str | None:
    """Return two words written as one ("neuro inflammation", "HHV 6") when the index has it."""
    lexicon = ctx.lexicon
    if lexicon.is_empty or not first.isalnum() or not second.isalnum():
        return None
    if first.isdigit():
        return None
    candidates = [first + second]
    if second.isdigit() and first.isalpha():
        candidates.insert(0, f"{first}-{second}")
    for candidate in candidates:
        term = prose_term(candidate)
        if term is not None and lexicon.has_prose(term) and len(WORD.findall(candidate)) == 1:
            return candidate
    return None


def _word_forms(word: str, ctx: Context) -> list[str]:
    """Return the other forms of a word that the index knows (`postviral`, `post viral`)."""
    lexicon = ctx.lexicon
    if lexicon.is_empty:
        return []
    folded = fold_word(word)
    forms: list[str] = []
    pieces = WORD.findall(word)
    m = _LETTERS_DIGITS.match(folded)
    if m:
        letters, digits = m.groups()
        forms += [f"{letters}-{digits}", f"{letters}{digits}", f"{letters} {digits}"]
    elif len(pieces) > 1 and all(p.isalpha() for p in pieces):
        forms.append("".join(pieces))
    elif folded.isalpha() and len(folded) >= 5:
        known = lexicon.has_prose(prose_term(folded) or "")
        for cut in range(1, len(folded) - 2):
            left, right = folded[:cut], folded[cut:]
            if known and left not in PREFIXES:
                continue
            if lexicon.knows(f"{left} {right}"):
                forms.append(f"{left} {right}")
                break
    return [f for f in forms if fold_word(f) != folded and lexicon.knows(f)]


def _word_query(word: str, forms: list[str], ctx: Context) -> tuple[wq.Query | None, list[str]]:
    """Return the query of a word in its other forms, and the keys of the markers it is
    searched in as a word of their names (when no prose has it)."""
    lexicon = ctx.lexicon
    named: list[str] = []
    if ctx.positive and any(ch.isalpha() for ch in word) and not forms:
        folded = fold_word(word)
        term = prose_term(word)
        # a stop word ("from") is not indexed, so never unknown: no "form" for it
        if term is not None and not (lexicon.has_prose(term) or lexicon.has_author(folded)):
            named = _in_marker_names(term, ctx)
            if not named:
                ctx.parsed.plain_words.append(word)
    # A typed word that splits in two ("ME/CFS", "post-exertional") needs both parts in one
    # field, not adjacent: checking positions of words found in nearly every study was the
    # slowest thing a search could do. Quoted phrases are matched exactly.
    query = prose_query(word, ctx, phrase=False)
    if forms or named:
        query = any_of(
            [
                query,
                *(prose_query(f, ctx, phrase=False) for f in forms),
                *(marker_query(k, ctx) for k in named),
            ]
        )
    year = YEAR_TOKEN.match(word)
    if year and ctx.years:
        # a year on its own may be the year of the study
        query = any_of([query, year_query(year.group(1), ctx.years)])
    return query, named


def _in_marker_names(term: str, ctx: Context) -> list[str]:
    """Return the keys of the markers of the index's studies whose names have a word no prose
    has (`phytohaemagglutinin`, `phytohemagglutinin`: "lymphocyte transformation with
    phytohaemagglutinin"), none when more than `MAX_NAMED_WITH` have it (a common word)."""
    if ctx.lexicon.is_empty:
        return []
    keys = {k for k in ctx.markers.keys_named_with(term, prose_term) if ctx.lexicon.has_marker(k)}
    if len(keys) > MAX_NAMED_WITH:
        return []
    return sorted(keys)


def fold_name(text: str) -> str:
    """Return a name folded for comparison (used by tests and the plain-scan oracle)."""
    return " ".join(fold_word(w) for w in text.split())
