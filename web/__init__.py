"""The Flask app: server-rendered pages and a JSON API over the search layer."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from search.settings import configured_index_dir, default_data_dir

# Flask is imported in create_app, so `atlas contributions` (web.corrections.store) starts
# without loading it.
if TYPE_CHECKING:
    from flask import Flask

# Working defaults for every setting; the environment (ATLAS_*) and test_config override them.
DEFAULTS: dict[str, Any] = {
    # None: $ATLAS_INDEX, or index/ in a checkout, or the per-user data directory installed
    "INDEX_DIR": None,
    # None: $ATLAS_DATA, or instance/ in a checkout, or the per-user data directory installed
    "DATA_DIR": None,  # reader corrections and the form secret
    "MAX_CONTENT_LENGTH": 64 * 1024,  # request bodies: a correction is at most a few KB
    "SEARCH_CACHE_SIZE": 1024,
    "ANSWER_CACHE_SIZE": 512,  # rendered pages and API answers kept in memory
    "EXPORT_LIMIT": 10_000,
    "CONTRIBUTION_RATE_LIMIT": "5/600",  # submissions per seconds, per client address
    "SITE_NAME": "ME/CFS Atlas",  # ATLAS_SITE_NAME: titles, footer, snapshot citations
    "SITE_SHORT": "mecfsatlas",  # ATLAS_SITE_SHORT: the prefix of citation keys
    # Absolute URLs (canonical links, feeds, CSV `url` cells) start with this public address,
    # e.g. "https://atlas.example.org"; None: the address the request came to (a trusted host).
    "BASE_URL": None,
    # Host names a request may name (Host header); others get 400, so no visitor can put
    # another host into answers that are cached for everyone. None: the BASE_URL's host, the
    # listening host (LISTEN_HOST, set by `atlas serve`, or $ATLAS_HOST) and localhost.
    "TRUSTED_HOSTS": None,
    "LISTEN_HOST": None,
    "CURATE_SECURE_COOKIE": None,  # None: Secure when the request came over HTTPS
    "SOURCES": None,  # record sources the workspace publishes from; None: as `atlas index build`
}
# Werkzeug cannot match an IPv6 literal ([::1]) in a Host header: name such hosts instead.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
ALL_INTERFACES = ("0.0.0.0", "::", "")


# Settings that are text whatever they look like: ATLAS_<NAME> is otherwise read as JSON when
# it parses, which made a numeric ATLAS_SECRET_KEY an int (and every study page a 500).
TEXT_SETTINGS = ("SECRET_KEY", "SITE_NAME", "SITE_SHORT", "CONTRIBUTION_RATE_LIMIT", "BASE_URL")


def _text(value: str) -> str:
    """Return a text setting: as written, or the string a JSON string literal spells."""
    try:
        loaded = json.loads(value)
    except ValueError:
        return value
    return loaded if isinstance(loaded, str) else value


def _environment() -> dict[str, Any]:
    """Return settings named by the documented environment variables."""
    env: dict[str, Any] = {}
    for name in TEXT_SETTINGS:
        if f"ATLAS_{name}" in os.environ:
            env[name] = _text(os.environ[f"ATLAS_{name}"])
    if "ATLAS_SECRET_KEY" in os.environ and not os.environ["ATLAS_SECRET_KEY"].strip():
        # `ATLAS_SECRET_KEY=$(cat missing-file)`: replicas would each sign with a key of their own
        raise ValueError("ATLAS_SECRET_KEY is set but empty; give it a key or unset it")
    if os.environ.get("ATLAS_INDEX"):
        env["INDEX_DIR"] = os.environ["ATLAS_INDEX"]
    if os.environ.get("ATLAS_DATA"):
        env["DATA_DIR"] = os.environ["ATLAS_DATA"]
    if os.environ.get("ATLAS_TRUSTED_HOSTS"):
        env["TRUSTED_HOSTS"] = os.environ["ATLAS_TRUSTED_HOSTS"]  # "a.org, b.org" or JSON
    return env


def base_url(value: str | None) -> str | None:
    """Return a public base URL without its trailing slash; raises ValueError when malformed."""
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or (parts.fragment or parts.username or parts.password)
    ):
        raise ValueError(
            f"BASE_URL must look like https://atlas.example.org (optionally with a path), "
            f"not {value!r}"
        )
    return value.rstrip("/")


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """Return the host names requests may name: as configured, or the defaults."""
    configured = config.get("TRUSTED_HOSTS")
    if isinstance(configured, str):
        try:
            configured = json.loads(configured)
        except ValueError:
            configured = configured.replace(",", " ").split()
    if configured is not None:
        if not isinstance(configured, list | tuple) or not all(
            isinstance(h, str) and h for h in configured
        ):
            raise ValueError("TRUSTED_HOSTS must be host names separated by commas")
        return list(configured)
    hosts = list(LOCAL_HOSTS)
    if config.get("BASE_URL"):
        hosts.append(urlsplit(config["BASE_URL"]).hostname)
    listening = config.get("LISTEN_HOST") or os.environ.get("ATLAS_HOST") or ""
    if listening not in ALL_INTERFACES:
        hosts.append(listening.strip("[]"))
    return list(dict.fromkeys(hosts))


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return the configured app: defaults, then ATLAS_* environment, then test_config."""
    from flask import Flask

    app = Flask(__name__, instance_path=str(default_data_dir()))
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("ATLAS")
    app.config.update(_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config["INDEX_DIR"]:
        app.config["INDEX_DIR"] = str(configured_index_dir())
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = app.instance_path
    app.config["BASE_URL"] = base_url(app.config["BASE_URL"])
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)  # Flask checks requests against it
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from web import api, errors, headers, pages

    errors.register(app)
    headers.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    try:
        from web.corrections import views as contribute
    except ImportError:  # pragma: no cover - the corrections module is optional
        contribute = None  # type: ignore[assignment]
    if contribute is not None:
        app.register_blueprint(contribute.bp)
    from web import workspace

    app.register_blueprint(workspace.bp)
    return app
