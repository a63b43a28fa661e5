"""Workspace: one inbox of drafts and reader corrections, a correction's page, the audit trail,
and publishing (background builds) with its progress page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse  # what redirect() returns

from curation.audit import AuditEntry
from curation.drafts import STATUSES as DRAFT_STATUSES
from web.corrections.store import AlreadyResolved, Contribution
from web.index import get_atlas
from web.workspace import (
    INBOX_KINDS,
    INBOX_STATUSES,
    MAX_NOTE,
    _audit,
    _corrections,
    _drafts,
    _session,
    bp,
    publisher,
)


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
def resolve_correction(correction_id: int) -> BaseResponse:
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
            return redirect(url_for("workspace.inbox"), 303)
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
def publish() -> BaseResponse:
    job = publisher().submit(_session().curator, "published from the workspace")
    return redirect(url_for("workspace.publication", job_id=job.id), 303)


@bp.get("/publish/<int:job_id>")
def publication(job_id: int) -> Response:
    job = publisher().job(job_id)
    if job is None:
        abort(404, f"There is no publication #{job_id} in this server's memory.")
    return Response(render_template("curate_publication.html", job=job))
