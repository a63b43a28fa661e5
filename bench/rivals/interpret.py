"""A query interpreted once by our own reader into the rivals' form (a Request of clauses)."""

from __future__ import annotations

from typing import Any

from bench.rivals.contract import FILTERS, Clause, Request, Unsupported
from search import parse
from search import query as query_language
from search.filters import filter_key
from search.markers import GREEK, MarkerDictionary, find_mentions, fold
from search.vocabularies import criterion_key


def _year_bounds(value: str) -> tuple[int, int]:
    bounds = query_language.year_range(value)
    if bounds is None:
        raise Unsupported(f"year:{value}")
    return bounds


def _is_id_like(text: str) -> bool:
    # as our query builder decides: a marker typed as ordinary words also matches the words
    return any(ch.isdigit() for ch in text) or any(ch in GREEK for ch in text.casefold())


def _words(text: str, markers: MarkerDictionary) -> list[Clause]:
    out: list[Clause] = []
    pos = 0
    for mention in find_mentions(text, markers):
        out.extend(Clause("word", w) for w in text[pos : mention.start].split())
        span = text[mention.start : mention.end]
        out.append(Clause("marker", mention.key, phrase="" if _is_id_like(span) else span))
        pos = mention.end
    out.extend(Clause("word", w) for w in text[pos:].split())
    return out


def _clauses(node: query_language.Node, markers: MarkerDictionary) -> list[Clause]:
    if isinstance(node, query_language.Words):
        return _words(node.text, markers)
    if isinstance(node, query_language.Phrase):
        key = markers.lookup_free_text(fold(node.text))
        if key is not None:
            return [Clause("marker", key, phrase=node.text)]
        return [Clause("phrase", node.text)]
    if isinstance(node, query_language.Fielded):
        name, value = node.name, node.value
        if name in ("title", "topic", "intervention"):
            return [Clause("field", value, field=name)]
        if name in ("author", "journal"):
            return [Clause("field", value, field="authors" if name == "author" else "journal")]
        if name == "marker":
            return [Clause("marker", markers.key_of(value), mentions=False)]
        if name == "criteria":
            return [Clause("keyword", criterion_key(value), field="criteria")]
        if name == "design":
            return [Clause("keyword", "-".join(value.lower().split()), field="design")]
        if name == "year":
            lo, hi = _year_bounds(value)
            return [Clause("year", lo=lo, hi=hi)]
        raise Unsupported(f"{name}:")
    if isinstance(node, query_language.All):
        return [c for child in node.nodes for c in _clauses(child, markers)]
    raise Unsupported(type(node).__name__)


def interpret(args: dict[str, Any], markers: MarkerDictionary) -> Request:
    """Return the rivals' form of a search given as URL parameters."""
    params = parse(args)
    clauses: list[Clause] = []
    if params.q:
        node, notice = query_language.read(params.q)
        if notice:
            raise Unsupported(notice)
        if node is not None:
            clauses = _clauses(node, markers)
    filters = []
    for name, values in params.filters:
        if name not in FILTERS:
            raise Unsupported(f"filter {name}")
        filters.append((name, tuple(filter_key(name, v, markers) for v in values)))
    sort = params.effective_sort
    if sort not in ("relevance", "newest", "title"):
        raise Unsupported(f"sort {sort}")
    offset = (params.page - 1) * params.per_page
    return Request(
        tuple(clauses),
        tuple(filters),
        params.year_from,
        params.year_to,
        sort,
        offset,
        params.per_page,
    )
