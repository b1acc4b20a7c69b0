"""Shared CLI helpers: one spelling per flag, one output path, one error path."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any

import click
import numpy as np
from rich.console import Console

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of tables."
)

#: Piped output gets 120 columns, not rich's default of 80, so tables stay readable in logs.
console = Console(width=None if sys.stdout.isatty() else 120)


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and fractions into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return f if math.isfinite(f) else None
    if hasattr(value, "numerator") and hasattr(value, "denominator") and not isinstance(value, int):
        return float(value)
    return value


def emit(result: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], None]) -> None:
    """Print ``result`` as JSON (``--json``) or through the human ``render`` function."""
    if as_json:
        click.echo(json.dumps(to_jsonable(result), indent=2, sort_keys=False))
    else:
        render(result)


rpc_option = click.option(
    "--rpc-url",
    envvar="SHARING_RPC_URL",
    default=None,
    metavar="URL",
    help="JSON-RPC endpoint (default: $SHARING_RPC_URL, else the embedded chain).",
)

deployment_option = click.option(
    "--deployment",
    "deployment_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Deployment file (default: deployments/<chain id>.json).",
)
