"""Every setting the atlas reads from the environment (ATLAS_*), with its default, and the
paths of the source tree: the one place either is worked out.

The web app also takes any Flask setting as ATLAS_<NAME> (web/__init__.py); the variables
here are the documented ones (README, "Configuration"). Each is read when asked for, so a
test or a command sees the environment it runs in.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

# Where things are when nothing is configured. Run from a checkout: the project's index/,
# instance/ and data/studies/. Installed (pip install ., a wheel): the studies shipped as the
# package data of `atlas_studies` (pyproject.toml maps data/ to it), and the index and private
# data in a per-user data directory (platformdirs: ~/.local/share/mecfs-atlas-search on Linux).
APP_NAME = "mecfs-atlas-search"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
IS_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (
    PROJECT_ROOT / "data" / "studies"
).is_dir()
CURATED_DIR_NAME = "curated"  # accepted drafts, under the data directory unless configured


def user_data_dir() -> Path:
    """Return the per-user directory an installed atlas keeps its index and private data in."""
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def _installed_studies() -> Path:
    spec = importlib.util.find_spec("atlas_studies")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "studies").is_dir():
            return Path(location) / "studies"
    return PROJECT_ROOT / "atlas_studies" / "studies"  # reported as missing by the CLI


BUNDLED_STUDIES = PROJECT_ROOT / "data" / "studies" if IS_CHECKOUT else _installed_studies()


def default_index_dir() -> Path:
    """Return the index directory used when none is configured."""
    return PROJECT_ROOT / "index" if IS_CHECKOUT else user_data_dir() / "index"


def default_data_dir() -> Path:
    """Return the private data directory (reader corrections, secret) used when none is set."""
    return PROJECT_ROOT / "instance" if IS_CHECKOUT else user_data_dir() / "instance"


INDEX = "ATLAS_INDEX"
SOURCE = "ATLAS_SOURCE"
DATA = "ATLAS_DATA"
CURATED = "ATLAS_CURATED"
HOST, DEFAULT_HOST = "ATLAS_HOST", "127.0.0.1"
PORT, DEFAULT_PORT = "ATLAS_PORT", 8080
THREADS, DEFAULT_THREADS = "ATLAS_THREADS", 8
TRUSTED_PROXY = "ATLAS_TRUSTED_PROXY"
# Whoosh's writer buffers postings in memory up to this size (by its own estimate) before
# spilling sorted runs to disk and merging them back at commit. Spilling made builds of
# 100,000 studies about 30% slower; each writer's pool then holds about 1.3 GB.
BUILD_MEMORY, DEFAULT_BUILD_MEMORY_MB = "ATLAS_BUILD_MEMORY_MB", 2048


class SettingError(ValueError):
    """An environment variable holds a value the atlas cannot use."""


def _get(name: str) -> str:
    return os.environ.get(name, "").strip()


def configured_index_dir() -> Path:
    """Return the index directory: $ATLAS_INDEX, else the default (see default_index_dir)."""
    return Path(_get(INDEX) or default_index_dir())


def configured_data_dir() -> Path:
    """Return the private instance data directory: $ATLAS_DATA, else the default one."""
    return Path(_get(DATA) or default_data_dir())


def configured_curated_dir() -> Path:
    """Return where accepted drafts are written: $ATLAS_CURATED, else curated/ in the data dir."""
    return Path(_get(CURATED) or configured_data_dir() / CURATED_DIR_NAME)


def configured_sources() -> list[Path]:
    """Return the record sources: $ATLAS_SOURCE (':'-separated paths), else the bundled studies
    and, once a draft has been accepted, the curated directory."""
    paths = [Path(p) for p in _get(SOURCE).split(":") if p.strip()]
    if paths:
        return paths
    curated = configured_curated_dir()
    return [BUNDLED_STUDIES, curated] if curated.is_dir() else [BUNDLED_STUDIES]


def host() -> str:
    """Return where `atlas serve` listens: $ATLAS_HOST, else 127.0.0.1."""
    return _get(HOST) or DEFAULT_HOST


def port() -> int:
    """Return the port `atlas serve` listens on: $ATLAS_PORT, else 8080."""
    return _whole_number(PORT, DEFAULT_PORT, "a port number")


def threads() -> int:
    """Return how many worker threads `atlas serve` runs: $ATLAS_THREADS, else 8."""
    return _whole_number(THREADS, DEFAULT_THREADS, "a number of threads")


def trusted_proxy() -> str:
    """Return the reverse proxy whose X-Forwarded-For is believed ($ATLAS_TRUSTED_PROXY)."""
    return _get(TRUSTED_PROXY)


def build_memory_mb() -> int:
    """Return how many megabytes of postings a build's writer keeps before spilling to disk."""
    raw = _get(BUILD_MEMORY)
    if not raw:
        return DEFAULT_BUILD_MEMORY_MB
    value = int(raw) if raw.isdigit() else 0
    if value < 1:
        raise SettingError(
            f"{BUILD_MEMORY} must be a whole number of megabytes, 1 or more (it is {raw!r})"
        )
    return value


def _whole_number(name: str, default: int, what: str) -> int:
    raw = _get(name)
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingError(f"{name} must be {what} (it is {raw!r})")
    return int(raw)
