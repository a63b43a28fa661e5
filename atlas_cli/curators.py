"""`atlas curators` (accounts for the web workspace) and `atlas audit` (the audit trail)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from atlas_cli.options import EXIT_FAILED, data_option, resolve_data
from atlas_cli.output import as_json, echo
from curation.accounts import AccountError, AccountStore, UnknownCurator
from curation.audit import AuditLog


def _fail(message: str) -> NoReturn:
    echo(f"error: {message}", err=True)
    sys.exit(EXIT_FAILED)


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn the account store's refusals (an unknown name, a bad password) into one line, exit 1."""
    try:
        yield
    except UnknownCurator as exc:
        _fail(f"no curator named {exc.args[0]!r}")
    except AccountError as exc:
        _fail(str(exc))


def _password() -> str:
    """Return a password typed twice on a terminal, or one line read from standard input."""
    if sys.stdin.isatty():
        value: str = click.prompt("Password", hide_input=True, confirmation_prompt="Again")
        return value
    line = sys.stdin.readline()
    if not line:
        raise click.UsageError("no password on standard input")
    return line.rstrip("\r\n")


def _accounts(data_dir: Path | None) -> AccountStore:
    return AccountStore(resolve_data(data_dir))


@click.group("curators")
def curators_group() -> None:
    """Accounts that may sign in to the curator workspace (/curate)."""


@curators_group.command("add")
@click.argument("name")
@data_option
def add_command(name: str, data_dir: Path | None) -> None:
    """Add a curator; the password is typed twice, or read as one line from standard input."""
    store = _accounts(data_dir)
    with _refusals():
        curator = store.add(name, _password())
    AuditLog(store.data_dir).record("cli", "add-curator", f"curator:{curator.name}")
    echo(f"Added curator {curator.name}.")


@curators_group.command("list")
@click.option("--json", "json_output", is_flag=True, help="Print a JSON array.")
@data_option
def list_command(json_output: bool, data_dir: Path | None) -> None:
    """List the curators and whether each may sign in."""
    curators = _accounts(data_dir).list()
    if json_output:
        echo(as_json([vars(c) for c in curators]))
        return
    if not curators:
        echo("No curators yet: add one with `atlas curators add NAME`.", err=True)
    for c in curators:
        state = "disabled" if c.disabled else ("locked" if c.locked_until else "active")
        echo(f"{c.name}\t{state}\tadded {c.created}\tlast sign-in {c.last_sign_in or '-'}")


@curators_group.command("disable")
@click.argument("name")
@data_option
def disable_command(name: str, data_dir: Path | None) -> None:
    """Stop a curator signing in and end their sessions."""
    store = _accounts(data_dir)
    with _refusals():
        store.disable(name)
    AuditLog(store.data_dir).record("cli", "disable-curator", f"curator:{name}")
    echo(f"Disabled curator {name}; their sessions have ended.")


@curators_group.command("password")
@click.argument("name")
@data_option
def password_command(name: str, data_dir: Path | None) -> None:
    """Set a curator's password (unlocks the account and ends its sessions)."""
    store = _accounts(data_dir)
    with _refusals():
        store.set_password(name, _password())
    AuditLog(store.data_dir).record("cli", "set-password", f"curator:{name}")
    echo(f"Set a new password for {name}.")


@click.group("audit")
def audit_group() -> None:
    """The audit trail of curators' actions."""


@audit_group.command("list")
@click.option("--json", "json_output", is_flag=True, help="Print a JSON array.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=None, help="Newest N only.")
@data_option
def audit_list_command(json_output: bool, limit: int | None, data_dir: Path | None) -> None:
    """List every action, newest first: when, who, what, and the fields it changed."""
    entries = AuditLog(resolve_data(data_dir)).list(limit)
    if json_output:
        echo(as_json([e.to_json() for e in entries]))
        return
    if not entries:
        echo("The audit trail is empty.", err=True)
    for e in entries:
        fields = ", ".join(e.changes) or "-"
        note = f"\t{e.note}" if e.note else ""
        echo(f"{e.at}\t{e.actor}\t{e.action}\t{e.target}\t{fields}{note}")
