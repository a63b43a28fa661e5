"""The one way views reach the index."""

from __future__ import annotations

from flask import current_app

from search import Atlas, open_atlas


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
