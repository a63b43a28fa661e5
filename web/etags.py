"""Conditional GETs: every read answer has an ETag, and a client holding it gets a 304.

The tag is keyed by the served index generation, the code release and the URL, so it
changes when either the data or the pages change, and it is the same on every replica
that serves the same index with the same code.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from flask import current_app, make_response, request
from flask.typing import ResponseReturnValue

from web.index import get_atlas

WEB_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def release() -> str:
    """Return a hash of the web package's code, templates and static files."""
    digest = hashlib.sha256()
    for path in sorted(WEB_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".svg"):
            digest.update(path.relative_to(WEB_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def etag_for(generation: str, url: str, period: int | None = None) -> str:
    """Return the ETag of a URL's answer from one index generation (and time period, if any)."""
    key = f"{generation}\n{release()}\n{url}\n{period}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


def _is_visitor_specific() -> bool:
    # A visitor with a session may see things meant only for them (a flashed "thank you").
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def conditional(view: Callable[..., ResponseReturnValue] | None = None, *,
                renew_every: int | None = None) -> Any:  # fmt: skip
    """Decorate a read view: answer 304 when the client already has this URL's answer.

    `renew_every` (seconds) also changes the tag that often, for pages that embed something
    which expires, such as the signed token of the correction form on study pages.
    """
    if view is None:
        return lambda view: conditional(view, renew_every=renew_every)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _is_visitor_specific():
            return view(*args, **kwargs)
        period = int(time.time() // renew_every) if renew_every else None
        tag = etag_for(get_atlas().generation, request.full_path, period)
        if request.if_none_match.contains_weak(tag):
            response = current_app.response_class(status=304)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
        response.set_etag(tag)
        # Keep it, but ask each time; pages that renew hold a form token meant for one reader.
        response.headers["Cache-Control"] = "private, no-cache" if renew_every else "no-cache"
        return response

    return wrapper
