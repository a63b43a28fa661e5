"""`meta.json`: what a build recorded about its generation, the index format among it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from search.store import INDEX_FORMAT
from search.store.current import read_current

META_FILE = "meta.json"


def read_meta(generation: Path) -> dict[str, Any]:
    """Return the metadata recorded by the build of a generation."""
    meta: dict[str, Any] = json.loads((generation / META_FILE).read_text(encoding="utf-8"))
    return meta


def write_meta(generation: Path, meta: dict[str, Any]) -> None:
    """Write a generation's metadata."""
    text = json.dumps(meta, indent=2, ensure_ascii=False)
    (generation / META_FILE).write_text(text, encoding="utf-8")


def current_generation(index_dir: Path) -> Path | None:
    """Return the folder of the served generation, or None when there is none."""
    name = read_current(index_dir)
    if name is None:
        return None
    path = index_dir / name
    return path if (path / META_FILE).is_file() else None


def is_current_format(index_dir: Path) -> bool:
    """Return whether the index directory serves a generation this version can read."""
    generation = current_generation(index_dir)
    if generation is None:
        return False
    try:
        return read_meta(generation).get("format") == INDEX_FORMAT
    except (OSError, ValueError):
        return False
