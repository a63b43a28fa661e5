"""Static files under content-hashed URLs (`/static/app.css?v=<hash>`), cached for a year.

A changed file gets a new hash and so a new URL, which is why browsers may keep the old one
forever. A request without the current hash is answered but not cached for long.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from werkzeug.security import safe_join

LONG_CACHE = "public, max-age=31536000, immutable"


@lru_cache(maxsize=128)
def _file_hash(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_hash(filename: str) -> str | None:
    """Return the content hash of a static file, or None when there is no such file."""
    path = safe_join(str(current_app.static_folder), filename)
    if path is None or not Path(path).is_file():
        return None
    return _file_hash(path)


def asset_url(filename: str) -> str:
    """Return the URL of a static file, carrying its content hash."""
    return url_for("static", filename=filename, v=asset_hash(filename))


def _cache_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == asset_hash(filename):
        response.headers["Cache-Control"] = LONG_CACHE
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def register(app: Flask) -> None:
    """Give templates `asset_url()` and send long-lived cache headers for hashed URLs."""
    app.add_template_global(asset_url)
    app.after_request(_cache_static)
