"""Search parameters: parsing a query string into a frozen `SearchParams`, and back.

Malformed values are dropped or clamped here and nowhere else. Values that are merely invalid
(`sort=sideways`, `page=abc`) are ignored with a notice; values beyond the service's bounds
(a 5,000-character query, `per_page=1000`) raise `ParamError`, which callers turn into a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from search.schema import FACETS
from search.vocabularies import CLOSED_FILTERS

MAX_QUERY_CHARS = 500
MAX_FILTER_VALUES = 50
MAX_VALUE_CHARS = 200
MAX_PAGE = 1000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "newest", "oldest", "title")
YEAR_MIN, YEAR_MAX = 1900, 2100

# Filters whose values come from a closed vocabulary, checked here.
_CLOSED = CLOSED_FILTERS
_BOOLEAN_WORDS = {"yes": "true", "no": "false", "1": "true", "0": "false"}
# The order of parameters in canonical URLs.
PARAM_ORDER = ("q", *FACETS, "year_from", "year_to", "sort", "page", "per_page", "as_typed")


class ParamError(ValueError):
    """A parameter is beyond the service's bounds (the request is refused, HTTP 400)."""


@dataclass(frozen=True)
class SearchParams:
    """One search: free text, filters, sort and page. Hashable, so it keys caches."""

    q: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str | None = None  # None: relevance with a query, newest without
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    as_typed: bool = False  # search the words as typed, never a corrected spelling
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" and not self.q:
            return "newest"
        return self.sort or ("relevance" if self.q else "newest")

    def values(self, name: str) -> tuple[str, ...]:
        """Return the selected values of one filter."""
        return dict(self.filters).get(name, ())

    def with_filters(self, filters: Mapping[str, Sequence[str]]) -> SearchParams:
        """Return a copy with these filters (in canonical order, values sorted, empties gone)."""
        return replace(self, filters=_canonical_filters(filters))

    def canonical_query(self) -> list[tuple[str, str]]:
        """Return the parameters as (name, value) pairs in a fixed order, defaults left out."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name, values in self.filters:
            pairs.extend((name, v) for v in values)
        if self.year_from is not None:
            pairs.append(("year_from", str(self.year_from)))
        if self.year_to is not None:
            pairs.append(("year_to", str(self.year_to)))
        if self.sort and self.sort != ("relevance" if self.q else "newest"):
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(self.per_page)))
        if self.as_typed:
            pairs.append(("as_typed", "1"))
        return pairs


def _canonical_filters(
    filters: Mapping[str, Sequence[str]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for name in FACETS:
        values = sorted(set(filters.get(name, ())), key=lambda v: (v.casefold(), v))
        if values:
            out.append((name, tuple(values)))
    return tuple(out)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


_INTEGER = re.compile(r"-?[0-9]{1,10}")


def _int(raw: str) -> int | None:
    raw = raw.strip()
    # isdigit() alone accepts "²" and other digits int() refuses; "--5" passed lstrip("-")
    return int(raw) if _INTEGER.fullmatch(raw) else None


class _Reader:
    """Reads one query string: each parameter's value, and the notices or refusals it gives."""

    def __init__(self, args: Mapping[str, str | Sequence[str]], strict: bool) -> None:
        self.args = args
        self.strict = strict
        self.notices: list[str] = []
        self.invalid: list[str] = []

    def ignore(self, problem: str) -> None:
        """Note an invalid value: a notice, or (strict) a reason to refuse the request."""
        if self.strict:
            self.invalid.append(problem)
        else:
            self.notices.append(f"Ignored {problem}")

    def first(self, name: str) -> str | None:
        given = _as_list(self.args.get(name))
        values = [v for v in given if v.strip()]
        if self.strict and given and not values:
            self.ignore(f"{name}='': expected a value")
        return values[0] if values else None

    def text(self) -> str:
        qs = _as_list(self.args.get("q"))
        sent = sum(len(v) for v in qs) + max(0, len(qs) - 1)  # the bound is on what was sent
        if sent > MAX_QUERY_CHARS:
            raise ParamError(
                f"q: the query is {sent} characters long; at most {MAX_QUERY_CHARS} are allowed"
            )
        return " ".join(" ".join(v.split()) for v in qs if v.strip()).replace("\x00", "")

    def filter_value(self, name: str, raw: str) -> str | None:
        """Return a filter's value in canonical form, or None when it is empty or invalid."""
        if len(raw) > MAX_VALUE_CHARS:
            raise ParamError(f"{name}: a value is longer than {MAX_VALUE_CHARS} characters")
        value = " ".join(raw.split())
        if not value:
            if self.strict and (name in _CLOSED or name == "year"):
                self.ignore(f"{name}='': expected a value")
            return None
        if name in _CLOSED:
            folded = value.lower() if name != "evidence_level" else value.upper()
            folded = _BOOLEAN_WORDS.get(folded, folded) if name == "peer_reviewed" else folded
            folded = "-".join(folded.split()) if name == "design" else folded
            if folded not in _CLOSED[name]:
                self.ignore(f"{name}={value!r}: expected one of {', '.join(_CLOSED[name])}.")
                return None
            return folded
        if name == "year":
            year = _int(value)
            if year is None or not YEAR_MIN <= year <= YEAR_MAX:
                self.ignore(f"year={value!r}: expected a year such as 2017.")
                return None
            return str(year)
        return value

    def filters(self) -> dict[str, list[str]]:
        filters: dict[str, list[str]] = {}
        for name in FACETS:
            raws = _as_list(self.args.get(name))
            if len(raws) > MAX_FILTER_VALUES:
                raise ParamError(f"{name}: at most {MAX_FILTER_VALUES} values are allowed")
            for raw in raws:
                value = self.filter_value(name, raw)
                if value is not None:
                    filters.setdefault(name, []).append(value)
        return filters

    def year(self, name: str) -> int | None:
        raw = self.first(name)
        if raw is None:
            return None
        year = _int(raw)
        if year is None or not YEAR_MIN <= year <= YEAR_MAX:
            self.ignore(f"{name}={raw!r}: expected a year between {YEAR_MIN} and {YEAR_MAX}.")
            return None
        return year

    def sort(self) -> str | None:
        sort = self.first("sort")
        if sort is None:
            return None
        sort = sort.strip().lower()
        if sort not in SORTS:
            self.ignore(f"sort={sort!r}: expected one of {', '.join(SORTS)}.")
            return None
        return sort

    def count(self, name: str, default: int, maximum: int, expected: str) -> int:
        """Return a whole number from 1 (default when absent or invalid); above maximum raises."""
        raw = self.first(name)
        if raw is None:
            return default
        value = _int(raw)
        if value is None or value < 1:
            self.ignore(f"{name}={raw!r}: expected a whole number {expected}.")
            return default
        if value > maximum:
            raise ParamError(f"{name}: at most {maximum}")
        return value

    def flag(self, name: str) -> bool:
        raw = self.first(name)
        if raw is None:
            return False
        flag = _BOOLEAN_WORDS.get(raw.strip().lower(), raw.strip().lower())
        if flag not in ("true", "false"):
            self.ignore(f"{name}={raw!r}: expected 1 or 0.")
        return flag == "true"


def parse(args: Mapping[str, str | Sequence[str]], strict: bool = False) -> SearchParams:
    """Return the search parameters of a query string given as {name: [values]}.

    Unknown names are ignored. Raises ParamError for values beyond the service's bounds.
    Invalid values are ignored with a notice; with `strict` (the API and downloads, which
    programs call and whose OpenAPI document says what is valid) they raise ParamError too.
    """
    read = _Reader(args, strict)
    q = read.text()
    filters = read.filters()
    year_from, year_to = read.year("year_from"), read.year("year_to")
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
        read.notices.append("year_from was after year_to; the two were swapped.")
    sort = read.sort()
    page = read.count("page", 1, MAX_PAGE, "from 1")
    per_page = read.count("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, f"from 1 to {MAX_PER_PAGE}")
    as_typed = read.flag("as_typed")
    if read.invalid:
        raise ParamError(" ".join(read.invalid))
    return SearchParams(
        q=q,
        filters=_canonical_filters(filters),
        year_from=year_from,
        year_to=year_to,
        sort=sort,
        page=page,
        per_page=per_page,
        as_typed=as_typed,
        notices=tuple(read.notices),
    )
