"""Every setting the atlas reads from the environment, with its default, and the paths of
the source tree: the one place either is worked out, and the only module that reads
`os.environ`.

`SETTINGS` is the table of the documented variables (name, default, meaning, parser); the
README's "Configuration" table is generated from it (`python -m search.settings`, checked by
tests/test_settings.py). The web app also takes any Flask setting as ATLAS_<NAME>
(`app_config()`). Each is read when asked for, so a test or a command sees the environment it
runs in. A value that does not parse raises `SettingError` naming the variable and what it
must be; the entry points print it on one line and exit 2.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

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


class SettingError(ValueError):
    """An environment variable holds a value the atlas cannot use; the message names both."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default and meaning as documented, and its parser.

    `parse` turns the variable's text (never empty: an empty variable counts as unset) into
    the value, raising ValueError for text it cannot use; `expects` completes "NAME must …"
    in that error. `config` is the web app's setting it fills, if any (`app_config`).
    """

    name: str
    default: str
    meaning: str
    parse: Callable[[str], Any]
    expects: str = ""
    config: str | None = None
    # The message for a variable that is set but blank, when that is refused rather than unset.
    if_blank: str | None = None


def _stripped(raw: str) -> str:
    return raw.strip()


def _path(raw: str) -> Path:
    return Path(raw.strip())


def _paths(raw: str) -> list[Path]:
    return [Path(p) for p in raw.strip().split(":") if p.strip()]


def _text(raw: str) -> str:
    """Return a text setting as written, or the string a JSON string literal spells."""
    # Read as JSON like any Flask setting, a numeric ATLAS_SECRET_KEY would be an int (and
    # every study page a 500): these are text whatever they look like.
    try:
        loaded = json.loads(raw)
    except ValueError:
        return raw
    return loaded if isinstance(loaded, str) else raw


def _json(raw: str) -> Any:
    """Return a Flask setting as Flask's from_prefixed_env reads it: JSON when it parses."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        text = raw.strip()
        if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
            raise ValueError(text)
        return int(text)

    return parse


