"""Options shared by several commands, with their environment defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from search.settings import configured_data_dir, configured_index_dir, configured_sources

EXIT_FAILED = 1  # invalid records, no index, unknown study
EXIT_USAGE = 2  # a bad option or setting (click's own usage errors exit 2 too)
EXIT_BUSY = 75  # another build holds the index lock (EX_TEMPFAIL: try again later)

Command = TypeVar("Command", bound=Callable[..., Any])  # what an option decorator returns unchanged


def index_option(func: Command) -> Command:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index directory (default: $ATLAS_INDEX, or the one `atlas --help` shows).",
    )(func)


def sources_option(help: str) -> Callable[[Command], Command]:
    """Return the repeatable --source option (existing paths, as `sources`) with this help."""
    return click.option(
        "--source",
        "sources",
        multiple=True,
        type=click.Path(exists=True, path_type=Path),
        help=help,
    )


source_option = sources_option(
    "A directory of *.json records or a .jsonl file; repeat for several "
    "(default: $ATLAS_SOURCE, ':'-separated, or the bundled studies)."
)


def resolve_index(index_dir: Path | None) -> Path:
    return index_dir if index_dir is not None else configured_index_dir()


def resolve_sources(sources: tuple[Path, ...]) -> list[Path]:
    if sources:
        return list(sources)
    configured = configured_sources()
    missing = [p for p in configured if not p.exists()]
    if missing:
        raise click.BadParameter(
            f"source {missing[0]} does not exist (from $ATLAS_SOURCE or the default)",
            param_hint="--source",
        )
    return configured


def data_option(func: Command) -> Command:
    return click.option(
        "--data",
        "data_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Private instance data directory: reader corrections, drafts, curator accounts, "
        "the audit trail (default: $ATLAS_DATA, or the data directory `atlas --help` shows, "
        "as the web app uses).",
    )(func)


def resolve_data(data_dir: Path | None) -> Path:
    """Return the instance data directory: --data, else the configured one."""
    return data_dir if data_dir is not None else configured_data_dir()
