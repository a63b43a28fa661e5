"""Error responses: JSON under /api/, a plain page elsewhere; never a traceback."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed, SecurityError

from search import IndexUnavailable
from search.params import ParamError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """Return whether the client asked for JSON: the API, /healthz and `.json` twins of pages."""
    path = request.path
    return path.startswith("/api/") or path.endswith(".json") or path == "/healthz"


def error_response(
    status: int,
    error: str,
    messages: list[str] | dict[str, Any] | None = None,
    request_id: str | None = None,
) -> Response:
    """Return an error as JSON {"error", "messages"} for the API, or as an HTML page.

    A `request_id` (500s) is shown to the visitor and names the logged traceback.
    """
    if wants_json():
        body: dict[str, Any] = {"error": error, "messages": messages or []}
        if request_id:
            body["request_id"] = request_id
        response = jsonify(body)
    else:
        try:
            html = render_template(
                "error.html",
                status=status,
                error=error,
                messages=messages or [],
                request_id=request_id,
            )
        except Exception:
            # (a request for an untrusted host has no URL adapter, so base.html cannot render)
            paragraphs = [*(messages if isinstance(messages, list) else [])]
            if request_id:
                paragraphs.append(f"Reference: {request_id}")
            html = (
                f"<!doctype html><title>{status} {escape(error)}</title>"
                f"<h1>{status}: {escape(error)}</h1>"
                + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            )
        response = Response(html, mimetype="text/html")
    response.status_code = status
    if request_id:
        response.headers["X-Request-Id"] = request_id
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ParamError)
    def bad_param(exc: ParamError) -> Response:
        return error_response(400, "Bad request", [str(exc)])

    @app.errorhandler(IndexUnavailable)
    def no_index(exc: IndexUnavailable) -> Response:
        log.error("index unavailable: %s", exc)
        # The detail (a server path) goes to the log, not to the public.
        response = error_response(
            503,
            "The search index is not available",
            ["The index is missing or being built; please try again in a minute."],
        )
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError) -> Response:
        # Werkzeug's message repeats the Host header: the visitor's text, not ours to echo.
        return error_response(400, "Bad Request", ["This site does not answer to that host name."])

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = error_response(exc.code or 500, exc.name, [exc.description or ""])
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return http_error(exc)
        request_id = secrets.token_hex(6)
        # %r: a path is the visitor's text and must not write lines or escapes into the log
        log.exception(
            "request %s: unhandled error on %s %r", request_id, request.method, request.path
        )
        return error_response(
            500,
            "Internal Server Error",
            [
                "Something went wrong on our side. If it keeps happening, please tell us its "
                "reference and what you were doing."
            ],
            request_id=request_id,
        )
