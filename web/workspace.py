"""The curator workspace under /curate: sign-in, one inbox, reader corrections, the audit trail.

The one place where the service lets some people in and keeps everyone else out:
- every URL but the sign-in form needs a live session (else 302 to sign-in, 401 for JSON),
  for every method; sessions live on the server (curation/accounts.py), the cookie holds only
  a random id, HttpOnly, SameSite=Strict, Secure over HTTPS;
- every form carries the session's CSRF token (the sign-in form a signed, short-lived one);
- every answer is `Cache-Control: no-store`, noindex, and never enters the public answer cache
  (these views are not wrapped by web/etags.py).
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer

from curation.accounts import AccountStore, Session, SignInRefused
from curation.audit import AuditEntry, AuditLog, field_changes
from curation.drafts import STATUSES as DRAFT_STATUSES
from curation.drafts import (
    AlreadyDecided,
    Draft,
    DraftStore,
    InvalidDraft,
    SlugTaken,
    record_for,
)
from curation.edits import EditStore
from curation.publish import Job, Publisher
from curation.record_form import FIELDS, PROSE_FIELDS, form_values, read_form, word_count
from search import IndexUnavailable
from web.contribute import _secret, client_hash
from web.contributions import AlreadyResolved, Contribution, ContributionStore
from web.errors import wants_json
from web.highlight_evidence import highlight_passages
from web.index import get_atlas

bp = Blueprint("workspace", __name__, url_prefix="/curate")

COOKIE = "atlas_curator"
CSRF_FIELD = "csrf_token"
SIGN_IN_SALT = "atlas.curator-sign-in"
SIGN_IN_MAX_AGE = 30 * 60  # seconds a sign-in form stays valid
MAX_NOTE = 5_000
INBOX_KINDS = ("draft", "correction")
INBOX_STATUSES = ("new", "accepted", "rejected", "open", "resolved")
OPEN_ENDPOINTS = {"workspace.sign_in", "workspace.sign_in_submit"}


@dataclass(frozen=True)
class InboxItem:
    """One row of the inbox: what it is, its state, when it came, and where to open it."""

    kind: str
    id: int
    status: str
    created: str
    title: str
    summary: str
    url: str


def _kept(name: str, store: Callable[[Path], Any]) -> Any:
    """Return the app's store of this name, made from DATA_DIR on first use."""
    found = current_app.extensions.get(name)
    if found is None:
        found = current_app.extensions[name] = store(Path(current_app.config["DATA_DIR"]))
    return found


def _accounts() -> AccountStore:
    return _kept("workspace.accounts", AccountStore)


def _audit() -> AuditLog:
    return _kept("workspace.audit", AuditLog)


def publish_sources() -> Callable[[], list[Path]]:
    """Return a function listing the sources a publication builds from, usable off-request."""
    from search.settings import configured_sources

    configured = current_app.config.get("SOURCES")
    curated = curated_dir()

    def sources() -> list[Path]:  # runs on the publisher's thread too: no app context there
        paths = [Path(p) for p in configured] if configured else configured_sources()
        if curated.is_dir() and curated not in paths:
            paths.append(curated)  # where accepted drafts are written
        return paths

    return sources


def publisher() -> Publisher:
    """Return the app's publisher: background builds of the served index from its sources."""
    found = current_app.extensions.get("workspace.publisher")
    if found is None:
        audit = _audit()

        def finished(job: Job) -> None:
            audit.record(
                job.requested_by, f"publish-{job.state}", f"publish:{job.id}", note=job.reason
            )

        found = Publisher(Path(current_app.config["INDEX_DIR"]), publish_sources(), finished)
        current_app.extensions["workspace.publisher"] = found
    return found


def _drafts() -> DraftStore:
    return DraftStore(Path(current_app.config["DATA_DIR"]))


def _edits() -> EditStore:
    return EditStore(current_app.config["DATA_DIR"])


def curated_dir() -> Path:
    """Return where accepted drafts are written: CURATED_DIR, $ATLAS_CURATED or DATA_DIR/curated."""
    configured = current_app.config.get("CURATED_DIR") or os.environ.get("ATLAS_CURATED")
    return Path(configured) if configured else Path(current_app.config["DATA_DIR"]) / "curated"


