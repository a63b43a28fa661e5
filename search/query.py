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

from search.analysis import STOP_WORDS, WORD, fold_word, name_terms, placed_prose_terms, prose_term
from search.concepts import Thesaurus, thesaurus
from search.markers import GREEK, MarkerDictionary, find_mentions, fold
from search.vocabularies import criterion_key

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
# How much a match through the thesaurus counts beside a match of the words as typed.
EXPANSION_WEIGHT = 0.3
# Words of a question that need not match ("what is the kynurenine pathway"): dropped when
# the query has other words. Not "me": ME is the illness.
QUESTION_WORDS = frozenset(
    [
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "why",
        "how",
        "where",
        "when",
        "does",
        "do",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "should",
        "would",
        "will",
        "there",
        "any",
        "about",
        "tell",
        "show",
        "shows",
        "i",
        "my",
        "our",
        "there's",
        "what's",
    ]
)
# Words that only strengthen or soften another ("heart too small", "very tired"), or say
# that something is wrong with it ("immune system problems"), dropped from every query that
# has other words, like the question words (a thesaurus concept keeps them: "sleep problems").
VAGUE_WORDS = frozenset(
    [
        "too",
        "very",
        "really",
        "quite",
        "so",
        "just",
        "also",
        "much",
        "problem",
        "problems",
        "issue",
        "issues",
    ]
)
# Contractions typed without their apostrophe, for the thesaurus ("cant sleep").
CONTRACTIONS = {
    "cant": "can't",
    "dont": "don't",
    "doesnt": "doesn't",
    "wont": "won't",
    "isnt": "isn't",
    "couldnt": "couldn't",
}
# Words a question adds around what it asks ("is there any research on ..."), dropped only
# from queries that read as questions (a question word first, or a question mark).
QUESTION_FILLERS = frozenset(
    [
        "study",
        "studies",
        "research",
        "researched",
        "paper",
        "papers",
        "article",
        "articles",
        "trial",
        "trials",
        "evidence",
        "find",
        "found",
        "show",
        "showed",
        "shown",
        "happen",
        "happens",
        "happening",
        "know",
        "known",
        "mean",
        "means",
        "anything",
        "something",
        "really",
        "actually",
        "people",
        "patients",
        "person",
        "someone",
        "anyone",
        "have",
        "has",
        "had",
        "get",
        "getting",
        "got",
        "make",
        "makes",
        "affect",
        "affects",
        "affected",
        "link",
        "linked",
        "related",
        "relationship",
        "between",
        "role",
        "involved",
        "help",
        "helps",
        "matter",
        "matters",
        "helpful",
        "work",
        "works",
        "useful",
        "good",
    ]
)
# A year in a citation: 2017, 2017a, (2017), 2017, 2017;
_YEAR_TOKEN = re.compile(r"^\(?((?:18|19|20)\d\d)[a-z]?\)?[,;.:]*$")
# Initials after a surname ("Jason LA 2015", "Jason, L.A., 2015", "Fluge Ø 2019"), and
# before one: dotted or a single letter ("L. Jason", "L.A. Jason", "O Fluge").
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?){1,3},?$")
_INITIALS_BEFORE = re.compile(r"^(?:(?:[^\W\d_]\.){1,3}|[^\W\d_])$")
# A surname and a year typed as one word ("jason2015"), a particle joined to its surname
# ("VanCampen", "DeVega").
_NAME_YEAR = re.compile(r"^([^\W\d_][^\W\d_'’-]+)((?:18|19|20)\d\d)$")
_CAMEL_NAME = re.compile(r"^([A-Z][a-z]+)([A-Z][a-z]+)$")
# A cell-surface marker as typed (CD8, CD56), which papers write with a + for the cells.
_CELL_MARKER = re.compile(r"^[A-Za-z]{1,4}\d+$")
_ET_AL = frozenset({"et", "al", "al.", "al.,", "al,", "et.", "&", "and", "y"})
# Lower-case words inside surnames ("van der Meer", "de Vega", "Manuel y Keenoy").
PARTICLES = frozenset(
    [
        "van",
        "der",
        "den",
        "de",
        "du",
        "da",
        "di",
        "del",
        "della",
        "dos",
        "das",
        "von",
        "vom",
        "zu",
        "le",
        "la",
        "los",
        "y",
        "ten",
        "ter",
        "op",
        "st",
        "al",
        "el",
        "bin",
    ]
)
# Particles that join two parts of one surname ("Manuel y Keenoy"), where the others
# ("van", "de") begin a surname.
_JOINING = frozenset({"y"})
# Prefixes written joined, hyphenated or spaced ("postviral", "post-viral", "post viral").
PREFIXES = (
    "post",
    "pre",
    "non",
    "anti",
    "long",
    "self",
    "cross",
    "low",
    "high",
    "multi",
    "over",
    "under",
    "inter",
    "intra",
    "sub",
    "super",
    "hyper",
    "hypo",
    "neuro",
    "immuno",
    "cardio",
    "auto",
    "bio",
    "co",
    "counter",
    "mid",
    "semi",
    "well",
    "whole",
    "micro",
    "macro",
    "peri",
    "para",
    "poly",
    "pseudo",
    "ultra",
    "extra",
    "trans",
    "bottom",
    "top",
)
_LETTERS_DIGITS = re.compile(r"^([^\W\d_]+)-?(\d+)$")


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
    # the query's parts, when it is a plain AND of them, each with whether it may be left
    # out: a search that finds nothing with every part falls back to the studies matching
    # most of the optional ones (plain words) and all of the others (markers, numbers, fields)
    clauses: list[tuple[wq.Query, bool]] = field(default_factory=list)
    is_question: bool = False  # read as a question: studies with most of its words are shown


