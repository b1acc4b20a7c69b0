"""The ``sharing`` command line: one group, one error path.

User mistakes (:class:`sharing.errors.SharingError`) print one line on
stderr and exit non-zero, without a traceback.
"""

from __future__ import annotations

import sys

import click

from sharing.errors import SharingError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sharing")
def cli() -> None:
    """Automated Indicator Sharing on smart contracts, with its economics checked."""


def _register() -> None:
    from sharing.cli import (
        audit,
        books,
        chain,
        duopoly,
        game,
        indicator,
        pesim,
        report,
        simulate,
    )

    for module in (chain, indicator, books, audit, simulate, game, pesim, duopoly, report):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning domain errors into one line and an exit code."""
    try:
        cli.main(args=argv, standalone_mode=False)
    except SharingError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
