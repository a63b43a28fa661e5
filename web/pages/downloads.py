"""Downloads of a whole search: CSV, BibTeX, RIS and an Atom feed."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from web.etags import conditional
from web.exports import (
    FEED_ENTRIES,
    atom_feed,
    bibtex_text,
    csv_text,
    result_records,
    ris_text,
)
from web.index import get_atlas, requested_params
from web.pages import (
    _download,
    _study_url,
    bp,
)
from web.urls import (
    search_url,
    whole_set,
)

# ---- exports of a search ------------------------------------------------------------------------


def _export() -> tuple[list[dict[str, Any]], int]:
    """Return the records of the requested search's whole result set, and its total."""
    # strict, as the API: downloads are fetched by programs as often as by people
    return result_records(
        get_atlas(), requested_params(strict=True), current_app.config["EXPORT_LIMIT"]
    )


@bp.get("/search.csv")
@conditional
def search_csv() -> Response:
    records, total = _export()
    body = csv_text(records, _study_url)
    return _download(body, "text/csv; charset=utf-8", "atlas-search.csv", total)


@bp.get("/search.bib")
@conditional
def search_bib() -> Response:
    records, total = _export()
    body = bibtex_text(records, current_app.config["SITE_SHORT"])
    return _download(body, "application/x-bibtex; charset=utf-8", "atlas-search.bib", total)


@bp.get("/search.ris")
@conditional
def search_ris() -> Response:
    records, total = _export()
    body = ris_text(records, current_app.config["SITE_SHORT"])
    return _download(
        body, "application/x-research-info-systems; charset=utf-8", "atlas-search.ris", total
    )


@bp.get("/search.atom")
@conditional
def search_atom() -> Response:
    atlas = get_atlas()
    params = whole_set(requested_params(strict=True))
    records, _ = result_records(atlas, params, FEED_ENTRIES, sort="newest")
    what = f"“{params.q}”" if params.q else "all studies"
    body = atom_feed(
        records,
        title=f"{current_app.config['SITE_NAME']}: {what}"
        + (" (filtered)" if params.filters else ""),
        feed_url=search_url(params, "pages.search_atom", external=True),
        page_url=search_url(params, external=True),
        updated=atlas.health().get("built_at") or "1970-01-01T00:00:00Z",
        url_of=_study_url,
        site_name=current_app.config["SITE_NAME"],
    )
    return Response(body, mimetype="application/atom+xml")
