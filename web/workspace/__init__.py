"""The curator workspace under /curate: its blueprint, the guard every URL passes, its stores.

The views live beside this module: auth (sign-in and out), inbox (the inbox, reader corrections,
the audit trail, publishing), drafts (an imported draft's page) and studies (editing a published
study).

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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from curation.accounts import AccountStore, Session
from curation.audit import AuditLog
from curation.drafts import DraftStore
from curation.edits import EditStore
from curation.publish import Job, Publisher
from search.settings import curated_override
from web.corrections.store import ContributionStore
from web.errors import wants_json

bp = Blueprint("workspace", __name__, url_prefix="/curate")

COOKIE = "atlas_curator"
CSRF_FIELD = "csrf_token"
SIGN_IN_SALT = "atlas.curator-sign-in"
SIGN_IN_MAX_AGE = 30 * 60  # seconds a sign-in form stays valid
MAX_NOTE = 5_000
INBOX_KINDS = ("draft", "correction")
INBOX_STATUSES = ("new", "accepted", "rejected", "open", "resolved")
OPEN_ENDPOINTS = {"workspace.sign_in", "workspace.sign_in_submit"}
Store = TypeVar("Store")  # a store kept on the app, one per name


def _kept(name: str, store: Callable[[Path], Store]) -> Store:
    """Return the app's store of this name, made from DATA_DIR on first use."""
    found = current_app.extensions.get(name)
    if found is None:
        found = current_app.extensions[name] = store(Path(current_app.config["DATA_DIR"]))
    return cast(Store, found)  # what this name was made with, above


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
    configured = current_app.config.get("CURATED_DIR") or curated_override()
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
def _require_session() -> BaseResponse | None:
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
        return redirect(url_for("workspace.sign_in", next=target), 302)
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


# The views, each kind in its own module, register on bp when imported.
from web.workspace import auth, drafts, inbox, studies  # noqa: E402, F401