class Lexicon:
    """What an index knows, for reading queries: its prose terms and the words of its authors.

    This base knows nothing, and queries are read literally (no joined or split words, no
    citations, no thesaurus); the engine passes one that looks in its index.
    """

    is_empty = True

    def has_prose(self, term: str) -> bool:
        """Return whether a term (an indexed form) occurs in the index's prose."""
        return False

    def has_author(self, word: str) -> bool:
        """Return whether a folded word occurs in the index's author names."""
        return False

    def knows(self, text: str) -> bool:
        """Return whether every indexed word of a text is in the index's prose."""
        terms = [t for _, t in placed_prose_terms(text)]
        return bool(terms) and all(self.has_prose(t) for t in terms)


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
                if (not parts and not words) or self.peek() in (None, ")", "OR", "AND"):
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
    lexicon: Lexicon = field(default_factory=Lexicon)
    concepts: Thesaurus | None = None
    positive: bool = True
    optional: set[int] = field(default_factory=set)  # ids of parts the fallback may leave out


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
    scale: float = 1.0,
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
    parts = [_field_terms(f, terms, WEIGHTS[f] * scale, phrase, offsets) for f in fields]
    if with_names:
        parts.append(_field_terms("authors", names, WEIGHTS["authors"] * scale, phrase))
        parts.append(_field_terms("journal", names, WEIGHTS["journal"] * scale, phrase))
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
    pairs = _word_clauses(text, ctx)
    return _and([q for q, _ in pairs]), " AND ".join(s for _, s in pairs)


def _word_clauses(text: str, ctx: _Context) -> list[tuple[wq.Query, str]]:
    """Return the required parts of a run of plain words, each with how it was read.

    In order: citations (`Keller et al. 2024`), marker names, thesaurus concepts, then words,
    each matched in any of its forms (joined, hyphenated, spaced).
    """
    words = text.split()
    dropped = QUESTION_WORDS | VAGUE_WORDS
    if words and (words[0].casefold() in QUESTION_WORDS or text.rstrip().endswith("?")):
        dropped |= QUESTION_FILLERS  # a question: its filler words too
        ctx.parsed.is_question = True
    # "how common", "what causes" are concepts, not fillers; "self-reported cognitive
    # problems" is a marker
    kept: set[int] = set()
    if any(w.casefold().strip("?,.!") in dropped for w in words):
        kept = _in_concepts(words, ctx) | _in_markers(words, ctx)
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
    out: list[tuple[wq.Query | None, str]] = []
    for kind, value in _citations(words, ctx):
        if kind == "cite":
            out.append(value)  # type: ignore[arg-type]
        else:
            words = _with_plus(value, ctx.markers)  # type: ignore[arg-type]
            out.extend(_marker_clauses(" ".join(words), ctx))
    return [(q, s) for q, s in out if q is not None and any(ch.isalnum() for ch in s)]


