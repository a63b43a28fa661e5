"""The download formats (CSV, BibTeX, RIS files and the Atom feed) as responses.

Each is a writer applied at the last step to a page type's data (`web.index.Results` or
`Study`); the text itself is written by `web.exports` and `citations`. The routes are with
their page type's other formats, in `web/pages/search.py` and `web/pages/study.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app

from web.exports import atom_feed, bibtex_text, csv_text, ris_text
from web.index import Results, Study
from web.urls import search_url, study_url, whole_set


def _site_short() -> str:
    prefix: str = current_app.config["SITE_SHORT"]  # BibTeX keys and RIS IDs start with it
    return prefix


def _study_page(slug: str) -> str:
    return study_url(slug, external=True)


@dataclass(frozen=True)
class RecordFile:
    """A file format of study records: its content type, file extension and writer."""

    content_type: str
    extension: str
    write: Callable[[Sequence[Mapping[str, Any]]], str]


CSV = RecordFile("text/csv; charset=utf-8", "csv", lambda rs: csv_text(rs, _study_page))
BIBTEX = RecordFile(
    "application/x-bibtex; charset=utf-8", "bib", lambda rs: bibtex_text(rs, _site_short())
)
RIS = RecordFile(
    "application/x-research-info-systems; charset=utf-8",
    "ris",
    lambda rs: ris_text(rs, _site_short()),
)


def _attachment(body: str, file: RecordFile, name: str) -> Response:
    response = Response(body, content_type=file.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file.extension}"'
    return response


def results_file(results: Results, file: RecordFile) -> Response:
    """Return a search's whole result set (up to EXPORT_LIMIT) as a file, with its total."""
    limit: int = current_app.config["EXPORT_LIMIT"]
    records, total = results.records(limit)
    response = _attachment(file.write(records), file, "atlas-search")
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Export-Limit"] = str(limit)
    return response


def study_file(study: Study, file: RecordFile) -> Response:
    """Return one study as a file named after its slug."""
    return _attachment(file.write([study.record]), file, study.slug)


FEED_ENTRIES = 50  # a search's feed holds its newest studies, this many


def results_feed(results: Results) -> Response:
    """Return the Atom feed of a search: its newest FEED_ENTRIES studies."""
    params = whole_set(results.params)
    records, _ = results.records(FEED_ENTRIES, sort="newest")
    site_name: str = current_app.config["SITE_NAME"]
    what = f"“{params.q}”" if params.q else "all studies"
    body = atom_feed(
        records,
        title=f"{site_name}: {what}" + (" (filtered)" if params.filters else ""),
        feed_url=search_url(params, "pages.search_atom", external=True),
        page_url=search_url(params, external=True),
        updated=results.built_at() or "1970-01-01T00:00:00Z",
        url_of=_study_page,
        site_name=site_name,
    )
    return Response(body, mimetype="application/atom+xml")
