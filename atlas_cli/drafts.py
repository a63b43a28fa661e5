"""`atlas drafts`: curators list, read, accept (writing a record) and reject imported drafts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from atlas_cli.curation_options import (
    atlas_records,
    atlas_source_option,
    curated_dir,
    database_errors,
    fail,
    open_store,
)
from atlas_cli.options import data_option
from atlas_cli.output import as_json, echo, visible
from curation.drafts import (
    RECORD_FIELDS,
    STATUSES,
    AlreadyDecided,
    Draft,
    InvalidDraft,
    SlugTaken,
    UnknownDraft,
)

LIST_FIELDS = ("authors", "criteria", "markers", "interventions", "topics")
INTEGER_FIELDS = ("year", "participants.patients", "participants.controls")
BOOLEAN_FIELDS = ("peer_reviewed", "retracted")
SUB_FIELDS = ("participants.patients", "participants.controls")
PREVIEW = 60


def _value(name: str, raw: str) -> Any:
    """Return a --set value as the record format types it; "" removes the field."""
    text = raw.strip()
    if not text:
        return None
    if name in INTEGER_FIELDS:
        try:
            return int(text)
        except ValueError:
            raise click.BadParameter(
                f"{name} must be a whole number, not {raw!r}", param_hint="--set"
            ) from None
    if name in BOOLEAN_FIELDS:
        if text.lower() not in ("true", "false"):
            raise click.BadParameter(
                f"{name} must be true or false, not {raw!r}", param_hint="--set"
            )
        return text.lower() == "true"
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            raise click.BadParameter(
                f"{name}: {raw!r} is not valid JSON", param_hint="--set"
            ) from None
    if name in LIST_FIELDS:
        separator = ";" if name == "authors" else ","  # authors hold commas: "Family, Given"
        return [v.strip() for v in text.split(separator) if v.strip()]
    return text


def parse_sets(pairs: tuple[str, ...]) -> dict[str, Any]:
    """Return FIELD=VALUE pairs as {field: value}; raises BadParameter for unknown fields."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, equals, raw = pair.partition("=")
        name = name.strip()
        if not equals or not name:
            raise click.BadParameter(f"{pair!r} is not FIELD=VALUE", param_hint="--set")
        if name not in RECORD_FIELDS and name not in SUB_FIELDS:
            raise click.BadParameter(
                f"{name!r} is not a record field (see docs/record-format.md)", param_hint="--set"
            )
        out[name] = _value(name, raw)
    return out


def _line(d: Draft) -> str:
    title = d.paper.title if len(d.paper.title) <= PREVIEW else d.paper.title[: PREVIEW - 1] + "…"
    flag = "  [possible duplicate]" if d.duplicates else ""
    return f"#{d.id:<5} {d.status:<8}  {d.slug}  {visible(title)}{flag}"


def _details(d: Draft) -> str:
    r = d.citation_record()
    lines = [
        f"Draft #{d.id} ({d.status})",
        f"Slug:       {d.slug}",
        f"Title:      {visible(r['title'])}",
        f"Authors:    {visible('; '.join(r['authors']))}",
        f"Year:       {r.get('year', 'unknown')}",
        f"Journal:    {visible(r.get('journal', ''))}",
        f"DOI:        {r.get('doi', '')}",
        f"PMID:       {r.get('pmid', '')}   PMCID: {r.get('pmcid', '')}",
        f"Types:      {visible('; '.join(d.paper.publication_types))}",
        f"Source:     {visible(d.paper.source)}",
    ]
    if d.decided:
        lines.append(f"Decided:    {d.decided}{': ' + visible(d.note) if d.note else ''}")
    if d.path:
        lines.append(f"Written to: {d.path}")
    for dup in d.duplicates:
        where = f"draft #{dup.draft_id}" if dup.draft_id else "the atlas"
        lines.append(f"Possibly the same paper as {dup.slug} in {where} (preprint/journal)")
    lines += ["", "Suggested (accepting applies these; change any with --set FIELD=VALUE):"]
    if not d.suggested:
        lines.append("  nothing")
    for name, s in d.suggested.items():
        lines.append(f"  {name}: {visible(json.dumps(s.value, ensure_ascii=False))}")
        for passage in s.evidence:
            lines.append(f"      from: {visible(passage)}")
    lines += ["", "Abstract:", visible(d.paper.abstract or "(none)")]
    if d.paper.mesh:
        lines += ["", f"MeSH: {visible('; '.join(d.paper.mesh))}"]
    return "\n".join(lines)


