"""The Flask app: server-rendered pages and a JSON API over the search layer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from search.schema import configured_index_dir

# Working defaults for every setting; the environment (ATLAS_*) and test_config override them.
DEFAULTS: dict[str, Any] = {
    "INDEX_DIR": None,  # None: $ATLAS_INDEX or index/ in the project
    "DATA_DIR": None,  # None: $ATLAS_DATA or instance/ in the project (reader corrections)
    "MAX_CONTENT_LENGTH": 64 * 1024,  # request bodies: a correction is at most a few KB
    "SEARCH_CACHE_SIZE": 1024,
    "ANSWER_CACHE_SIZE": 512,  # rendered pages and API answers kept in memory
    "EXPORT_LIMIT": 10_000,
    "CONTRIBUTION_RATE_LIMIT": "5/600",  # submissions per seconds, per client address
    "SITE_NAME": "ME/CFS Atlas Search",
    "CURATE_SECURE_COOKIE": None,  # None: Secure when the request came over HTTPS
    "SOURCES": None,  # record sources the workspace publishes from; None: as `atlas index build`
}


def _environment() -> dict[str, Any]:
    """Return settings named by the documented environment variables."""
    env: dict[str, Any] = {}
    if os.environ.get("ATLAS_INDEX"):
        env["INDEX_DIR"] = os.environ["ATLAS_INDEX"]
    if os.environ.get("ATLAS_DATA"):
        env["DATA_DIR"] = os.environ["ATLAS_DATA"]
    return env


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return the configured app: defaults, then ATLAS_* environment, then test_config."""
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("ATLAS")
    app.config.update(_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config["INDEX_DIR"]:
        app.config["INDEX_DIR"] = str(configured_index_dir())
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = app.instance_path
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from web import api, errors, headers, pages

    errors.register(app)
    headers.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    try:
        from web import contribute
    except ImportError:  # pragma: no cover - the corrections module is optional
        contribute = None  # type: ignore[assignment]
    if contribute is not None:
        app.register_blueprint(contribute.bp)
    from web import workspace

    app.register_blueprint(workspace.bp)
    return app
