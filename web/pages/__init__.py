"""HTML pages and their downloadable twins: home, search, studies, exports, feed and about.

Each view parses, asks `search` and responds. What a template shows is worked out here
(labels, links, which parts appear); templates only loop and print.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, Response, current_app
from markupsafe import Markup

from citations import short_authors
from search import Hit, SearchParams, SearchResult
from web import assets
from web.pages.labels import (
    PEM_EXPLANATIONS,
    PEM_LABELS,
    READING_SETTINGS,
    RETRACTED_EXPLANATION,
    VALUE_LABELS,
)
from web.urls import add_slug_converter, external_url, study_url, toggle_url

bp = Blueprint("pages", __name__)
bp.record_once(add_slug_converter)
bp.record_once(lambda state: assets.register(state.app))

# ---- helpers for templates --------------------------------------------------------------------


@bp.app_template_filter("snippet_html")
def snippet_html(hit: Hit) -> Markup:
    """Return a hit's snippet as markup: `search.highlight` escaped it and added only <mark>.

    This is the one place in `web` that marks text safe; everything else is escaped.
    """
    return Markup(hit.snippet)


@bp.app_template_filter("short_authors")
def _short_authors(authors: Sequence[str]) -> str:
    return short_authors(authors)


bp.add_app_template_global(study_url, "study_url")
bp.add_app_template_global(external_url, "external_url")
bp.add_app_template_global(READING_SETTINGS, "reading_settings")


@bp.app_template_filter("pem_label")
def pem_label(pem: str) -> str:
    return PEM_LABELS.get(pem, PEM_LABELS["unknown"])


@bp.app_template_filter("pem_explanation")
def pem_explanation(pem: str) -> str:
    return PEM_EXPLANATIONS.get(pem, PEM_EXPLANATIONS["unknown"])


@bp.app_template_global("retracted_explanation")
def retracted_explanation() -> str:
    return RETRACTED_EXPLANATION


def value_label(name: str, value: str) -> str:
    """Return how a filter value is shown (labels for closed vocabularies, else as is)."""
    return VALUE_LABELS.get(name, {}).get(value, value)


def filter_url(name: str, value: str) -> str:
    """Return the URL of a search for one filter value alone."""
    return toggle_url(SearchParams(), name, value)


def is_marker_search(result: SearchResult) -> bool:
    """Return whether a marker was asked for, by filter or in the query text."""
    return bool(result.searched_markers)


def _study_url(slug: str) -> str:
    return external_url("pages.study", slug=slug)


def _download(
    body: str | bytes, content_type: str, filename: str, total: int | None = None
) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if total is not None:
        response.headers["X-Total-Count"] = str(total)
        response.headers["X-Export-Limit"] = str(current_app.config["EXPORT_LIMIT"])
    return response


# The views, one module per page type, register on bp when imported.
from web.pages import about, downloads, search, study  # noqa: E402, F401
