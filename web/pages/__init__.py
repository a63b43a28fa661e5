"""HTML pages and their downloadable twins: home, search, studies, exports, feed and about.

Each view reads its page type's data (`web.index`) and hands it to one writer: a template, a
download (`web/pages/downloads.py`) or JSON (`web/api.py`). What a template shows is worked
out in Python (labels, links, which parts appear); templates only loop and print.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from flask import Blueprint, Flask
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
bp.record_once(lambda state: assets.register(cast(Flask, state.app)))

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
# A value, not a function: Jinja takes any global, though Flask's hint says callable.
bp.add_app_template_global(READING_SETTINGS, "reading_settings")  # type: ignore[arg-type]


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


# The views, one module per page type, register on bp when imported.
from web.pages import about, search, study  # noqa: E402, F401
