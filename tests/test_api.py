"""The JSON API and its OpenAPI document, through the Flask test client on the fixture index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from search import Atlas, parse
from search.schema import FACETS

NO_FACETS: dict[str, list[Any]] = {name: [] for name in FACETS}


def schema_validator(document: dict[str, Any], name: str) -> OAS30Validator:
    """Return a validator for one component schema of the OpenAPI document."""
    resource = Resource.from_contents(document, default_specification=DRAFT4)
    registry: Registry = Registry().with_resource("urn:atlas-api", resource)
    return OAS30Validator({"$ref": f"urn:atlas-api#/components/schemas/{name}"}, registry=registry)


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_search_body_is_the_search_results_json(client: FlaskClient, atlas: Atlas) -> None:
    response = client.get("/api/v1/search?q=IL-12p40&page=1")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == atlas.search(parse({"q": ["IL-12p40"]})).to_json()


def test_search_with_no_results_whole_value(client: FlaskClient, atlas: Atlas) -> None:
    body = client.get("/api/v1/search?pem=REQUIRED&q=IL-12p40&colour=red").get_json()
    assert body == {
        "query": "IL-12p40",
        "total": 0,
        "page": 1,
        "per_page": 20,
        "sort": "relevance",
        "results": [],
        "facets": {
            **NO_FACETS,
            "pem": [
                {"value": "not-required", "count": 1, "selected": False},
                {"value": "unknown", "count": 1, "selected": False},
                {"value": "required", "count": 0, "selected": True},
            ],
        },
        "facet_totals": {**{name: 0 for name in NO_FACETS}, "pem": 2},
        "suggestion": None,
        "corrected": None,
        "evidence": [],
        "read_as": "marker:IL-12p40",
        "notices": [],
        "filters": {"pem": ["required"]},
        "year_from": None,
        "year_to": None,
        "generation": atlas.health()["generation"],
    }


def test_search_hits_carry_escaped_snippets(client: FlaskClient) -> None:
    body = client.get("/api/v1/search?q=script").get_json()
    [hit] = body["results"]
    assert hit["title"] == "Escaping <script>alert('x')</script> & friends"
    assert hit["snippet"].startswith(
        "Markup like &lt;b&gt;bold&lt;/b&gt; and &lt;<mark>script</mark>&gt;"
    )


def test_notices_are_in_the_json(client: FlaskClient) -> None:
    body = client.get("/api/v1/search?year_from=2020&year_to=2010").get_json()
    assert body["notices"] == ["year_from was after year_to; the two were swapped."]


def test_invalid_values_are_a_400_on_the_api(client: FlaskClient) -> None:
    # The pages ignore them with a notice; a program's misspelt filter must not widen its search.
    response = client.get("/api/v1/search?sort=sideways&pem=maybe")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "Bad request",
        "messages": [
            "pem='maybe': expected one of required, not-required, unknown. "
            "sort='sideways': expected one of relevance, newest, oldest, title."
        ],
    }


def test_study_is_the_full_record_with_related_slugs(client: FlaskClient) -> None:
    response = client.get("/api/v1/studies/roerink-2017-cytokine-signatures")
    assert response.status_code == 200
    assert response.get_json() == {
        "slug": "roerink-2017-cytokine-signatures",
        "title": "Cytokine signatures in chronic fatigue syndrome patients: a Case Control Study and the effect of anakinra treatment",  # noqa: E501
        "authors": [
            "Roerink, Megan E",
            "Knoop, Hans",
            "Bronkhorst, Ewald M",
            "van der Meer, Jos W M",
        ],
        "year": 2017,
        "journal": "Journal of translational medicine",
        "doi": "10.1186/s12967-017-1371-9",
        "pmid": "29284500",
        "summary": "Blood cytokines of 50 women with ME/CFS were compared with 48 healthy women; IL-12p40 and CSF-1 were higher in patients. Four weeks of anakinra did not change cytokine levels.",  # noqa: E501
        "significance": (
            "Points to candidate markers that may help tell patients from healthy people."
        ),
        "limitations": "Shows association, not cause; small, female-only sample.",
        "pem": "unknown",
        "design": "case-control",
        "markers": ["IL-12p40", "CSF-1", "TGF-β", "IL-1Ra"],
        "findings": [
            {"marker": "IL-12p40", "direction": "increased", "sample": "plasma"},
            {"marker": "CSF-1", "direction": "increased", "sample": "plasma"},
            {"marker": "TGF-β", "direction": "no-difference", "sample": "plasma"},
        ],
        "participants": {"patients": 50, "controls": 48},
        "sex": "female",
        "interventions": ["anakinra"],
        "topics": ["immunology", "cytokines", "anakinra"],
        "url": "https://www.mecfsatlas.com/evidence/roerink-2017-cytokine-signatures",
        "snapshot": {
            "generator": "v1",
            "scanner": "v1.4",
            "policy": "v0.1",
            "accessed": "2026-05-29",
        },
        "curator_note": "kept as an unknown field",
        "related": [
            "mueller-2019-tnf-alpha-exercise",
            "script-2021-escaping",
            "natural-killer-2020-nk-cells",
        ],
    }


def test_facets_whole_value(client: FlaskClient, atlas: Atlas) -> None:
    body = client.get("/api/v1/facets?criteria=Canadian&marker=TNF-alpha").get_json()
    assert body == {
        "total": 1,
        "facets": {
            "pem": [{"value": "required", "count": 1, "selected": False}],
            "criteria": [
                {"value": "CCC", "count": 1, "selected": True},
                {"value": "ICC", "count": 1, "selected": False},
            ],
            "design": [{"value": "case-control", "count": 1, "selected": False}],
            "marker": [
                {"value": "IFN-γ", "count": 1, "selected": False},
                {"value": "IL-6", "count": 1, "selected": False},
                {"value": "sphingolipids", "count": 1, "selected": False},
                {"value": "TNF-α", "count": 1, "selected": True},
            ],
            "year": [{"value": "2019", "count": 1, "selected": False}],
            "sex": [{"value": "mixed", "count": 1, "selected": False}],
            "topic": [
                {"value": "cytokines", "count": 1, "selected": False},
                {"value": "exercise", "count": 1, "selected": False},
                {"value": "Immunology", "count": 1, "selected": False},
            ],
            "intervention": [],
            "evidence_level": [{"value": "E2", "count": 1, "selected": False}],
            "confidence": [{"value": "moderate", "count": 1, "selected": False}],
            "peer_reviewed": [{"value": "true", "count": 1, "selected": False}],
        },
        "distinct": {
            "pem": 1,
            "criteria": 2,
            "design": 1,
            "marker": 4,
            "year": 1,
            "sex": 1,
            "topic": 3,
            "intervention": 0,
            "evidence_level": 1,
            "confidence": 1,
            "peer_reviewed": 1,
        },
        "filters": {"criteria": ["CCC"], "marker": ["TNF-α"]},
        "generation": atlas.health()["generation"],
    }


@pytest.mark.parametrize(
    ("url", "status", "body"),
    [
        (
            "/api/v1/studies/no-such-study",
            404,
            {"error": "Not Found", "messages": ["There is no study 'no-such-study' in the atlas."]},
        ),
        (
            "/api/v1/search?page=5000",
            400,
            {"error": "Bad request", "messages": ["page: at most 1000"]},
        ),
        (
            "/api/v1/facets?per_page=500",
            400,
            {"error": "Bad request", "messages": ["per_page: at most 100"]},
        ),
        (
            "/studies/no-such-study.json",
            404,
            {"error": "Not Found", "messages": ["There is no study 'no-such-study' in the atlas."]},
        ),
    ],
)
def test_errors_are_json(client: FlaskClient, url: str, status: int, body: dict[str, Any]) -> None:
    response = client.get(url)
    assert (response.status_code, response.mimetype) == (status, "application/json")
    assert response.get_json() == body


def test_unknown_api_path_and_wrong_method_are_json(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nothing")
    assert (missing.status_code, missing.get_json()["error"]) == (404, "Not Found")
    post = client.post("/api/v1/search", json={"q": "x"})
    assert (post.status_code, post.get_json()["error"]) == (405, "Method Not Allowed")
    assert set(post.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_openapi_document_is_valid(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.0.3"
    assert sorted(document["paths"]) == [
        "/api/v1/facets",
        "/api/v1/search",
        "/api/v1/studies/{slug}",
        "/healthz",
        "/search.atom",
        "/search.bib",
        "/search.csv",
        "/search.ris",
    ]
    study = document["components"]["schemas"]["Study"]
    assert study["additionalProperties"] is True  # unknown record fields are kept and returned
    assert {"slug", "title", "authors", "year", "related"} <= set(study["required"])


def _example_url(path: str) -> str:
    return path.replace("{slug}", "mueller-2019-tnf-alpha-exercise")


def _failing_url(path: str, status: str) -> str:
    if status == "404":
        return path.replace("{slug}", "no-such-study")
    return path + "?page=5000"


def test_every_documented_route_answers_as_documented(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    checked = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert method == "get"
            for status, answer in operation["responses"].items():
                if status == "503":
                    continue  # needs a missing index; see test_health_without_an_index
                url = _example_url(path) if status == "200" else _failing_url(path, status)
                response = client.get(url)
                assert response.status_code == int(status), url
                [(mimetype, media)] = answer["content"].items()
                assert response.mimetype == mimetype, url
                if "$ref" in media["schema"]:
                    name = media["schema"]["$ref"].rsplit("/", 1)[1]
                    schema_validator(document, name).validate(response.get_json())
                checked.append((path, status))
    assert len(checked) == 15


def test_schemas_reject_wrong_shapes(client: FlaskClient, document: dict[str, Any]) -> None:
    body = client.get("/api/v1/search").get_json()
    validator = schema_validator(document, "SearchResult")
    validator.validate(body)
    assert not validator.is_valid({**body, "unexpected": 1})
    assert not validator.is_valid({**body, "total": "8"})
    del body["generation"]
    assert not validator.is_valid(body)


def test_every_api_search_answer_matches_the_schema(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    validator = schema_validator(document, "SearchResult")
    for query in ("", "q=IL-6", "q=script", "q=cytokin", "pem=required&sort=title", "marker=IL-16"):
        validator.validate(client.get(f"/api/v1/search?{query}").get_json())
    study = schema_validator(document, "Study")
    for slug in (
        "minimal-1998-record",
        "oxford-2005-cbt-trial",
        "roerink-2017-cytokine-signatures",
    ):
        study.validate(client.get(f"/api/v1/studies/{slug}").get_json())


def test_health_without_an_index_is_a_json_503(tmp_path: Path) -> None:
    from web import create_app

    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(tmp_path / "none"), "DATA_DIR": str(tmp_path)}
    )
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"] == "The search index is not available"
    assert client.get("/about").status_code == 200  # pages that need no index still render
    assert client.get("/search").status_code == 503


def test_openapi_parameters_list_every_search_parameter(document: dict[str, Any]) -> None:
    names = [p["name"] for p in document["paths"]["/api/v1/search"]["get"]["parameters"]]
    assert names == ["q", *FACETS, "year_from", "year_to", "sort", "page", "per_page", "as_typed"]


def test_without_an_index_pages_say_so_and_about_still_renders(tmp_path: Path) -> None:
    from web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/api/v1/search?q=x")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.get_json() == {
        "error": "The search index is not available",
        "messages": ["The index is missing or being built; please try again in a minute."],
    }
    assert str(tmp_path) not in response.get_data(as_text=True)
    assert client.get("/search?q=x").status_code == 503
    assert client.get("/about").status_code == 200
