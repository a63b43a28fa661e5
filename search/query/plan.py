"""The plan: a query's tree → a Whoosh query (`build`), read against what the index knows.

In order, a run of plain words is read for question words, citations, marker names,
thesaurus concepts and then words in their other forms; phrases, fields, NOT, AND and OR
are converted part by part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from whoosh import query as wq

from search.concepts import thesaurus
from search.markers import MarkerDictionary, fold
from search.query.citations import split_citations
from search.query.clauses import Context, all_of, any_of, marker_query, prose_query
from search.query.expansion import (
    in_concepts,
    in_markers,
    marker_clauses,
    with_digits,
    with_plus,
)
from search.query.fields import DOI_ALONE, PMID_ALONE, fielded_query
from search.query.syntax import read
from search.query.tree import All, Any_, Fielded, Lexicon, Node, Not, Parsed, Phrase, Words
from search.query.wordlists import QUESTION_FILLERS, QUESTION_WORDS, VAGUE_WORDS

# A year in brackets, as citations write it ("Surname (2017)", "Surname (2017a)").
_BRACKETED_YEAR = re.compile(r"\(((?:18|19|20)\d\d[a-z]?)\)")


def build(
    text: str,
    markers: MarkerDictionary,
    years: Sequence[int] = (),
    lexicon: Lexicon | None = None,
) -> Parsed:
    """Return the Whoosh query for the user's text (None when it holds nothing searchable).

    With a lexicon (what the index knows), words are also matched in their other forms,
    surnames before a year read as a citation, and thesaurus concepts expanded.
    """
    parsed = Parsed(query=None, read_as="")
    text = text.strip()
    if not text:
        return parsed
    lexicon = lexicon or Lexicon()
    ctx = Context(markers, years, parsed, lexicon, None if lexicon.is_empty else thesaurus())
    m = DOI_ALONE.match(text)
    if m:
        parsed.query = wq.Term("doi", m.group(1).lower())
        parsed.read_as = f"doi:{m.group(1)}"
        return parsed
    # "Surname (2017)": the brackets hold a year, not a group
    node, notice = read(_BRACKETED_YEAR.sub(r" \1 ", text))
    parsed.notice = notice
    if node is None:
        parsed.read_as = ""
        if not notice:
            parsed.notice = "The query holds no words to search for."
        return parsed
    parts = _top_parts(node, ctx)
    if parts is not None:
        query = all_of([q for q, _ in parts])
        shown = " AND ".join(s for _, s in parts)
        for part, _ in parts:
            # a citation is its authors and a year: the fallback may leave out the year
            for clause in part.subqueries if isinstance(part, wq.And) else [part]:
                parsed.clauses.append((clause, id(clause) in ctx.optional))
    else:
        query, shown = _convert(node, ctx)
    if isinstance(query, wq.Not):
        query = wq.AndNot(wq.Every(), query.query)
    m = PMID_ALONE.match(text)
    if m:
        query = any_of([wq.Term("pmid", m.group(1), boost=10.0), query])
        parsed.clauses = []
    if shown.startswith("(") and shown.endswith(")") and isinstance(node, All | Any_):
        shown = shown[1:-1]
    parsed.query = query
    parsed.read_as = shown
    if query is None and not parsed.notice:
        parsed.notice = "The query holds only common words; showing every study."
    return parsed


def _top_parts(node: Node, ctx: Context) -> list[tuple[wq.Query, str]] | None:
    """Return the required parts of a query that is a plain AND (no NOT, no OR at the top)."""
    if isinstance(node, Words):
        return _word_clauses(node.text, ctx)
    if not isinstance(node, All) or any(isinstance(n, Not) for n in node.nodes):
        return None
    parts: list[tuple[wq.Query, str]] = []
    for child in node.nodes:
        if isinstance(child, Words):
            parts.extend(_word_clauses(child.text, ctx))
        else:
            query, shown = _convert(child, ctx)
            if query is not None:
                parts.append((query, shown))
    return parts


def _convert(node: Node, ctx: Context) -> tuple[wq.Query | None, str]:
    """Return a part of the tree as a query, and how it reads."""
    if isinstance(node, Words):
        return _words_query(node.text, ctx)
    if isinstance(node, Phrase):
        query = prose_query(node.text, ctx)
        key = ctx.markers.lookup_free_text(fold(node.text))
        if key is not None:
            query = any_of([marker_query(key, ctx), query])
        return query, f'"{node.text}"'
    if isinstance(node, Fielded):
        return fielded_query(node, ctx)
    if isinstance(node, Not):
        was = ctx.positive
        ctx.positive = False
        inner, shown = _convert(node.node, ctx)
        ctx.positive = was
        return (wq.Not(inner) if inner is not None else None), f"NOT {shown}"
    children = [_convert(child, ctx) for child in node.nodes]
    shown_parts = [s for q, s in children if s]
    queries = [q for q, _ in children if q is not None]
    if isinstance(node, All):
        return _combine_and(queries), "(" + " AND ".join(shown_parts) + ")"
    return any_of(queries), "(" + " OR ".join(shown_parts) + ")"


def _combine_and(queries: list[wq.Query]) -> wq.Query | None:
    """Return the AND of queries, the negated ones taken out of what the others match."""
    positives = [q for q in queries if not isinstance(q, wq.Not)]
    negatives = [q.query for q in queries if isinstance(q, wq.Not)]
    if not positives and not negatives:
        return None
    base = all_of(positives) if positives else wq.Every()
    if negatives:
        return wq.AndNot(base, any_of(negatives))
    return base


def _words_query(text: str, ctx: Context) -> tuple[wq.Query | None, str]:
    """AND of the words, with marker names (in any spelling, even over two words) found first."""
    pairs = _word_clauses(text, ctx)
    return all_of([q for q, _ in pairs]), " AND ".join(s for _, s in pairs)


def _word_clauses(text: str, ctx: Context) -> list[tuple[wq.Query, str]]:
    """Return the required parts of a run of plain words, each with how it was read.

    In order: citations (`Keller et al. 2024`), marker names, thesaurus concepts, then words,
    each matched in any of its forms (joined, hyphenated, spaced).
    """
    words = _content_words(text, ctx)
    out: list[tuple[wq.Query | None, str]] = []
    for _kind, value in split_citations(words, ctx):
        if isinstance(value, tuple):  # a citation: its query and how it was read
            out.append(value)
        else:
            words = with_plus(with_digits(value, ctx), ctx.markers)
            out.extend(marker_clauses(" ".join(words), ctx))
    return [(q, s) for q, s in out if q is not None and any(ch.isalnum() for ch in s)]


def _content_words(text: str, ctx: Context) -> list[str]:
    """Return a run of words without the question and vague words that need not match (all
    of them when nothing else is left); a question's filler words go too."""
    words = text.split()
    dropped = QUESTION_WORDS | VAGUE_WORDS
    if words and (words[0].casefold() in QUESTION_WORDS or text.rstrip().endswith("?")):
        dropped |= QUESTION_FILLERS  # a question: its filler words too
        ctx.parsed.is_question = True
    # "how common", "what causes" are concepts, not fillers; "self-reported cognitive
    # problems" is a marker
    kept: set[int] = set()
    if any(w.casefold().strip("?,.!") in dropped for w in words):
        kept = in_concepts(words, ctx) | in_markers(words, ctx)
        # a capitalised "So" after the first word may be a surname ("Jason, So 2015")
        kept |= {
            i
            for i, w in enumerate(words)
            if i and w[:1].isupper() and w.casefold().strip(",") in VAGUE_WORDS
        }
    content = [
        w for i, w in enumerate(words) if i in kept or w.casefold().strip("?,.!") not in dropped
    ]
    if content:
        words = content
    if ctx.parsed.is_question:
        words = [w.rstrip("?") for w in words if w.rstrip("?")]
    return words
