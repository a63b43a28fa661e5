"""Years and fielded values (`year:2015..2019`, `author:"van der Meer"`, `doi:…`) as
Whoosh queries."""

from __future__ import annotations

import re
from collections.abc import Sequence

from whoosh import query as wq

from search.analysis import name_terms
from search.query.clauses import Context, all_of, any_of, field_terms, marker_query, prose_query
from search.query.tree import Fielded, year_range
from search.vocabularies import criterion_key

# A whole query that is a DOI or a PubMed id (a DOI URL and `doi:` / `PMID` prefixes too).
DOI_ALONE = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)\s*$", re.I)
PMID_ALONE = re.compile(r"^\s*(?:pmid:?\s*)?(\d{5,10})\s*$", re.I)
# A year in a citation: 2017, 2017a, (2017), 2017, 2017;
YEAR_TOKEN = re.compile(r"^\(?((?:18|19|20)\d\d)[a-z]?\)?[,;.:]*$")


def year_query(value: str, years: Sequence[int]) -> wq.Query | None:
    """Return the index's years a `year:` value covers (NullQuery when none does)."""
    bounds = year_range(value)
    assert bounds is not None
    lo, hi = bounds
    matching = [wq.Term("year", str(y)) for y in years if lo <= y <= hi]
    return any_of(matching) if matching else wq.NullQuery


def fielded_query(node: Fielded, ctx: Context) -> tuple[wq.Query | None, str]:
    """Return a `field:value` as a query, and how it reads (a marker by its display name)."""
    name, value = node.name, node.value
    shown = f'{name}:"{value}"' if node.is_phrase else f"{name}:{value}"
    if name in ("title", "topic", "intervention"):
        return prose_query(value, ctx, fields=(name,), with_names=False), shown
    if name in ("author", "journal"):
        terms = name_terms(value)
        if ctx.positive:
            ctx.parsed.name_terms.update(terms)
        fieldname = "authors" if name == "author" else "journal"
        if node.is_phrase:
            return field_terms(fieldname, terms, 1.0), shown
        return all_of([wq.Term(fieldname, t) for t in terms]), shown
    if name == "marker":
        key = ctx.markers.key_of(value)
        return marker_query(
            key, ctx, mentions=False
        ), f"marker:{ctx.markers.display.get(key, value)}"
    if name == "criteria":
        return wq.Term("criteria", criterion_key(value)), shown
    if name == "design":
        return wq.Term("design", "-".join(value.lower().split())), shown
    if name == "doi":
        m = DOI_ALONE.match(value)
        return wq.Term("doi", (m.group(1) if m else value).lower()), shown
    if name == "pmid":
        return wq.Term("pmid", value.strip()), shown
    if name == "year":
        return year_query(value, ctx.years), shown
    raise AssertionError(name)
