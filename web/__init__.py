"""The Flask app: server-rendered pages and a JSON API over the search layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from search import settings
from search.settings import configured_index_dir, default_data_dir

# Flask is imported in create_app, so `atlas contributions` (web.corrections.store) starts
# without loading it.
if TYPE_CHECKING:
    from flask import Flask

# Working defaults for every setting; the environment (ATLAS_*, read by search/settings.py
# app_config()) and test_config override them.
DEFAULTS: dict[str, Any] = {
    # None: $ATLAS_INDEX, or index/ in a checkout, or the per-user data directory installed
    "INDEX_DIR": None,
    # None: $ATLAS_DATA, or instance/ in a checkout, or the per-user data directory installed
    "DATA_DIR": None,  # reader corrections and the form secret
    "MAX_CONTENT_LENGTH": 64 * 1024,  # request bodies: a correction is at most a few KB
    "SEARCH_CACHE_SIZE": 1024,
    "ANSWER_CACHE_SIZE": 512,  # rendered pages and API answers kept in memory
    "EXPORT_LIMIT": 10_000,
    "CONTRIBUTION_RATE_LIMIT": settings.DEFAULT_RATE_LIMIT,  # per client address
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


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """Return the host names requests may name: as configured, or the defaults."""
    configured = config.get("TRUSTED_HOSTS")
    if configured is not None:
        return settings.host_names(configured)
    hosts = list(LOCAL_HOSTS)
    if config.get("BASE_URL"):
        hosts.append(urlsplit(config["BASE_URL"]).hostname)
    listening = config.get("LISTEN_HOST") or settings.read(settings.HOST) or ""
    if listening not in ALL_INTERFACES:
        hosts.append(listening.strip("[]"))
    return list(dict.fromkeys(hosts))


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return the configured app: defaults, then ATLAS_* environment, then test_config."""
    from flask import Flask
    from flask.json.provider import DefaultJSONProvider

    app = Flask(__name__, instance_path=str(default_data_dir()))
    app.config.from_mapping(DEFAULTS)
    app.config.update(settings.app_config())
    if test_config:
        app.config.update(test_config)
    if not app.config["INDEX_DIR"]:
        app.config["INDEX_DIR"] = str(configured_index_dir())
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = app.instance_path
    app.config["BASE_URL"] = settings.base_url(app.config["BASE_URL"])
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)  # Flask checks requests against it
    if isinstance(app.json, DefaultJSONProvider):  # always: the provider Flask makes
        app.json.ensure_ascii = False
        app.json.sort_keys = False

    from web import api, errors, headers, pages

    errors.register(app)
    headers.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    from web.corrections import views as corrections

    app.register_blueprint(corrections.bp)
    from web import workspace

    app.register_blueprint(workspace.bp)
    return app