def _corrections() -> ContributionStore:
    return _kept("contributions", ContributionStore)


def _secure_cookie() -> bool:
    setting = current_app.config.get("CURATE_SECURE_COOKIE")
    return request.is_secure if setting is None else bool(setting)


def _session() -> Session:
    session: Session = g.curator_session
    return session


def _safe_next(target: str | None) -> str:
    """Return a same-site path to go to after signing in (never another host)."""
    if target and target.startswith("/curate") and not urlsplit(target).netloc:
        return target
    return url_for("workspace.inbox")


def _is_workspace_path(path: str) -> bool:
    return path == "/curate" or path.startswith("/curate/")


# On the app, not the blueprint: a blueprint's hooks do not run for a URL under /curate that
# matches no route or method (404, 405), and those must not answer differently to strangers.
@bp.before_app_request
def _require_session() -> Response | None:
    if not _is_workspace_path(request.path) or request.endpoint in OPEN_ENDPOINTS:
        return None
    session = _accounts().session(request.cookies.get(COOKIE, ""))
    if session is None:
        if wants_json() or request.accept_mimetypes.best == "application/json":
            response = jsonify(
                {"error": "Sign-in required", "messages": ["Sign in at /curate/sign-in."]}
            )
            response.status_code = 401
            return response
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("workspace.sign_in", next=target), 302)  # type: ignore[return-value]
    g.curator_session = session
    if request.method == "POST":
        sent = request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            abort(403, "This form's security token did not match; please reload the page.")
    return None


@bp.after_app_request
def _private(response: Response) -> Response:
    if not _is_workspace_path(request.path):
        return response
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Vary"] = "Cookie"
    response.headers.pop("ETag", None)
    return response


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    session = g.get("curator_session")
    return {
        "curator": session.curator if session else None,
        "csrf": session.csrf if session else "",
    }


# -- signing in and out ----------------------------------------------------------------------


def _sign_in_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(), salt=SIGN_IN_SALT)


def _sign_in_page(
    status: int = 200,
    problems: tuple[str, ...] = (),
    name: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    token = _sign_in_serializer().dumps(int(time.time()))
    html = render_template(
        "curate_sign_in.html",
        token=token,
        problems=problems,
        name=name,
        next=_safe_next(request.values.get("next")),
    )
    response = Response(html, status=status)
    response.headers.update(headers or {})
    return response


@bp.get("/sign-in")
def sign_in() -> Response:
    return _sign_in_page()


@bp.post("/sign-in")
def sign_in_submit() -> Response:
    name = request.form.get("name", "")[:100].strip()
    try:
        _sign_in_serializer().loads(request.form.get(CSRF_FIELD, ""), max_age=SIGN_IN_MAX_AGE)
    except BadSignature:
        return _sign_in_page(403, ("The form expired or did not come from this site.",), name)
    client = client_hash(_secret(), request.remote_addr or "")
    try:
        session_id, session = _accounts().sign_in(name, request.form.get("password", ""), client)
    except SignInRefused as exc:
        status, headers = (
            (429, {"Retry-After": str(exc.retry_after)}) if exc.retry_after else (401, {})
        )
        return _sign_in_page(status, (str(exc),), name, headers)
    _audit().record(session.curator, "sign-in", f"curator:{session.curator}")
    response = redirect(_safe_next(request.form.get("next")), 303)
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="Strict",
        secure=_secure_cookie(),
        path="/curate",
    )
    return response  # type: ignore[return-value]


@bp.post("/sign-out")
def sign_out() -> Response:
    _accounts().sign_out(request.cookies.get(COOKIE, ""))
    _audit().record(_session().curator, "sign-out", f"curator:{_session().curator}")
    response = redirect(url_for("workspace.sign_in"), 303)
    response.delete_cookie(COOKIE, path="/curate", httponly=True, samesite="Strict")
    return response  # type: ignore[return-value]


# -- the inbox and reader corrections --------------------------------------------------------


