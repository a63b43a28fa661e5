"""The query language: parsing the user's text into a tree, then into a Whoosh query.

Words are AND-ed; "exact phrases", OR, NOT / -word and parentheses work; `field:value`
scopes a word; marker names are recognised in any spelling. Input that cannot be read as
written (an unclosed quote, `title:` with nothing after it, `AND OR`) is never an error: it is
searched as plain words, and `Parsed.notice` says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh import query as wq

from search.analysis import fold_word, name_terms, placed_prose_terms
from search.markers import GREEK, MarkerDictionary, find_mentions, fold
from search.schema import criterion_key

FIELDS = (
    "title",
    "author",
    "journal",
    "marker",
    "criteria",
    "design",
    "intervention",
    "topic",
    "doi",
    "pmid",
    "year",
)
# How much a match in each field counts. Markers a study lists outrank passing mentions.
WEIGHTS = {
    "marker": 8.0,
    "mention": 2.5,
    "title": 3.0,
    "topic": 2.0,
    "intervention": 2.0,
    "authors": 2.0,
    "body": 1.0,
    "journal": 0.5,
}
PROSE_FIELDS = ("title", "body", "topic", "intervention")
DOI_ALONE = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)\s*$", re.I)
PMID_ALONE = re.compile(r"^\s*(?:pmid:?\s*)?(\d{5,10})\s*$", re.I)
YEAR_VALUE = re.compile(r"^(?:(\d{4})\.\.(\d{4})?|\.\.(\d{4})|(>=|<=|>|<)?(\d{4}))$")
_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"|"|[^\s()"]+')
_ID_LIKE = re.compile(r"\d")
# Parentheses and NOTs nest at most this deep; deeper text is read as plain words. Each level
# costs a few Python frames, and 250 of them used to exhaust the interpreter's stack.
MAX_DEPTH = 32


class Malformed(Exception):
    """The text cannot be read with the query syntax."""


# ---- the tree -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """Plain words (a run of them, so markers spelt over two words are found)."""

    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Fielded:
    name: str
    value: str
    is_phrase: bool = False


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class All:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    nodes: tuple[Node, ...]


Node = Words | Phrase | Fielded | Not | All | Any_


@dataclass
class Parsed:
    """A parsed query: the Whoosh query, how it was read, and what to highlight."""

    query: wq.Query | None
    read_as: str
    notice: str | None = None
    prose_terms: set[str] = field(default_factory=set)
    name_terms: set[str] = field(default_factory=set)
    marker_keys: list[str] = field(default_factory=list)
    plain_words: list[str] = field(default_factory=list)  # candidates for spelling suggestions


# ---- reading text into a tree ------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if not t.isspace()]


class _Reader:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        node = self.parse_or()
        if self.peek() is not None:
            raise Malformed("unbalanced parentheses")
        return node

    def parse_or(self) -> Node | None:
        parts = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise Malformed("OR with nothing after it")
            parts.append(self.parse_and())
        if any(p is None for p in parts):
            if len(parts) > 1:
                raise Malformed("OR with nothing before it")
            return None
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))  # type: ignore[arg-type]

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        words: list[str] = []

        def flush() -> None:
            if words:
                parts.append(Words(" ".join(words)))
                words.clear()

        while True:
            token = self.peek()
            if token is None or token in (")", "OR"):
                break
            if token == "AND":
                self.take()
                if not parts and not words or self.peek() in (None, ")", "OR", "AND"):
                    raise Malformed("AND with nothing on one side")
                flush()
                continue
            unary = self.parse_unary()
            if isinstance(unary, Words):
                words.append(unary.text)
            else:
                flush()
                parts.append(unary)
        flush()
        if not parts:
            if self.peek() == "OR":
                raise Malformed("OR with nothing before it")
            return None
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Malformed(f"nested more than {MAX_DEPTH} deep")

    def parse_unary(self) -> Node:
        token = self.take()
        if token == "NOT" or (token.startswith("-") and len(token) > 1 and token != "--"):
            if token == "NOT":
                if self.peek() in (None, ")", "OR", "AND"):
                    raise Malformed("NOT with nothing after it")
                self.nested()
                node = Not(self.parse_unary())
                self.depth -= 1
                return node
            rest = token[1:]
            if rest == '"':
                raise Malformed("unclosed quote")
            return Not(self._primary(rest))
        return self._primary(token)

    def _primary(self, token: str) -> Node:
        if token == "(":
            self.nested()
            node = self.parse_or()
            if self.peek() != ")":
                raise Malformed("unclosed parenthesis")
            self.take()
            self.depth -= 1
            if node is None:
                raise Malformed("empty parentheses")
            return node
        if token == ")":
            raise Malformed("unbalanced parentheses")
        if token == '"':
            raise Malformed("unclosed quote")
        if token.startswith('"'):
            inner = token[1:-1].strip()
            if not inner:
                raise Malformed("empty quotes")
            return Phrase(inner)
        name, sep, value = token.partition(":")
        if sep and name.lower() in FIELDS:
            name = name.lower()
            if not value:
                nxt = self.peek()
                if nxt is not None and nxt.startswith('"') and len(nxt) > 1:
                    self.take()
                    inner = nxt[1:-1].strip()
                    if not inner:
                        raise Malformed(f"{name}: with nothing after it")
                    return Fielded(name, inner, is_phrase=True)
                raise Malformed(f"{name}: with nothing after it")
            if name == "year" and not YEAR_VALUE.match(value):
                raise Malformed(f"year:{value} is not a year or range")
            return Fielded(name, value)
        return Words(token)


def read(text: str) -> tuple[Node | None, str | None]:
    """Return the tree of a query text and a notice when it had to be read as plain words."""
    try:
        return _Reader(_tokens(text)).parse(), None
    except Malformed as exc:
        words = re.sub(r'[()"]', " ", text)
        words = re.sub(r"\b(AND|OR|NOT)\b", " ", words)
        words = re.sub(r"(^|\s)-+", " ", words)
        plain = " ".join(w.rstrip(":") for w in words.split() if w.rstrip(":"))
        node = Words(plain) if plain else None
        return (
            node,
            f"The query could not be read as written ({exc}); searched for the words instead.",
        )


# ---- from tree to Whoosh -----------------------------------------------------------------


@dataclass
class _Context:
    markers: MarkerDictionary
    years: Sequence[int]
    parsed: Parsed
    positive: bool = True


def _or(queries: list[wq.Query]) -> wq.Query | None:
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _and(queries: list[wq.Query | None]) -> wq.Query | None:
    kept = [q for q in queries if q is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.And(kept)


class GappedPhrase(wq.Phrase):
    """A phrase whose words sit at given distances: a stop word in it leaves a gap."""

    def __init__(self, fieldname: str, words: list[str], offsets: list[int], boost: float) -> None:
        super().__init__(fieldname, words, boost=boost)
        self.offsets = offsets


def _field_terms(
    fieldname: str,
    terms: list[str],
    boost: float,
    phrase: bool = True,
    offsets: list[int] | None = None,
) -> wq.Query | None:
    if not terms:
        return None
    if len(terms) == 1:
        return wq.Term(fieldname, terms[0], boost=boost)
    if not phrase:
        return wq.And([wq.Term(fieldname, t, boost=boost) for t in terms])
    if offsets is not None and offsets != list(range(len(terms))):
        return GappedPhrase(fieldname, terms, offsets, boost)
    return wq.Phrase(fieldname, terms, boost=boost)


def _prose_query(
    text: str,
    ctx: _Context,
    fields: Sequence[str] = PROSE_FIELDS,
    with_names: bool = True,
    phrase: bool = True,
) -> wq.Query | None:
    placed = placed_prose_terms(text)
    if not placed:
        return None  # only stop words: "a" must not match every author with initial A
    terms = [t for _, t in placed]
    offsets = [p - placed[0][0] for p, _ in placed]
    names = name_terms(text)
    if ctx.positive:
        ctx.parsed.prose_terms.update(terms)
        if with_names:
            ctx.parsed.name_terms.update(names)
    parts = [_field_terms(f, terms, WEIGHTS[f], phrase, offsets) for f in fields]
    if with_names:
        parts.append(_field_terms("authors", names, WEIGHTS["authors"], phrase))
        parts.append(_field_terms("journal", names, WEIGHTS["journal"], phrase))
    return _or([p for p in parts if p is not None])


def _is_id_like(text: str) -> bool:
    return bool(_ID_LIKE.search(text)) or any(ch in GREEK for ch in text.casefold())


def _marker_query(key: str, ctx: _Context, mentions: bool = True) -> wq.Query:
    if ctx.positive and key not in ctx.parsed.marker_keys:
        ctx.parsed.marker_keys.append(key)
    parts = [wq.Term("marker", key, boost=WEIGHTS["marker"])]
    if mentions:
        parts.append(wq.Term("mention", key, boost=WEIGHTS["mention"]))
    return _or(parts)  # type: ignore[return-value]


def _words_query(text: str, ctx: _Context) -> tuple[wq.Query | None, str]:
    """AND of the words, with marker names (in any spelling, even over two words) found first."""
    parts: list[wq.Query | None] = []
    shown: list[str] = []
    pos = 0
    for mention in find_mentions(text, ctx.markers):
        for word in text[pos : mention.start].split():
            parts.append(_word_query(word, ctx))
            shown.append(word)
        span = text[mention.start : mention.end]
        query = _marker_query(mention.key, ctx)
        if not _is_id_like(span):
            # a marker that is also ordinary words ("heart rate") matches the words too
            query = _or([query, _prose_query(span, ctx)])
        parts.append(query)
        shown.append(f"marker:{ctx.markers.display.get(mention.key, span)}")
        pos = mention.end
    for word in text[pos:].split():
        parts.append(_word_query(word, ctx))
        shown.append(word)
    shown = [w for w in shown if any(ch.isalnum() for ch in w)]
    parts = [p for p in parts if p is not None]
    return _and(parts), " AND ".join(shown)


def _word_query(word: str, ctx: _Context) -> wq.Query | None:
    if ctx.positive and any(ch.isalpha() for ch in word):
        ctx.parsed.plain_words.append(word)
    # A typed word that splits in two ("ME/CFS", "post-exertional") needs both parts in one
    # field, not adjacent: checking positions of words found in nearly every study was the
    # slowest thing a search could do. Quoted phrases are matched exactly.
    return _prose_query(word, ctx, phrase=False)


def year_range(value: str) -> tuple[int, int] | None:
    """Return the years (first, last) a `year:` value covers, or None when it is not one."""
    m = YEAR_VALUE.match(value)
    if m is None:
        return None
    if m.group(1):
        return int(m.group(1)), int(m.group(2)) if m.group(2) else 9999
    if m.group(3):
        return 0, int(m.group(3))
    op, year = m.group(4), int(m.group(5))
    return {
        None: (year, year),
        ">=": (year, 9999),
        ">": (year + 1, 9999),
        "<=": (0, year),
        "<": (0, year - 1),
    }[op]


def _year_query(value: str, years: Sequence[int]) -> wq.Query | None:
    bounds = year_range(value)
    assert bounds is not None
    lo, hi = bounds
    matching = [wq.Term("year", str(y)) for y in years if lo <= y <= hi]
    return _or(matching) if matching else wq.NullQuery


def _fielded_query(node: Fielded, ctx: _Context) -> tuple[wq.Query | None, str]:
    name, value = node.name, node.value
    shown = f'{name}:"{value}"' if node.is_phrase else f"{name}:{value}"
    if name in ("title", "topic", "intervention"):
        return _prose_query(value, ctx, fields=(name,), with_names=False), shown
    if name in ("author", "journal"):
        terms = name_terms(value)
        if ctx.positive:
            ctx.parsed.name_terms.update(terms)
        fieldname = "authors" if name == "author" else "journal"
        if node.is_phrase:
            return _field_terms(fieldname, terms, 1.0), shown
        return _and([wq.Term(fieldname, t) for t in terms]), shown
    if name == "marker":
        key = ctx.markers.key_of(value)
        return _marker_query(
            key, ctx, mentions=False
        ), f"marker:{ctx.markers.display.get(key, value)}"
    if name == "criteria":
        return wq.Term("criteria", criterion_key(value)), shown
    if name == "design":
        return wq.Term("design", "-".join(value.lower().split())), shown
    if name == "doi":
        m = DOI_ALONE.match(value)
        return wq.Term("doi", (m.group(1) if m else value).lower()), shown
    if name == "pmid":
        return wq.Term("pmid", value.strip()), shown
    if name == "year":
        return _year_query(value, ctx.years), shown
    raise AssertionError(name)


def _convert(node: Node, ctx: _Context) -> tuple[wq.Query | None, str]:
    if isinstance(node, Words):
        return _words_query(node.text, ctx)
    if isinstance(node, Phrase):
        query = _prose_query(node.text, ctx)
        key = ctx.markers.lookup_free_text(fold(node.text))
        if key is not None:
            query = _or([_marker_query(key, ctx), query])
        return query, f'"{node.text}"'
    if isinstance(node, Fielded):
        return _fielded_query(node, ctx)
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
    return _or(queries), "(" + " OR ".join(shown_parts) + ")"


def _combine_and(queries: list[wq.Query]) -> wq.Query | None:
    positives = [q for q in queries if not isinstance(q, wq.Not)]
    negatives = [q.query for q in queries if isinstance(q, wq.Not)]
    if not positives and not negatives:
        return None
    base = _and(positives) if positives else wq.Every()
    if negatives:
        return wq.AndNot(base, _or(negatives))
    return base


def build(text: str, markers: MarkerDictionary, years: Sequence[int] = ()) -> Parsed:
    """Return the Whoosh query for the user's text (None when it holds nothing searchable)."""
    parsed = Parsed(query=None, read_as="")
    text = text.strip()
    if not text:
        return parsed
    ctx = _Context(markers, years, parsed)
    m = DOI_ALONE.match(text)
    if m:
        parsed.query = wq.Term("doi", m.group(1).lower())
        parsed.read_as = f"doi:{m.group(1)}"
        return parsed
    node, notice = read(text)
    parsed.notice = notice
    if node is None:
        parsed.read_as = ""
        if not notice:
            parsed.notice = "The query holds no words to search for."
        return parsed
    query, shown = _convert(node, ctx)
    if isinstance(query, wq.Not):
        query = wq.AndNot(wq.Every(), query.query)
    m = PMID_ALONE.match(text)
    if m:
        query = _or([wq.Term("pmid", m.group(1), boost=10.0), query])
    if shown.startswith("(") and shown.endswith(")") and isinstance(node, All | Any_):
        shown = shown[1:-1]
    parsed.query = query
    parsed.read_as = shown
    if query is None and not parsed.notice:
        parsed.notice = "The query holds only common words; showing every study."
    return parsed


def fold_name(text: str) -> str:
    """Return a name folded for comparison (used by tests and the plain-scan oracle)."""
    return " ".join(fold_word(w) for w in text.split())
