"""The same search work done by tantivy (Python bindings) and SQLite FTS5, for comparison.

"The same work": the same records as our index sees them (loaded and cleaned by the indexer,
with the same marker keys and criteria ids), the same queries, and for each query the total,
the top 20 (or the requested page) in the query's order, and counts over the whole match set
for the pem, criteria, design and year facets. Queries are interpreted once by our own query
reader (`interpret`), outside the timed part, so both rivals are spared marker recognition.

Differences we accept and report rather than hide: each engine has its own tokenizer and
stemmer (Whoosh's Porter, tantivy's Snowball, SQLite's Porter) and its own stop words (we drop
a few English ones); our facet counts for a filtered facet leave its own selection out, so only
facets without a selection are compared.

One module each: `contract` (the fields, Request, RivalResult, the Rival protocol),
`interpret` (our query reader's answer in the rivals' form), `docs` (the records as the
rivals index them), `tantivy_rival` and `sqlite_rival` (the two engines).
"""

from bench.rivals.contract import (
    COMPARED_FACETS,
    Clause,
    Request,
    Rival,
    RivalResult,
    Unsupported,
)
from bench.rivals.docs import RivalDoc, rival_docs
from bench.rivals.interpret import interpret
from bench.rivals.sqlite_rival import SqliteRival, fts5_available
from bench.rivals.tantivy_rival import TantivyRival

__all__ = [
    "COMPARED_FACETS",
    "Clause",
    "Request",
    "Rival",
    "RivalDoc",
    "RivalResult",
    "SqliteRival",
    "TantivyRival",
    "Unsupported",
    "fts5_available",
    "interpret",
    "rival_docs",
]
