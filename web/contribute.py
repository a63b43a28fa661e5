"""The "Suggest a correction" form: what its partial prints, its token, and the views behind it.

A submission is checked in this order: the study exists (404), the body fits (413), the form
came from our page in the last two hours (403), the honeypot is empty (400), the fields are
valid (400), the client is under the rate limit (429). A rejected form is shown again with the
reader's text kept, so nothing typed is lost. Accepted corrections go to the private store in
web/contributions.py and are never shown on a public page or API.
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import secrets
import sqlite3
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from web.contributions import (
    KINDS,
    MAX_EMAIL,
    MAX_NAME,
    MAX_TEXT,
    ContributionStore,
    Draft,
    RateLimit,
    RateLimited,
    Submission,
    read_draft,
)
from web.errors import error_response
from web.index import get_atlas

log = logging.getLogger(__name__)

bp = Blueprint("contribute", __name__)

TOKEN_FIELD = "csrf_token"
TOKEN_SALT = "atlas.correction-form"
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds a rendered form stays valid
TOKEN_CLOCK_SKEW = 5 * 60  # seconds a token may seem to come from the future (another process)
HONEYPOT_FIELD = "homepage"  # a name bots like to fill; people never see the field
SECRET_FILE = "secret_key"
# Fetch metadata a browser sends with a form post; anything else means another site's page.
SAME_SITE_FETCHES = {"same-origin", "none"}


@dataclass(frozen=True)
class KindChoice:
    """One option of "What is wrong?"."""

    value: str
    label: str
    is_selected: bool


@dataclass(frozen=True)
class CorrectionForm:
    """Everything the form partial prints, URLs and choices included."""

    slug: str
    title: str
    study_url: str
    action: str
    token: str
    kinds: tuple[KindChoice, ...]
    text: str
    name: str
    email: str
    problems: tuple[str, ...]
    token_field: str = TOKEN_FIELD
    honeypot_field: str = HONEYPOT_FIELD
    max_text: int = MAX_TEXT
    max_name: int = MAX_NAME
    max_email: int = MAX_EMAIL


class BadToken(Exception):
    """The form's token is missing, forged, for another study or too old; the text says which."""


class Rejection(Exception):
    """A submission refused with a status; the form is shown again with these problems."""

    def __init__(self, status: int, problems: list[str], headers: dict[str, str] | None = None):
        super().__init__(status, problems)
        self.status = status
        self.problems = problems
        self.headers = headers or {}


def instance_secret(data_dir: Path) -> str:
    """Return this instance's secret from data_dir, creating it (mode 0600) on first use.

    Kept in a file so tokens survive restarts and every thread and process signs alike. The
    file appears complete or not at all: it is written aside, then linked into place, and the
    loser of a race reads the winner's secret.
    """
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, aside = tempfile.mkstemp(dir=data_dir, prefix=".secret-")  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32))
                file.flush()
                os.fsync(file.fileno())
            with suppress(FileExistsError):  # another thread or process got there first
                os.link(aside, path)
        finally:
            os.unlink(aside)
    secret = path.read_text(encoding="ascii").strip()
    if not secret:  # a truncated copy, say: signing with "" would let anyone forge tokens
        raise ValueError(f"{path} is empty; delete it and a new secret is made")
    return secret


def _secret() -> str | bytes:
    if current_app.secret_key:
        return current_app.secret_key
    secret = current_app.extensions.get("contribute.secret")
    if secret is None:
        try:
            secret = instance_secret(Path(current_app.config["DATA_DIR"]))
        except (OSError, ValueError) as exc:
            # Study pages include the form, so an unusable data directory must not break them:
            # sign with a secret of this process (submissions then fail with a 503, text kept).
            log.error(
                "cannot keep a secret in %s (%s); tokens last until a restart",
                current_app.config["DATA_DIR"],
                exc,
            )
            secret = secrets.token_hex(32)
        current_app.extensions["contribute.secret"] = secret
    return secret


def _serializer(secret: str | bytes) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=TOKEN_SALT)


def issue_token(secret: str | bytes, slug: str, now: float) -> str:
    """Return a signed token for one rendered form: the study, the time and a random nonce."""
    return _serializer(secret).dumps([slug, int(now), secrets.token_urlsafe(12)])


def read_token(
    secret: str | bytes, token: str, slug: str, now: float, max_age: int = TOKEN_MAX_AGE
) -> str:
    """Return the nonce of a valid token for this study; raises BadToken saying what is wrong."""
    if not token:
        raise BadToken("The form arrived without its security token.")
    try:
        signed_slug, issued, nonce = _serializer(secret).loads(token)
    except (BadSignature, TypeError, ValueError) as exc:
        raise BadToken("We could not verify that the form came from this site.") from exc
    if signed_slug != slug or not isinstance(issued, int) or issued > now + TOKEN_CLOCK_SKEW:
        raise BadToken("We could not verify that the form came from this site.")
    if now - issued > max_age:
        hours = max_age / 3600
        raise BadToken(f"The form was opened more than {hours:g} hours ago and has expired.")
    return str(nonce)


