"""Failures a hostile probe and real client software found (issue #14), each reproduced here."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from atlas_cli import cli

# ---- 3: deep nesting in the query text --------------------------------------------------------

DEEP = ["(" * 245 + "fatigue" + ")" * 245, "NOT " * 120 + "fatigue", "(" * 400]


@pytest.mark.parametrize("q", DEEP)
def test_deeply_nested_query_is_read_as_words_on_every_route(client: FlaskClient, q: str) -> None:
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 200
    assert "nested more than 32 deep" in page.get_data(as_text=True)
    answer = client.get("/api/v1/search", query_string={"q": q})
    assert answer.status_code == 200
    assert any("nested more than 32 deep" in n for n in answer.get_json()["notices"])


def test_deeply_nested_query_from_the_cli(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(cli, ["search", DEEP[0], "--index", str(index_dir), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["read_as"] == "fatigue"
    assert any("nested more than 32 deep" in n for n in answer["notices"])


def test_nesting_up_to_the_bound_is_read_as_written(client: FlaskClient) -> None:
    q = "(" * 32 + "fatigue OR cytokine" + ")" * 32
    answer = client.get("/api/v1/search", query_string={"q": q}).get_json()
    assert answer["read_as"] == "fatigue OR cytokine"
    assert not any("nested" in n for n in answer["notices"])


# ---- 4: the 500 handler -------------------------------------------------------------------------


def _failing_app(tmp_path: Path) -> Flask:
    from web import create_app

    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(tmp_path / "none"), "DATA_DIR": str(tmp_path / "data")}
    )

    def fail() -> str:
        raise ValueError("a bug")

    app.add_url_rule("/broken", "broken", fail)
    app.add_url_rule("/api/v1/broken", "api_broken", fail)
    return app


def test_a_500_page_is_plain_and_names_the_logged_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    response = _failing_app(tmp_path).test_client().get("/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "<h1>500: Internal Server Error</h1>" in html
    assert "property object" not in html
    request_id = response.headers["X-Request-Id"]
    assert f"Reference: <code>{request_id}</code>" in html
    [logged] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert request_id in logged.getMessage()
    assert "'/broken'" in logged.getMessage()
    assert logged.exc_info is not None
    assert "a bug" in str(logged.exc_info[1])


def test_a_500_on_the_api_is_json_with_the_request_id(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    response = _failing_app(tmp_path).test_client().get("/api/v1/broken")
    assert response.status_code == 500
    body = response.get_json()
    assert body == {
        "error": "Internal Server Error",
        "messages": [
            "Something went wrong on our side. If it keeps happening, please tell us its "
            "reference and what you were doing."
        ],
        "request_id": response.headers["X-Request-Id"],
    }
    assert body["request_id"] in caplog.text


# ---- 7: lone surrogates, and URL schemes, in records -------------------------------------------

GOOD = {"slug": "good-2020-study", "title": "A study", "authors": ["Doe, J"], "year": 2020}


def _write_record(tmp_path: Path, text: str) -> Path:
    records = tmp_path / "records"
    records.mkdir()
    (records / "odd.json").write_text(text, encoding="utf-8")
    return records


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ('"title": "Cytokines \\ud800 in ME"', "title"),
        (
            '"title": "T", "findings": [{"marker": "IL-6\\udfff", "direction": "mixed"}]',
            "findings[0].marker",
        ),
        ('"title": "T", "curator_note": {"a": ["ok", "\\ud83d"]}', "curator_note.a[1]"),
    ],
)
def test_a_lone_surrogate_fails_check_and_build_naming_file_slug_and_field(
    runner: CliRunner, tmp_path: Path, extra: str, where: str
) -> None:
    text = '{"slug": "odd-2020-study", "authors": ["Doe, J"], "year": 2020, ' + extra + "}"
    records = _write_record(tmp_path, text)
    expected = (
        f"{records / 'odd.json'}: odd-2020-study: {where}: "
        "holds a lone surrogate (\\ud800-\\udfff), which is not a character"
    )
    check = runner.invoke(cli, ["index", "check", "--source", str(records)])
    assert check.exit_code == 1, check.output
    assert expected in check.stderr
    built = runner.invoke(
        cli, ["index", "build", "--index", str(tmp_path / "ix"), "--source", str(records)]
    )
    assert built.exit_code == 1, built.output
    assert isinstance(built.exception, SystemExit), built.output
    assert expected in built.stderr
    assert not (tmp_path / "ix" / "CURRENT").exists()


def test_a_surrogate_in_the_slug_is_reported_printably(runner: CliRunner, tmp_path: Path) -> None:
    records = _write_record(
        tmp_path, '{"slug": "x\\ud800", "title": "T", "authors": ["D"], "year": 2020}'
    )
    check = runner.invoke(cli, ["index", "check", "--source", str(records)])
    assert check.exit_code == 1
    assert f"{records / 'odd.json'}: x\\ud800: slug: holds a lone surrogate" in check.stderr


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript://x%0aalert(1)",
        "data:text/html,<b>",
        "ftp://x.org/a",
        "//example.org/a",
        "https:",
        "example.org/study",
    ],
)
def test_a_record_url_must_be_http_or_https(url: str) -> None:
    from search.records import validate_record

    record, problems = validate_record({**GOOD, "url": url}, "f.json")
    assert record is None
    assert [str(p) for p in problems] == [
        "f.json: good-2020-study: url: must be an http or https URL such as "
        "https://example.org/study"
    ]


@pytest.mark.parametrize("url", ["https://www.mecfsatlas.com/evidence/x", "HTTP://example.org"])
def test_web_urls_are_accepted(url: str) -> None:
    from search.records import validate_record

    record, problems = validate_record({**GOOD, "url": url}, "f.json")
    assert record is not None
    assert record["url"] == url
    assert problems == []


# ---- 8: terminal control sequences in CLI output -----------------------------------------------

HOSTILE_TEXT = "Cytokines \x1b[2J\x1b]0;owned\x07 \x00 \x9b31m \u202egnp.exe \u200b end"
RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\u200b")


@pytest.fixture
def hostile_index(tmp_path: Path) -> Path:
    from indexer.build import build

    record = {
        **GOOD,
        "slug": "hostile-2020-study",
        "title": HOSTILE_TEXT,
        "summary": HOSTILE_TEXT,
        "markers": ["IL-6\x1b[0m"],
        "curator": HOSTILE_TEXT,
        "findings": [
            {
                "marker": "IL-6\x1b[0m",
                "direction": "mixed",
                "sample": "\x1b]8;;https://evil.example\x07plasma",
            }
        ],
    }
    records = _write_record(tmp_path, json.dumps(record))
    report = build(tmp_path / "ix", [records])
    assert report.ok
    return tmp_path / "ix"


@pytest.mark.parametrize(
    "args",
    [
        ["show", "hostile-2020-study"],
        ["show", "hostile-2020-study", "--json"],
        ["search", "cytokines"],
        ["search", "cytokines", "--json"],
        ["index", "build", "--json"],
    ],
)
def test_cli_output_spells_out_control_and_format_characters(
    runner: CliRunner, hostile_index: Path, args: list[str]
) -> None:
    result = runner.invoke(cli, [*args, "--index", str(hostile_index)])
    assert result.exit_code == 0, result.output
    assert not [c for c in RAW if c in result.output], result.output
    assert "\\u001b[2J" in result.output or args[0] == "index"
    if "--json" in args and args[0] == "show":
        assert json.loads(result.stdout)["title"] == HOSTILE_TEXT


# ---- 10: ATLAS_SECRET_KEY and the secret file --------------------------------------------------

STUDY = "roerink-2017-cytokine-signatures"


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("12345678901234567890", "12345678901234567890"),
        ("true", "true"),
        ("null", "null"),
        ("[1]", "[1]"),
        ('"quoted"', "quoted"),
    ],
)
def test_a_secret_key_from_the_environment_is_text(
    monkeypatch: pytest.MonkeyPatch, index_dir: Path, tmp_path: Path, key: str, secret: str
) -> None:
    from web import create_app
    from web.corrections.token import read_token

    monkeypatch.setenv("ATLAS_SECRET_KEY", key)
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "DATA_DIR": str(tmp_path)})
    assert app.config["SECRET_KEY"] == secret
    page = app.test_client().get(f"/studies/{STUDY}")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    read_token(secret, token, STUDY, time.time())


@pytest.mark.parametrize("key", ["", "  "])
def test_an_empty_secret_key_in_the_environment_stops_the_app(
    monkeypatch: pytest.MonkeyPatch, index_dir: Path, runner: CliRunner, key: str
) -> None:
    from web import create_app

    monkeypatch.setenv("ATLAS_SECRET_KEY", key)
    with pytest.raises(ValueError, match="ATLAS_SECRET_KEY is set but empty"):
        create_app({"INDEX_DIR": str(index_dir)})
    result = runner.invoke(cli, ["serve", "--index", str(index_dir), "--port", "0"])
    assert result.exit_code == 2
    assert "error: ATLAS_SECRET_KEY is set but empty; give it a key or unset it" in result.stderr


def test_an_empty_secret_file_is_not_used_to_sign(
    index_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from web import create_app
    from web.corrections.token import BadToken, read_token

    (tmp_path / "secret_key").write_text("\n")
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "DATA_DIR": str(tmp_path)})
    page = app.test_client().get(f"/studies/{STUDY}")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    with pytest.raises(BadToken):
        read_token("", token, STUDY, time.time())
    assert f"{tmp_path / 'secret_key'} is empty; delete it and a new secret is made" in caplog.text


# ---- 11: the access log -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        ("/search%0a2026-12-01 12:00:00,000 GET /admin 200 1.0ms", "GET /search%0A2026-12-01"),
        ("/nope%1b]0;owned%07%1b[2J", "GET /nope%1B%5D0;owned%07%1B%5B2J 404 "),
        ("/search?q=IL-6%0a%1b&sort=newest", "GET /search?q=IL-6%0a%1b&sort=newest 200 "),
        ("/studies/%CE%B1-%25", "GET /studies/%CE%B1-%25 404 "),
    ],
)
def test_the_access_log_escapes_what_the_client_sent(
    app: Flask, caplog: pytest.LogCaptureFixture, url: str, logged: str
) -> None:
    from werkzeug.test import Client

    from atlas_cli.serve import AccessLog

    caplog.set_level("INFO", logger="atlas.access")
    Client(AccessLog(app)).get(url)
    [line] = [r.getMessage() for r in caplog.records if r.name == "atlas.access"]
    assert logged in line
    assert line.isprintable()
    assert line.isascii()


# ---- 9: non-UTF-8 bytes in CURRENT -------------------------------------------------------------

ROUTES = ["/", "/search?q=cytokines", "/api/v1/search?q=il-6", f"/studies/{STUDY}", "/healthz"]


def _app_on(index: Path, tmp_path: Path) -> Flask:
    from web import create_app

    return create_app(
        {"TESTING": True, "INDEX_DIR": str(index), "DATA_DIR": str(tmp_path / "data")}
    )


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00gen-", b"gen-\xc3(", b"gen-\x00x"])
def test_garbage_in_current_keeps_the_last_good_generation(
    fresh_index: Path, tmp_path: Path, garbage: bytes
) -> None:
    running = _app_on(fresh_index, tmp_path).test_client()
    assert running.get("/").status_code == 200
    served = running.get("/healthz").get_json()["generation"]
    (fresh_index / "CURRENT").write_bytes(garbage)
    time.sleep(0.6)  # past the index check interval
    for route in ROUTES:
        response = running.get(route)
        assert response.status_code == 200, (route, response.get_data(as_text=True)[:300])
    assert running.get("/healthz").get_json()["generation"] == served


@pytest.mark.parametrize("garbage", [b"\xff\xfe\x00gen-", b"gen-\xc3(", b"gen-\x00x"])
def test_garbage_in_current_is_a_503_for_a_fresh_server_and_a_build_mends_it(
    fresh_index: Path, tmp_path: Path, runner: CliRunner, garbage: bytes
) -> None:
    (fresh_index / "CURRENT").write_bytes(garbage)
    fresh = _app_on(fresh_index, tmp_path).test_client()
    for route in ROUTES:
        assert fresh.get(route).status_code == 503, route
    from tests.conftest import SOURCES

    sources = [arg for s in SOURCES for arg in ("--source", str(s))]
    result = runner.invoke(cli, ["index", "build", "--index", str(fresh_index), *sources])
    assert result.exit_code == 0, result.output
    assert _app_on(fresh_index, tmp_path).test_client().get("/").status_code == 200


# ---- 12: /healthz --------------------------------------------------------------------------------


def test_healthz_shows_no_server_paths_and_notices_a_deleted_index(tmp_path: Path) -> None:
    import shutil

    from indexer.build import build

    records = _write_record(tmp_path, json.dumps({**GOOD, "criteria": ["Made-up 2031"]}))
    index = tmp_path / "ix"
    report = build(index, [records])
    assert report.ok
    assert report.meta["warnings"]
    assert str(records) in report.meta["sources"][0]
    client = _app_on(index, tmp_path).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert str(tmp_path) not in response.get_data(as_text=True)
    generation = report.meta["generation"]
    assert body == {
        "status": "ok",
        "generation": generation,
        "documents": 1,
        "built_at": report.meta["built_at"],
        "on_disk": True,
        "latest": generation,
        "build": {
            "records": 1,
            "content_hash": report.meta["content_hash"],
            "mode": "full",
            "seconds": report.meta["seconds"],
            "skipped": 0,
            "sources": 1,
            "warnings": 1,
        },
    }
    shutil.rmtree(index)
    time.sleep(0.6)  # past the index check interval
    gone = client.get("/healthz")
    assert gone.status_code == 503
    assert gone.headers["Retry-After"] == "60"
    assert gone.get_json() == {**body, "status": "missing", "on_disk": False, "latest": None}


# ---- 1: the Host header, absolute URLs and the shared answer cache ------------------------------

POISONABLE = [
    "/",
    "/about",
    "/search?q=cytokines",
    "/search.atom?q=cytokines",
    "/search.csv?q=cytokines",
    f"/studies/{STUDY}",
    "/api/v1/search?q=il-6",
]


def _app(index_dir: Path, tmp_path: Path, **config: Any) -> Flask:
    from web import create_app

    return create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "DATA_DIR": str(tmp_path / "data"), **config}
    )


@pytest.mark.parametrize("route", POISONABLE)
def test_an_untrusted_host_gets_400_and_never_reaches_the_cache(
    index_dir: Path, tmp_path: Path, route: str
) -> None:
    client = _app(index_dir, tmp_path).test_client()
    evil = client.get(route, headers={"Host": "evil.example"})
    assert evil.status_code == 400
    assert "This site does not answer to that host name." in evil.get_data(as_text=True)
    assert "evil.example" not in evil.get_data(as_text=True)
    later = client.get(route)
    assert later.status_code == 200
    assert "evil.example" not in later.get_data(as_text=True)
    forwarded = client.get(route, headers={"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in forwarded.get_data(as_text=True)


def test_two_trusted_hosts_do_not_share_cached_answers(index_dir: Path, tmp_path: Path) -> None:
    client = _app(index_dir, tmp_path, TRUSTED_HOSTS=["a.example", "b.example"]).test_client()
    assert client.get("/search", headers={"Host": "localhost"}).status_code == 400
    first = client.get("/search.atom?q=cytokines", headers={"Host": "a.example"})
    second = client.get("/search.atom?q=cytokines", headers={"Host": "b.example"})
    assert "http://a.example/studies/" in first.get_data(as_text=True)
    body = second.get_data(as_text=True)
    assert "http://b.example/studies/" in body
    assert "a.example" not in body
    assert first.headers["ETag"] != second.headers["ETag"]
    headers = {"Host": "b.example", "If-None-Match": first.headers["ETag"]}
    again = client.get("/search.atom?q=cytokines", headers=headers)
    assert again.status_code == 200


def test_absolute_urls_come_from_the_base_url(index_dir: Path, tmp_path: Path) -> None:
    client = _app(index_dir, tmp_path, BASE_URL="https://atlas.example.org/").test_client()
    page = client.get(f"/studies/{STUDY}").get_data(as_text=True)
    assert f'<link rel="canonical" href="https://atlas.example.org/studies/{STUDY}">' in page
    feed = client.get("/search.atom?q=cytokines").get_data(as_text=True)
    assert "https://atlas.example.org/search.atom?q=cytokines" in feed
    assert f"https://atlas.example.org/studies/{STUDY}" in feed
    assert "localhost" not in feed
    csv = client.get("/search.csv?q=cytokines").get_data(as_text=True)
    assert f"https://atlas.example.org/studies/{STUDY}" in csv
    assert client.get("/", headers={"Host": "atlas.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200
    assert client.get("/", headers={"Host": "other.example.org"}).status_code == 400


def test_trusted_hosts_and_base_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, index_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("ATLAS_TRUSTED_HOSTS", "a.example, .b.example")
    monkeypatch.setenv("ATLAS_BASE_URL", "https://a.example")
    app = _app(index_dir, tmp_path)
    assert app.config["TRUSTED_HOSTS"] == ["a.example", ".b.example"]
    client = app.test_client()
    assert client.get("/", headers={"Host": "www.b.example"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400
    monkeypatch.delenv("ATLAS_TRUSTED_HOSTS")
    monkeypatch.setenv("ATLAS_HOST", "10.1.2.3")
    assert _app(index_dir, tmp_path).config["TRUSTED_HOSTS"] == [
        "localhost",
        "127.0.0.1",
        "a.example",
        "10.1.2.3",
    ]


@pytest.mark.parametrize("url", ["atlas.example.org", "ftp://a.example", "https://a.example/?x=1"])
def test_a_malformed_base_url_stops_the_app(index_dir: Path, tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match=r"BASE_URL must look like https://atlas\.example\.org"):
        _app(index_dir, tmp_path, BASE_URL=url)


# ---- also noticed: /about and the OpenAPI document have ETags ---------------------------------


@pytest.mark.parametrize("route", ["/about", "/api/openapi.json"])
def test_about_and_openapi_answer_304_with_or_without_an_index(
    index_dir: Path, tmp_path: Path, route: str
) -> None:
    for index in (index_dir, tmp_path / "none"):
        client = _app(index, tmp_path).test_client()
        first = client.get(route)
        assert first.status_code == 200
        assert first.headers["ETag"]
        again = client.get(route, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
    assert first.headers.get("Access-Control-Allow-Origin") == (
        "*" if route.startswith("/api/") else None
    )


# ---- also noticed: zero-width, bidi and control characters in records -------------------------


def test_invisible_characters_are_kept_with_a_warning_naming_the_field() -> None:
    from search.records import validate_record

    raw = {
        **GOOD,
        "title": "Safe\u202eexe.txt",
        "authors": ["Doe,\u200b J"],
        "findings": [{"marker": "IL-6\x1b[0m", "direction": "mixed"}],
    }
    record, problems = validate_record(raw, "f.json")
    assert record is not None
    assert record["title"] == "Safe\u202eexe.txt"
    tail = "that can hide or reorder text where it is shown; kept as written"
    assert [str(p) for p in problems] == [
        f"f.json: good-2020-study: title: warning: holds an invisible character (U+202E) {tail}",
        f"f.json: good-2020-study: authors[0]: warning: holds an invisible character (U+200B) "
        f"{tail}",
        f"f.json: good-2020-study: findings[0].marker: warning: holds an invisible character "
        f"(U+001B) {tail}",
    ]


# ---- 5: the API keeps to its OpenAPI document (see also tests/test_schemathesis.py) ------------


@pytest.mark.parametrize("pair", ["page=--5", "year_from=--1", "year=--2", "per_page=%2B3"])
def test_signs_before_numbers_are_read_not_crashed_on(client: FlaskClient, pair: str) -> None:
    # `"--5".lstrip("-").isdigit()` let int("--5") raise: a 500 on every route
    assert client.get(f"/search?{pair}").status_code == 200
    assert client.get(f"/api/v1/search?{pair}").status_code == 400


def test_year_to_beyond_the_documented_maximum_is_a_400_on_the_api(client: FlaskClient) -> None:
    for route in ("/api/v1/search", "/api/v1/facets", "/search.csv", "/search.atom"):
        response = client.get(f"{route}?year_to=2101")
        assert response.status_code == 400, route
    page = client.get("/search?year_to=2101")
    assert page.status_code == 200
    assert "Ignored year_to=&#39;2101&#39;: expected a year between 1900 and 2100." in (
        page.get_data(as_text=True)
    )
