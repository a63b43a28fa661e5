"""`atlas contributions`: curators list, read, resolve and export readers' private corrections."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from atlas_cli.options import EXIT_FAILED, data_option, resolve_data
from atlas_cli.output import as_json, echo, visible
from web.corrections.rules import KINDS
from web.corrections.store import (
    STATUSES,
    AlreadyResolved,
    Contribution,
    ContributionStore,
    UnknownContribution,
)

PREVIEW = 60  # characters of the text shown per line by `list`


def _store(data_dir: Path | None) -> ContributionStore:
    return ContributionStore(resolve_data(data_dir))


def _fail(message: str) -> NoReturn:
    echo(f"error: {message}", err=True)
    sys.exit(EXIT_FAILED)


def _sender(c: Contribution) -> str:
    if c.name and c.email:
        return f"{visible(c.name)} <{visible(c.email)}>"
    return visible(c.name or c.email or "anonymous")


def _line(c: Contribution) -> str:
    first = c.text.strip().splitlines()[0] if c.text.strip() else ""
    preview = first if len(first) <= PREVIEW else first[: PREVIEW - 1] + "…"
    received = c.created[:16].replace("T", " ")
    return f"#{c.id:<5} {received}  {c.status:<8}  {c.kind:<9}  {c.slug}  {visible(preview)}"


def _details(c: Contribution) -> str:
    lines = [
        f"Contribution #{c.id} ({c.status})",
        f"Study:      {c.slug} (index generation {c.generation or 'unknown'})",
        f"Received:   {c.created}",
        f"What:       {KINDS.get(c.kind, c.kind)}",
        f"From:       {_sender(c)}",
        f"Client:     {c.client_hash}",
    ]
    if c.status == "resolved":
        lines.append(f"Resolved:   {c.resolved}: {visible(c.resolution or '')}")
    lines += ["", "Suggested text:", visible(c.text)]
    return "\n".join(lines)


@click.group("contributions")
def contributions_group() -> None:
    """Readers' private corrections: list, show, resolve and export them."""


@contributions_group.command("list")
@click.option(
    "--status",
    type=click.Choice([*STATUSES, "all"]),
    default="open",
    show_default=True,
    help="Which contributions to list.",
)
@click.option("--json", "json_output", is_flag=True, help="Print a JSON array.")
@data_option
def list_command(status: str, json_output: bool, data_dir: Path | None) -> None:
    """List contributions, oldest first."""
    store = _store(data_dir)
    found = store.list(None if status == "all" else status)
    if json_output:
        echo(as_json([c.to_json() for c in found]))
    elif not found:
        which = "" if status == "all" else f"{status} "
        echo(f"No {which}contributions in {store.path}.", err=True)
    else:
        for c in found:
            echo(_line(c))


@contributions_group.command("show")
@click.argument("contribution_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--json", "json_output", is_flag=True, help="Print a JSON object.")
@data_option
def show_command(contribution_id: int, json_output: bool, data_dir: Path | None) -> None:
    """Show one contribution in full."""
    store = _store(data_dir)
    found = store.get(contribution_id)
    if found is None:
        _fail(f"no contribution #{contribution_id} in {store.path}")
    echo(as_json(found.to_json()) if json_output else _details(found))


@contributions_group.command("resolve")
@click.argument("contribution_id", metavar="ID", type=click.IntRange(min=1))
@click.option("--note", required=True, help="What was done, for the record.")
@data_option
def resolve_command(contribution_id: int, note: str, data_dir: Path | None) -> None:
    """Mark a contribution resolved, with a note saying what was done."""
    if not note.strip():
        raise click.BadParameter("say what was done", param_hint="--note")
    store = _store(data_dir)
    try:
        resolved = store.resolve(contribution_id, note)
    except UnknownContribution:
        _fail(f"no contribution #{contribution_id} in {store.path}")
    except AlreadyResolved:
        before = store.get(contribution_id)
        assert before is not None
        _fail(
            f"contribution #{contribution_id} was already resolved at {before.resolved}: "
            f"{visible(before.resolution or '')}"
        )
    echo(f"Resolved #{resolved.id} ({resolved.slug}).")


@contributions_group.command("export")
@click.option(
    "--json",
    "json_output",
    is_flag=True,
    default=True,
    help="Print every contribution as one JSON array (the only format).",
)
@data_option
def export_command(json_output: bool, data_dir: Path | None) -> None:
    """Print every contribution, open and resolved, as a JSON array."""
    echo(as_json([c.to_json() for c in _store(data_dir).list()]))