def client_hash(secret: str | bytes, address: str) -> str:
    """Return a keyed hash of a client address: enough to count its submissions, not to read it.

    Keyed, because a plain hash of an IPv4 address is reversed by trying all four billion.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, address.encode(), sha256).hexdigest()[:32]


def correction_form(
    record: dict[str, Any], draft: Draft | None = None, problems: list[str] | tuple[str, ...] = ()
) -> CorrectionForm:
    """Return the form for a study, fresh or with a reader's rejected draft and its problems."""
    slug = record["slug"]
    kind = draft.kind if draft and draft.kind in KINDS else ""
    choices = {"": "Choose…", **KINDS}  # the empty first choice makes `required` ask for one
    return CorrectionForm(
        slug=slug,
        title=record.get("title") or slug,
        study_url=url_for("pages.study", slug=slug),
        action=url_for("contribute.submit", slug=slug),
        token=issue_token(_secret(), slug, time.time()),
        kinds=tuple(KindChoice(v, label, v == kind) for v, label in choices.items()),
        text=draft.text if draft else "",
        name=(draft.name or "") if draft else "",
        email=(draft.email or "") if draft else "",
        problems=tuple(problems),
    )


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    # A malformed limit or key fails when the app starts, not on a reader's first submission.
    RateLimit.parse(state.app.config["CONTRIBUTION_RATE_LIMIT"])
    key = state.app.config.get("SECRET_KEY")
    if key is not None and not isinstance(key, str | bytes):
        raise ValueError(f"SECRET_KEY must be text, not {type(key).__name__}")


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"correction_form": correction_form}


def _store() -> ContributionStore:
    store = current_app.extensions.get("contributions")
    if store is None:
        store = ContributionStore(current_app.config["DATA_DIR"])
        current_app.extensions["contributions"] = store
    return store


def _study(slug: str) -> dict[str, Any]:
    record = get_atlas().study(slug)
    if record is None:
        abort(404, f"There is no study {slug!r} in the atlas, so it cannot be corrected here.")
    return record


def _private(response: Response) -> Response:
    # Pages that carry a token or echo a reader's text and email stay out of every cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_page(
    record: dict[str, Any],
    draft: Draft | None = None,
    problems: list[str] | tuple[str, ...] = (),
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    form = correction_form(record, draft, problems)
    response = Response(render_template("contribute_form.html", correction=form))
    response.status_code = status
    response.headers.update(headers or {})
    return _private(response)


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def _accept(slug: str, fields: MultiDict[str, str], draft: Draft, problems: list[str]) -> Response:
    """Return the redirect to the thanks page once the correction is stored; or raise Rejection."""
    secret = _secret()
    kept = "Your text is kept below: please send it again."
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in SAME_SITE_FETCHES:
        raise Rejection(403, ["The form was sent from another site.", kept])
    try:
        nonce = read_token(secret, fields.get(TOKEN_FIELD, ""), slug, time.time())
    except BadToken as exc:
        raise Rejection(403, [str(exc), kept]) from exc
    if fields.get(HONEYPOT_FIELD):
        # Refused openly rather than thanked and dropped: a person whose browser filled the
        # field by mistake learns why, and loses nothing; spam bots do not read replies.
        raise Rejection(
            400,
            [
                "The field labelled “leave this field empty” was filled in, "
                "which is what spam robots do.",
                kept,
            ],
        )
    if problems:
        raise Rejection(400, problems)
    limit = RateLimit.parse(current_app.config["CONTRIBUTION_RATE_LIMIT"])
    submission = Submission(
        slug=slug,
        generation=get_atlas().generation,
        draft=draft,
        client_hash=client_hash(secret, request.remote_addr or "unknown"),
        form_nonce=nonce,
    )
    try:
        stored = _store().add(submission, limit)
    except RateLimited as exc:
        raise Rejection(
            429,
            [
                f"You have sent {limit.count} corrections in the last {_minutes(limit.seconds)}, "
                f"the most we accept. Please try again in {_minutes(exc.retry_after)}.",
                kept,
            ],
            {"Retry-After": str(exc.retry_after)},
        ) from exc
    except (sqlite3.Error, OSError) as exc:
        log.exception("could not store a correction for %s", slug)
        raise Rejection(503, ["We could not save your correction just now.", kept]) from exc
    log.info("correction #%d stored for %s", stored.id, slug)
    return redirect(url_for(".thanks", slug=slug), 303)


@bp.get("/studies/<slug>/corrections/new")
def new(slug: str) -> Response:
    """The form on a page of its own (the study page also includes it)."""
    return _form_page(_study(slug))


@bp.post("/studies/<slug>/corrections")
def submit(slug: str) -> Response:
    """Store a reader's correction and redirect to the thanks page, or show why not."""
    record = _study(slug)
    try:
        fields = request.form
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return _private(
            error_response(
                413,
                "Your correction is too large to receive",
                [
                    f"The form sent more than {limit // 1024} KB. A suggested correction can be "
                    f"at most {MAX_TEXT:,} characters: please shorten it and send it again.",
                ],
            )
        )
    draft, problems = read_draft(fields)
    try:
        return _accept(slug, fields, draft, problems)
    except Rejection as rejection:
        log.info("correction for %s refused (%d): %s", slug, rejection.status, rejection.problems)
        return _form_page(record, draft, rejection.problems, rejection.status, rejection.headers)


@bp.get("/studies/<slug>/corrections/thanks")
def thanks(slug: str) -> Response:
    """The confirmation after a submission: what happens next."""
    record = _study(slug)
    html = render_template(
        "contribute_thanks.html", record=record, study_url=url_for("pages.study", slug=slug)
    )
    return _private(Response(html))
