"""Facet counting over bitsets (Python ints: bit d set when document d has the value).

Counts cover the whole match set. Each facet's counts leave out that facet's own selection
(Solr's tag/exclude), so ticking a second value shows how many studies it would add.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from search.results import FacetValue

# Long facets are cut to this many values (selected values are always kept).
FACET_LIMITS = {"marker": 30, "topic": 30, "intervention": 30, "year": 200}
DEFAULT_LIMIT = 50


def members(bits: int) -> Iterator[int]:
    """Yield the set bit positions of an int in increasing order."""
    text = bin(bits)[:1:-1]
    i = text.find("1")
    while i != -1:
        yield i
        i = text.find("1", i + 1)


def union(bitsets: Mapping[str, int], keys: list[str]) -> int:
    """Return the OR of the bitsets of these keys (unknown keys add nothing)."""
    out = 0
    for key in keys:
        out |= bitsets.get(key, 0)
    return out


def facet_counts(
    name: str,
    base: int,
    values: Mapping[str, int],
    labels: Mapping[str, str],
    selected: set[str],
) -> tuple[tuple[FacetValue, ...], int]:
    """Return a facet's values (count desc, then label) over `base`, and how many have a count."""
    counted = []
    for key, bits in values.items():
        count = (base & bits).bit_count()
        if count or key in selected:
            counted.append((key, count))
    for key in selected:
        if key not in values:
            counted.append((key, 0))
    distinct = sum(1 for _, c in counted if c)
    counted.sort(key=lambda kc: (-kc[1], labels.get(kc[0], kc[0]).casefold(), kc[0]))
    limit = FACET_LIMITS.get(name, DEFAULT_LIMIT)
    shown = counted[:limit] + [kc for kc in counted[limit:] if kc[0] in selected]
    return (
        tuple(
            FacetValue(value=labels.get(k, k), key=k, count=c, selected=k in selected)
            for k, c in shown
        ),
        distinct,
    )
