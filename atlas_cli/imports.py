"""`atlas import file` and `atlas import pubmed`: papers become drafts for curators to review."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import click

from atlas_cli.curation_options import (
    atlas_records,
    atlas_source_option,
    fail,
    open_store,
)
from atlas_cli.options import data_option
from atlas_cli.output import as_json, echo, visible
from curation.eutils import EutilsClient, EutilsConfig, EutilsError
from curation.formats import read_papers
from curation.importing import Importer, ImportReport
from curation.papers import Paper, UnreadableFile
from curation.pubmed_import import PubmedImport


@click.group("import")
def import_group() -> None:
    """Bring in papers from PubMed or reference-manager files as drafts."""


def _print_report(report: ImportReport, json_output: bool) -> None:
    if json_output:
        echo(as_json(report.to_json()))
        return
    for draft_id, slug, versions in report.drafted:
        echo(f"drafted #{draft_id} {slug}")
        for d in versions:
            where = f"draft #{d.draft_id}" if d.draft_id else "the atlas"
            echo(f"  possibly the same paper as {d.slug} in {where} (preprint and journal version)")
    for skipped in report.skipped:
        title = visible(skipped.paper.title[:70]) or "(no title)"
        if skipped.duplicate is not None:
            d = skipped.duplicate
            where = f"draft #{d.draft_id}" if d.draft_id else "the atlas"
            echo(
                f"skipped {visible(skipped.paper.source)}: {title}: already in {where} as "
                f"{d.slug} (same {d.reason})"
            )
        else:
            echo(f"skipped {visible(skipped.paper.source)}: {title}: {skipped.problem}")
    echo(
        f"{len(report.drafted)} draft(s) made, {len(report.skipped)} paper(s) skipped. "
        "Review them with `atlas drafts list`."
    )


@import_group.command("file")
@click.argument(
    "paths",
    metavar="PATH...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--json", "json_output", is_flag=True, help="Print what was drafted and skipped as JSON."
)
@data_option
@atlas_source_option
def file_command(
    paths: tuple[Path, ...], json_output: bool, data_dir: Path | None, sources: tuple[Path, ...]
) -> None:
    """Draft the papers in PubMed XML, MEDLINE (.nbib), RIS, BibTeX or CSV files.

    The format is told from each file's content. Every file is read before anything is
    drafted: if one cannot be read, nothing is drafted (exit 1).
    """
    papers: list[Paper] = []
    for path in paths:
        try:
            kind, found = read_papers(path)
        except UnreadableFile as exc:
            fail(f"{exc}; nothing was drafted")
        if not json_output:
            echo(f"{path}: {kind}, {len(found)} paper(s)", err=True)
        papers.extend(found)
    store = open_store(data_dir)
    try:
        report = Importer(store, atlas_records(sources, data_dir)).import_papers(papers)
    except sqlite3.Error as exc:
        fail(f"the drafts database {store.path}: {exc}")
    _print_report(report, json_output)


def _day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date such as 2024-01-31", param_hint=option
        ) from None


@import_group.command("pubmed")
@click.argument("term")
@click.option("--since", metavar="YYYY-MM-DD", help="Records added to PubMed on or after this day.")
@click.option(
    "--until", metavar="YYYY-MM-DD", help="Records added on or before this day (default today)."
)
@click.option(
    "--max", "max_ids", type=click.IntRange(min=1), help="Import at most N records, newest first."
)
@click.option(
    "--json", "json_output", is_flag=True, help="Print what was drafted and skipped as JSON."
)
@data_option
@atlas_source_option
def pubmed_command(
    term: str,
    since: str | None,
    until: str | None,
    max_ids: int | None,
    json_output: bool,
    data_dir: Path | None,
    sources: tuple[Path, ...],
) -> None:
    """Draft the PubMed records a search matches, through NCBI E-utilities.

    Dates are Entrez dates (when a record was added to PubMed). Stopped midway (even by
    kill -9), the same command again goes on where it stopped. Set $ATLAS_NCBI_EMAIL (NCBI
    asks for it) and $NCBI_API_KEY for 10 requests a second instead of 3.
    """
    if not term.strip():
        raise click.BadParameter("give a search term", param_hint="TERM")
    first, last = _day(since, "--since"), _day(until, "--until")
    if first and last and first > last:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    config = EutilsConfig.from_env()
    if not config.email:
        echo("warning: set ATLAS_NCBI_EMAIL so NCBI can reach you about heavy use", err=True)
    store = open_store(data_dir)
    importer = Importer(store, atlas_records(sources, data_dir))
    say = (lambda m: None) if json_output else (lambda m: echo(m, err=True))
    client = EutilsClient(config, on_retry=lambda m: echo(f"warning: {m}", err=True))
    try:
        report = PubmedImport(store, importer, client, say).run(term, first, last, max_ids)
    except EutilsError as exc:
        fail(f"{exc}; run the same command again to go on where it stopped")
    except sqlite3.Error as exc:
        fail(f"the drafts database {store.path}: {exc}; run the same command again")
    if json_output:
        echo(as_json(report.to_json()))
        return
    _print_report(report.imported, False)
    if report.done_before:
        echo(f"({report.done_before:,} of {report.matched:,} records were done by an earlier run.)")
    for pmid in report.missing:
        echo(f"warning: PubMed did not return PMID {pmid}", err=True)
    for day in report.truncated:
        echo(
            f"warning: more than 10,000 records on {day}: only the first 10,000 were imported",
            err=True,
        )
