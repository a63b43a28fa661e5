"""Read answers: every one has an ETag, a client holding it gets a 304, and repeated answers
come from memory.

The tag is keyed by the served index generation, the code release and the URL, so it
changes when either the data or the pages change, and it is the same on every replica
that serves the same index with the same code. The same tag keys a bounded cache of rendered
answers: a repeated search page costs a dictionary lookup, not a render (rendering a results
page costs about as much as the search behind it).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import ParamSpec, overload

from flask import current_app, make_response, request
from flask.typing import ResponseReturnValue

from web.index import get_atlas
from web.urls import public_base

WEB_DIR = Path(__file__).resolve().parent
# The code answers are made from: pages and templates, and the search layer and record schema
# behind /about's tables and the OpenAPI document.
CODE_DIRS = (
    WEB_DIR,
    WEB_DIR.parent / "search",
    WEB_DIR.parent / "indexer",
    WEB_DIR.parent / "citations",  # citation texts, BibTeX, RIS and the CSL styles
)


@lru_cache(maxsize=1)
def release() -> str:
    """Return a hash of the code, templates and static files that answers are made from."""
    digest = hashlib.sha256()
    for root in CODE_DIRS:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (
                ".py",
                ".html",
                ".css",
                ".js",
                ".svg",
                ".tsv",
                ".csl",
            ):
                digest.update(path.relative_to(root.parent).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def etag_for(generation: str, url: str, period: int | None = None, base: str = "") -> str:
    """Return the ETag of a URL's answer from one index generation (and time period, if any).

    `base` is where the answer's absolute URLs start (web.urls.public_base): answers for two
    trusted host names differ, so they must not share a tag or a cache entry.
    """
    key = f"{generation}\n{release()}\n{base}\n{url}\n{period}".encode()
    return hashlib.sha256(key).hexdigest()[:32]


# Rendered answers kept per process: at most this many, each at most MAX_CACHED_BODY bytes.
CACHED_ANSWERS = 512
MAX_CACHED_BODY = 512 * 1024


class AnswerCache:
    """A bounded, thread-safe LRU of rendered answers keyed by ETag."""

    def __init__(self, size: int = CACHED_ANSWERS) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[bytes, int, list[tuple[str, str]]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tag: str) -> tuple[bytes, int, list[tuple[str, str]]] | None:
        with self._lock:
            item = self._items.get(tag)
            if item is not None:
                self._items.move_to_end(tag)
            return item

    def put(self, tag: str, body: bytes, status: int, headers: list[tuple[str, str]]) -> None:
        if len(body) > MAX_CACHED_BODY or self.size <= 0:
            return
        with self._lock:
            self._items[tag] = (body, status, headers)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _answer_cache() -> AnswerCache:
    cache: AnswerCache | None = current_app.extensions.get("answer_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "answer_cache", AnswerCache(current_app.config.get("ANSWER_CACHE_SIZE", CACHED_ANSWERS))
        )
    return cache


def _is_visitor_specific() -> bool:
    # A visitor with a session may see things meant only for them (a flashed "thank you").
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


_Params = ParamSpec("_Params")
_View = Callable[_Params, ResponseReturnValue]


@overload
def conditional(
    view: _View[_Params], *, renew_every: int | None = None, uses_index: bool = True
) -> _View[_Params]: ...


@overload
def conditional(
    view: None = None, *, renew_every: int | None = None, uses_index: bool = True
) -> Callable[[_View[_Params]], _View[_Params]]: ...


def conditional(
    view: _View[_Params] | None = None,
    *,
    renew_every: int | None = None,
    uses_index: bool = True,
) -> _View[_Params] | Callable[[_View[_Params]], _View[_Params]]:
    """Decorate a read view: answer 304 when the client already has this URL's answer.

    `renew_every` (seconds) also changes the tag that often, for pages that embed something
    which expires, such as the signed token of the correction form on study pages.
    `uses_index=False`: the answer depends on the code alone (/about, the OpenAPI document),
    so it is tagged, and answers, without an index.
    """
    if view is None:
        return lambda view: conditional(view, renew_every=renew_every, uses_index=uses_index)

    @wraps(view)
    def wrapper(*args: _Params.args, **kwargs: _Params.kwargs) -> ResponseReturnValue:
        if _is_visitor_specific():
            return view(*args, **kwargs)
        period = int(time.time() // renew_every) if renew_every else None
        generation = get_atlas().generation if uses_index else "-"
        tag = etag_for(generation, request.full_path, period, public_base())
        cache = _answer_cache()
        if request.if_none_match.contains_weak(tag):
            response = current_app.response_class(status=304)
        elif (cached := cache.get(tag)) is not None:
            body, status, headers = cached
            response = current_app.response_class(body, status=status, headers=headers)
        else:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
            if not response.is_streamed:
                headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
                cache.put(tag, response.get_data(), response.status_code, headers)
        response.set_etag(tag)
        # Keep it, but ask each time; pages that renew hold a form token meant for one reader.
        response.headers["Cache-Control"] = "private, no-cache" if renew_every else "no-cache"
        return response

    return wrapper