def _in_markers(words: list[str], ctx: _Context) -> set[int]:
    """Return the positions of the words that are part of a marker name."""
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    inside: set[int] = set()
    for mention in find_mentions(" ".join(words), ctx.markers):
        inside.update(i for i, at in enumerate(starts) if mention.start <= at < mention.end)
    return inside


def _concept_terms(word: str) -> tuple[str, ...]:
    """Return a word's indexed forms for looking it up in the thesaurus; a contraction typed
    without its apostrophe is the contraction (`cant sleep` is `can't sleep`)."""
    word = CONTRACTIONS.get(word.casefold(), word)
    return tuple(t for _, t in placed_prose_terms(word))


def _in_concepts(words: list[str], ctx: _Context) -> set[int]:
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


def _citations(
    words: list[str], ctx: _Context
) -> list[tuple[str, tuple[wq.Query | None, str] | list[str]]]:
    """Split a run of words into citations and the words between.

    A citation is surnames before a year (`Keller 2024`, `Jason et al., 2015`) or before
    "et al." (`Jason et al.`, then no year condition).
    """
    out: list[tuple[str, tuple[wq.Query | None, str] | list[str]]] = []
    lexicon = ctx.lexicon
    if not lexicon.is_empty:
        words = [part for w in words for part in _split_name_word(w, lexicon)]
    rest: list[str] = []
    i = 0
    while i < len(words):
        m = _YEAR_TOKEN.match(words[i]) if not lexicon.is_empty else None
        et_al = (
            m is None
            and not lexicon.is_empty
            and words[i].casefold().rstrip(",") in ("al", "al.")
            and bool(rest)
            and rest[-1].casefold() == "et"
        )
        if m is None and not et_al:
            rest.append(words[i])
            i += 1
            continue
        surnames, k = _surnames_before(rest, lexicon)
        if not surnames:
            rest.append(words[i])
            i += 1
            continue
        year = m.group(1) if m else None
        if et_al and i + 1 < len(words):
            following = _YEAR_TOKEN.match(words[i + 1])
            if following:
                year = following.group(1)
                i += 1
        if rest[:k]:
            out.append(("words", rest[:k]))
        rest = []
        out.append(("cite", _citation_query(surnames, year, ctx)))
        i += 1
    if rest:
        out.append(("words", rest))
    return out


def _surnames_before(rest: list[str], lexicon: Lexicon) -> tuple[list[list[str]], int]:
    """Return the surnames that end `rest` (each a list of its words) and where they start.

    Read back from the year: "et al." and initials, then surnames joined by "and" / "&", side
    by side, or in a reference list's "Surname INITIALS," form.
    """
    j = len(rest)
    while j > 0 and (
        rest[j - 1].casefold().rstrip(",") in _ET_AL - {"and", "&", "y"}
        or (_are_initials(rest[j - 1], _INITIALS) and j > 1)
    ):
        j -= 1
    surnames: list[list[str]] = []
    current: list[str] = []
    k = j
    while k > 0:
        word = rest[k - 1].rstrip(",")
        if current and _are_initials(word, _INITIALS_BEFORE):
            k -= 1  # initials before a surname: "L. Jason 2015", "O. Fluge"
            continue
        if current and rest[k - 1].endswith(",") and _are_initials(word, _INITIALS):
            # a reference list: "Jason LA, Evans M 2015"; the initials end a name
            surnames.insert(0, current)
            current = []
            k -= 1
            continue
        name = _surname_word(word, lexicon)
        if name is not None and "/" in name and not current:
            # "Fluge/Mella 2019": two authors
            name, *others = [p for p in name.split("/") if p]
            surnames[:0] = [[p] for p in others]
        elif name is not None and "/" in name:
            break
        if (
            name is not None
            and word.casefold() not in PARTICLES
            and current
            and current[0].casefold() not in _JOINING
        ):
            # two surnames side by side, with no "and" ("Fluge Mella 2019", "Fluge,
            # Mella", "Knoop van der Meer"): two authors; "y" joins the parts of one
            surnames.insert(0, current)
            current = [name]
        elif name is not None or (word.casefold() in PARTICLES and current):
            current.insert(0, name or word)
        elif word.casefold() in ("and", "&") and current:
            surnames.insert(0, current)
            current = []
        else:
            break
        k -= 1
    if current:
        surnames.insert(0, current)
    return surnames, k


