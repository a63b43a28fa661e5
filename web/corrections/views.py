"""The "Suggest a correction" views: the form's page, its submission and the thanks page, and
what the form partial (templates/_correction_form.html) prints.

A submission is checked in this order: the study exists (404), the body fits (413), the form
came from our page in the last two hours (403), the honeypot is empty (400), the fields are
valid (400), the client is under the rate limit (429). A rejected form is shown again with the
reader's text kept, so nothing typed is lost. Accepted corrections go to the private store
(web/corrections/store.py) and are never shown on a public page or API.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from dataclasses import dataclass
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
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from search.settings import RateLimit
from web.corrections.rules import KINDS, MAX_EMAIL, MAX_NAME, MAX_TEXT, Draft, read_draft
from web.corrections.store import ContributionStore, RateLimited, Submission
from web.corrections.token import (
    TOKEN_FIELD,
    BadToken,
    client_hash,
    form_secret,
    issue_token,
    read_token,
)
from web.errors import error_response
from web.index import get_atlas

log = logging.getLogger(__name__)

bp = Blueprint("contribute", __name__)

HONEYPOT_FIELD = "homepage"  # a name bots like to fill; people never see the field
# Fetch metadata a browser sends with a form post; anything else means another site's page.
SAME_SITE_FETCHES = {"same-origin", "none"}
KEPT = "Your text is kept below: please send it again."


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


class Rejection(Exception):
    """A submission refused with a status; the form is shown again with these problems."""

    def __init__(
        self, status: int, problems: list[str], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, problems)
        self.status = status
        self.problems = problems
        self.headers = headers or {}


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
        token=issue_token(form_secret(), slug, time.time()),
        kinds=tuple(KindChoice(v, label, v == kind) for v, label in choices.items()),
        text=draft.text if draft else "",
        name=(draft.name or "") if draft else "",
        email=(draft.email or "") if draft else "",
        problems=tuple(problems),
    )


@bp.record_once
def _check_settings(state: BlueprintSetupState) -> None:
    # A malformed limit or key fails when the app starts, not on a reader's first submission.
    # The environment's limit is parsed already (search/settings.py); a test_config's is text.
    config = state.app.config
    config["CONTRIBUTION_RATE_LIMIT"] = RateLimit.parse(config["CONTRIBUTION_RATE_LIMIT"])
    key = state.app.config.get("SECRET_KEY")
    if key is not None and not isinstance(key, str | bytes):
        raise ValueError(f"SECRET_KEY must be text, not {type(key).__name__}")


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"correction_form": correction_form}


def _store() -> ContributionStore:
    store: ContributionStore | None = current_app.extensions.get("contributions")
    if store is None:
        store = ContributionStore(current_app.config["DATA_DIR"])
        current_app.extensions["contributions"] = store
    return store


def _study(slug: str) -> dict[str, Any]:
    record: dict[str, Any] | None = get_atlas().study(slug)
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


def _form_nonce(secret: str | bytes, slug: str, fields: MultiDict[str, str]) -> str:
    """Return the nonce of a form sent from our page by a person; or raise Rejection."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in SAME_SITE_FETCHES:
        raise Rejection(403, ["The form was sent from another site.", KEPT])
    try:
        nonce = read_token(secret, fields.get(TOKEN_FIELD, ""), slug, time.time())
    except BadToken as exc:
        raise Rejection(403, [str(exc), KEPT]) from exc
    if fields.get(HONEYPOT_FIELD):
        # Refused openly rather than thanked and dropped: a person whose browser filled the
        # field by mistake learns why, and loses nothing; spam bots do not read replies.
        raise Rejection(
            400,
            [
                "The field labelled “leave this field empty” was filled in, "
                "which is what spam robots do.",
                KEPT,
            ],
        )
    return nonce


def _accept(
    slug: str, fields: MultiDict[str, str], draft: Draft, problems: list[str]
) -> BaseResponse:
    """Return the redirect to the thanks page once the correction is stored; or raise Rejection."""
    secret = form_secret()
    nonce = _form_nonce(secret, slug, fields)
    if problems:
        raise Rejection(400, problems)
    limit: RateLimit = current_app.config["CONTRIBUTION_RATE_LIMIT"]
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
                KEPT,
            ],
            {"Retry-After": str(exc.retry_after)},
        ) from exc
    except (sqlite3.Error, OSError) as exc:
        log.exception("could not store a correction for %s", slug)
        raise Rejection(503, ["We could not save your correction just now.", KEPT]) from exc
    log.info("correction #%d stored for %s", stored.id, slug)
    return redirect(url_for(".thanks", slug=slug), 303)


@bp.get("/studies/<slug>/corrections/new")
def new(slug: str) -> Response:
    """The form on a page of its own (the study page also includes it)."""
    return _form_page(_study(slug))


@bp.post("/studies/<slug>/corrections")
def submit(slug: str) -> BaseResponse:
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
