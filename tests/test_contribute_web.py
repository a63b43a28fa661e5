"""The correction form (web/corrections/views.py): submissions, every refusal, the real server."""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search.settings import RateLimit
from web.corrections.store import Contribution, ContributionStore
from web.corrections.token import (
    TOKEN_MAX_AGE,
    BadToken,
    client_hash,
    instance_secret,
    issue_token,
    read_token,
)

STUDY = "script-2021-escaping"
OTHER_STUDY = "roerink-2017-cytokine-signatures"
FORM_URL = f"/studies/{STUDY}/corrections/new"
POST_URL = f"/studies/{STUDY}/corrections"
THANKS_URL = f"/studies/{STUDY}/corrections/thanks"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_TEXTAREA = re.compile(r'<textarea id="correction-text"[^>]*>\n(.*?)</textarea>', re.S)
KEPT = "Your text is kept below: please send it again."


def token_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no token in the page"
    return match[1]


def fresh_token(client: FlaskClient, slug: str = STUDY) -> str:
    response = client.get(f"/studies/{slug}/corrections/new")
    assert response.status_code == 200
    return token_from(response.get_data(as_text=True))


def stored(app: Flask) -> list[Contribution]:
    return ContributionStore(app.config["DATA_DIR"]).list()


def secret_of(app: Flask) -> str:
    return instance_secret(Path(app.config["DATA_DIR"]))


def app_with(index_dir: Path, data_dir: Path, **settings: str) -> Flask:
    """Return a testing app on the session's index, keeping its data in data_dir."""
    from web import create_app

    config = {"TESTING": True, "INDEX_DIR": str(index_dir), "DATA_DIR": str(data_dir)}
    return create_app({**config, **settings})


