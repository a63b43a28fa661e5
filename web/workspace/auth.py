"""Workspace: signing in (a signed, short-lived form token; a new session id each time) and out."""

from __future__ import annotations

import time

from flask import (
    Response,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from curation.accounts import SignInRefused
from web.corrections.token import client_hash, form_secret
from web.workspace import (
    COOKIE,
    CSRF_FIELD,
    SIGN_IN_MAX_AGE,
    SIGN_IN_SALT,
    _accounts,
    _audit,
    _safe_next,
    _secure_cookie,
    _session,
    bp,
)

# -- signing in and out ----------------------------------------------------------------------


def _sign_in_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(form_secret(), salt=SIGN_IN_SALT)


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
def sign_in_submit() -> BaseResponse:
    name = request.form.get("name", "")[:100].strip()
    try:
        _sign_in_serializer().loads(request.form.get(CSRF_FIELD, ""), max_age=SIGN_IN_MAX_AGE)
    except BadSignature:
        return _sign_in_page(403, ("The form expired or did not come from this site.",), name)
    client = client_hash(form_secret(), request.remote_addr or "")
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
    return response


@bp.post("/sign-out")
def sign_out() -> BaseResponse:
    _accounts().sign_out(request.cookies.get(COOKIE, ""))
    _audit().record(_session().curator, "sign-out", f"curator:{_session().curator}")
    response = redirect(url_for("workspace.sign_in"), 303)
    response.delete_cookie(COOKIE, path="/curate", httponly=True, samesite="Strict")
    return response
