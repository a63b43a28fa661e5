"""The OpenAPI 3 description of the JSON API, built with apispec from marshmallow schemas.

The API and the downloads read their parameters strictly (`search.params.parse(strict=True)`):
what this document calls invalid is a 400 there, and schemathesis checks that it is (`make
test`). The HTML pages read the same parameters leniently, ignoring invalid values with a
notice.

The study schema is the record schema itself (`search/records.py`); the others describe
the JSON that `search.results` produces. Tests check real answers against this document.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from search.params import (
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    MAX_VALUE_CHARS,
    SORTS,
    YEAR_MAX,
    YEAR_MIN,
)
from search.records import StudyRecordSchema
from search.schema import FACETS
from search.vocabularies import CLOSED_FILTERS, PEM_VALUES

API_VERSION = "1.0.0"
OPENAPI_VERSION = "3.0.3"
_ENUMS = CLOSED_FILTERS


class HitSchema(Schema):
    """One study in a result list."""

    slug = fields.String(required=True)
    title = fields.String(required=True)
    authors = fields.List(fields.String(), required=True)
    year = fields.Integer(required=True)
    journal = fields.String(required=True, allow_none=True)
    doi = fields.String(required=True, allow_none=True)
    pmid = fields.String(required=True, allow_none=True)
    pem = fields.String(required=True, validate=validate.OneOf(PEM_VALUES))
    criteria = fields.List(fields.String(), required=True)
    design = fields.String(required=True, allow_none=True)
    markers = fields.List(fields.String(), required=True)
    score = fields.Float(required=True, allow_none=True)
    snippet = fields.String(
        required=True,
        metadata={"description": "HTML: the text is escaped; matches are wrapped in <mark>."},
    )
    retracted = fields.Boolean(required=True)


class FacetValueSchema(Schema):
    value = fields.String(required=True, metadata={"description": "Label, also a filter value"})
    count = fields.Integer(required=True)
    selected = fields.Boolean(required=True)


class EvidenceSchema(Schema):
    """For one marker: how many matching studies found each direction."""

    marker = fields.String(required=True)
    increased = fields.Integer(required=True)
    decreased = fields.Integer(required=True)
    no_difference = fields.Integer(required=True, data_key="no-difference")
    mixed = fields.Integer(required=True)


def _facet_map(inner: fields.Field[Any]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(FACETS)), values=inner, required=True
    )


class SearchResponseSchema(Schema):
    """A page of results: the same JSON as `atlas search --json`."""

    query = fields.String(required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    sort = fields.String(required=True, validate=validate.OneOf(SORTS))
    results = fields.List(fields.Nested(HitSchema), required=True)
    facets = _facet_map(fields.List(fields.Nested(FacetValueSchema)))
    facet_totals = _facet_map(
        fields.Integer(metadata={"description": "Values with a count, before long facets are cut"})
    )
    suggestion = fields.String(required=True, allow_none=True)
    corrected = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The corrected query searched instead of `query`, or null"},
    )
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    read_as = fields.String(required=True)
    notices = fields.List(fields.String(), required=True)
    filters = _facet_map(fields.List(fields.String()))
    year_from = fields.Integer(required=True, allow_none=True)
    year_to = fields.Integer(required=True, allow_none=True)
    generation = fields.String(required=True)


class FacetsResponseSchema(Schema):
    """Facet counts over a search's match set, without the results."""

    total = fields.Integer(required=True)
    facets = _facet_map(fields.List(fields.Nested(FacetValueSchema)))
    distinct = _facet_map(
        fields.Integer(metadata={"description": "Values with a count, before long facets are cut"})
    )
    filters = _facet_map(fields.List(fields.String()))
    generation = fields.String(required=True)


class StudyResponseSchema(StudyRecordSchema):
    """A full study record (record format version 1; unknown fields are kept) and related slugs."""

    related = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Slugs of the most similar studies"},
    )


class BuildSchema(Schema):
    records = fields.Integer(allow_none=True)
    sources = fields.Integer(required=True, metadata={"description": "How many sources"})
    content_hash = fields.String(allow_none=True)
    mode = fields.String(allow_none=True)
    seconds = fields.Float(allow_none=True)
    warnings = fields.Integer(required=True, metadata={"description": "How many warnings"})
    skipped = fields.Integer(allow_none=True)


