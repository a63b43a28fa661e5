"""The curator workspace: accounts, sign-in, sessions, CSRF, the inbox, corrections, audit."""

from __future__ import annotations

import json
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from atlas_cli import cli
from curation.accounts import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    LOCK_AFTER,
    LOCKED,
    WRONG,
    AccountError,
    AccountStore,
    SignInRefused,
)
from curation.audit import AuditLog, field_changes
from web.corrections.rules import Draft
from web.corrections.store import ContributionStore, Submission
from web.workspace import COOKIE

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_in(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no csrf token in the page"
    return match[1]


@pytest.fixture
def data_dir(app: Flask) -> Path:
    return Path(app.config["DATA_DIR"])


@pytest.fixture
def accounts(data_dir: Path) -> AccountStore:
    store = AccountStore(data_dir)
    store.add("ada", PASSWORD)
    store.add("bea", PASSWORD + "!")
    return store


def sign_in(
    client: FlaskClient, name: str = "ada", password: str = PASSWORD, **extra: str
) -> TestResponse:
    form = client.get("/curate/sign-in")
    assert form.status_code == 200
    token = token_in(form.get_data(as_text=True))
    return client.post(
        "/curate/sign-in", data={"csrf_token": token, "name": name, "password": password, **extra}
    )


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE, path="/curate")
    return cookie.value if cookie else None


def add_correction(data_dir: Path, text: str = "PEM was required (CCC).") -> int:
    store = ContributionStore(data_dir)
    from search.settings import RateLimit

    stored = store.add(
        Submission(
            slug="roerink-2017-cytokine-signatures",
            generation=None,
            draft=Draft(kind="pem", text=text, name="Reader <b>", email=None),
            client_hash="c" * 32,
            form_nonce=None,
        ),
        RateLimit(100, 60),
    )
    return stored.id


# --- the account store ------------------------------------------------------------------------


def test_accounts_keep_only_argon2_hashes_and_refuse_bad_names_and_passwords(
    tmp_path: Path,
) -> None:
    store = AccountStore(tmp_path)
    store.add("ada", PASSWORD)
    raw = (tmp_path / "workspace.sqlite3").read_bytes()
    assert PASSWORD.encode() not in raw
    assert b"$argon2id$" in raw
    assert (tmp_path / "workspace.sqlite3").stat().st_mode & 0o077 == 0
    for name, password, message in [
        ("ada", PASSWORD, "there is already a curator named 'ada'"),
        ("Ada Lovelace", PASSWORD, "a curator name is 2-64 characters"),
        ("bea", "short", "a password needs at least 12 characters"),
    ]:
        with pytest.raises(AccountError, match=re.escape(message)):
            store.add(name, password)
    assert [c.name for c in store.list()] == ["ada"]


def test_a_session_ends_when_idle_and_when_old(tmp_path: Path) -> None:
    store = AccountStore(tmp_path)
    store.add("ada", PASSWORD)
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    session_id, _ = store.sign_in("ada", PASSWORD, "client", now=start)
    assert store.session(session_id, now=start + IDLE_TIMEOUT - timedelta(seconds=1))
    # Each use restarts the idle clock, but not the absolute one.
    moment = start
    while moment + IDLE_TIMEOUT / 2 < start + ABSOLUTE_TIMEOUT:
        moment += IDLE_TIMEOUT / 2
        assert store.session(session_id, now=moment) is not None
    assert store.session(session_id, now=start + ABSOLUTE_TIMEOUT + timedelta(seconds=1)) is None
    idle_id, _ = store.sign_in("ada", PASSWORD, "client", now=start)
    assert store.session(idle_id, now=start + IDLE_TIMEOUT + timedelta(seconds=1)) is None
    assert store.session(idle_id, now=start) is None  # ended for good, not just hidden


def test_lock_out_after_ten_failures_tells_only_the_password_holder(tmp_path: Path) -> None:
    store = AccountStore(tmp_path)
    store.add("ada", PASSWORD)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(LOCK_AFTER):
        with pytest.raises(SignInRefused) as refused:
            store.sign_in("ada", f"wrong {n}", f"client-{n}", now=now)
        assert str(refused.value) == WRONG
    with pytest.raises(SignInRefused) as refused:
        store.sign_in("ada", PASSWORD, "client-x", now=now)
    assert str(refused.value) == LOCKED
    assert refused.value.retry_after
    assert store.list()[0].locked_until is not None
    # After the lock-out period, the right password works again.
    session_id, _ = store.sign_in("ada", PASSWORD, "client-x", now=now + timedelta(minutes=16))
    assert store.session(session_id, now=now + timedelta(minutes=16))


