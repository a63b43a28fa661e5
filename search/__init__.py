"""Search layer: turns a request into results (parameters, queries, facets, highlights).

Pure Python, no Flask: the CLI and the web layer both call `open_atlas()` and
`Atlas.search()`, so every behaviour is the same from the command line and the web.
"""

from search.engine import Atlas, IndexUnavailable, open_atlas
from search.params import SearchParams, parse
from search.results import Evidence, FacetValue, Hit, SearchResult

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