@dataclass(frozen=True)
class RateLimit:
    """At most `count` reader corrections per `seconds` from one client."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, value: object) -> RateLimit:
        """Return the limit written as "N/SECONDS" (a RateLimit as it is); raises SettingError
        for anything else."""
        if isinstance(value, RateLimit):
            return value
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(value))
        if not match or int(match[1]) < 1 or int(match[2]) < 1:
            raise SettingError(
                "CONTRIBUTION_RATE_LIMIT must look like '5/600' (submissions/seconds), "
                f"not {value!r}"
            )
        return cls(int(match[1]), int(match[2]))


DEFAULT_RATE_LIMIT = RateLimit(5, 600)


def _rate_limit(raw: str) -> RateLimit:
    return RateLimit.parse(_text(raw))


def _folder(raw: str) -> str:
    base = raw.strip()
    return base if base.endswith("/") else base + "/"


INDEX = "ATLAS_INDEX"
SOURCE = "ATLAS_SOURCE"
DATA = "ATLAS_DATA"
CURATED = "ATLAS_CURATED"
HOST, DEFAULT_HOST = "ATLAS_HOST", "127.0.0.1"
PORT, DEFAULT_PORT = "ATLAS_PORT", 8080
THREADS, DEFAULT_THREADS, MAX_THREADS = "ATLAS_THREADS", 8, 256
TRUSTED_PROXY = "ATLAS_TRUSTED_PROXY"
TRUSTED_HOSTS = "ATLAS_TRUSTED_HOSTS"
SECRET_KEY = "ATLAS_SECRET_KEY"
BASE_URL = "ATLAS_BASE_URL"
# Whoosh's writer buffers postings in memory up to this size (by its own estimate) before
# spilling sorted runs to disk and merging them back at commit. Spilling makes builds of
# 100,000 studies about 30% slower; each writer's pool then holds about 1.3 GB.
BUILD_MEMORY, DEFAULT_BUILD_MEMORY_MB = "ATLAS_BUILD_MEMORY_MB", 2048
RATE_LIMIT = "ATLAS_CONTRIBUTION_RATE_LIMIT"
NCBI_EMAIL = "ATLAS_NCBI_EMAIL"
NCBI_API_KEY = "NCBI_API_KEY"
EUTILS_URL = "ATLAS_EUTILS_URL"
PREFIX = "ATLAS_"  # ATLAS_<NAME> sets the web app's Flask setting <NAME>

# The documented variables, in the order the README lists them. Defaults are written as the
# README shows them; the code's defaults are the DEFAULT_* constants and functions above.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        INDEX,
        "`index/` in a checkout; installed, a per-user data directory (`atlas --help` shows it)",
        "index directory",
        _path,
        config="INDEX_DIR",
    ),
    Setting(
        SOURCE,
        "the bundled studies (`data/studies/` in a checkout, package data installed)",
        "record sources, `:`-separated",
        _paths,
    ),
    Setting(HOST, f"`{DEFAULT_HOST}`", "where `atlas serve` listens", _stripped),
    Setting(
        PORT,
        f"`{DEFAULT_PORT}`",
        "the port `atlas serve` listens on",
        _whole_number(0, 65535),
        "a port number, 0 to 65535",
    ),
    Setting(
        THREADS,
        f"`{DEFAULT_THREADS}`",
        "waitress worker threads",
        _whole_number(1, MAX_THREADS),
        f"a number of threads, 1 to {MAX_THREADS}",
    ),
    Setting(
        DATA,
        "`instance/` in a checkout; installed, a per-user data directory",
        "private data (reader corrections, SQLite)",
        _path,
        config="DATA_DIR",
    ),
    Setting(
        SECRET_KEY,
        "generated and kept in `ATLAS_DATA`",
        "signs form tokens (share it between replicas); read as text; empty is refused",
        _text,
        config="SECRET_KEY",
        # `ATLAS_SECRET_KEY=$(cat missing-file)`: replicas would each sign with a key of their own
        if_blank=f"{SECRET_KEY} is set but empty; give it a key or unset it",
    ),
    Setting(
        BASE_URL,
        "none: the address each request came to",
        "public address absolute URLs start with (canonical links, feeds, CSV `url`)",
        _text,
        config="BASE_URL",  # checked by base_url() with the app's other settings
    ),
    Setting(
        TRUSTED_HOSTS,
        "the base URL's host, the listening host, `localhost`",
        "host names answered, comma-separated; others get 400",
        _stripped,
        config="TRUSTED_HOSTS",  # "a.org, b.org" or JSON; checked by host_names()
    ),
    Setting(
        TRUSTED_PROXY,
        "none",
        "a reverse proxy whose `X-Forwarded-For` is believed",
        _stripped,
    ),
    Setting(
        RATE_LIMIT,
        '`"5/600"`',
        "corrections per client per seconds",
        _rate_limit,
        "submissions/seconds, two whole numbers of 1 or more as in '5/600'",
        config="CONTRIBUTION_RATE_LIMIT",
    ),
    Setting(
        "ATLAS_SITE_NAME",
        "`ME/CFS Atlas`",
        "the site's name in titles, the footer and snapshot citations",
        _text,
        config="SITE_NAME",
    ),
    Setting(
        CURATED,
        "`curated/` in `ATLAS_DATA`",
        "where accepted drafts and workspace records are written (a source of every build "
        "once it exists)",
        _path,
    ),
    Setting(
        NCBI_EMAIL,
        "none",
        "sent to NCBI with every E-utilities request (`atlas import pubmed`)",
        _stripped,
    ),
    Setting(NCBI_API_KEY, "none", "NCBI API key: 10 requests a second instead of 3", _stripped),
    Setting(EUTILS_URL, "NCBI's", "E-utilities base URL (tests use a fake one)", _folder),
    Setting(
        "ATLAS_CURATE_SECURE_COOKIE",
        "none: `Secure` when the request came over HTTPS",
        "force the workspace cookie's `Secure` flag (`true` behind a TLS-terminating proxy)",
        _json,
        config="CURATE_SECURE_COOKIE",
    ),
    Setting(
        "ATLAS_SITE_SHORT",
        "`mecfsatlas`",
        "the site's short name: citation keys are `<short>-<slug>`",
        _text,
        config="SITE_SHORT",
    ),
    Setting(
        BUILD_MEMORY,
        f"`{DEFAULT_BUILD_MEMORY_MB}`",
        "postings a build's writer process keeps in memory before spilling to disk (two "
        "writers on two cores); lower it on small machines, builds of 100,000 studies get "
        "slower",
        _whole_number(1),
        "a whole number of megabytes, 1 or more",
    ),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}
Value = TypeVar("Value")  # what a setting parses to


def read(name: str) -> Any:
    """Return the parsed value of a documented variable, or None when it is unset or blank."""
    setting = BY_NAME[name]
    raw = os.environ.get(name)
    if raw is None:
        return None
    if not raw.strip():
        if setting.if_blank:
            raise SettingError(setting.if_blank)
        return None
    try:
        return setting.parse(raw)
    except ValueError:
        raise SettingError(f"{name} must be {setting.expects} (it is {raw!r})") from None


def _value(name: str, default: Value) -> Value:
    """Return the parsed value of a variable (of its default's type), or the default when unset."""
    found: Value | None = read(name)
    return default if found is None else found


def configured_index_dir() -> Path:
    """Return the index directory: $ATLAS_INDEX, else the default (see default_index_dir)."""
    found: Path | None = read(INDEX)
    return found or default_index_dir()


def configured_data_dir() -> Path:
    """Return the private instance data directory: $ATLAS_DATA, else the default one."""
    found: Path | None = read(DATA)
    return found or default_data_dir()


def curated_override() -> Path | None:
    """Return $ATLAS_CURATED as a path, or None when it is not set."""
    found: Path | None = read(CURATED)
    return found


def configured_curated_dir() -> Path:
    """Return where accepted drafts are written: $ATLAS_CURATED, else curated/ in the data dir."""
    return curated_override() or configured_data_dir() / CURATED_DIR_NAME


def configured_sources() -> list[Path]:
    """Return the record sources: $ATLAS_SOURCE (':'-separated paths), else the bundled studies
    and, once a draft has been accepted, the curated directory."""
    paths: list[Path] | None = read(SOURCE)
    if paths:
        return paths
    curated = configured_curated_dir()
    return [BUNDLED_STUDIES, curated] if curated.is_dir() else [BUNDLED_STUDIES]


def host() -> str:
    """Return where `atlas serve` listens: $ATLAS_HOST, else 127.0.0.1."""
    return _value(HOST, DEFAULT_HOST)


def port() -> int:
    """Return the port `atlas serve` listens on: $ATLAS_PORT, else 8080."""
    return _value(PORT, DEFAULT_PORT)


def threads() -> int:
    """Return how many worker threads `atlas serve` runs: $ATLAS_THREADS, else 8."""
    return _value(THREADS, DEFAULT_THREADS)


def trusted_proxy() -> str:
    """Return the reverse proxy whose X-Forwarded-For is believed ($ATLAS_TRUSTED_PROXY)."""
    return _value(TRUSTED_PROXY, "")


def configured_trusted_hosts() -> str:
    """Return $ATLAS_TRUSTED_HOSTS as written (stripped), or "" when it is not set."""
    return _value(TRUSTED_HOSTS, "")


def build_memory_mb() -> int:
    """Return how many megabytes of postings a build's writer keeps before spilling to disk."""
    return _value(BUILD_MEMORY, DEFAULT_BUILD_MEMORY_MB)


def ncbi_email() -> str:
    """Return the curator's email sent to NCBI ($ATLAS_NCBI_EMAIL), or ""."""
    return _value(NCBI_EMAIL, "")


def ncbi_api_key() -> str:
    """Return the NCBI API key ($NCBI_API_KEY), or ""."""
    return _value(NCBI_API_KEY, "")


def eutils_url() -> str | None:
    """Return $ATLAS_EUTILS_URL ending in "/", or None for NCBI's own."""
    found: str | None = read(EUTILS_URL)
    return found


def app_config() -> dict[str, Any]:
    """Return the web app's settings the environment names: every ATLAS_<NAME> as Flask's
    setting <NAME> (JSON when it parses, as Flask reads it), then the documented variables
    parsed into the settings they fill (paths, text, hosts)."""
    config: dict[str, Any] = {}
    for key in sorted(os.environ):
        if key.startswith(PREFIX):
            _set_nested(config, key.removeprefix(PREFIX), _json(os.environ[key]))
    for setting in SETTINGS:
        value = read(setting.name) if setting.config else None
        if value is not None:
            config[str(setting.config)] = str(value) if isinstance(value, Path) else value
    return config


def _set_nested(config: dict[str, Any], key: str, value: Any) -> None:
    """Set config[key], where A__B names key B of the dict under A (as Flask does)."""
    *parents, tail = key.split("__")
    for part in parents:
        config = config.setdefault(part, {})
    config[tail] = value


def base_url(value: str | None) -> str | None:
    """Return a public base URL without its trailing slash; raises SettingError when
    malformed."""
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or (parts.fragment or parts.username or parts.password)
    ):
        raise SettingError(
            f"BASE_URL must look like https://atlas.example.org (optionally with a path), "
            f"not {value!r}"
        )
    return value.rstrip("/")


def host_names(configured: object) -> list[str]:
    """Return a list of host names from "a.org, b.org", a JSON list or a list; raises
    SettingError for anything else."""
    if isinstance(configured, str):
        text = configured
        try:
            configured = json.loads(text)
        except ValueError:
            configured = text.replace(",", " ").split()
    if not isinstance(configured, list | tuple) or not all(
        isinstance(h, str) and h for h in configured
    ):
        raise SettingError("TRUSTED_HOSTS must be host names separated by commas")
    return list(configured)


def markdown_table() -> str:
    """Return the README's table of settings: variable, default, meaning."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.default} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