def test_disabling_an_account_ends_its_sessions(tmp_path: Path) -> None:
    store = AccountStore(tmp_path)
    store.add("ada", PASSWORD)
    session_id, _ = store.sign_in("ada", PASSWORD, "client")
    store.disable("ada")
    assert store.session(session_id) is None
    with pytest.raises(SignInRefused, match=re.escape(WRONG)):
        store.sign_in("ada", PASSWORD, "client")


def test_field_changes_lists_only_what_differs() -> None:
    before = {"pem": "unknown", "year": 2017, "gone": 1}
    after = {"pem": "required", "year": 2017, "new": [1]}
    assert field_changes(before, after) == {
        "gone": [1, None],
        "new": [None, [1]],
        "pem": ["unknown", "required"],
    }


# --- the CLI ----------------------------------------------------------------------------------


def test_curators_commands_manage_accounts_and_leave_an_audit_trail(tmp_path: Path) -> None:
    runner = CliRunner()
    data = ["--data", str(tmp_path)]
    added = runner.invoke(cli, ["curators", "add", "ada", *data], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert added.stdout == "Added curator ada.\n"
    again = runner.invoke(cli, ["curators", "add", "ada", *data], input=PASSWORD + "\n")
    assert again.exit_code == 1
    assert "error: there is already a curator named 'ada'" in again.stderr
    weak = runner.invoke(cli, ["curators", "add", "bea", *data], input="short\n")
    assert weak.exit_code == 1
    assert "at least 12 characters" in weak.stderr
    listed = json.loads(runner.invoke(cli, ["curators", "list", "--json", *data]).stdout)
    assert [(c["name"], c["disabled"]) for c in listed] == [("ada", False)]
    assert "password" not in listed[0]
    new_password = PASSWORD + " again"
    changed = runner.invoke(cli, ["curators", "password", "ada", *data], input=new_password + "\n")
    assert changed.exit_code == 0
    AccountStore(tmp_path).sign_in("ada", new_password, "client")
    assert runner.invoke(cli, ["curators", "disable", "ada", *data]).exit_code == 0
    missing = runner.invoke(cli, ["curators", "disable", "zed", *data])
    assert missing.exit_code == 1
    assert "no curator named 'zed'" in missing.stderr
    audit = json.loads(runner.invoke(cli, ["audit", "list", "--json", *data]).stdout)
    assert [(e["actor"], e["action"], e["target"]) for e in audit] == [
        ("cli", "disable-curator", "curator:ada"),
        ("cli", "set-password", "curator:ada"),
        ("cli", "add-curator", "curator:ada"),
    ]


# --- the web workspace ------------------------------------------------------------------------

WORKSPACE_URLS = [
    "/curate",
    "/curate/",
    "/curate/audit",
    "/curate/corrections/1",
    "/curate/corrections/1/resolve",
    "/curate/sign-out",
    "/curate/no-such-page",
]


@pytest.mark.parametrize("url", WORKSPACE_URLS)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
def test_without_a_session_every_workspace_url_sends_strangers_to_sign_in(
    client: FlaskClient, url: str, method: str
) -> None:
    page = client.open(url, method=method)
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/curate/sign-in")
    assert page.headers["Cache-Control"] == "no-store"
    as_json = client.open(url, method=method, headers={"Accept": "application/json"})
    assert as_json.status_code == 401
    if method != "HEAD":
        assert as_json.get_json()["error"] == "Sign-in required"


def test_sign_in_gives_a_new_strict_http_only_session_and_sign_out_ends_it(
    client: FlaskClient, accounts: AccountStore
) -> None:
    client.set_cookie(COOKIE, "planted-by-an-attacker", path="/curate")
    response = sign_in(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/curate/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Path=/curate" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test client
    session_id = session_cookie(client)
    assert session_id
    assert session_id != "planted-by-an-attacker"
    inbox = client.get("/curate/")
    assert inbox.status_code == 200
    assert "Signed in as <strong>ada</strong>" in inbox.text
    assert inbox.headers["Cache-Control"] == "no-store"
    assert inbox.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "ETag" not in inbox.headers
    token = token_in(inbox.text)
    assert client.post("/curate/sign-out", data={"csrf_token": token}).status_code == 303
    assert accounts.session(session_id) is None  # ended on the server, not only forgotten
    client.set_cookie(COOKIE, session_id, path="/curate")
    assert client.get("/curate/").status_code == 302


def test_secure_cookies_over_https(app: Flask, accounts: AccountStore) -> None:
    client = app.test_client()
    form = client.get("/curate/sign-in", base_url="https://localhost")
    response = client.post(
        "/curate/sign-in",
        base_url="https://localhost",
        data={"csrf_token": token_in(form.text), "name": "ada", "password": PASSWORD},
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_unknown_name_and_wrong_password_get_the_same_answer_and_time(
    app: Flask, accounts: AccountStore
) -> None:
    def attempt(name: str) -> tuple[int, str, float]:
        client = app.test_client()
        start = time.perf_counter()
        response = sign_in(client, name=name, password="not the password at all")
        took = time.perf_counter() - start
        body = _TOKEN.sub("", response.text).replace(name, "NAME")
        return response.status_code, body, took

    unknown = [attempt("nobody") for _ in range(5)]
    wrong = [attempt("bea") for _ in range(5)]
    assert {(s, b) for s, b, _ in unknown} == {(s, b) for s, b, _ in wrong}
    assert unknown[0][0] == 401
    assert WRONG in unknown[0][1]
    ratio = statistics.median(t for *_, t in unknown) / statistics.median(t for *_, t in wrong)
    assert 0.25 < ratio < 4, ratio  # both pay for one Argon2 verification


def test_the_sign_in_form_needs_its_token(client: FlaskClient, accounts: AccountStore) -> None:
    forged = client.post("/curate/sign-in", data={"name": "ada", "password": PASSWORD})
    assert forged.status_code == 403
    assert session_cookie(client) is None


def test_after_sign_in_the_curator_returns_to_the_page_asked_for_never_elsewhere(
    client: FlaskClient, accounts: AccountStore
) -> None:
    assert sign_in(client, next="/curate/audit").headers["Location"] == "/curate/audit"
    other = sign_in(client, next="https://evil.example/curate")
    assert other.headers["Location"] == "/curate/"


def test_every_workspace_form_needs_the_session_csrf_token(
    client: FlaskClient, accounts: AccountStore, data_dir: Path
) -> None:
    correction = add_correction(data_dir)
    sign_in(client)
    url = f"/curate/corrections/{correction}/resolve"
    assert client.post(url, data={"note": "done"}).status_code == 403
    assert client.post(url, data={"note": "done", "csrf_token": "forged"}).status_code == 403
    assert client.post("/curate/sign-out", data={}).status_code == 403
    assert ContributionStore(data_dir).get(correction).status == "open"


def test_a_correction_is_resolved_with_a_note_and_audited(
    client: FlaskClient, accounts: AccountStore, data_dir: Path
) -> None:
    correction = add_correction(data_dir, text="<script>alert(1)</script>\nsecond line")
    sign_in(client)
    inbox = client.get("/curate/?kind=correction&status=open")
    assert f"Correction #{correction}" in inbox.text
    assert "Cytokine signatures in chronic fatigue syndrome patients" in inbox.text
    assert "<script>alert(1)</script>" not in inbox.text
    page = client.get(f"/curate/corrections/{correction}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in page.text
    assert "Reader &lt;b&gt;" in page.text
    token = token_in(page.text)
    url = f"/curate/corrections/{correction}/resolve"
    empty = client.post(url, data={"csrf_token": token, "note": "  "})
    assert empty.status_code == 400
    assert "Say what was done" in empty.text
    done = client.post(url, data={"csrf_token": token, "note": "Fixed the <PEM> badge"})
    assert done.status_code == 303
    assert ContributionStore(data_dir).get(correction).status == "resolved"
    (entry, *_) = AuditLog(data_dir).list()
    assert (entry.actor, entry.action, entry.target, entry.changes, entry.note) == (
        "ada",
        "resolve-correction",
        f"correction:{correction}",
        {"status": ["open", "resolved"]},
        "Fixed the <PEM> badge",
    )
    audit = client.get("/curate/audit")
    assert "Fixed the &lt;PEM&gt; badge" in audit.text
    assert client.get("/curate/?status=open").text.count(f"Correction #{correction}") == 0


def test_workspace_answers_are_never_shared_between_curators(
    app: Flask, accounts: AccountStore
) -> None:
    first, second = app.test_client(), app.test_client()
    sign_in(first, "ada")
    sign_in(second, "bea", PASSWORD + "!")
    for _ in range(2):
        assert "Signed in as <strong>ada</strong>" in first.get("/curate/").text
        assert "Signed in as <strong>bea</strong>" in second.get("/curate/").text


def test_too_many_failures_from_one_client_are_refused_with_retry_after(
    client: FlaskClient, accounts: AccountStore
) -> None:
    statuses = [
        sign_in(client, name=f"guess{n}", password="wrong password here").status_code
        for n in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429
    refused = sign_in(client)  # even the right password, from this client, for a while
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


# --- publishing -------------------------------------------------------------------------------


@pytest.fixture
def publishing_app(tmp_path: Path) -> Flask:
    from indexer.build import build
    from tests.conftest import copy_records
    from web import create_app

    records = copy_records(tmp_path)
    index = tmp_path / "index"
    assert build(index, [records]).ok
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index),
            "DATA_DIR": str(tmp_path / "data"),
            "SOURCES": [str(records)],
        }
    )
    AccountStore(app.config["DATA_DIR"]).add("ada", PASSWORD)
    return app


def publish_and_wait(app: Flask, client: FlaskClient) -> str:
    from web.workspace import publisher

    token = token_in(client.get("/curate/").text)
    response = client.post("/curate/publish", data={"csrf_token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    job_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        job = publisher().wait(job_id, timeout=120)
    assert job is not None
    assert job.is_finished, job
    return client.get(location).text


def search_total(client: FlaskClient, query: str) -> int:
    total: int = client.get(f"/api/v1/search?q={query}").get_json()["total"]
    return total


def test_publishing_builds_in_the_background_and_the_service_swaps(
    publishing_app: Flask, tmp_path: Path
) -> None:
    client = publishing_app.test_client()
    sign_in(client)
    assert search_total(client, "zebrafish") == 0
    record = {
        "slug": "new-2026-zebrafish",
        "title": "Zebrafish study",
        "authors": ["Doe, Jane"],
        "year": 2026,
    }
    (tmp_path / "records" / "new.json").write_text(json.dumps(record), encoding="utf-8")
    page = publish_and_wait(publishing_app, client)
    assert "Published." in page
    assert 'http-equiv="refresh"' not in page
    deadline = time.monotonic() + 5
    while search_total(client, "zebrafish") == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert search_total(client, "zebrafish") == 1
    actions = [e.action for e in AuditLog(publishing_app.config["DATA_DIR"]).list()]
    assert actions[0] == "publish-done"


def test_a_failed_publication_changes_nothing_served_and_says_why(
    publishing_app: Flask, tmp_path: Path
) -> None:
    client = publishing_app.test_client()
    sign_in(client)
    before = client.get("/api/v1/search").get_json()["total"]
    (tmp_path / "records" / "bad.json").write_text('{"slug": "bad-one"}', encoding="utf-8")
    page = publish_and_wait(publishing_app, client)
    assert "The build failed; nothing that is served has changed." in page
    assert "bad-one: title: is required" in page
    assert client.get("/api/v1/search").get_json()["total"] == before


# --- drafts -----------------------------------------------------------------------------------

IMPORTS = Path(__file__).parent / "data" / "imports"


def import_file(app: Flask, path: Path, records: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["import", "file", str(path), "--data", app.config["DATA_DIR"], "--source", str(records)],
    )
    assert result.exit_code == 0, result.output


def test_a_form_without_a_pem_value_says_unknown_never_required() -> None:
    from curation.record_form import FIELDS, form_values, read_form

    values = form_values({"slug": "a-2020-b", "title": "T", "authors": ["A, B"], "year": 2020})
    assert values["pem"] == "unknown"
    assert next(f for f in FIELDS if f.name == "pem").choices[0] == "unknown"
    record, problems = read_form(values)
    assert problems == {}
    assert record["pem"] == "unknown"


def test_highlight_passages_marks_evidence_and_escapes_everything_else() -> None:
    from web.highlight_evidence import highlight_passages

    html = highlight_passages(
        "We enrolled <b>50</b> patients meeting the Canadian Consensus Criteria.",
        ["canadian consensus criteria", "50 patients", ""],
    )
    assert str(html) == (
        "We enrolled &lt;b&gt;50&lt;/b&gt; patients meeting the "
        "<mark>Canadian Consensus Criteria</mark>."
    )
    # "reason: quoted text" evidence marks the quoted text
    why = highlight_passages(
        "Patients met the CCC.", ["every patient met CCC: Patients met the CCC."]
    )
    assert str(why) == "<mark>Patients met the CCC.</mark>"


def test_a_draft_is_saved_checked_accepted_and_published(
    publishing_app: Flask, tmp_path: Path
) -> None:
    import_file(publishing_app, IMPORTS / "mecfs.xml", tmp_path / "records")
    client = publishing_app.test_client()
    sign_in(client)
    inbox = client.get("/curate/?kind=draft&status=new")
    assert "Draft #1" in inbox.text
    page = client.get("/curate/drafts/1")
    assert page.status_code == 200
    assert "Abstract" in page.text
    assert "<mark>METHODS: We enrolled 50 patients who met the Canadian Consensus" in page.text
    assert "a case-control study</mark>" in page.text  # the design's evidence, in the title
    from curation.record_form import FIELDS

    fields = {f.name: "" for f in FIELDS}
    for match in re.finditer(
        r'<input id="field-[^"]+" name="([^"]+)" type="text" value="([^"]*)"', page.text
    ):
        fields[match[1]] = match[2].replace("&#39;", "'").replace("&amp;", "&")
    fields["authors"] = "Müller, Hélène J\nO'Brien, S P"
    fields["title"] = "Plasma IL-12p40 and TNF-α in myalgic encephalomyelitis"
    fields["summary"] = (
        "Researchers compared 50 patients with 48 healthy people. IL-12p40 was higher in patients."
    )
    token = token_in(page.text)
    url = "/curate/drafts/1"
    saved = client.post(url, data={**fields, "csrf_token": token, "action": "save"})
    assert saved.status_code == 303
    again = client.get(saved.headers["Location"])
    assert "Saved. You can come back" in again.text
    assert "Researchers compared 50" in again.text
    bad = client.post(
        url, data={**fields, "year": "nineteen", "csrf_token": token, "action": "accept"}
    )
    assert bad.status_code == 400
    assert (
        'id="field-year" name="year" type="text" value="nineteen" aria-invalid="true"' in bad.text
    )
    assert "must be a whole number" in bad.text
    assert not (tmp_path / "data" / "curated").exists()  # nothing written
    slug = fields["slug"]
    done = client.post(url, data={**fields, "csrf_token": token, "action": "accept"})
    assert done.status_code == 303, done.text
    from web.workspace import publisher

    with publishing_app.app_context():
        job = publisher().wait(int(done.headers["Location"].rsplit("/", 1)[1]), 120)
    assert job is not None
    assert job.state == "done", job
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and client.get(f"/studies/{slug}").status_code != 200:
        time.sleep(0.2)
    study = client.get(f"/studies/{slug}")
    assert study.status_code == 200
    assert "Researchers compared 50 patients" in study.text
    (entry, *_) = [
        e for e in AuditLog(publishing_app.config["DATA_DIR"]).list() if e.action == "accept-draft"
    ]
    assert entry.actor == "ada"
    assert "summary" in entry.changes
    assert entry.changes["summary"][1].startswith("Researchers compared")
    assert client.get(url).status_code == 200
    late = client.post(url, data={**fields, "csrf_token": token, "action": "accept"})
    assert late.status_code == 409


def test_a_draft_is_rejected_with_a_note_and_hostile_text_is_escaped(
    publishing_app: Flask, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.ris"
    hostile.write_text(
        "TY  - JOUR\nTI  - Fatigue x\" onmouseover=\"alert(1) <script>alert('x')</script>\n"
        "AU  - Doe, Jane\nPY  - 2024\nAB  - <img src=x onerror=alert(1)> We studied 10.\n"
        "ER  - \n",
        encoding="utf-8",
    )
    import_file(publishing_app, hostile, tmp_path / "records")
    client = publishing_app.test_client()
    sign_in(client)
    for url in ("/curate/", "/curate/drafts/1"):
        text = client.get(url).text
        assert "<script>alert" not in text
        assert "<img src=x" not in text
        assert '" onmouseover="' not in text
        assert "Fatigue x&#34; onmouseover=&#34;alert(1)" in text
    token = token_in(client.get("/curate/drafts/1").text)
    empty = client.post("/curate/drafts/1", data={"csrf_token": token, "action": "reject"})
    assert empty.status_code == 400
    assert "Say why" in empty.text
    done = client.post(
        "/curate/drafts/1", data={"csrf_token": token, "action": "reject", "note": "Not ME/CFS"}
    )
    assert done.status_code == 303
    assert "rejected" in client.get("/curate/drafts/1").text.lower()


# --- editing a published study ----------------------------------------------------------------


def test_a_published_study_is_edited_audited_and_republished(
    publishing_app: Flask, tmp_path: Path
) -> None:
    from curation.record_form import FIELDS

    client = publishing_app.test_client()
    sign_in(client)
    slug = "roerink-2017-cytokine-signatures"
    page = client.get(f"/curate/studies/{slug}/edit")
    assert page.status_code == 200
    version = re.search(r'name="version" value="([^"]+)"', page.text)[1]
    token = token_in(page.text)
    record = json.loads(next((tmp_path / "records").glob(f"**/{slug}.json")).read_text())
    from curation.record_form import form_values

    fields = form_values(record)
    fields["pem"] = "required"
    bad = client.post(
        f"/curate/studies/{slug}/edit",
        data={**fields, "year": "20x", "csrf_token": token, "version": version},
    )
    assert bad.status_code == 400
    assert "must be a whole number" in bad.text
    renamed = client.post(
        f"/curate/studies/{slug}/edit",
        data={**fields, "slug": "other-slug", "csrf_token": token, "version": version},
    )
    assert renamed.status_code == 400
    assert "keeps its slug" in renamed.text
    done = client.post(
        f"/curate/studies/{slug}/edit", data={**fields, "csrf_token": token, "version": version}
    )
    assert done.status_code == 303
    from web.workspace import publisher

    with publishing_app.app_context():
        job = publisher().wait(int(done.headers["Location"].rsplit("/", 1)[1]), 120)
    assert job is not None
    assert job.state == "done", job
    written = json.loads(next((tmp_path / "records").glob(f"**/{slug}.json")).read_text())
    assert written["pem"] == "required"
    assert {k: v for k, v in written.items() if k != "pem"} == {
        k: v for k, v in record.items() if k != "pem"
    }  # nothing else changed, unknown fields kept
    entry = next(e for e in AuditLog(publishing_app.config["DATA_DIR"]).list() if e.target == slug)
    assert (entry.actor, entry.action, entry.changes) == (
        "ada",
        "edit-study",
        {"pem": [record.get("pem"), "required"]},
    )
    stale = client.post(
        f"/curate/studies/{slug}/edit", data={**fields, "csrf_token": token, "version": version}
    )
    assert stale.status_code == 409
    assert "changed this study after you opened it" in stale.text
    assert len(FIELDS) > 20
    assert client.get("/curate/studies/no-such-study/edit").status_code == 404


def test_a_study_in_a_json_lines_file_is_not_edited_here(publishing_app: Flask) -> None:
    client = publishing_app.test_client()
    sign_in(client)
    from tests.conftest import SOURCES

    lines = SOURCES[1].read_text(encoding="utf-8").splitlines()
    slug = json.loads(lines[0])["slug"]
    publishing_app.config["SOURCES"] = [str(s) for s in SOURCES]
    publishing_app.extensions.pop("workspace.publisher", None)
    answer = client.get(f"/curate/studies/{slug}/edit")
    assert answer.status_code == 409
    assert "JSON Lines" in answer.text
