"""Workspace: an imported draft's page (evidence marked, a form for every record field), and
save, accept and publish, or reject."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    redirect,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from curation.audit import field_changes
from curation.drafts import (
    AlreadyDecided,
    Draft,
    InvalidDraft,
    SlugTaken,
    record_for,
)
from curation.record_form import form_values, read_form
from search import IndexUnavailable
from web.highlight_evidence import highlight_passages
from web.index import get_atlas
from web.workspace import (
    _audit,
    _drafts,
    _edits,
    _session,
    bp,
    curated_dir,
    publisher,
)
from web.workspace.record_page import form_fields, record_form_page

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
    return record_form_page(
        "curate_draft.html",
        values,
        problems,
        status=status,
        message=message,
        history_of=f"draft:{draft.id}",
        draft=draft,
        abstract=highlight_passages(draft.paper.abstract, evidence),
        title=highlight_passages(draft.paper.title, evidence),
        suggested=draft.suggested,
        saved=_edits().get(draft.id),
    )


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


@bp.post("/drafts/<int:draft_id>")
def draft_submit(draft_id: int) -> BaseResponse:
    found = _draft_or_404(draft_id)
    action = request.form.get("action", "")
    values = form_fields()
    curator = _session().curator
    if found.status != "new":
        return _draft_page(found, values, {}, 409, f"This draft was {found.status} already.")
    if action == "save":
        _edits().save(draft_id, values, curator)
        _audit().record(curator, "save-draft", f"draft:{draft_id}")
        return redirect(url_for("workspace.draft", draft_id=draft_id, saved=1), 303)
    if action == "reject":
        note = request.form.get("note", "").strip()
        if not note:
            return _draft_page(found, values, {"note": ["Say why, in a few words."]}, 400)
        _drafts().reject(draft_id, note)
        _audit().record(curator, "reject-draft", f"draft:{draft_id}", note=note)
        return redirect(url_for("workspace.inbox"), 303)
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
    return redirect(url_for("workspace.publication", job_id=job.id), 303)


def _published(slug: str) -> set[str]:
    """Return {slug} when a served study has it already (accepting must not shadow it)."""
    try:
        return {slug} if get_atlas().study(slug) is not None else set()
    except IndexUnavailable:  # no index yet: nothing published to collide with
        return set()
