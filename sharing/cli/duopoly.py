"""CLI commands: `sharing duopoly ...` (Gal-Or & Ghose's duopoly, docs/models.md)."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.progress import Progress
from rich.table import Table

from sharing.cli._common import console, emit, json_option
from sharing.errors import InputError
from sharing.models.duopoly import Duopoly, DuopolyParams, check_propositions

_DEFAULTS = DuopolyParams()

#: (option name, parameter name, help) for every model parameter.
_PARAMETER_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--a", "a", "demand intercept (firm size), a > 0"),
    ("--b1", "b1", "own-price slope of demand"),
    ("--b2", "b2", "cross-price slope, 0 <= b2 < b1"),
    ("--alpha", "alpha", "demand loss from the rival's investment, 0 <= alpha < 1"),
    ("--lambda-d", "lambda_d", "demand spillover of shared investment, in [-1, 1]"),
    ("--lambda-c", "lambda_c", "cost spillover, in [0, 1]"),
    ("--phi1", "phi1", "own leakage cost, phi1 > phi2 + phi3"),
    ("--phi2", "phi2", "leakage relief from the rival's sharing, >= 0"),
    ("--phi3", "phi3", "cross leakage term, >= 0"),
    ("--gamma", "gamma", "investment cost scale, > 0"),
    ("--theta", "theta", "cost spillover strength, 0 <= theta < 1"),
    ("--c", "c", "section 4: base unit cost (0: base model)"),
    ("--lambda-hat", "lambda_hat", "section 4: volume-related cost spillover"),
    ("--delta1", "delta1", "section 4: delta(t) = 1 + delta1 t + delta2 t^2/2"),
    ("--delta2", "delta2", "section 4: curvature of delta"),
)


def _parameter_options(func: Any) -> Any:
    for flag, name, text in reversed(_PARAMETER_OPTIONS):
        default = getattr(_DEFAULTS, name)
        func = click.option(flag, name, type=float, default=default, show_default=True, help=text)(
            func
        )
    return func


@click.group("duopoly")
def duopoly() -> None:
    """Security information sharing in a duopoly (Gal-Or & Ghose 2005)."""


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _render_solve(result: dict[str, Any]) -> None:
    table = Table(title="Duopoly: sharing s and investment t per firm under each regime")
    for col in ("regime", "s", "t", "price", "profit", "welfare"):
        table.add_column(col, justify="left" if col == "regime" else "right")

    def row(name: str, block: dict[str, Any], welfare: bool = True) -> None:
        if "error" in block:
            table.add_row(name, f"[red]{block['error']}[/red]", "", "", "", "")
            return
        w = _fmt(block["welfare"]) if welfare and "welfare" in block else ""
        table.add_row(
            name, _fmt(block["s"]), _fmt(block["t"]), _fmt(block["price"]), _fmt(block["profit"]), w
        )

    row("Bertrand-Nash", result["nash"])
    row("Joint-profit ISA", result["joint_profit"])
    row("Social planner", result["social_welfare"])
    seq = result["sequential"]
    if "error" in seq:
        row("Sequential", seq)
    else:
        row("Sequential: leader", {**seq["leader"], "welfare": seq["welfare"]})
        row("Sequential: follower", seq["follower"], welfare=False)
    row("No sharing (s = 0)", result["no_sharing"])
    sub = result["subsidy"]
    row("Subsidised market", sub.get("equilibrium", sub))
    console.print(table)
    nash = result["nash"]
    diag = nash["diagnostics"]
    console.print(
        f"Nash: unique symmetric equilibrium: {nash['unique']} "
        f"({nash['n_symmetric_equilibria']} found); stable: {nash['stable']} "
        f"(spectral radius {diag['spectral_radius']:.3g}); KKT residual "
        f"{diag['kkt_residual']:.1e}; best deviation gain {diag['deviation_gain']:.1e}"
    )
    a = result["assumptions"]
    console.print(
        f"Assumption 1 (alpha <= alpha_bar = {a['alpha_bar']:.4g}): {a['assumption1']}; "
        f"Assumption 2: {a['assumption2']}"
    )
    if "error" in sub:
        return
    alt = sub["alternative_reading"]
    console.print(
        f"Appendix B subsidy ({sub['reading']} reading): subsidy {sub['subsidy_per_firm']:.6g}, "
        f"tax {sub['tax_per_firm']:.6g} per firm, net cost {sub['net_cost']:.2e}; distance to "
        f"the social optimum {sub['distance_to_social_optimum']:.2e}; reaches it at zero net "
        f"cost: {sub['reaches_social_optimum_at_zero_net_cost']}"
    )
    console.print(
        f"  {alt['reading']} reading: s = {alt['equilibrium']['s']:.6g}, "
        f"t = {alt['equilibrium']['t']:.6g}, distance {alt['distance_to_social_optimum']:.3g}, "
        f"net cost {alt['net_cost']:.4g}, welfare gap {alt['welfare_gap']:.4g}; reaches it: "
        f"{alt['reaches_social_optimum_at_zero_net_cost']}"
    )


@duopoly.command("solve")
@_parameter_options
@json_option
def solve(as_json: bool, **values: float) -> None:
    """Solve every regime: Nash, joint-profit ISA, planner, sequential, subsidy scheme."""
    params = DuopolyParams(**values)
    result = Duopoly(params).solve()
    emit(result.as_dict(), as_json, _render_solve)


def _short(example: dict[str, Any] | None) -> str:
    if not example:
        return ""
    nums = {k: v for k, v in example.items() if k != "params"}
    text = json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in nums.items()})
    if "params" in example:
        p = example["params"]
        text = "params " + json.dumps(p) + " " + text
    return text


def _render_propositions(result: dict[str, Any]) -> None:
    base, vol = result["base_grid"], result["volume_grid"]
    console.print(
        f"grid {result['grid']}: {base['points']} base points, filters {base['filters']}; "
        f"{vol['points']} section-4 points, filters {vol['filters']}; "
        f"{result['runtime_s']:.1f} s"
    )
    table = Table(title="Gal-Or & Ghose, Propositions 1-7, checked numerically", show_lines=True)
    for col in ("id", "verdict", "holds/tested", "outside", "claim / counter-example"):
        table.add_column(col, overflow="fold")
    for c in result["checks"]:
        colour = {"holds": "green", "fails": "red"}.get(c["verdict"], "yellow")
        body = c["claim"]
        if c["counterexample"]:
            body += "\n[red]counter-example:[/red] " + _short(c["counterexample"])
        if c.get("notes"):
            body += "\n[dim]" + c["notes"] + "[/dim]"
        out = c["outside_conditions"]
        table.add_row(
            c["id"],
            f"[{colour}]{c['verdict']}[/{colour}]",
            f"{c['holds']}/{c['tested']}",
            f"{out['holds']}/{out['tested']}",
            body,
        )
    console.print(table)


@duopoly.command("propositions")
@click.option(
    "--grid",
    type=click.Choice(["small", "full"]),
    default="full",
    show_default=True,
    help="parameter grid size",
)
@click.option(
    "--jobs", type=int, default=1, show_default=True, help="worker processes for the grid points"
)
@json_option
def propositions(grid: str, jobs: int, as_json: bool) -> None:
    """Check Propositions 1-7 of the paper over parameter grids (verdicts, counter-examples)."""
    if jobs < 1:
        raise InputError(f"--jobs must be >= 1 (got {jobs})")
    if as_json:
        report = check_propositions(grid, jobs=jobs)  # type: ignore[arg-type]
    else:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("checking grid points", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = check_propositions(grid, jobs=jobs, progress=tick)  # type: ignore[arg-type]
    emit(report.as_dict(), as_json, _render_propositions)


COMMANDS: list[click.Command] = [duopoly]
