"""`CURRENT`: the name of the generation an index directory serves, replaced atomically."""

from __future__ import annotations

import os
from pathlib import Path

from search.store import GENERATION_PREFIX

CURRENT_FILE = "CURRENT"


def read_current(index_dir: Path) -> str | None:
    """Return the name CURRENT gives, or None when there is none or it is not a generation."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name if name.startswith(GENERATION_PREFIX) and "/" not in name else None


def write_current(index_dir: Path, generation: str) -> None:
    """Make CURRENT name a generation: written beside it, synced, then renamed over it."""
    tmp = index_dir / f"{CURRENT_FILE}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT_FILE)
    fsync_dir(index_dir)


def is_leftover_pointer(name: str) -> bool:
    """Return whether a file name is a CURRENT being written by a build that was killed."""
    return name.startswith(CURRENT_FILE + ".")


def fsync_dir(path: Path) -> None:
    """Sync a directory, so the names in it (a rename) survive a crash."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
