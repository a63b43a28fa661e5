"""`atlas import file` and `atlas import pubmed`: papers become drafts for curators to review."""

from __future__ import annotations

from pathlib import Path

import click

from atlas_cli.curation_options import (
    atlas_records,
    atlas_source_option,
    data_option,
    fail,
    open_store,
)
from atlas_cli.output import as_json, visible
from curation.formats import read_papers
from curation.importing import Importer, ImportReport
from curation.papers import Paper, UnreadableFile


@click.group("import")
def import_group() -> None:
    """Bring in papers from PubMed or reference-manager files as drafts."""


def _print_report(report: ImportReport, json_output: bool) -> None:
    if json_output:
        click.echo(as_json(report.to_json()))
        return
    for draft_id, slug, versions in report.drafted:
        click.echo(f"drafted #{draft_id} {slug}")
        for d in versions:
            where = f"draft #{d.draft_id}" if d.draft_id else "the atlas"
            click.echo(
                f"  possibly the same paper as {d.slug} in {where} (preprint and journal version)"
            )
    for skipped in report.skipped:
        title = visible(skipped.paper.title[:70]) or "(no title)"
        if skipped.duplicate is not None:
            d = skipped.duplicate
            where = f"draft #{d.draft_id}" if d.draft_id else "the atlas"
            click.echo(
                f"skipped {skipped.paper.source}: {title}: already in {where} as {d.slug} "
                f"(same {d.reason})"
            )
        else:
            click.echo(f"skipped {skipped.paper.source}: {title}: {skipped.problem}")
    click.echo(
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
            click.echo(f"{path}: {kind}, {len(found)} paper(s)", err=True)
        papers.extend(found)
    store = open_store(data_dir)
    report = Importer(store, atlas_records(sources, data_dir)).import_papers(papers)
    _print_report(report, json_output)
