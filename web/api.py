"""The JSON API: searches, facets and studies under /api/v1/, its OpenAPI document, /healthz.

Each view reads its page type's data from `web.index` as the pages do and writes it as JSON;
errors are JSON (see web/errors.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from search import SearchResult
from web.etags import conditional
from web.index import Study, get_atlas, requested_results, requested_study
from web.openapi import openapi_document
from web.urls import add_slug_converter

bp = Blueprint("api", __name__)
bp.record_once(add_slug_converter)


def _search() -> SearchResult:
    # strict: a program's misspelt filter is a 400, not a silently wider search
    return requested_results(strict=True).page()


def facets_json(result: SearchResult) -> dict[str, Any]:
    """Return the facet part of a search result as JSON."""
    full = result.to_json()
    return {
        "total": result.total,
        "facets": full["facets"],
        "distinct": dict(result.facet_value_counts),
        "filters": full["filters"],
        "generation": result.generation,
    }


def study_document(study: Study) -> dict[str, Any]:
    """Return a study as JSON answers give it: the whole record and its related studies' slugs.

    `/studies/<slug>.json` and `/api/v1/studies/<slug>` give this same object.
    """
    return {**study.record, "related": [hit.slug for hit in study.related()]}


@bp.get("/api/v1/search")
@conditional
def search() -> Response:
    return jsonify(_search().to_json())


@bp.get("/api/v1/facets")
@conditional
def facets() -> Response:
    return jsonify(facets_json(_search()))


@bp.get("/api/v1/studies/<slug:slug>")
@conditional
def study(slug: str) -> Response:
    return jsonify(study_document(requested_study(slug)))


@bp.get("/api/openapi.json")
@conditional(uses_index=False)
def openapi() -> Response:
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"  # API explorers load it from anywhere
    return response


@bp.get("/healthz")
def healthz() -> Response:
    health = get_atlas().health()
    response = jsonify(health)
    response.headers["Cache-Control"] = "no-store"
    if health["status"] != "ok":
        # Still answering from memory, but its files are gone: take this replica out.
        response.status_code = 503
        response.headers["Retry-After"] = "60"
    return response