def _correction_item(c: Contribution, titles: dict[str, str]) -> InboxItem:
    return InboxItem(
        kind="correction",
        id=c.id,
        status=c.status,
        created=c.created,
        title=titles.get(c.slug, c.slug),
        summary=c.text[:160],
        url=url_for("workspace.correction", correction_id=c.id),
    )


def inbox_items(kind: str | None, status: str | None) -> list[InboxItem]:
    """Return the inbox rows of a kind and status (all when None), newest first."""
    items: list[InboxItem] = []
    if kind in (None, "draft") and status in (None, *DRAFT_STATUSES):
        items += [
            InboxItem(
                kind="draft",
                id=d.id,
                status=d.status,
                created=d.created,
                title=d.paper.title or d.slug,
                summary=f"{d.paper.journal} {d.paper.year or ''}".strip(),
                url=url_for("workspace.draft", draft_id=d.id),
            )
            for d in _drafts().list(status)
        ]
    if kind in (None, "correction") and status in (None, "open", "resolved"):
        atlas = get_atlas()
        found = _corrections().list(status)
        titles = {}
        for c in found:
            if c.slug not in titles:
                record = atlas.study(c.slug)
                titles[c.slug] = (record or {}).get("title") or c.slug
        items += [_correction_item(c, titles) for c in found]
    return sorted(items, key=lambda item: item.created, reverse=True)


@bp.get("")
@bp.get("/")
def inbox() -> Response:
    kind = request.args.get("kind") if request.args.get("kind") in INBOX_KINDS else None
    status = request.args.get("status") if request.args.get("status") in INBOX_STATUSES else None
    items = inbox_items(kind, status)
    return Response(
        render_template(
            "curate_inbox.html",
            items=items,
            kind=kind,
            status=status,
            kinds=INBOX_KINDS,
            statuses=INBOX_STATUSES,
        )
    )


def _correction_or_404(correction_id: int) -> Contribution:
    found = _corrections().get(correction_id)
    if found is None:
        abort(404, f"There is no reader correction #{correction_id}.")
    return found


@bp.get("/corrections/<int:correction_id>")
def correction(correction_id: int) -> Response:
    found = _correction_or_404(correction_id)
    record = get_atlas().study(found.slug)
    history = _audit().list(target=f"correction:{correction_id}")
    return Response(
        render_template(
            "curate_correction.html",
            correction=found,
            record=record,
            history=history,
            problems=(),
        )
    )


@bp.post("/corrections/<int:correction_id>/resolve")
def resolve_correction(correction_id: int) -> Response:
    found = _correction_or_404(correction_id)
    note = request.form.get("note", "").replace("\r\n", "\n").strip()
    problems = []
    if not note:
        problems.append("Say what was done, in a few words, before resolving.")
    elif len(note) > MAX_NOTE:
        problems.append(f"The note has at most {MAX_NOTE} characters.")
    if not problems:
        try:
            resolved = _corrections().resolve(correction_id, note)
        except AlreadyResolved:
            problems.append("Another curator resolved this correction in the meantime.")
        else:
            _audit().record(
                _session().curator,
                "resolve-correction",
                f"correction:{correction_id}",
                {"status": [found.status, resolved.status]},
                note,
            )
            return redirect(url_for("workspace.inbox"), 303)  # type: ignore[return-value]
    record = get_atlas().study(found.slug)
    history = _audit().list(target=f"correction:{correction_id}")
    html = render_template(
        "curate_correction.html",
        correction=found,
        record=record,
        history=history,
        problems=tuple(problems),
        note=note,
    )
    return Response(html, status=400)


@bp.get("/audit")
def audit() -> Response:
    entries: list[AuditEntry] = _audit().list(limit=500)
    return Response(render_template("curate_audit.html", entries=entries))


# -- publishing ------------------------------------------------------------------------------


@bp.post("/publish")
def publish() -> Response:
    job = publisher().submit(_session().curator, "published from the workspace")
    return redirect(url_for("workspace.publication", job_id=job.id), 303)  # type: ignore[return-value]


@bp.get("/publish/<int:job_id>")
def publication(job_id: int) -> Response:
    job = publisher().job(job_id)
    if job is None:
        abort(404, f"There is no publication #{job_id} in this server's memory.")
    return Response(render_template("curate_publication.html", job=job))


