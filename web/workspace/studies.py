"""Workspace: edit a published study's record and publish the change.

Routes on the workspace blueprint (web/workspace/__init__.py), so they share its sign-in guard, CSRF
check, no-store headers and audit trail. The record's own file is rewritten (curation/
study_files.py) and an incremental build publishes it; a failed build changes nothing served.
"""

from __future__ import annotations

from flask import Response, abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from curation.audit import field_changes
from curation.record_form import form_values, read_form
from curation.study_files import ChangedMeanwhile, NotEditable, StudyFile, locate, rewrite
from web.workspace import _audit, _session, bp, publish_sources, publisher
from web.workspace.record_page import form_fields, record_form_page


def _study_file(slug: str) -> StudyFile:
    try:
        return locate(slug, publish_sources()())
    except LookupError:
        abort(404, f"No source file holds a study {slug!r}.")
    except NotEditable as exc:
        abort(409, str(exc))


def _page(
    study: StudyFile,
    values: dict[str, str],
    problems: dict[str, list[str]],
    status: int = 200,
    message: str = "",
) -> Response:
    return record_form_page(
        "curate_study_edit.html",
        values,
        problems,
        status=status,
        message=message,
        history_of=study.slug,
        study=study,
    )


@bp.get("/studies/<slug>/edit")
def edit_study(slug: str) -> Response:
    study = _study_file(slug)
    return _page(study, form_values(study.record), {})


@bp.post("/studies/<slug>/edit")
def edit_study_submit(slug: str) -> BaseResponse:
    study = _study_file(slug)
    values = form_fields()
    if request.form.get("version") != study.version:
        message = "Someone changed this study after you opened it: reload to see their change."
        return _page(study, values, {}, 409, message)
    record, problems = read_form(values, keep=study.record)
    if problems:
        return _page(study, values, problems, 400, "Nothing was changed: see below.")
    if record.get("slug") != slug:
        problems = {"slug": ["A published study keeps its slug (its URL is cited)."]}
        return _page(study, values, problems, 400, "Nothing was changed: see below.")
    changes = field_changes(study.record, record)
    if not changes:
        return _page(study, values, {}, 200, "Nothing to publish: the record is unchanged.")
    try:
        rewrite(study, record)
    except ChangedMeanwhile:
        message = "Someone changed this study after you opened it: reload to see their change."
        return _page(study, values, {}, 409, message)
    curator = _session().curator
    _audit().record(curator, "edit-study", slug, changes)
    job = publisher().submit(curator, f"edited {slug}")
    return redirect(url_for("workspace.publication", job_id=job.id), 303)
