"""The query language: the user's text read into a tree, then into a Whoosh query.

Words are AND-ed; "exact phrases", OR, NOT / -word and parentheses work; `field:value`
scopes a word; marker names are recognised in any spelling. Input that cannot be read as
written (an unclosed quote, `title:` with nothing after it, `AND OR`) is never an error: it is
searched as plain words, and `Parsed.notice` says so.

The steps, a module each: `syntax` reads text into the tree of `tree`; `plan` turns the
tree into a Whoosh query with its parts: `citations` (surnames and a year), `expansion`
(markers and thesaurus concepts), `forms` (words in their other forms), `fields` (years and
`field:value`) and `clauses` (the smallest parts). `wordlists` holds the word lists.
Callers import from here.
"""

from __future__ import annotations

from search.query.clauses import PROSE_FIELDS, WEIGHTS, GappedPhrase
from search.query.expansion import EXPANSION_WEIGHT
from search.query.fields import DOI_ALONE, PMID_ALONE
from search.query.forms import fold_name
from search.query.plan import build
from search.query.syntax import MAX_DEPTH, Malformed, read
from search.query.tree import (
    FIELDS,
    YEAR_VALUE,
    All,
    Any_,
    Fielded,
    Lexicon,
    Node,
    Not,
    Parsed,
    Phrase,
    Words,
    year_range,
)
from search.query.wordlists import (
    CONTRACTIONS,
    PARTICLES,
    PREFIXES,
    QUESTION_FILLERS,
    QUESTION_WORDS,
    VAGUE_WORDS,
)

__all__ = [
    "CONTRACTIONS",
    "DOI_ALONE",
    "EXPANSION_WEIGHT",
    "FIELDS",
    "MAX_DEPTH",
    "PARTICLES",
    "PMID_ALONE",
    "PREFIXES",
    "PROSE_FIELDS",
    "QUESTION_FILLERS",
    "QUESTION_WORDS",
    "VAGUE_WORDS",
    "WEIGHTS",
    "YEAR_VALUE",
    "All",
    "Any_",
    "Fielded",
    "GappedPhrase",
    "Lexicon",
    "Malformed",
    "Node",
    "Not",
    "Parsed",
    "Phrase",
    "Words",
    "build",
    "fold_name",
    "read",
    "year_range",
]
