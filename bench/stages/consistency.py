"""Whether the engines agree: each query's total and unselected facet counts, ours and theirs."""

from __future__ import annotations

from typing import Any

from bench.mix import QUERY_MIX, MixQuery
from bench.rivals import COMPARED_FACETS, Request, Rival, RivalResult
from search import parse
from search.engine import Atlas
from search.params import SearchParams
from search.results import SearchResult


def _filtered(params: SearchParams) -> set[str]:
    """Return the facets a search selects values of (their counts leave the selection out)."""
    filtered = {name for name, _ in params.filters}
    if params.year_from is not None or params.year_to is not None:
        filtered.add("year")
    return filtered


def _facets_differing(ours: SearchResult, theirs: RivalResult) -> list[str]:
    """Return the compared facets without a selection whose counts differ between engines."""
    filtered = _filtered(ours.params)
    differing = []
    for facet in COMPARED_FACETS:
        if facet in filtered:
            continue
        mine = {v.key: v.count for v in ours.facets.get(facet, ()) if v.count}
        if mine != theirs.facets[facet]:
            differing.append(facet)
    return differing


def _check(
    q: MixQuery, ours: SearchResult, rivals: dict[str, Rival], request: Request | None
) -> dict[str, Any]:
    """Return one query's row: our total, each rival's and the facets that differ."""
    row: dict[str, Any] = {
        "query": q.label,
        "kind": q.kind,
        "is_plain": q.is_plain,
        "ours": ours.total,
    }
    for name, rival in rivals.items():
        if request is None:  # the rivals cannot run it
            continue
        theirs = rival.search(request)
        row[name] = theirs.total
        row[f"{name}_facets_differ"] = _facets_differing(ours, theirs)
    row["totals_equal"] = all(row.get(n, ours.total) == ours.total for n in rivals)
    return row


def consistency(
    atlas: Atlas, rivals: dict[str, Rival], requests: dict[int, Request]
) -> list[dict[str, Any]]:
    """Return a row per query of the mix comparing our answer with each rival's."""
    ours_results = {i: atlas.search(parse(q.params)) for i, q in enumerate(QUERY_MIX)}
    return [_check(q, ours_results[i], rivals, requests.get(i)) for i, q in enumerate(QUERY_MIX)]