@click.group("drafts")
def drafts_group() -> None:
    """Imported papers waiting for review: list, show, accept, reject and export them."""


@drafts_group.command("list")
@click.option(
    "--status",
    type=click.Choice([*STATUSES, "all"]),
    default="new",
    show_default=True,
    help="Which drafts to list.",
)
@click.option("--json", "json_output", is_flag=True, help="Print a JSON array.")
@data_option
def list_command(status: str, json_output: bool, data_dir: Path | None) -> None:
    """List drafts, oldest first."""
    store = open_store(data_dir)
    with database_errors(store):
        found = store.list(None if status == "all" else status)
    if json_output:
        echo(as_json([d.to_json() for d in found]))
    elif not found:
        which = "" if status == "all" else f"{status} "
        echo(f"No {which}drafts in {store.path}.", err=True)
    else:
        for d in found:
            echo(_line(d))


@drafts_group.command("show")
@click.argument("draft_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--json", "json_output", is_flag=True, help="Print a JSON object.")
@data_option
def show_command(draft_id: int, json_output: bool, data_dir: Path | None) -> None:
    """Show one draft: citation facts, suggestions with their evidence, abstract."""
    store = open_store(data_dir)
    with database_errors(store):
        found = store.get(draft_id)
    if found is None:
        fail(f"no draft #{draft_id} in {store.path}")
    echo(as_json(found.to_json()) if json_output else _details(found))


@drafts_group.command("accept")
@click.argument("draft_id", metavar="ID", type=click.IntRange(min=1))
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set or correct a field (repeatable): pem=required, criteria=CCC,ICC, "
    "participants.patients=50, summary='…'; FIELD= removes it.",
)
@data_option
@atlas_source_option
def accept_command(
    draft_id: int, sets: tuple[str, ...], data_dir: Path | None, sources: tuple[Path, ...]
) -> None:
    """Accept a draft: write its record (suggestions plus --set) into the curated directory.

    The record is validated with the record schema first; it is published by the next
    `atlas index build`.
    """
    values = parse_sets(sets)
    store = open_store(data_dir)
    slugs = {r["slug"] for r in atlas_records(sources, data_dir)}
    try:
        with database_errors(store):
            accepted = store.accept(draft_id, curated_dir(data_dir), values, slugs)
    except UnknownDraft:
        fail(f"no draft #{draft_id} in {store.path}")
    except AlreadyDecided as exc:
        fail(str(exc))
    except InvalidDraft as exc:
        for p in exc.problems:
            echo(f"error: {p.field or '-'}: {p.message}", err=True)
        fail(f"draft #{draft_id} would not be a valid record; fix it with --set FIELD=VALUE")
    except SlugTaken as exc:
        fail(f"{exc}; choose another with --set slug=…")
    for w in accepted.warnings:
        echo(str(w), err=True)
    echo(
        f"Accepted #{draft_id} as {accepted.record['slug']}: wrote {accepted.path}. "
        "Run `atlas index build` to publish it."
    )


@drafts_group.command("reject")
@click.argument("draft_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--note", required=True, help="Why, for the record.")
@data_option
def reject_command(draft_id: int, note: str, data_dir: Path | None) -> None:
    """Reject a draft, with a note saying why."""
    if not note.strip():
        raise click.BadParameter("say why", param_hint="--note")
    store = open_store(data_dir)
    try:
        with database_errors(store):
            rejected = store.reject(draft_id, note)
    except UnknownDraft:
        fail(f"no draft #{draft_id} in {store.path}")
    except AlreadyDecided as exc:
        fail(str(exc))
    echo(f"Rejected #{rejected.id} ({rejected.slug}).")


@drafts_group.command("export")
@click.option(
    "--json",
    "json_output",
    is_flag=True,
    default=True,
    help="Print every draft as one JSON array (the only format).",
)
@data_option
def export_command(json_output: bool, data_dir: Path | None) -> None:
    """Print every draft, new and decided, as a JSON array."""
    store = open_store(data_dir)
    with database_errors(store):
        echo(as_json(store.export()))
