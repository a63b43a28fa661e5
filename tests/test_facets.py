"""Facet counting over bit matrices, checked against Python's own popcount."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search.facets import BitMatrix, StackedCounts

SIZE = 1000

bitsets = st.integers(min_value=0, max_value=(1 << SIZE) - 1)
# sets of a few documents take the sparse path (only the words they touch)
sparse = st.lists(st.integers(min_value=0, max_value=SIZE - 1), max_size=6).map(
    lambda docs: sum(1 << d for d in set(docs))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(bitsets, min_size=1, max_size=12), st.one_of(bitsets, sparse))
def test_counts_are_popcounts_of_each_value_and_the_base(values: list[int], base: int) -> None:
    matrix = BitMatrix({f"v{i}": b for i, b in enumerate(values)}, SIZE)
    assert matrix.counts(base).tolist() == [(b & base).bit_count() for b in values]
    rows = list(range(0, len(values), 2))
    assert matrix.counts_of(rows, base).tolist() == [(values[r] & base).bit_count() for r in rows]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(bitsets, min_size=1, max_size=6),
    st.lists(bitsets, max_size=6),
    st.one_of(bitsets, sparse),
)
def test_stacked_counts_and_order_match_each_part_alone(
    first: list[int], second: list[int], base: int
) -> None:
    parts = {
        "a": BitMatrix({f"a{i}": b for i, b in enumerate(first)}, SIZE),
        "b": BitMatrix({f"b{i}": b for i, b in enumerate(second)}, SIZE),
    }
    stacked = StackedCounts(parts, SIZE)
    counts = stacked.counts(base)
    tops = stacked.tops(counts)
    for name, part in parts.items():
        alone = part.counts(base)
        assert stacked.part_counts(counts, name).tolist() == alone.tolist()
        shown, found, distinct = tops[name]
        assert shown == part.top(alone, len(part.keys))
        assert found == [int(alone[i]) for i in shown]
        assert distinct == int((alone > 0).sum())
