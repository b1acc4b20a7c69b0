"""CLI commands: ``sharing game ...`` - the sharing game (Simmons B.4-B.5; docs/models.md).

``solve`` any bimatrix game, check the ``paper``'s printed tables, and
``design`` the least rewards that make sharing the unique equilibrium.
"""

from __future__ import annotations

import re
from typing import Any

import click
import numpy as np
from rich.markup import escape
from rich.table import Table

from sharing.cli._common import console, emit, json_option
from sharing.errors import InputError
from sharing.models import sharing_game as sg
from sharing.models.equilibria import analyse_game, as_payoff_matrix, check_game, strategy_names

# --------------------------------------------------------------------------- parsing


def parse_matrix(text: str, name: str) -> list[list[float]]:
    """Parse ``"3.5 0.5; 4 1"`` (rows split by ``;``, entries by spaces or commas).

    Raises
    ------
    InputError
        On an empty matrix, a non-number or ragged rows, in one line.
    """
    rows = [row.strip() for row in text.strip().split(";")]
    if not rows or any(not row for row in rows):
        raise InputError(f"{name}: empty row in {text!r} (use 'a b; c d')")
    parsed: list[list[float]] = []
    for row in rows:
        cells = [c for c in re.split(r"[\s,]+", row) if c]
        try:
            parsed.append([float(c) for c in cells])
        except ValueError:
            raise InputError(f"{name}: not a number in row {row!r}") from None
    widths = {len(r) for r in parsed}
    if len(widths) != 1:
        raise InputError(f"{name}: ragged rows (lengths {sorted(widths)}) in {text!r}")
    as_payoff_matrix(parsed, name)
    return parsed


def parse_numbers(text: str, name: str) -> list[float]:
    """Parse ``"1,3"`` or ``"1 3"`` into floats, in one line on error."""
    cells = [c for c in re.split(r"[\s,]+", text.strip()) if c]
    if not cells:
        raise InputError(f"{name}: no values given")
    try:
        values = [float(c) for c in cells]
    except ValueError:
        raise InputError(f"{name}: not a list of numbers: {text!r}") from None
    if not all(np.isfinite(values)):
        raise InputError(f"{name}: values must be finite")
    return values


# --------------------------------------------------------------------------- rendering


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _render_matrix(title: str, row: Any, col: Any) -> None:
    a, b = np.asarray(row), np.asarray(col)
    names = strategy_names(a.shape)
    table = Table(title=title)
    table.add_column("row \\ col")
    for j in range(a.shape[1]):
        table.add_column(names[1][j] if names else f"c{j}", justify="right")
    for i in range(a.shape[0]):
        cells = [f"({_fmt(a[i, j])}, {_fmt(b[i, j])})" for j in range(a.shape[1])]
        table.add_row(names[0][i] if names else f"r{i}", *cells)
    console.print(table)


_SHORT = {
    "support_enumeration": "SE",
    "vertex_enumeration": "VE",
    "lemke_howson": "LH",
    "pure": "cells",
    "nashpy_support_enumeration": "nashpy-SE",
}


def _render_game(g: dict[str, Any], title: str = "Game") -> None:
    _render_matrix(title, g["row"], g["col"])
    table = Table(title="Nash equilibria")
    for column in ("equilibrium", "row strategy", "column strategy", "payoffs", "found by"):
        table.add_column(column)
    for e in g["equilibria"]:
        table.add_row(
            e["label"],
            "[" + ", ".join(_fmt(v) for v in e["row"]) + "]",
            "[" + ", ".join(_fmt(v) for v in e["col"]) + "]",
            "(" + ", ".join(_fmt(v) for v in e["payoffs"]) + ")",
            ", ".join(_SHORT.get(m, m) for m in e["found_by"]),
        )
    console.print(table)
    console.print(
        "found by: SE support enumeration, VE vertex enumeration, LH Lemke-Howson "
        "(any start label), cells: cell-by-cell pure check, nashpy-SE: nashpy's own "
        "support_enumeration (diagnostic)"
    )
    console.print(
        f"class: [bold]{g['classification']}[/bold] "
        f"({escape(g['classification_detail']['reason'])}); "
        f"risk-dominant: {g['risk_dominant']}; payoff-dominant: {g['payoff_dominant']}"
    )
    if g["degenerate"]:
        console.print("[yellow]degenerate game[/yellow]: " + escape("; ".join(g["messages"])))
    elif g["messages"]:
        console.print("notes: " + escape("; ".join(g["messages"])))


# --------------------------------------------------------------------------- commands


@click.group()
def game() -> None:
    """Solve the sharing game (Simmons B.4-B.5), check the paper, design rewards."""


@game.command()
@click.option("--row", "row_text", required=True, help="Row player's payoffs, e.g. '3.5 0.5; 4 1'.")
@click.option("--col", "col_text", required=True, help="Column player's payoffs, same shape.")
@json_option
def solve(row_text: str, col_text: str, as_json: bool) -> None:
    """Solve a bimatrix game with three algorithms, cross-checked; classify a 2x2 game."""
    row = parse_matrix(row_text, "--row")
    col = parse_matrix(col_text, "--col")
    check_game(row, col)
    emit(analyse_game(row, col).as_dict(), as_json, _render_game)