def _split_name_word(word: str, lexicon: Lexicon) -> list[str]:
    """Return a word typed without its spaces as its parts, when it is a known surname run
    together with a year (`jason2015`), its particle (`VanCampen`) or its other part
    (`EatonFitch`); else the word."""
    m = _NAME_YEAR.match(word)
    if m and _surname_word(m.group(1), lexicon) is not None:
        return [m.group(1), m.group(2)]
    m = _CAMEL_NAME.match(word)
    if (
        m
        and _surname_word(word, lexicon) is None
        and (m.group(1).casefold() in PARTICLES or _surname_word(m.group(1), lexicon))
        and _surname_word(m.group(2), lexicon) is not None
    ):
        return [m.group(1), m.group(2)]
    return [word]


def _are_initials(token: str, pattern: re.Pattern[str]) -> bool:
    """Return whether a token is a name's initials: capitals (any script), as the pattern says."""
    return bool(pattern.match(token)) and token.rstrip(",").replace(".", "").isupper()


def _surname_word(word: str, lexicon: Lexicon) -> str | None:
    """Return a word as it is written among the index's authors, or None when it is not there.

    `OConnor` is there as `O'Connor` (authors' names split at the apostrophe).
    """
    folded = name_terms(word)
    if not folded or fold_word(word) in STOP_WORDS:
        return None
    if all(lexicon.has_author(t) for t in folded):
        return word
    if (
        len(folded) == 1
        and len(folded[0]) > 3
        and folded[0][0] in "odl"
        and lexicon.has_author(folded[0][0])
        and lexicon.has_author(folded[0][1:])
    ):
        return f"{word[0]}'{word[1:]}"
    return None


def _citation_query(
    surnames: list[list[str]], year: str | None, ctx: _Context
) -> tuple[wq.Query | None, str]:
    parts: list[wq.Query | None] = []
    shown = []
    for surname in surnames:
        name = " ".join(surname)
        terms = name_terms(name)
        if ctx.positive:
            ctx.parsed.name_terms.update(terms)
        parts.append(_field_terms("authors", terms, WEIGHTS["authors"]))
        shown.append(f'author:"{name}"' if len(surname) > 1 else f"author:{name}")
    if year is not None:
        year_query = _year_query(year, ctx.years)
        ctx.optional.add(id(year_query))
        parts.append(year_query)
        shown.append(f"year:{year}")
    return _and(parts), " ".join(shown)


def _with_plus(words: list[str], markers: MarkerDictionary) -> list[str]:
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


def _marker_clauses(text: str, ctx: _Context) -> list[tuple[wq.Query | None, str]]:
    out: list[tuple[wq.Query | None, str]] = []
    pos = 0
    for mention in find_mentions(text, ctx.markers):
        out.extend(_concept_clauses(text[pos : mention.start].split(), ctx))
        span = text[mention.start : mention.end]
        query = _marker_query(mention.key, ctx)
        shown = f"marker:{ctx.markers.display.get(mention.key, span)}"
        if not _is_id_like(span):
            # a marker that is also ordinary words ("heart rate") matches the words too
            query = _or([query, _prose_query(span, ctx)])
        elif mention.key not in ctx.markers.display:
            # only shaped like a marker id, known to neither the table nor the studies'
            # markers: an abbreviation of the thesaurus (CoQ10) searches its expansions too
            concept = _guessed_concept(span, ctx)
            if concept is not None:
                query = _or([query, concept[0]])
                shown = concept[1]
        out.append((query, shown))
        pos = mention.end
    out.extend(_concept_clauses(text[pos:].split(), ctx))
    return out


def _guessed_concept(span: str, ctx: _Context) -> tuple[wq.Query, str] | None:
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
        _prose_query(e, ctx, phrase=_is_id_like(e), scale=EXPANSION_WEIGHT) for e in expansions
    ]
    query = _or(alternatives)
    if query is None:
        return None
    also = ", ".join(f'"{e}"' if " " in e else e for e in expansions)
    return query, f"{span} (also: {also})"


