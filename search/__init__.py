"""Search layer: turns a request into results (parameters, queries, facets, highlights).

Pure Python, no Flask: the CLI and the web layer both call `open_atlas()` and
`Atlas.search()`, so every behaviour is the same from the command line and the web.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.engine import Atlas, IndexUnavailable, open_atlas
    from search.params import SearchParams, parse
    from search.results import Evidence, FacetValue, Hit, SearchResult

# Loaded on first use: `atlas index build` needs search.schema and search.markers, not the
# engine with numpy behind it, and a command's start-up time is part of every build.
_WHERE = {
    "Atlas": "search.engine",
    "IndexUnavailable": "search.engine",
    "open_atlas": "search.engine",
    "SearchParams": "search.params",
    "parse": "search.params",
    "Evidence": "search.results",
    "FacetValue": "search.results",
    "Hit": "search.results",
    "SearchResult": "search.results",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Atlas",
    "Evidence",
    "FacetValue",
    "Hit",
    "IndexUnavailable",
    "SearchParams",
    "SearchResult",
    "open_atlas",
    "parse",
]
