"""What a query is read into: the tree of its parts (`Words`, `Phrase`, `Fielded`, `Not`,
`All`, `Any_`), what reading it against an index returns (`Parsed`), and what the reading asks
of the index (`Lexicon`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from search.analysis import placed_prose_terms

# The names `name:value` may scope (a `Fielded` node's name); any other `x:y` is a word.
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
# A `year:` value: 2015, 2015..2019, 2015.., ..2019, >=2015, >2015, <=2019, <2019.
YEAR_VALUE = re.compile(r"^(?:(\d{4})\.\.(\d{4})?|\.\.(\d{4})|(>=|<=|>|<)?(\d{4}))$")


@dataclass(frozen=True)
class Words:
    """Plain words (a run of them, so markers spelt over two words are found)."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Quoted words, matched as written, in order."""

    text: str


@dataclass(frozen=True)
class Fielded:
    """A value scoped to a field (`title:fatigue`, `author:"van der Meer"`)."""

    name: str  # one of FIELDS, lower case
    value: str
    is_phrase: bool = False


@dataclass(frozen=True)
class Not:
    """A part that must not match (`NOT x`, `-x`)."""

    node: Node


@dataclass(frozen=True)
class All:
    """Parts that must all match (words side by side, or AND)."""

    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    """Parts of which one must match (OR)."""

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

    def has_marker(self, key: str) -> bool:
        """Return whether a marker key is listed or mentioned by a study of the index."""
        return False

    def knows(self, text: str) -> bool:
        """Return whether every indexed word of a text is in the index's prose."""
        terms = [t for _, t in placed_prose_terms(text)]
        return bool(terms) and all(self.has_prose(t) for t in terms)


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