def fields(token: str, **changes: str) -> dict[str, str]:
    base = {
        "csrf_token": token,
        "kind": "pem",
        "text": "PEM was a required criterion (CCC), not optional.",
        "name": "Seán O'Brien",
        "email": "sean@example.ie",
        "homepage": "",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


# --- tokens and client hashes: pure functions -------------------------------------------------

NOW = 1_750_000_000.0


def test_token_round_trip() -> None:
    token = issue_token("s3cret", STUDY, NOW)
    assert read_token("s3cret", token, STUDY, NOW + TOKEN_MAX_AGE) != ""
    assert issue_token("s3cret", STUDY, NOW) != token  # a nonce per rendered form


@pytest.mark.parametrize(
    ("token", "slug", "now", "message"),
    [
        ("", STUDY, NOW, "The form arrived without its security token."),
        ("garbage", STUDY, NOW, "We could not verify that the form came from this site."),
        (
            issue_token("other secret", STUDY, NOW),
            STUDY,
            NOW,
            "We could not verify that the form came from this site.",
        ),
        (
            issue_token("s3cret", OTHER_STUDY, NOW),
            STUDY,
            NOW,
            "We could not verify that the form came from this site.",
        ),
        (
            issue_token("s3cret", STUDY, NOW + 3600),
            STUDY,
            NOW,
            "We could not verify that the form came from this site.",
        ),
        (
            issue_token("s3cret", STUDY, NOW),
            STUDY,
            NOW + TOKEN_MAX_AGE + 1,
            "The form was opened more than 2 hours ago and has expired.",
        ),
    ],
)
def test_read_token_rejects(token: str, slug: str, now: float, message: str) -> None:
    with pytest.raises(BadToken) as refused:
        read_token("s3cret", token, slug, now)
    assert str(refused.value) == message


def test_client_hash_is_keyed_and_hides_the_address() -> None:
    one = client_hash("s3cret", "192.0.2.7")
    assert len(one) == 32
    assert "192" not in one
    assert one == client_hash("s3cret", "192.0.2.7")
    assert one != client_hash("s3cret", "192.0.2.8")
    assert one != client_hash("another secret", "192.0.2.7")


# --- the form and a submission ----------------------------------------------------------------


def test_form_page_offers_the_form(client: FlaskClient) -> None:
    response = client.get(FORM_URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert f'action="{POST_URL}"' in html
    assert 'method="post"' in html
    assert re.findall(r'<option value="([^"]*)"', html) == [
        "",
        "citation",
        "summary",
        "pem",
        "criteria",
        "findings",
        "other",
    ]
    assert "Private, reviewed by a human. Not a public comment thread." in html
    assert '<div class="visually-hidden" aria-hidden="true">' in html
    assert "Leave this field empty" in html
    assert 'tabindex="-1"' in html
    assert " style=" not in html  # the CSP forbids inline styles
    assert "Escaping &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; friends" in html
    read_token(secret_of(client.application), token_from(html), STUDY, time.time())


def test_study_page_includes_the_form(app: Flask, client: FlaskClient) -> None:
    html = client.get(f"/studies/{STUDY}").get_data(as_text=True)
    section = html[html.index('id="suggest-correction"') :]
    assert f'<form class="correction-form" method="post" action="{POST_URL}"' in section
    response = client.post(POST_URL, data=fields(token_from(section)))
    assert response.status_code == 303
    assert len(stored(app)) == 1


def test_submission_is_stored_privately_and_thanked(app: Flask, client: FlaskClient) -> None:
    response = client.post(POST_URL, data=fields(fresh_token(client)))
    assert response.status_code == 303
    assert response.headers["Location"] == THANKS_URL
    thanks = client.get(THANKS_URL)
    html = thanks.get_data(as_text=True)
    assert thanks.status_code == 200
    assert "<h1>Thank you</h1>" in html
    assert "A human curator will review it" in html
    assert "It will not be published as a comment." in html
    assert "What happens next" in html
    [contribution] = stored(app)
    with app.app_context():
        from web.index import get_atlas

        generation = get_atlas().current().name
    assert contribution.to_json() == {
        "id": 1,
        "slug": STUDY,
        "generation": generation,
        "created": contribution.created,
        "kind": "pem",
        "text": "PEM was a required criterion (CCC), not optional.",
        "name": "Seán O'Brien",
        "email": "sean@example.ie",
        "client_hash": client_hash(secret_of(app), "127.0.0.1"),
        "status": "open",
        "resolution": None,
        "resolved": None,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", contribution.created)


def test_text_is_stored_as_typed_and_escaped_when_shown(app: Flask, client: FlaskClient) -> None:
    typed = "\n<script>alert('x')</script> &amp; IFN-γ\r\n  second line "
    token = fresh_token(client)
    refused = client.post(POST_URL, data=fields(token, text=typed, kind="nonsense"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "<script>alert" not in html
    # The leading line break survives the textarea; the browser sends CRLF, we keep LF.
    assert _TEXTAREA.search(html)[1] == (  # type: ignore[index]
        "\n&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;amp; IFN-γ\n  second line "
    )
    assert client.post(POST_URL, data=fields(token, text=typed)).status_code == 303
    assert [c.text for c in stored(app)] == [
        "\n<script>alert('x')</script> &amp; IFN-γ\n  second line "
    ]


def test_the_same_form_sent_twice_is_stored_once(app: Flask, client: FlaskClient) -> None:
    data = fields(fresh_token(client))
    assert client.post(POST_URL, data=data).status_code == 303
    assert client.post(POST_URL, data=data).status_code == 303  # a double click or a retry
    assert client.post(POST_URL, data={**data, "text": "edited"}).status_code == 303
    assert [c.text for c in stored(app)] == [data["text"], "edited"]


def test_same_origin_fetch_metadata_is_accepted(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        POST_URL, data=fields(fresh_token(client)), headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 303
    assert len(stored(app)) == 1


def test_corrections_are_never_shown_publicly(app: Flask, client: FlaskClient) -> None:
    text = "Zebracorrection: interferon gamma was decreased in serum."
    client.post(POST_URL, data=fields(fresh_token(client), text=text, name="Ms Quokka"))
    assert len(stored(app)) == 1
    for url in [
        "/",
        "/search?q=interferon",
        "/api/v1/search?q=interferon",
        f"/studies/{STUDY}",
        f"/studies/{STUDY}.json",
        FORM_URL,
        THANKS_URL,
    ]:
        body = client.get(url).get_data(as_text=True)
        assert "Zebracorrection" not in body, url
        assert "Quokka" not in body, url


# --- every refusal: a clear page, the right status, nothing stored, the text kept -------------


def expired(app: Flask) -> str:
    return issue_token(secret_of(app), STUDY, time.time() - TOKEN_MAX_AGE - 5)


def for_other_study(app: Flask) -> str:
    return issue_token(secret_of(app), OTHER_STUDY, time.time())


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    changes: dict[str, str | None]
    token: Callable[[Flask], str] | None = None  # instead of a fresh token from the form
    headers: dict[str, str] | None = None


NO_TOKEN = "The form arrived without its security token."
UNVERIFIED = "We could not verify that the form came from this site."
EXPIRED = "The form was opened more than 2 hours ago and has expired."
HONEYPOT = "The field labelled “leave this field empty” was filled in"
CHOOSE = "Choose what is wrong: one of Citation, Summary"
EMPTY = "Write your suggested correction; it cannot be empty."
TOO_LONG = "Your suggested correction is 5,001 characters long; the limit is 5,000."
BAD_EMAIL = "The email does not look like an address"

REFUSALS = {
    "token missing": Refusal(403, NO_TOKEN, {"csrf_token": None}),
    "token empty": Refusal(403, NO_TOKEN, {"csrf_token": ""}),
    "token forged": Refusal(403, UNVERIFIED, {"csrf_token": "WyJzY3JpcHQiLDEsIngiXQ.forged"}),
    "token for another study": Refusal(403, UNVERIFIED, {}, for_other_study),
    "token expired": Refusal(403, EXPIRED, {}, expired),
    "sent from another site": Refusal(
        403, "The form was sent from another site.", {}, headers={"Sec-Fetch-Site": "cross-site"}
    ),
    "honeypot filled": Refusal(400, HONEYPOT, {"homepage": "http://spam.example"}),
    "kind missing": Refusal(400, CHOOSE, {"kind": None}),
    "kind invalid": Refusal(400, CHOOSE, {"kind": "spam"}),
    "text missing": Refusal(400, EMPTY, {"text": None}),
    "text blank": Refusal(400, EMPTY, {"text": " \r\n "}),
    "text too long": Refusal(400, TOO_LONG, {"text": "é" * 5001}),
    "email malformed": Refusal(400, BAD_EMAIL, {"email": "sean at x"}),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
def test_refusal(app: Flask, client: FlaskClient, refusal: Refusal) -> None:
    token = refusal.token(app) if refusal.token else fresh_token(client)
    data = fields(token, **refusal.changes)  # type: ignore[arg-type]
    response = client.post(POST_URL, data=data, headers=refusal.headers or {})
    html = response.get_data(as_text=True)
    assert response.status_code == refusal.status
    assert response.headers["Cache-Control"] == "no-store"
    assert refusal.message in html
    assert stored(app) == []
    # The form comes back with the reader's words and a fresh token, so nothing typed is lost.
    assert _TEXTAREA.search(html)[1] == data.get("text", "").replace("\r\n", "\n")  # type: ignore[index]
    assert 'value="Seán O&#39;Brien"' in html
    assert 'name="homepage" type="text" tabindex="-1" autocomplete="off" value=""' in html
    if refusal.status == 403:
        assert KEPT in html
    resent = client.post(POST_URL, data={**fields(token_from(html)), "text": "resent"})
    assert resent.status_code == 303
    assert [c.text for c in stored(app)] == ["resent"]


def test_rate_limit(index_dir: Path, tmp_path: Path) -> None:
    app = app_with(index_dir, tmp_path, CONTRIBUTION_RATE_LIMIT="2/600")
    client = app.test_client()
    token = fresh_token(client)
    for n in range(2):
        assert client.post(POST_URL, data=fields(token, text=f"number {n}")).status_code == 303
    refused = client.post(POST_URL, data=fields(token, text="number 2"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] in ("600", "601")
    assert (
        "You have sent 2 corrections in the last 10 minutes, the most we accept. "
        "Please try again in 10 minutes."
    ) in html
    assert KEPT in html
    assert _TEXTAREA.search(html)[1] == "number 2"
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.post(POST_URL, data=fields(token, text="another reader")).status_code == 303
    assert [c.text for c in stored(app)] == ["number 0", "number 1", "another reader"]


def test_body_over_the_limit_is_413(app: Flask, client: FlaskClient) -> None:
    response = client.post(POST_URL, data=fields(fresh_token(client), text="x" * 70_000))
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Your correction is too large to receive" in html
    assert (
        "The form sent more than 64 KB. A suggested correction can be at most 5,000 characters"
        in html
    )
    assert stored(app) == []


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/studies/no-such-study/corrections"),
        ("GET", "/studies/no-such-study/corrections/new"),
        ("GET", "/studies/no-such-study/corrections/thanks"),
    ],
)
def test_unknown_study_is_404(app: Flask, client: FlaskClient, method: str, url: str) -> None:
    response = client.open(url, method=method, data=fields(fresh_token(client)))
    assert response.status_code == 404
    assert "There is no study &#39;no-such-study&#39; in the atlas" in response.get_data(
        as_text=True
    )
    assert stored(app) == []


def test_get_on_the_post_url_is_405(client: FlaskClient) -> None:
    response = client.get(POST_URL)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_unusable_data_dir_is_503_with_the_text_kept(index_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    app = app_with(index_dir, blocker)
    client = app.test_client()
    token = fresh_token(client)  # the form still renders, so study pages keep working
    response = client.post(POST_URL, data=fields(token, text="keep me"))
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "We could not save your correction just now." in html
    assert _TEXTAREA.search(html)[1] == "keep me"  # type: ignore[index]


# --- the secret and the settings --------------------------------------------------------------


def test_secret_is_private_and_survives_a_restart(index_dir: Path, tmp_path: Path) -> None:
    token = fresh_token(app_with(index_dir, tmp_path / "data").test_client())
    secret_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(secret_file.read_text()) == 64
    restarted = app_with(index_dir, tmp_path / "data")
    assert restarted.test_client().post(POST_URL, data=fields(token)).status_code == 303
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "contributions.sqlite3",
        "secret_key",
    ]


def test_configured_secret_key_is_used(index_dir: Path, tmp_path: Path) -> None:
    app = app_with(index_dir, tmp_path, SECRET_KEY="configured")
    token = fresh_token(app.test_client())
    read_token("configured", token, STUDY, time.time())
    assert not (tmp_path / "secret_key").exists()


def test_malformed_rate_limit_fails_at_startup(index_dir: Path) -> None:
    from web import create_app

    with pytest.raises(ValueError, match="CONTRIBUTION_RATE_LIMIT must look like '5/600'"):
        create_app({"INDEX_DIR": str(index_dir), "CONTRIBUTION_RATE_LIMIT": "5 per minute"})


@pytest.mark.parametrize("value", ['"1000/60"', "1000/60"])
def test_rate_limit_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, index_dir: Path, value: str
) -> None:
    from web import create_app

    monkeypatch.setenv("ATLAS_CONTRIBUTION_RATE_LIMIT", value)
    app = create_app({"INDEX_DIR": str(index_dir)})
    assert app.config["CONTRIBUTION_RATE_LIMIT"] == RateLimit(1000, 60)


# --- the real server: concurrency and kill -9 -------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def token(self, slug: str = STUDY) -> str:
        conn = self.connection()
        try:
            conn.request("GET", f"/studies/{slug}/corrections/new")
            response = conn.getresponse()
            assert response.status == 200
            return token_from(response.read().decode())
        finally:
            conn.close()

    def submit(self, token: str, text: str, slug: str = STUDY) -> int:
        conn = self.connection()
        try:
            body = urlencode(fields(token, text=text))
            conn.request(
                "POST",
                f"/studies/{slug}/corrections",
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()


@pytest.fixture
def start_server(index_dir: Path, tmp_path: Path) -> Iterator[Callable[[Path], Server]]:
    """Start `atlas serve` on a free port with its data in a directory; stop them all after."""
    started: list[Server] = []

    def start(data_dir: Path) -> Server:
        log = tmp_path / f"server-{len(started)}.log"
        env = {
            **os.environ,
            "ATLAS_DATA": str(data_dir),
            "ATLAS_CONTRIBUTION_RATE_LIMIT": '"1000/60"',
        }
        atlas = Path(sys.executable).parent / "atlas"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(atlas), "serve", "--index", str(index_dir), "--port", "0", "--threads", "8"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"Serving .* on http://127\.0\.0\.1:(\d+)", log.read_text())
            if found:
                server = Server(process, int(found[1]), log)
                started.append(server)
                return server
            if process.poll() is not None:
                break
            time.sleep(0.05)
        process.kill()
        process.wait()
        pytest.fail(f"atlas serve did not start:\n{log.read_text()}")

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.terminate()
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "contributions.sqlite3") as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.mark.server
def test_50_concurrent_submissions_are_each_stored_once(
    start_server: Callable[[Path], Server], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    barrier = threading.Barrier(50)
    statuses: dict[int, int | str] = {}

    def submit(n: int) -> None:
        try:
            token = server.token(STUDY if n % 2 else OTHER_STUDY)
            barrier.wait(timeout=60)
            statuses[n] = server.submit(
                token, f"concurrent correction {n}", STUDY if n % 2 else OTHER_STUDY
            )
        except Exception as exc:
            statuses[n] = repr(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == dict.fromkeys(range(50), 303)
    found = ContributionStore(data_dir).list()
    assert sorted(c.text for c in found) == sorted(f"concurrent correction {n}" for n in range(50))
    assert sorted(c.id for c in found) == list(range(1, 51))
    assert {c.text: c.slug for c in found} == {
        f"concurrent correction {n}": STUDY if n % 2 else OTHER_STUDY for n in range(50)
    }
    assert integrity(data_dir) == "ok"


@pytest.mark.server
def test_kill_9_loses_no_acknowledged_submission(
    start_server: Callable[[Path], Server], tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    token = server.token()
    acknowledged: list[str] = []
    sent: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def keep_submitting(worker: int) -> None:
        n = 0
        while not stop.is_set():
            text = f"worker {worker} correction {n}"
            n += 1
            with lock:
                sent.append(text)
            try:
                status = server.submit(token, text)
            except (OSError, http.client.HTTPException):  # it died mid-request: not acknowledged
                return
            if status == 303:
                with lock:
                    acknowledged.append(text)

    workers = [threading.Thread(target=keep_submitting, args=(w,)) for w in range(4)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.process.pid, signal.SIGKILL)  # while submissions are in flight
    server.process.wait()
    stop.set()
    for worker in workers:
        worker.join()
    assert len(acknowledged) >= 40

    texts = [c.text for c in ContributionStore(data_dir).list()]
    assert integrity(data_dir) == "ok"
    assert set(acknowledged) <= set(texts)  # nothing acknowledged is lost
    assert set(texts) <= set(sent)
    assert len(texts) == len(set(texts))

    # The restarted server accepts a form rendered before the kill, and keeps what it acknowledges.
    again = start_server(data_dir)
    assert again.submit(token, "after the restart") == 303
    os.kill(again.process.pid, signal.SIGKILL)
    again.process.wait()
    assert "after the restart" in [c.text for c in ContributionStore(data_dir).list()]
    assert integrity(data_dir) == "ok"


# --- a reader in a real browser ---------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.browser
@pytest.mark.server
def test_a_reader_sends_a_correction_from_the_study_page(
    start_server: Callable[[Path], Server], tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM} (`make browser` installs Debian's; none is downloaded)"
        )
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            blocked: list[str] = []
            page.on(
                "console",
                lambda m: blocked.append(m.text) if "Content Security" in m.text else None,
            )
            page.goto(f"http://127.0.0.1:{server.port}/studies/{STUDY}")
            # The honeypot's box is clipped to one pixel by .visually-hidden from the site CSS.
            honeypot = page.locator(".correction-form div:has(#correction-homepage)").bounding_box()
            assert honeypot is not None
            assert honeypot["width"] <= 1
            assert honeypot["height"] <= 1

            page.click("#suggest-correction button[type=submit]")  # empty: the browser asks first
            assert page.url.endswith(f"/studies/{STUDY}")

            typed = "Findings: IFN-γ was <b>decreased</b>,\nnot increased."
            page.select_option("#correction-kind", "findings")
            page.fill("#correction-text", typed)
            page.fill("#correction-name", "Seán O'Brien")
            page.fill("#correction-email", "sean@localhost")  # valid to the browser, not to us
            page.click("#suggest-correction button[type=submit]")
            assert (
                page.locator(".correction-problems")
                .inner_text()
                .startswith("The email does not look like an address")
            )
            assert page.input_value("#correction-text") == typed  # kept for the reader
            assert page.input_value("#correction-kind") == "findings"
            assert ContributionStore(data_dir).list() == []

            page.fill("#correction-email", "sean@example.ie")
            page.click("button[type=submit]:has-text('Send privately')")
            page.wait_for_url(f"**/studies/{STUDY}/corrections/thanks")
            assert page.locator("main h1").inner_text() == "Thank you"
            assert "A human curator will review it" in page.locator("main").inner_text()
            assert blocked == []
        finally:
            browser.close()
    [contribution] = ContributionStore(data_dir).list()
    assert (contribution.kind, contribution.text, contribution.name, contribution.email) == (
        "findings",
        typed,
        "Seán O'Brien",
        "sean@example.ie",
    )
