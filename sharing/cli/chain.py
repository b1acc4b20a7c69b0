"""CLI commands: `sharing chain ...`."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
