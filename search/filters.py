"""A search's filters read against one generation: the facet key each filter value selects,
and per filter the bitset of the documents it keeps (a year range is one more filter).

Bitsets are Python ints (bit d set when document d passes), as in the serving tables.
"""

from __future__ import annotations

from typing import NamedTuple

from search.facets import union
from search.markers import MarkerDictionary
from search.params import SearchParams
from search.store.tables import IndexTables
from search.vocabularies import criterion_key, tag_key

# The bounds of an open-ended year range (`year_from` alone or `year_to` alone).
FIRST_YEAR, LAST_YEAR = 0, 9999


def filter_key(facet: str, value: str, markers: MarkerDictionary) -> str:
    """Return the facet key a filter value selects (any synonym of a marker works)."""
    if facet == "marker":
        return markers.key_of(value)
    if facet == "criteria":
        return criterion_key(value)
    if facet in ("topic", "intervention"):
        return tag_key(value)
    return value


class Constraints(NamedTuple):
    """What a search's filters keep: per filter its bitset, the selected keys, the values.

    A named tuple, as `Answer` is: made on every search, cheaper than a frozen dataclass.
    """

    bits: dict[str, int]  # filter -> the documents it keeps ("year" for the year range too)
    selected: dict[str, set[str]]  # facet -> the keys its filter selects
    resolved: dict[str, list[str]]  # facet -> the filter's values in canonical spelling

    def apply(self, matched: int) -> int:
        """Return the documents of a match set that pass every filter."""
        for bits in self.bits.values():
            matched &= bits
        return matched


def constraints(
    params: SearchParams, tables: IndexTables, markers: MarkerDictionary, years: list[int]
) -> Constraints:
    """Return a search's filters read against a generation's tables, markers and years."""
    selected: dict[str, set[str]] = {}
    bits: dict[str, int] = {}
    resolved: dict[str, list[str]] = {}
    for name, values in params.filters:
        keys = [filter_key(name, v, markers) for v in values]
        selected[name] = set(keys)
        bits[name] = union(tables.facets[name], keys)
        labels = tables.facet_labels[name]
        resolved[name] = [labels.get(k, v) for k, v in zip(keys, values, strict=True)]
    if params.year_from is not None or params.year_to is not None:
        lo = params.year_from if params.year_from is not None else FIRST_YEAR
        hi = params.year_to if params.year_to is not None else LAST_YEAR
        in_range = union(tables.facets["year"], [str(y) for y in years if lo <= y <= hi])
        bits["year"] = bits.get("year", tables.all_docs) & in_range
    return Constraints(bits, selected, resolved)
