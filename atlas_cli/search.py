"""`atlas search` and `atlas show`."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from atlas_cli.options import EXIT_FAILED, index_option, resolve_index
from atlas_cli.output import echo, json_text
from citations import short_authors
from search import Atlas, IndexUnavailable, open_atlas
from search.params import SORTS, ParamError, parse
from search.schema import FACETS

FILTER_NAMES = (*FACETS, "year_from", "year_to")
_TAGS = re.compile(r"</?mark>")


def _open(index_dir: Path | None) -> Atlas:
    try:
        return open_atlas(resolve_index(index_dir))
    except IndexUnavailable as exc:
        echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


def _filters(values: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in FILTER_NAMES:
            raise click.BadParameter(
                f"{item!r}: expected NAME=VALUE with NAME one of {', '.join(FILTER_NAMES)}",
                param_hint="--filter",
            )
        out.setdefault(name, []).append(value)
    return out


@click.command("search")
@click.argument("query", required=False, default="")
@click.option(
    "--filter",
    "-f",
    "filters",
    multiple=True,
    metavar="NAME=VALUE",
    help=f"Filter, repeatable: {', '.join(FILTER_NAMES)}.",
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default=None,
    help="Order (default: relevance with a query, newest without).",
)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=20, show_default=True)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "--as-typed", is_flag=True, help="Search the words as typed, never a corrected spelling."
)
def search_command(
    query: str,
    filters: tuple[str, ...],
    sort: str | None,
    page: int,
    per_page: int,
    index_dir: Path | None,
    as_json: bool,
    as_typed: bool,
) -> None:
    """Search the studies. An empty QUERY lists every study, newest first."""
    args: dict[str, Any] = _filters(filters)
    args.update(q=[query], page=[str(page)], per_page=[str(per_page)])
    if as_typed:
        args["as_typed"] = ["1"]
    if sort:
        args["sort"] = [sort]
    try:
        params = parse(args)
    except ParamError as exc:
        raise click.BadParameter(str(exc)) from exc
    result = _open(index_dir).search(params)
    if as_json:
        echo(json_text(result.to_json()))
        return
    for notice in result.notices:
        echo(f"note: {notice}", err=True)
    shown = f' for "{query}"' if query else ""
    read = f" (read as: {result.read_as})" if result.read_as and result.read_as != query else ""
    echo(
        f"{result.total} stud{'y' if result.total == 1 else 'ies'}{shown}{read}; "
        f"page {params.page} of {result.page_count}, sorted by {result.sort}."
    )
    first = (params.page - 1) * params.per_page
    for n, hit in enumerate(result.hits, start=first + 1):
        flags = " [RETRACTED]" if hit.retracted else ""
        echo(f"\n{n:>3}. {hit.title}{flags}")
        details = [short_authors(hit.authors), hit.journal or "", str(hit.year), f"PEM: {hit.pem}"]
        if hit.criteria:
            details.append("criteria: " + ", ".join(hit.criteria))
        echo("     " + " · ".join(d for d in details if d))
        echo(f"     {hit.slug}")
    if result.corrected:
        echo(
            f"\nShowing results for: {result.corrected}"
            f" (search instead for {query!r} with --as-typed)"
        )
    elif result.suggestion:
        echo(f"\nDid you mean: {result.suggestion}")


@click.command("show")
@click.argument("slug")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the full record as JSON.")
def show_command(slug: str, index_dir: Path | None, as_json: bool) -> None:
    """Show one study by its slug."""
    atlas = _open(index_dir)
    record = atlas.study(slug)
    if record is None:
        echo(f"error: no study with slug {slug!r}", err=True)
        sys.exit(EXIT_FAILED)
    if as_json:
        echo(json_text(record))
        return
    echo(record["title"] + (" [RETRACTED]" if record.get("retracted") else ""))
    echo("; ".join(record["authors"]))
    echo(" · ".join(str(x) for x in (record.get("journal"), record["year"]) if x))
    if record.get("doi"):
        echo(f"DOI: https://doi.org/{record['doi']}")
    if record.get("pmid"):
        echo(f"PubMed: {record['pmid']}")
    echo(f"PEM required for inclusion: {record.get('pem', 'unknown')}")
    for label, key in (
        ("Criteria", "criteria"),
        ("Markers", "markers"),
        ("Interventions", "interventions"),
        ("Topics", "topics"),
    ):
        if record.get(key):
            echo(f"{label}: {', '.join(record[key])}")
    if record.get("design"):
        echo(f"Design: {record['design']}")
    for label, key in (
        ("Summary", "summary"),
        ("Why it matters", "significance"),
        ("What it does not show", "limitations"),
    ):
        if record.get(key):
            echo(f"\n{label}:\n{record[key]}")
    for finding in record.get("findings") or []:
        sample = f" ({finding['sample']})" if finding.get("sample") else ""
        echo(f"  - {finding['marker']}: {finding['direction']}{sample}")