def _render_paper(result: dict[str, Any]) -> None:
    for t in result["tables"]:
        _render_game(t, escape(f"Simmons {t['name']} (printed: {t['caption']})"))
        console.print(
            f"paper claims: {escape(t['paper_claim'])} -> "
            + ("[green]agrees[/green]" if t["agrees"] else "[red]disagrees[/red]")
        )
        console.print()
    rec = result["reconstruction"]
    console.print(f"[bold]Reconstruction[/bold] with {escape(rec['model'])}")
    console.print(f"reading: {escape(rec['reading'])}")
    table = Table(title="The model at the paper's verbal parameters, beside the printed tables")
    for column, no_wrap in (
        ("table", True),
        ("reading", False),
        ("pool", True),
        ("Co. 1", True),
        ("model payoffs (row, col)", True),
        ("class", False),
        ("equilibria", False),
        ("= printed row/col", False),
        ("as claimed", False),
    ):
        table.add_column(column, no_wrap=no_wrap)
    for c in rec["cases"]:
        a, b = np.asarray(c["row"]), np.asarray(c["col"])
        cells = "\n".join(
            " | ".join(f"{_fmt(round(a[i, j], 9))}, {_fmt(round(b[i, j], 9))}" for j in range(2))
            for i in range(2)
        )
        table.add_row(
            c["printed_table"],
            c["reading"],
            c["pool"],
            "row" if c["knowledge"][0] > c["knowledge"][1] else "column",
            cells,
            c["classification"],
            ", ".join(e["label"] for e in c["equilibria"]),
            f"{'yes' if c['row_matches_printed'] else 'no'}/"
            f"{'yes' if c['col_matches_printed'] else 'no'}",
            "yes" if c["agrees_with_claim"] else "no",
        )
    console.print(table)
    for line in result["summary"]:
        console.print(f"- {escape(line)}")


@game.command()
@click.option("--beta", type=float, default=1.0, show_default=True, help="Absorption.")
@json_option
def paper(beta: float, as_json: bool) -> None:
    """Solve Simmons' printed Tables 1 and 2 and rebuild them from the paper's parameters."""
    if not np.isfinite(beta) or beta < 0:
        raise InputError(f"--beta: must be finite and non-negative, got {beta}")
    emit(sg.simmons_report(beta).as_dict(), as_json, _render_paper)


def _render_design(result: dict[str, Any]) -> None:
    p = result["parameters"]
    console.print(
        f"{len(p['knowledge'])} firms, K = {p['knowledge']}, r = {p['risk']}, "
        f"{p['pool']} pool, beta = {p['beta']}"
    )
    table = Table(title="Least rewards making (C, ..., C) the unique equilibrium")
    for column in ("scheme", "infimum", "strict", "recommended", "total", "exact", "verified"):
        table.add_column(column)
    for d in result["designs"]:
        if not d["feasible"]:
            table.add_row(d["scheme"], "infeasible", "", "", "", "", "")
            continue
        table.add_row(
            d["scheme"],
            ", ".join(_fmt(v) for v in d["infimum"]),
            ", ".join(">" if s else ">=" for s in d["strict"]),
            ", ".join(_fmt(v) for v in d["recommended"]),
            _fmt(d["total_recommended"]),
            "yes" if d["exact"] else "heuristic",
            "unique" if d["unique_at_recommended"] else "[red]NOT unique[/red]",
        )
    console.print(table)
    console.print(escape(result["strictness"]))
    for label, key in (("without rewards", "baseline"), ("with per-firm design", "resulting_game")):
        g = result[key]
        console.print(
            f"[bold]{label}[/bold]: pure equilibria "
            f"{g['pure_equilibria'] if g['pure_equilibria'] is not None else 'not enumerated'}; "
            f"cooperation unique: {g['cooperation_is_unique']}"
        )
        if "game" in g:
            _render_game(g["game"], f"Game {label}")


@game.command()
@click.option("--knowledge", required=True, help="Knowledge K_i per firm, e.g. '1,3'.")
@click.option("--risk", required=True, help="Sharing risk r_i per firm (or one value for all).")
@click.option(
    "--pool",
    type=click.Choice(list(sg.POOLS)),
    default=sg.GATED,
    show_default=True,
    help="Who reads the pool: anyone (open) or contributors only (gated).",
)
@click.option("--beta", type=float, default=1.0, show_default=True, help="Absorption.")
@click.option("--tiers", default=None, help="Tier label per firm, e.g. 'critical,small'.")
@click.option(
    "--epsilon",
    type=float,
    default=sg.DEFAULT_EPSILON,
    show_default=True,
    help="Margin added where a reward must strictly exceed its infimum.",
)
@json_option
def design(
    knowledge: str,
    risk: str,
    pool: str,
    beta: float,
    tiers: str | None,
    epsilon: float,
    as_json: bool,
) -> None:
    """Least rewards (per firm, uniform, proportional, per tier) making sharing unique."""
    k = parse_numbers(knowledge, "--knowledge")
    r = parse_numbers(risk, "--risk")
    tier_labels = [t for t in re.split(r"[\s,]+", tiers.strip()) if t] if tiers else None
    report = sg.design_report(k, r, pool, beta, tier_labels, epsilon)
    emit(report.as_dict(), as_json, _render_design)


COMMANDS = [game]
