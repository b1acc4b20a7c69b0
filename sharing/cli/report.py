"""CLI commands: ``sharing report ...``."""

from __future__ import annotations

import pathlib
from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, emit, json_option


@click.group()
def report() -> None:
    """Write reports (HTML with figures)."""


def _render(result: dict[str, Any]) -> None:
    table = Table(title=f"Models report: {result['index']}")
    for column in ("section", "module", "status", "figures"):
        table.add_column(column)
    for s in result["sections"]:
        table.add_row(
            s["title"],
            s["module"],
            "ok" if s["available"] else "not available",
            ", ".join(f["filename"] for f in s["figures"]),
        )
    console.print(table)


@report.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=pathlib.Path),
    help="Directory to write index.html and the PNG figures into.",
)
@json_option
def models(out_dir: pathlib.Path, as_json: bool) -> None:
    """Write the incentive models report (figures of every model) to DIR/index.html."""
    from sharing.report.models_report import build_models_report

    built = build_models_report(out_dir)
    result = {
        "index": str(built.index),
        "sections": [
            {
                "module": s.module,
                "title": s.title,
                "available": s.available,
                "reason": s.reason,
                "figures": [
                    {"title": f.title, "filename": f.filename, "caption": f.caption}
                    for f in s.figures
                ],
            }
            for s in built.sections
        ],
    }
    emit(result, as_json, _render)


COMMANDS = [report]
