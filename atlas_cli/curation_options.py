"""Options the `atlas import` and `atlas drafts` commands share: where drafts and records live."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from atlas_cli.options import EXIT_FAILED, resolve_data, resolve_sources, sources_option
from atlas_cli.output import echo
from curation.drafts import DraftStore
from indexer.sources import load_records
from search.settings import CURATED_DIR_NAME, configured_curated_dir, curated_override

atlas_source_option = sources_option(
    "The atlas's records, to find papers it already holds; repeat for several "
    "(default: $ATLAS_SOURCE, or the bundled studies and the curated directory)."
)


def open_store(data_dir: Path | None) -> DraftStore:
    """Return the draft store in the given or configured instance data directory."""
    return DraftStore(resolve_data(data_dir))


def curated_dir(data_dir: Path | None) -> Path:
    """Return where accepted records go: $ATLAS_CURATED, else curated/ in the data directory."""
    if data_dir is not None and curated_override() is None:
        return data_dir / CURATED_DIR_NAME
    return configured_curated_dir()


def atlas_records(sources: tuple[Path, ...], data_dir: Path | None) -> list[dict[str, Any]]:
    """Return the atlas's valid records (from --source, or the default sources)."""
    paths = resolve_sources(sources)
    curated = curated_dir(data_dir)
    if not sources and curated.is_dir() and curated not in paths:
        paths.append(curated)
    return load_records(paths).records


@contextmanager
def database_errors(store: DraftStore) -> Iterator[None]:
    """Turn a broken or locked drafts database into an error message and exit 1."""
    try:
        yield
    except sqlite3.Error as exc:
        fail(f"the drafts database {store.path}: {exc}")


def fail(message: str) -> NoReturn:
    """Print an error and exit 1 (the exit code of every refused curation command)."""
    echo(f"error: {message}", err=True)
    sys.exit(EXIT_FAILED)