def _concept_clauses(words: list[str], ctx: _Context) -> list[tuple[wq.Query | None, str]]:
    """Return the parts of words with no marker: concepts of the thesaurus, then words."""
    if not words:
        return []
    words = _merge_joined(words, ctx)
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
        out.extend(_plain_clauses(plain, ctx))
        plain = []
        typed = " ".join(words[i:end])
        # as typed, each word may be in any field, as without the thesaurus
        query = _and([_prose_query(w, ctx, phrase=False) for w in words[i:end]])
        alternatives = [
            _prose_query(e, ctx, phrase=False, scale=EXPANSION_WEIGHT) for e in expansions
        ]
        also = ", ".join(f'"{e}"' if " " in e else e for e in expansions)
        clause = _or([query, *alternatives])
        ctx.optional.add(id(clause))
        out.append((clause, f"{typed} (also: {also})"))
        i = end
    out.extend(_plain_clauses(plain, ctx))
    return out


def _plain_clauses(words: list[str], ctx: _Context) -> list[tuple[wq.Query | None, str]]:
    """Return one part per word; words without digits (and years) may be left out."""
    out: list[tuple[wq.Query | None, str]] = []
    for word in words:
        query = _word_query(word, ctx)
        if query is not None and (not _ID_LIKE.search(word) or _YEAR_TOKEN.match(word)):
            ctx.optional.add(id(query))
        shown = word
        forms = _word_forms(word, ctx)
        if forms:
            shown = f"{word} (or: {', '.join(forms)})"
        out.append((query, shown))
    return out


def _merge_joined(words: list[str], ctx: _Context) -> list[str]:
    """Return the words with each two the index knows as one written as one (`HHV 6`)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        joined = _joined(words[i], words[i + 1], ctx) if i + 1 < len(words) else None
        if joined is None:
            out.append(words[i])
            i += 1
        else:
            out.append(joined)
            i += 2
    return out


def _joined(first: str, second: str, ctx: _Context) -> str | None:
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


def _word_forms(word: str, ctx: _Context) -> list[str]:
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


def _word_query(word: str, ctx: _Context) -> wq.Query | None:
    forms = _word_forms(word, ctx)
    lexicon = ctx.lexicon
    if ctx.positive and any(ch.isalpha() for ch in word) and not forms:
        folded = fold_word(word)
        term = prose_term(word)
        # a stop word ("from") is not indexed, so never unknown: no "form" for it
        if term is not None and not (lexicon.has_prose(term) or lexicon.has_author(folded)):
            ctx.parsed.plain_words.append(word)
    # A typed word that splits in two ("ME/CFS", "post-exertional") needs both parts in one
    # field, not adjacent: checking positions of words found in nearly every study was the
    # slowest thing a search could do. Quoted phrases are matched exactly.
    query = _prose_query(word, ctx, phrase=False)
    if forms:
        query = _or([query, *(_prose_query(f, ctx, phrase=False) for f in forms)])
    if _YEAR_TOKEN.match(word) and ctx.years:
        # a year on its own may be the year of the study
        query = _or([query, _year_query(_YEAR_TOKEN.match(word).group(1), ctx.years)])  # type: ignore[union-attr]
    return query


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
    ctx = _Context(markers, years, parsed, lexicon, None if lexicon.is_empty else thesaurus())
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
        query = _and([q for q, _ in parts])
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
        query = _or([wq.Term("pmid", m.group(1), boost=10.0), query])
        parsed.clauses = []
    if shown.startswith("(") and shown.endswith(")") and isinstance(node, All | Any_):
        shown = shown[1:-1]
    parsed.query = query
    parsed.read_as = shown
    if query is None and not parsed.notice:
        parsed.notice = "The query holds only common words; showing every study."
    return parsed


_BRACKETED_YEAR = re.compile(r"\(((?:18|19|20)\d\d[a-z]?)\)")


def _top_parts(node: Node, ctx: _Context) -> list[tuple[wq.Query, str]] | None:
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


def fold_name(text: str) -> str:
    """Return a name folded for comparison (used by tests and the plain-scan oracle)."""
    return " ".join(fold_word(w) for w in text.split())