# -- drafts ----------------------------------------------------------------------------------


def _draft_or_404(draft_id: int) -> Draft:
    found = _drafts().get(draft_id)
    if found is None:
        abort(404, f"There is no draft #{draft_id}.")
    return found


def _draft_page(
    draft: Draft,
    values: dict[str, str],
    problems: dict[str, list[str]],
    status: int = 200,
    message: str = "",
) -> Response:
    evidence = [p for s in draft.suggested.values() for p in s.evidence]
    saved = _edits().get(draft.id)
    html = render_template(
        "curate_draft.html",
        draft=draft,
        fields=FIELDS,
        values=values,
        problems=problems,
        words={name: word_count(values.get(name, "")) for name in PROSE_FIELDS},
        abstract=highlight_passages(draft.paper.abstract, evidence),
        title=highlight_passages(draft.paper.title, evidence),
        suggested=draft.suggested,
        saved=saved,
        message=message,
        history=_audit().list(target=f"draft:{draft.id}"),
    )
    return Response(html, status=status)


@bp.get("/drafts/<int:draft_id>")
def draft(draft_id: int) -> Response:
    found = _draft_or_404(draft_id)
    saved = _edits().get(draft_id)
    if found.accepted_record is not None:
        values = form_values(found.accepted_record)
    elif saved is not None:
        values = saved.fields
    else:
        values = form_values(record_for(found, {}))
    return _draft_page(found, values, {})


def _form_fields() -> dict[str, str]:
    return {spec.name: request.form.get(spec.name, "") for spec in FIELDS}


@bp.post("/drafts/<int:draft_id>")
def draft_submit(draft_id: int) -> Response:
    found = _draft_or_404(draft_id)
    action = request.form.get("action", "")
    values = _form_fields()
    curator = _session().curator
    if found.status != "new":
        return _draft_page(found, values, {}, 409, f"This draft was {found.status} already.")
    if action == "save":
        _edits().save(draft_id, values, curator)
        _audit().record(curator, "save-draft", f"draft:{draft_id}")
        return redirect(url_for("workspace.draft", draft_id=draft_id, saved=1), 303)  # type: ignore[return-value]
    if action == "reject":
        note = request.form.get("note", "").strip()
        if not note:
            return _draft_page(found, values, {"note": ["Say why, in a few words."]}, 400)
        _drafts().reject(draft_id, note)
        _audit().record(curator, "reject-draft", f"draft:{draft_id}", note=note)
        return redirect(url_for("workspace.inbox"), 303)  # type: ignore[return-value]
    if action != "accept":
        abort(400, "Choose save, accept or reject.")
    suggested = record_for(found, {})
    record, problems = read_form(values, keep=suggested)
    if problems:
        return _draft_page(found, values, problems, 400, "Nothing was published: see below.")
    sets = {name: record.get(name) for name in {*suggested, *record}}
    try:
        accepted = _drafts().accept(draft_id, curated_dir(), sets, _published(record["slug"]))
    except InvalidDraft as exc:
        problems = {(p.field or "slug").split(".")[0]: [p.message] for p in exc.problems}
        return _draft_page(found, values, problems, 400, "Nothing was published: see below.")
    except SlugTaken as exc:
        return _draft_page(found, values, {"slug": [str(exc)]}, 400, "Choose another slug.")
    except AlreadyDecided as exc:
        return _draft_page(found, values, {}, 409, str(exc))
    _audit().record(
        curator,
        "accept-draft",
        f"draft:{draft_id}",
        field_changes(suggested, accepted.record),
        f"published as {accepted.record['slug']}",
    )
    job = publisher().submit(curator, f"accepted draft #{draft_id} as {accepted.record['slug']}")
    return redirect(url_for("workspace.publication", job_id=job.id), 303)  # type: ignore[return-value]


def _published(slug: str) -> set[str]:
    """Return {slug} when a served study has it already (accepting must not shadow it)."""
    try:
        return {slug} if get_atlas().study(slug) is not None else set()
    except IndexUnavailable:  # no index yet: nothing published to collide with
        return set()
