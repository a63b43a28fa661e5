"""The one way views reach the index, and the data of each page type.

A page type (a search's results, one study) has one function that produces its data:
`requested_results()` and `requested_study()`. Every format of that page (the HTML page, its
JSON, CSV, BibTeX, RIS, the Atom feed) is a writer applied to that value at the last step, so
the formats cannot disagree about what they show. The values fetch lazily: a results page
never reads whole records, a download never counts facets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from flask import abort, current_app, request

from search import Atlas, Hit, SearchParams, SearchResult, open_atlas, parse


def get_atlas() -> Atlas:
    """Return the app's Atlas, opening the configured index on first use.

    Raises search.IndexUnavailable when there is no index; the error handlers turn that into a
    503 page, so pages that do not need the index (errors, /about) still render.
    """
    atlas: Atlas | None = current_app.extensions.get("atlas")
    if atlas is None:
        atlas = open_atlas(
            current_app.config["INDEX_DIR"], cache_size=current_app.config["SEARCH_CACHE_SIZE"]
        )
        current_app.extensions["atlas"] = atlas
    return atlas


def requested_params(strict: bool = False) -> SearchParams:
    """Return the search the request's query string asks for.

    `strict` for programs (the API, downloads): a value the OpenAPI document does not allow is
    a 400; pages ignore it with a notice.
    """
    return parse(request.args.to_dict(flat=False), strict=strict)


# ---- the search results page type ---------------------------------------------------------------


def result_records(
    atlas: Atlas, params: SearchParams, limit: int, sort: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Return the full records of a search's whole result set (at most `limit`) and its total.

    Paging is ignored: a download or feed covers the set from its first result.
    """
    return atlas.records(replace(params, sort=sort or params.sort), limit)


@dataclass(frozen=True)
class Results:
    """A search and the atlas that answers it: what every format of a results page reads."""

    atlas: Atlas
    params: SearchParams

    def page(self) -> SearchResult:
        """Return the requested page of hits with facets, evidence and suggestion (HTML, JSON)."""
        return self.atlas.search(self.params)

    def records(self, limit: int, sort: str | None = None) -> tuple[list[dict[str, Any]], int]:
        """Return the whole result set's full records (at most `limit`) and its total."""
        return result_records(self.atlas, self.params, limit, sort)

    def built_at(self) -> str | None:
        """Return when the served index was built (ISO 8601 UTC), if it says."""
        return self.atlas.built_at()


def requested_results(strict: bool = False) -> Results:
    """Return the search the request asks for, ready for any format (see requested_params)."""
    return Results(get_atlas(), requested_params(strict))


# ---- the study page type ------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    """One study's record and the atlas it is in: what every format of a study page reads."""

    atlas: Atlas
    record: dict[str, Any]

    @property
    def slug(self) -> str:
        slug: str = self.record["slug"]
        return slug

    def related(self) -> list[Hit]:
        """Return the studies most like this one (the page lists them, JSON gives their slugs)."""
        return self.atlas.related(self.slug)


def requested_study(slug: str) -> Study:
    """Return the study a URL names; a slug the atlas does not hold is a 404."""
    atlas = get_atlas()
    record = atlas.study(slug)
    if record is None:
        abort(404, description=f"There is no study {slug!r} in the atlas.")
    return Study(atlas, record)
