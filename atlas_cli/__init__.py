"""The `atlas` command: build and check indexes, search, show studies, serve the web app."""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

# Command name -> "module:attribute". A command's module is imported only when that command
# runs or help lists it: `atlas index build` then starts without loading Flask and the web
# layer, a third of its start-up time.
COMMANDS = {
    "audit": "atlas_cli.curators:audit_group",
    "contributions": "atlas_cli.contributions:contributions_group",  # curators', when present
    "curators": "atlas_cli.curators:curators_group",
    "drafts": "atlas_cli.drafts:drafts_group",
    "import": "atlas_cli.imports:import_group",
    "index": "atlas_cli.index:index_group",
    "search": "atlas_cli.search:search_command",
    "serve": "atlas_cli.serve:serve_command",
    "show": "atlas_cli.search:show_command",
}


class _LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use, and which turns a malformed
    setting into one line and exit 2 wherever a command reads it (its defaults included)."""

    def invoke(self, ctx: click.Context) -> object:
        from search.settings import SettingError

        try:
            return super().invoke(ctx)
        except SettingError as exc:
            from atlas_cli.options import EXIT_USAGE
            from atlas_cli.output import echo

            echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)

    def list_commands(self, ctx: click.Context) -> list[str]:
        present = [name for name in COMMANDS if _is_present(COMMANDS[name])]
        return sorted({*super().list_commands(ctx), *present})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _is_present(target):
            return super().get_command(ctx, cmd_name)
        module, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Worked out when help is shown, not when a command starts.
        from search.settings import (
            BUNDLED_STUDIES,
            IS_CHECKOUT,
            default_data_dir,
            default_index_dir,
        )

        where = "this checkout" if IS_CHECKOUT else "the per-user data directory (installed)"
        formatter.write_paragraph()
        formatter.write_text(f"Where things are (defaults in {where}):")
        for label, path, override in (
            ("index", default_index_dir(), "$ATLAS_INDEX, --index"),
            ("private data", default_data_dir(), "$ATLAS_DATA"),
            ("bundled studies", BUNDLED_STUDIES, "$ATLAS_SOURCE, --source"),
        ):
            # written as is, not wrapped: a path split over two lines cannot be copied
            formatter.write(f"  {label + ':':<17}{path} (or {override})\n")


def _is_present(target: str) -> bool:
    return importlib.util.find_spec(target.partition(":")[0]) is not None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mecfs-atlas-search", prog_name="atlas")
def cli() -> None:
    """ME/CFS Atlas Search: full-text search and faceted discovery of ME/CFS studies."""


def main() -> None:
    """Run the command line."""
    cli(prog_name="atlas")
