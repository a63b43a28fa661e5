"""The one way views reach the index."""

from __future__ import annotations

from flask import current_app, request

from search import Atlas, SearchParams, SearchResult, open_atlas, parse


def get_atlas() -> Atlas:
    """Return the app's Atlas, opening the configured index on first use.

    Raises search.IndexUnavailable when there is no index; the error handlers turn that into a
    503 page, so pages that do not need the index (errors, /about) still render.
    """
    atlas = current_app.extensions.get("atlas")
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


def requested_search(strict: bool = False) -> SearchResult:
    """Return the answer to the search the request asks for (see requested_params)."""
    return get_atlas().search(requested_params(strict))
