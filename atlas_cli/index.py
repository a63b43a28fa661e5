"""`atlas index build` and `atlas index check`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Never

import click

from atlas_cli.options import (
    EXIT_BUSY,
    EXIT_FAILED,
    index_option,
    resolve_index,
    resolve_sources,
    source_option,
)
from atlas_cli.output import echo, json_text
from indexer.build import BuildError, BuildLocked, build
from indexer.prose import prose_warnings, reading_level
from indexer.sources import LoadResult, load_records


@click.group("index")
def index_group() -> None:
    """Build or check the search index."""


def _report_problems(load: LoadResult) -> None:
    for problem in load.problems:
        echo(str(problem), err=True)


def _progress() -> Callable[[int, int], None] | None:
    """Return a progress callback drawing a bar on a terminal, or None in pipes and CI."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict[str, tqdm[Never]] = {}  # a bar that is updated by hand iterates nothing

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="rec", desc="indexing", leave=False)
        bar["bar"].update(done - bar["bar"].n)
        if done >= total:
            bar["bar"].close()

    return update


@index_group.command("build")
@source_option
@index_option
@click.option("--skip-invalid", is_flag=True, help="Index the valid records, report the rest.")
@click.option(
    "--full", is_flag=True, help="Rebuild everything instead of updating changed records."
)
@click.option("--json", "as_json", is_flag=True, help="Print the build metadata as JSON.")
def build_command(
    sources: tuple[Path, ...], index_dir: Path | None, skip_invalid: bool, full: bool, as_json: bool
) -> None:
    """Build the index from study records, then switch to it atomically.

    Only records added, changed or removed since the served index are re-indexed; the
    result is always a complete new generation. Invalid records stop the build (exit 1)
    and leave the served index untouched, unless --skip-invalid is given.
    """
    index_dir = resolve_index(index_dir)
    paths = resolve_sources(sources)
    try:
        report = build(index_dir, paths, full=full, skip_invalid=skip_invalid, progress=_progress())
    except BuildLocked as exc:
        echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except (BuildError, OSError) as exc:
        echo(f"error: build failed, the served index is unchanged: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    _report_problems(report.load)
    errors = len(report.load.errors)
    if not report.ok:
        echo(
            f"error: {errors} problem(s) in the records; nothing was indexed and the served "
            "index is unchanged (use --skip-invalid to index the valid records)",
            err=True,
        )
        sys.exit(EXIT_FAILED)
    meta = report.meta
    if as_json:
        echo(json_text(meta))
        return
    if report.status == "unchanged":
        echo(
            f"Index is up to date: {meta['records']} records, generation "
            f"{meta['generation']} (built {meta['built_at']})."
        )
    else:
        echo(
            f"Indexed {meta['records']} records ({meta['mode']}: {meta['added_or_changed']} "
            f"added or changed, {meta['removed']} removed) in {meta['seconds']:.2f} s."
        )
        echo(
            f"Generation {meta['generation']} built {meta['built_at']}, content hash "
            f"{meta['content_hash']}, now served from {index_dir}."
        )
    echo(f"Sources: {', '.join(meta['sources'])}")
    if meta.get("warnings"):
        echo(f"{len(meta['warnings'])} warning(s) (see above).")
    if errors:
        echo(f"Skipped {errors} invalid record problem(s) (see above).")


def _location(where: str) -> tuple[str, int | None]:
    """Split a "file[:line]" location as LoadResult keeps it."""
    file, _, line = where.rpartition(":")
    if file and line.isdigit():
        return file, int(line)
    return where, None


@index_group.command("check")
@source_option
def check_command(sources: tuple[Path, ...]) -> None:
    """Validate and lint study records without writing anything (exit 1 on any error).

    Besides the record checks, the prose of each valid record (summary, significance,
    limitations) is linted, as warnings, and the reading level of the summaries is printed.
    """
    load = load_records(resolve_sources(sources))
    _report_problems(load)
    errors, warnings = len(load.errors), len(load.warnings)
    echo(
        f"{len(load.records)} valid record(s) in {load.files_read} file(s); "
        f"{errors} error(s), {warnings} warning(s)."
    )
    prose = [
        problem
        for record in load.records
        for problem in prose_warnings(record, *_location(load.locations[record["slug"]]))
    ]
    for problem in prose:
        echo(str(problem), err=True)
    echo(f"Prose: {len(prose)} warning(s). {reading_level(load.records)}")
    if errors:
        sys.exit(EXIT_FAILED)
