"""What the rivals share: the fields they index, a search as they run it, what they return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from search import query as query_language

PROSE_FIELDS = query_language.PROSE_FIELDS
NAME_FIELDS = ("authors", "journal")
TEXT_FIELDS = PROSE_FIELDS + NAME_FIELDS
COMPARED_FACETS = ("pem", "criteria", "design", "year")
# The same weights our query builder gives each field.
BOOSTS = {field: query_language.WEIGHTS[field] for field in TEXT_FIELDS}
FILTERS = ("pem", "criteria", "design", "sex", "marker", "topic")


class Unsupported(ValueError):
    """A query uses syntax the rivals' translation does not cover (the mix avoids it)."""


@dataclass(frozen=True)
class Clause:
    """One required part of a query."""

    kind: str  # "word", "phrase", "field", "marker", "keyword", "year"
    text: str = ""  # the word, phrase or field value as typed; the key for marker/keyword
    field: str = ""  # for "field" and "keyword"
    mentions: bool = True  # markers: also match studies that only mention the marker
    phrase: str = ""  # markers typed as ordinary words ("heart rate") also match the words
    lo: int = 0
    hi: int = 9999


@dataclass(frozen=True)
class Request:
    """A search as the rivals run it: required clauses, filters (keys), order and page."""

    clauses: tuple[Clause, ...]
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    year_from: int | None
    year_to: int | None
    sort: str  # "relevance", "newest" or "title"
    offset: int
    limit: int

    @property
    def has_text(self) -> bool:
        return any(c.kind in ("word", "phrase", "field") for c in self.clauses)


@dataclass(frozen=True)
class RivalResult:
    """What a rival returns: the total, the page of slugs and the compared facets' counts."""

    total: int
    slugs: tuple[str, ...]
    facets: dict[str, dict[str, int]]


class Rival(Protocol):
    """An engine holding the corpus: answers a Request, and says its size on disk."""

    name: str
    size_bytes: int

    def search(self, request: Request) -> RivalResult:
        """Return the total, the requested page of slugs and the compared facet counts."""
        ...