class HealthSchema(Schema):
    """What is served. No server paths: `atlas index build` shows sources and warnings."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(("ok", "missing")),
        metadata={"description": "missing: the served generation was deleted from disk"},
    )
    generation = fields.String(required=True)
    documents = fields.Integer(required=True)
    built_at = fields.String(required=True, allow_none=True)
    on_disk = fields.Boolean(required=True)
    latest = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The generation CURRENT names now (null: none readable)"},
    )
    build = fields.Nested(BuildSchema, required=True)


class ErrorSchema(Schema):
    error = fields.String(required=True)
    messages = fields.List(fields.String(), required=True)
    request_id = fields.String(
        metadata={"description": "On a 500: the reference of the logged error, to quote to us"}
    )


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"in": "query", "name": name, "schema": schema, "description": description}


def search_parameters() -> list[dict[str, Any]]:
    """Return the query parameters shared by searches, facets and exports."""
    params = [_param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS}, "Free text")]
    year = {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}
    for name in FACETS:
        items: dict[str, Any] = {"type": "string", "maxLength": MAX_VALUE_CHARS}
        if name in _ENUMS:
            items["enum"] = list(_ENUMS[name])
        elif name == "year":
            items = dict(year)
        description = f"Filter by {name}; repeat for several values (any of them matches)"
        schema = {"type": "array", "items": items, "maxItems": MAX_FILTER_VALUES}
        param = _param(name, schema, description)
        params.append({**param, "style": "form", "explode": True})
    params += [
        _param("year_from", year, "Earliest year"),
        _param("year_to", year, "Latest year"),
        _param(
            "sort",
            {"type": "string", "enum": list(SORTS)},
            "Order; default relevance with q, newest without",
        ),
        _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number"),
        _param(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "Results per page",
        ),
        _param(
            "as_typed",
            {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no"]},
            "1: search the words as typed, never a corrected spelling (default 0)",
        ),
    ]
    return params


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json("Error", description)


def _text(mimetype: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}


SLUG_PARAMETER = {
    "in": "path",
    "name": "slug",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9-]{3,120}$"},
}
DOWNLOADS = {
    "/search.csv": ("text/csv", "The whole result set as CSV (UTF-8 with BOM, header row)"),
    "/search.bib": ("application/x-bibtex", "The whole result set as BibTeX"),
    "/search.ris": ("application/x-research-info-systems", "The whole result set as RIS"),
    "/search.atom": ("application/atom+xml", "An Atom feed of the search, newest first"),
}


# The components, each a marshmallow schema (the study's is the record schema itself).
SCHEMAS: tuple[tuple[str, type[Schema]], ...] = (
    ("Hit", HitSchema),
    ("FacetValue", FacetValueSchema),
    ("Evidence", EvidenceSchema),
    ("SearchResult", SearchResponseSchema),
    ("Facets", FacetsResponseSchema),
    ("Study", StudyResponseSchema),
    ("Health", HealthSchema),
    ("Error", ErrorSchema),
)


def _get(summary: str, operation_id: str, responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "get": {"summary": summary, "operationId": operation_id, **more, "responses": responses}
    }


def _search_operation(summary: str, operation_id: str, schema: str, answer: str) -> dict[str, Any]:
    """Return a GET that reads the search parameters and answers one JSON schema, or a 400."""
    responses = {
        "200": _json(schema, answer),
        "400": _error("A parameter is beyond the service's bounds"),
    }
    return _get(summary, operation_id, responses, parameters=search_parameters())


def _health_operation() -> dict[str, Any]:
    either = {
        "oneOf": [{"$ref": "#/components/schemas/Error"}, {"$ref": "#/components/schemas/Health"}]
    }
    responses = {
        "200": _json("Health", "The service is answering"),
        "503": {
            "description": "There is no usable index, or the served one left the disk",
            "content": {"application/json": {"schema": either}},
        },
    }
    return _get("The served index generation and its size", "health", responses)


def _download_operation(path: str, mimetype: str, description: str) -> dict[str, Any]:
    responses = {
        "200": _text(mimetype, description),
        "400": _text("text/html", "A parameter is beyond the service's bounds"),
    }
    operation_id = "export_" + path.rsplit(".", 1)[1]
    return _get(description, operation_id, responses, parameters=search_parameters())


def paths() -> dict[str, dict[str, Any]]:
    """Return each documented path with its operations: the API, /healthz, the downloads."""
    study = _get(
        "One study's full record",
        "study",
        {"200": _json("Study", "The record"), "404": _error("No such study")},
        parameters=[SLUG_PARAMETER],
    )
    return {
        "/api/v1/search": _search_operation(
            "Search the studies", "search", "SearchResult", "A page of results"
        ),
        "/api/v1/facets": _search_operation(
            "Facet counts of a search", "facets", "Facets", "Facet counts"
        ),
        "/api/v1/studies/{slug}": study,
        "/healthz": _health_operation(),
        **{
            path: _download_operation(path, mimetype, description)
            for path, (mimetype, description) in DOWNLOADS.items()
        },
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI 3 document of the API, as a dict ready for JSON."""
    spec = APISpec(
        title="ME/CFS Atlas Search API",
        version=API_VERSION,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin()],
        info={"description": "Search ME/CFS studies by text, marker, criteria and PEM."},
    )
    for name, schema in SCHEMAS:
        spec.components.schema(name, schema=schema)
    for path, operations in paths().items():
        spec.path(path=path, operations=operations)
    document: dict[str, Any] = spec.to_dict()
    return document
