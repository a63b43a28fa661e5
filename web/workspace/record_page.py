"""Workspace: the page that edits a record as a form, for an imported draft and a published
study alike: every record field, its problems, the prose fields' word counts and the history."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from curation.record_form import FIELDS, PROSE_FIELDS, word_count
from web.workspace import _audit


def form_fields() -> dict[str, str]:
    """Return every record field the form sent, '' for one it left out."""
    return {spec.name: request.form.get(spec.name, "") for spec in FIELDS}


def record_form_page(
    template: str,
    values: dict[str, str],
    problems: dict[str, list[str]],
    *,
    status: int,
    message: str,
    history_of: str,
    **context: Any,
) -> Response:
    """Return the form page: the values as typed, their problems, and the audit trail of
    `history_of` (a slug, or "draft:<id>")."""
    html = render_template(
        template,
        fields=FIELDS,
        values=values,
        problems=problems,
        words={name: word_count(values.get(name, "")) for name in PROSE_FIELDS},
        message=message,
        history=_audit().list(target=history_of),
        **context,
    )
    return Response(html, status=status)
