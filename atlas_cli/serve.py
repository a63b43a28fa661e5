"""`atlas serve`: the web app under waitress, with an access log and a clean shutdown."""

from __future__ import annotations

import logging
import signal
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

from atlas_cli.options import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_USAGE,
    index_option,
    resolve_index,
    resolve_sources,
    source_option,
)
from atlas_cli.output import echo
from indexer.build import BuildError, BuildLocked, build, is_current_format
from search import settings

log = logging.getLogger("atlas.access")

# Logged paths are percent-encoded again as a client would send them: a decoded %0a would
# write a forged line into the log, a %1b raw escape sequences to whoever reads it.
PATH_SAFE = "/;:@&=+$,!~*'()-._"
QUERY_SAFE = PATH_SAFE + "%?"  # the query string arrives still encoded: keep its escapes


def _url_text(text: str, safe: str) -> str:
    """Return a WSGI string (bytes as latin-1, PEP 3333) as printable, percent-encoded ASCII."""
    raw = text.encode("latin-1", "backslashreplace")
    return quote(raw, safe=safe)


class AccessLog:
    """WSGI middleware writing one line per request: method, path, status, milliseconds."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = ["-"]

        def recording_start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info)

        body = self.app(environ, recording_start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            path = _url_text(environ.get("PATH_INFO", ""), PATH_SAFE)
            if environ.get("QUERY_STRING"):
                path += "?" + _url_text(environ["QUERY_STRING"], QUERY_SAFE)
            method = _url_text(environ.get("REQUEST_METHOD", "-"), "")
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.1fms", method, path, status[0], elapsed)


@click.command("serve")
@click.option(
    "--host",
    default=settings.host,
    show_default="127.0.0.1 or $ATLAS_HOST",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=settings.port,
    show_default="8080 or $ATLAS_PORT",
)
@index_option
@source_option
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=settings.threads,
    show_default="8 or $ATLAS_THREADS",
)
@click.option(
    "--trusted-proxy",
    default=settings.trusted_proxy,
    help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are believed "
    "(default: $ATLAS_TRUSTED_PROXY; none). Needed behind nginx so per-client limits see "
    "clients, not the proxy.",
)
def serve_command(
    host: str,
    port: int,
    index_dir: Path | None,
    sources: tuple[Path, ...],
    threads: int,
    trusted_proxy: str,
) -> None:
    """Serve the search pages and the JSON API with waitress.

    Builds the index from the sources first when there is none. The service follows later
    builds by itself: no restart is needed after `atlas index build`.
    """
    from waitress.server import create_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    index_dir = resolve_index(index_dir)
    _build_if_needed(index_dir, resolve_sources(sources))
    app = _app(index_dir, host, sources)
    with app.app_context():
        from web.index import get_atlas

        get_atlas().start_watching()
    server = create_server(
        AccessLog(app),
        host=host,
        port=port,
        threads=threads,
        ident="atlas",
        **_proxy_options(trusted_proxy),
    )
    # the port it got (for --port 0); waitress's type stubs leave effective_port out
    shown = getattr(server, "effective_port", port)
    echo(
        f"Serving ME/CFS Atlas Search on http://{host}:{shown} "
        f"({threads} threads, index {index_dir})",
        err=True,
    )
    _run(server)


def _build_if_needed(index_dir: Path, sources: list[Path]) -> None:
    """Build the index first when there is none of the current format; exit on failure."""
    if is_current_format(index_dir):
        return
    echo(f"No usable index at {index_dir}; building it first.", err=True)
    try:
        report = build(index_dir, sources)
    except BuildLocked as exc:
        echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except BuildError as exc:
        echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    for problem in report.load.problems:
        echo(str(problem), err=True)
    if not report.ok:
        echo("error: the records are invalid; nothing to serve", err=True)
        sys.exit(EXIT_FAILED)


def _app(index_dir: Path, host: str, sources: tuple[Path, ...]) -> Any:
    """Return the app for this server; a malformed setting exits 2 saying which."""
    from web import ALL_INTERFACES, LOCAL_HOSTS, create_app

    try:
        # The workspace publishes by rebuilding from the --source paths the server was given,
        # else from the configured sources as they are at each build (curated/ may appear).
        app = create_app(
            {
                "INDEX_DIR": str(index_dir),
                "LISTEN_HOST": host,
                "SOURCES": [str(p) for p in sources] or None,
            }
        )
    except ValueError as exc:  # a malformed setting: say which, no traceback
        echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if host in ALL_INTERFACES and not (
        app.config["BASE_URL"] or settings.configured_trusted_hosts()
    ):
        echo(
            f"warning: listening on all interfaces, but only {', '.join(LOCAL_HOSTS)} are "
            "trusted host names; set ATLAS_BASE_URL or ATLAS_TRUSTED_HOSTS, or requests "
            "naming this machine by another name get 400",
            err=True,
        )
    return app


def _proxy_options(trusted_proxy: str) -> dict[str, Any]:
    """Return waitress's options for a trusted reverse proxy (none when not given)."""
    if not trusted_proxy:
        return {}
    return {
        "trusted_proxy": trusted_proxy,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


def _run(server: Any) -> None:
    """Serve until SIGINT or SIGTERM, then close the server and let requests finish."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()  # waitress returns from here on SIGINT (and on our SIGTERM)
    except KeyboardInterrupt:
        pass
    finally:
        echo("Shutting down.", err=True)
        server.close()
        server.task_dispatcher.shutdown(timeout=5)
