"""CLI commands: `sharing game ...`."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
