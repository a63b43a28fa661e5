"""Markers and thesaurus concepts in a run of words, each searched with what else it
means: a marker by its key (listed and mentioned) in any spelling, a concept by its
expansions, ranked below the words as typed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from whoosh import query as wq

from search.analysis import placed_prose_terms
from search.markers import MarkerDictionary, find_mentions, fold
from search.query.clauses import Context, all_of, any_of, is_id_like, marker_query, prose_query
from search.query.forms import joined_word, merge_joined, plain_clauses
from search.query.wordlists import CONTRACTIONS, COORDINATORS, NUMBER_WORDS

# How much a match through the thesaurus counts beside a match of the words as typed.
EXPANSION_WEIGHT = 0.3
# A cell-surface marker as typed (CD8, CD56), which papers write with a + for the cells.
_CELL_MARKER = re.compile(r"^[A-Za-z]{1,4}\d+$")


def with_plus(words: list[str], markers: MarkerDictionary) -> list[str]:
    """Return the words with a `+` after a cell marker typed without it (`CD8 T cells`),
    when only the form with it is a marker name the index knows (`CD8+ T cells`)."""
    out = []
    for word in words:
        folded = fold(word)
        if (
            _CELL_MARKER.match(word)
            and folded not in markers.forms
            and (f"{folded}+" in markers.forms or f"{folded}+" in markers.prefixes)
        ):
            word += "+"
        out.append(word)
    return out


def with_digits(words: list[str], ctx: Context) -> list[str]:
    """Return the words with a number word after a name read as its digits (`il six` is
    `il 6`, `interleukin one beta` is `interleukin 1 beta`, `hhv six` is `hhv 6`), when with
    the digits the two name a marker known to the table or the studies, or are one word the
    index knows (`hhv-6`, `cd8`); any other number word stays as typed."""
    out = list(words)
    for i in range(1, len(out)):
        digits = NUMBER_WORDS.get(out[i].casefold())
        if digits is None or not out[i - 1][-1:].isalpha():
            continue
        trial = [*out[:i], digits, *out[i + 1 :]]
        if _names_marker(trial, i, ctx) or joined_word(out[i - 1], digits, ctx):
            out[i] = digits
    return out


def _names_marker(words: list[str], i: int, ctx: Context) -> bool:
    """Return whether a marker name known to the table or the studies covers words i-1 and i."""
    starts = [0]
    for word in words[:-1]:
        starts.append(starts[-1] + len(word) + 1)
    return any(
        m.start <= starts[i - 1] and starts[i] < m.end and m.key in ctx.markers.display
        for m in find_mentions(" ".join(words), ctx.markers)
    )


def marker_clauses(text: str, ctx: Context) -> list[tuple[wq.Query | None, str]]:
    out: list[tuple[wq.Query | None, str]] = []
    pos = 0
    for mention in find_mentions(text, ctx.markers):
        out.extend(_concept_clauses(text[pos : mention.start].split(), ctx))
        span = text[mention.start : mention.end]
        query = marker_query(mention.key, ctx)
        shown = f"marker:{ctx.markers.display.get(mention.key, span)}"
        if not is_id_like(span):
            # a marker that is also ordinary words ("heart rate") matches the words too
            query = any_of([query, prose_query(span, ctx)])
        elif mention.key not in ctx.markers.display:
            # only shaped like a marker id, known to neither the table nor the studies'
            # markers: an abbreviation of the thesaurus (CoQ10) searches its expansions too
            concept = _guessed_concept(span, ctx)
            if concept is not None:
                query = any_of([query, concept[0]])
                shown = concept[1]
        out.append((query, shown))
        pos = mention.end
    out.extend(_concept_clauses(text[pos:].split(), ctx))
    return out


def _guessed_concept(span: str, ctx: Context) -> tuple[wq.Query, str] | None:
    """Return a thesaurus concept's expansions for a whole span (`CoQ10`) and how it reads,
    or None when the span is no concept. An expansion with a digit is matched as a phrase,
    so `HHV-6` never finds "herpesvirus 7" beside a 6."""
    if ctx.concepts is None:
        return None
    words = span.split()
    terms = [tuple(t for _, t in placed_prose_terms(w)) for w in words]
    end, expansions = ctx.concepts.longest(terms, 0, words)
    if not expansions or end != len(words):
        return None
    alternatives = [
        prose_query(e, ctx, phrase=is_id_like(e), scale=EXPANSION_WEIGHT) for e in expansions
    ]
    query = any_of(alternatives)
    if query is None:
        return None
    return query, _also(span, expansions)


def _concept_clauses(words: list[str], ctx: Context) -> list[tuple[wq.Query | None, str]]:
    """Return the parts of words with no marker: concepts of the thesaurus, then words."""
    if not words:
        return []
    words = _distributed(merge_joined(words, ctx), ctx)
    concepts = ctx.concepts
    terms = [_concept_terms(w) for w in words]
    out: list[tuple[wq.Query | None, str]] = []
    plain: list[str] = []
    i = 0
    while i < len(words):
        end, expansions = concepts.longest(terms, i, words) if concepts else (i, ())
        if not expansions:
            plain.append(words[i])
            i += 1
            continue
        out.extend(plain_clauses(plain, ctx))
        plain = []
        typed = " ".join(words[i:end])
        # as typed, each word may be in any field, as without the thesaurus
        query = all_of([prose_query(w, ctx, phrase=False) for w in words[i:end]])
        alternatives = [
            prose_query(e, ctx, phrase=False, scale=EXPANSION_WEIGHT) for e in expansions
        ]
        clause = any_of([query, *alternatives])
        ctx.optional.add(id(clause))
        out.append((clause, _also(typed, expansions)))
        i = end
    out.extend(plain_clauses(plain, ctx))
    return out


def _distributed(words: list[str], ctx: Context) -> list[str]:
    """Return the words with a head word that two concepts share written out for each, when
    both are concepts of the thesaurus: `noise and light sensitivity` is `noise sensitivity
    light sensitivity`, `sensitive to light and sound` is `sensitive to light sensitive to
    sound`. One word on each side of the `and`; anything else stays as typed."""
    if ctx.concepts is None or not COORDINATORS & {w.casefold() for w in words}:
        return words
    out, i = list(words), 0
    while i + 2 < len(out):
        here = _concept_end(out[i:], ctx)
        if here <= 1 and out[i + 1].casefold() in COORDINATORS:  # X and Y <head>
            end = _concept_end(out[i + 2 :], ctx)
            shared = [out[i], *out[i + 3 : i + 2 + end]]
            if end >= 2 and _concept_end(shared, ctx) == end:
                out[i : i + 2 + end] = [*shared, *out[i + 2 : i + 2 + end]]
                i += 2 * end
                continue
        after = i + here  # <head> X and Y
        if here >= 2 and after + 1 < len(out) and out[after].casefold() in COORDINATORS:
            shared = [*out[i : after - 1], out[after + 1]]
            if _concept_end(shared, ctx) == here:
                out[i : after + 2] = [*out[i:after], *shared]
                i += 2 * here
                continue
        i += 1
    return out


def _concept_end(words: list[str], ctx: Context) -> int:
    """Return how many of the words the longest concept at their start covers (0: none)."""
    if ctx.concepts is None or not words:
        return 0
    end, expansions = ctx.concepts.longest([_concept_terms(w) for w in words], 0, words)
    return end if expansions else 0


def _also(typed: str, expansions: Sequence[str]) -> str:
    """Return how a concept reads: as typed, then its expansions (quoted when more than a word)."""
    also = ", ".join(f'"{e}"' if " " in e else e for e in expansions)
    return f"{typed} (also: {also})"


def _concept_terms(word: str) -> tuple[str, ...]:
    """Return a word's indexed forms for looking it up in the thesaurus; a contraction typed
    without its apostrophe is the contraction (`cant sleep` is `can't sleep`)."""
    word = CONTRACTIONS.get(word.casefold(), word)
    return tuple(t for _, t in placed_prose_terms(word))


def in_markers(words: list[str], ctx: Context) -> set[int]:
    """Return the positions of the words that are part of a marker name."""
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    inside: set[int] = set()
    for mention in find_mentions(" ".join(words), ctx.markers):
        inside.update(i for i, at in enumerate(starts) if mention.start <= at < mention.end)
    return inside


def in_concepts(words: list[str], ctx: Context) -> set[int]:
    """Return the positions of the words that are part of a thesaurus concept."""
    if ctx.concepts is None:
        return set()
    terms = [_concept_terms(w.strip("?,.!")) for w in words]
    inside: set[int] = set()
    for start in range(len(words)):
        end, expansions = ctx.concepts.longest(terms, start, words)
        if expansions:
            inside.update(range(start, end))
    return inside
