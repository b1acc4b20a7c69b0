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
    """Add the commands of every ``sharing.cli`` module that lists ``COMMANDS``.

    A command group lives in its own module (``admin.py``, ``panel.py``, ...);
    adding one needs no edit here. Modules import their heavy dependencies inside
    the command functions, so importing them all keeps ``sharing --help`` fast.
    """
    import importlib
    import pkgutil

    import sharing.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"sharing.cli.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
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
