"""The `atlas` command: build and check indexes, search, show studies, serve the web app."""

from __future__ import annotations

import click

from atlas_cli.index import index_group
from atlas_cli.search import search_command, show_command
from atlas_cli.serve import serve_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mecfs-atlas-search", prog_name="atlas")
def cli() -> None:
    """ME/CFS Atlas Search: full-text search and faceted discovery of ME/CFS studies."""


cli.add_command(index_group)
cli.add_command(search_command)
cli.add_command(show_command)
cli.add_command(serve_command)

try:  # curators' commands for reader corrections, when that module is present
    from atlas_cli.contributions import contributions_group
except ImportError:  # pragma: no cover
    contributions_group = None
if contributions_group is not None:
    cli.add_command(contributions_group)


def main() -> None:
    """Run the command line."""
    cli(prog_name="atlas")
