"""Search URLs: a search's canonical URL, and the one helper that changes one parameter of it.

Every link that changes the current search (facet checkboxes, chips, sort and page links,
histogram bars, "did you mean") goes through `changed()` then `search_url()`, so links are
always in canonical order with defaults left out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote_plus, urlencode

from flask import current_app, g, request, url_for
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter

from search import SearchParams
from search.params import DEFAULT_PER_PAGE
from search.schema import FACETS


def changed(params: SearchParams, name: str, value: str | None = None) -> SearchParams:
    """Return the search with one parameter changed, back on page 1 unless the page changed.

    A filter value is toggled: added when absent, removed when present (a value of None
    removes every value of that filter). `q`, `sort`, `page`, `per_page`, `year_from` and
    `year_to` are set to the value, or back to their default when it is None.
    """
    if name in FACETS:
        filters = {n: list(vs) for n, vs in params.filters}
        current = filters.get(name, [])
        if value is None:
            filters[name] = []
        elif value in current:
            filters[name] = [v for v in current if v != value]
        else:
            filters[name] = [*current, value]
        return replace(params.with_filters(filters), page=1)
    if name == "page":
        return replace(params, page=int(value) if value else 1)
    if name == "q":
        return replace(params, q=value or "", page=1)
    if name == "sort":
        return replace(params, sort=value, page=1)
    if name == "per_page":
        return replace(params, per_page=int(value) if value else DEFAULT_PER_PAGE, page=1)
    if name == "year_from":
        return replace(params, year_from=int(value) if value else None, page=1)
    if name == "year_to":
        return replace(params, year_to=int(value) if value else None, page=1)
    raise ValueError(f"not a search parameter: {name}")


def whole_set(params: SearchParams) -> SearchParams:
    """Return the search without paging: what exports and feeds of this search cover."""
    return replace(params, page=1, per_page=DEFAULT_PER_PAGE)


def public_base() -> str:
    """Return where absolute URLs start: BASE_URL, or the (trusted) address of this request."""
    configured = current_app.config.get("BASE_URL")
    return configured if configured else request.host_url.rstrip("/") + request.script_root


def external_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of an endpoint, on the public base URL."""
    path = url_for(endpoint, **values)
    root = request.script_root
    if root and path.startswith(root):
        path = path[len(root) :]  # public_base() already ends with the script root
    return public_base() + path


def search_url(params: SearchParams, endpoint: str = "pages.search", external: bool = False) -> str:
    """Return the URL of a search at an endpoint, parameters in canonical order."""
    # A results page builds a couple of hundred links to the same endpoint: look it up once.
    known: dict[tuple[str, bool | str], str] = g.setdefault("endpoint_urls", {})
    base = known.get((endpoint, external))
    if base is None:
        base = external_url(endpoint) if external else url_for(endpoint)
        known[(endpoint, external)] = base
    query = urlencode(params.canonical_query())
    return f"{base}?{query}" if query else base


def study_url(slug: str) -> str:
    """Return the URL of a study's page (slugs are a-z, 0-9 and hyphens: nothing to quote)."""
    known: dict[tuple[str, bool | str], str] = g.setdefault("endpoint_urls", {})
    prefix = known.get(("pages.study", "prefix"))
    if prefix is None:
        prefix = known[("pages.study", "prefix")] = url_for("pages.study", slug="x")[:-1]
    return prefix + slug


def toggle_url(params: SearchParams, name: str, value: str) -> str:
    """Return `search_url(changed(params, name, value))` for a filter value, built faster.

    A results page links every facet value and histogram bar (a couple of hundred links);
    the parts of the query string that do not change are encoded once per page.
    """
    # Per search and facet: (prefix, suffix, the values of `name` selected, the search page's URL)
    memo: dict[tuple[SearchParams, str], tuple[str, str, tuple[str, ...], str]]
    memo = g.setdefault("toggle_parts", {})
    parts = memo.get((params, name))
    if parts is None:
        before: list[tuple[str, str]] = [("q", params.q)] if params.q else []
        after: list[tuple[str, str]] = []
        side = before
        for facet, values in params.filters:
            if facet == name:
                side = after
                continue
            if FACETS.index(facet) > FACETS.index(name):
                side = after
            side.extend((facet, v) for v in values)
        rest = replace(params, filters=(), page=1).canonical_query()
        after.extend(pair for pair in rest if pair[0] != "q")  # years, sort, per_page
        base = search_url(SearchParams())
        parts = (urlencode(before), urlencode(after), params.values(name), base)
        memo[(params, name)] = parts
    prefix, suffix, current, base = parts
    if current:
        chosen = [v for v in current if v != value] if value in current else [*current, value]
        chosen = sorted(set(chosen), key=lambda v: (v.casefold(), v))
    else:  # most often: nothing of this facet is selected yet
        chosen = [value]
    middle = "&".join(f"{name}={quote_plus(v)}" for v in chosen)  # names need no quoting
    query = "&".join(p for p in (prefix, middle, suffix) if p)
    return f"{base}?{query}" if query else base


class SlugConverter(BaseConverter):
    """A study slug: a-z, 0-9 and hyphens, so `/studies/<slug>.bib` cannot be read as a slug."""

    regex = r"[a-z0-9-]{1,120}"


def add_slug_converter(state: BlueprintSetupState) -> None:
    """Make `<slug:...>` available to a blueprint's routes (call with `bp.record_once`)."""
    state.app.url_map.converters.setdefault("slug", SlugConverter)
