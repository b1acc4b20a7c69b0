"""CLI commands: ``sharing pesim ...`` - the IDS game and PESIM (Naghizadeh & Liu).

The models are described in docs/models.md, "Interdependent security and PESIM".

``solve`` an instance (Nash equilibrium, social optimum, Price of Anarchy,
Lindahl prices, equilibrium messages, taxes, deviation check), test
``participation`` (individual rationality, Section V, against eq. (16)), and
run the ``exchange`` process that reaches the equilibrium messages.  The
``onchain`` subcommand (``sharing.cli.pesim_onchain``) settles the equilibrium
on chain.

Every command builds its instance with :func:`instance_options` /
:func:`game_from_options`, so the flags are spelled the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.table import Table

from sharing.cli._common import console, emit, json_option
from sharing.cli.pesim_onchain import COMMAND as ONCHAIN_COMMAND
from sharing.errors import InputError
from sharing.models import pesim as pm
from sharing.models.ids_game import IDSGame, parse_instance

F = TypeVar("F", bound=Callable[..., Any])

#: rows shown in human tables before eliding (JSON always has every user)
MAX_ROWS = 20


def instance_options(func: F) -> F:
    """Add ``--risk --costs --weights --random --seed --spillover`` to a command.

    The command receives them as keyword arguments; pass them to
    :func:`game_from_options`.
    """
    options = [
        click.option(
            "--risk",
            default="total-effort",
            show_default=True,
            help="total-effort | weighted | module:name or file.py:name (a custom convex risk: "
            "a RiskModel or a callable x -> (f_1(x), ..., f_N(x))).",
        ),
        click.option("--costs", default=None, help="Unit costs c_i > 0, e.g. 0.2,0.3,0.5."),
        click.option(
            "--weights",
            default=None,
            help='Weighted risk f_i = exp(-sum_j w_ij x_j): rows split by ";", '
            'e.g. "1 0.4; 0.3 1.2".',
        ),
        click.option(
            "--random",
            "random_n",
            type=int,
            default=None,
            help="Generate a random instance of N users (weighted or total-effort risk).",
        ),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed of --random."),
        click.option(
            "--spillover",
            type=float,
            default=0.5,
            show_default=True,
            help="--random weighted: mean total weight of the others' investments.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def game_from_options(
    risk: str,
    costs: str | None,
    weights: str | None,
    random_n: int | None,
    seed: int,
    spillover: float,
) -> IDSGame:
    """Build the instance named by :func:`instance_options` (see :func:`parse_instance`)."""
    return parse_instance(risk, costs, weights, random_n=random_n, seed=seed, spillover=spillover)


def _fmt(v: float | None, digits: int = 6) -> str:
    if v is None:
        return "-"
    return f"{v:.{digits}g}"


def _instance_caption(game: IDSGame) -> str:
    return f"{game.n} users, risk {game.risk.name}"


# --------------------------------------------------------------------------- solve


def _render_solve(r: dict[str, Any]) -> None:
    n = len(r["nash"])
    table = Table(title=f"PESIM - {n} users, risk {r['instance']['risk']}")
    for col in (
        "user",
        "cost c_i",
        "Nash x_i",
        "optimum x*_i",
        "own price l_ii",
        "tax t_i",
        "utility u_i",
    ):
        table.add_column(col, justify="right")
    costs = r["instance"]["costs"]
    for i in range(min(n, MAX_ROWS)):
        table.add_row(
            str(i),
            _fmt(costs[i], 4),
            _fmt(r["nash"][i]),
            _fmt(r["optimum"][i]),
            _fmt(r["lindahl_prices"][i][i]),
            _fmt(r["taxes"][i]),
            _fmt(r["utilities"][i]),
        )
    console.print(table)
    if n > MAX_ROWS:
        console.print(f"... {n - MAX_ROWS} more users (use --json for all)")
    summary = Table(title="Summary", show_header=False)
    summary.add_column("quantity")
    summary.add_column("value", justify="right")
    summary.add_row("social cost at Nash G(x_nash)", _fmt(r["social_cost"]["nash"], 8))
    summary.add_row("social cost at optimum G(x*)", _fmt(r["social_cost"]["optimum"], 8))
    summary.add_row("Price of Anarchy, eq. (4)", _fmt(r["price_of_anarchy"], 8))
    summary.add_row("Nash equilibrium unique", str(r["nash_unique"]))
    summary.add_row("sum of taxes (budget balance)", f"{r['budget_surplus']:.3e}")
    for d in r["deviation_check"]:
        summary.add_row(
            f"max deviation gain ({d['method']}, {d['users_checked']} users)",
            f"{d['max_gain']:.3e}",
        )
    if "exchange" in r:
        ex = r["exchange"]
        summary.add_row(
            f"message exchange ({ex['method']})",
            f"{ex['iterations']} rounds, distance {ex['final_distance']:.2e}",
        )
    summary.add_row("time (s)", f"{sum(r['timings_s'].values()):.3f}")
    console.print(summary)


@click.command("solve")
@instance_options
@click.option(
    "--numeric-users",
    type=int,
    default=None,
    help="Users given the numeric deviation search (default: all up to N = 12, else 8 "
    "sampled); the analytic check always covers every user.",
)
@click.option("--starts", type=int, default=3, show_default=True, help="Starts per user.")
@click.option("--exchange", is_flag=True, help="Also run the message-exchange process.")
@json_option
def solve(
    risk: str,
    costs: str | None,
    weights: str | None,
    random_n: int | None,
    seed: int,
    spillover: float,
    numeric_users: int | None,
    starts: int,
    exchange: bool,
    as_json: bool,
) -> None:
    """Nash vs social optimum, Price of Anarchy, and PESIM's equilibrium (Theorems 1-2)."""
    game = game_from_options(risk, costs, weights, random_n, seed, spillover)
    if numeric_users is not None and numeric_users < 0:
        raise InputError("--numeric-users must be non-negative")
    if starts < 1:
        raise InputError("--starts must be at least 1")
    sol = pm.solve(
        game, numeric_users=numeric_users, n_starts=starts, exchange=exchange, random_state=seed
    )
    emit(sol.as_dict(), as_json, _render_solve)


# --------------------------------------------------------------------------- participation


def _render_participation(r: dict[str, Any]) -> None:
    table = Table(
        title=f"Individual rationality of PESIM for user {r['user']} (Section V)", show_header=False
    )
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("utility in the mechanism u_IN", _fmt(r["utility_in"], 8))
    table.add_row("utility as a loner u_OUT", _fmt(r["utility_out"], 8))
    table.add_row("u_IN - u_OUT", _fmt(r["difference"], 8))
    table.add_row("individually rational", str(r["individually_rational"]))
    table.add_row("tax in the mechanism", _fmt(r["tax_in"], 8))
    table.add_row("loner's effort", _fmt(r["loner_effort"], 8))
    table.add_row("eq. (16)", _fmt(r["closed_form_16"], 8))
    table.add_row("eq. (16) applies", str(r["closed_form_applies"]))
    for name, ok in r["closed_form_conditions"].items():
        table.add_row(f"  premise: {name}", str(ok))
    console.print(table)
    if not r["closed_form_applies"]:
        console.print(
            "eq. (16) is shown for comparison only: its premises do not hold here, "
            "the numerical difference is the answer."
        )


@click.command("participation")
@instance_options
@click.option("--user", type=int, default=0, show_default=True, help="User staying out (0-based).")
@click.option("--grid", type=int, default=41, show_default=True, help="Grid of the loner's effort.")
@json_option
def participation(
    risk: str,
    costs: str | None,
    weights: str | None,
    random_n: int | None,
    seed: int,
    spillover: float,
    user: int,
    grid: int,
    as_json: bool,
) -> None:
    """Is a user better off in PESIM than as a loner free-riding on the others? (Section V)."""
    game = game_from_options(risk, costs, weights, random_n, seed, spillover)
    if grid < 3:
        raise InputError("--grid must be at least 3")
    report = pm.participation(game, user, grid=grid)
    emit(report.as_dict(), as_json, _render_participation)


# --------------------------------------------------------------------------- exchange


def _render_exchange(r: dict[str, Any]) -> None:
    table = Table(title=f"Message exchange ({r['method']})", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("rounds", str(r["iterations"]))
    table.add_row("final distance (certificate)", f"{r['final_distance']:.3e}")
    table.add_row("distance of x_hat to x*", f"{r['distance_to_optimum']:.3e}")
    table.add_row("max deviation gain (analytic)", _fmt(r["max_deviation_gain"]))
    table.add_row("time (s)", f"{r['time_s']:.3f}")
    console.print(table)


@click.command("exchange")
@instance_options
@click.option(
    "--method",
    type=click.Choice(["gradient", "admm"]),
    default="gradient",
    show_default=True,
    help="Accelerated gradient play, or consensus ADMM (small N).",
)
@click.option("--tol", type=float, default=1e-9, show_default=True, help="Certificate target.")
@click.option("--max-iter", type=int, default=20000, show_default=True, help="Rounds allowed.")
@click.option("--rho", type=float, default=None, help="ADMM penalty (default mean(c)/N).")
@json_option
def exchange(
    risk: str,
    costs: str | None,
    weights: str | None,
    random_n: int | None,
    seed: int,
    spillover: float,
    method: str,
    tol: float,
    max_iter: int,
    rho: float | None,
    as_json: bool,
) -> None:
    """Run a message-exchange process from anarchy to PESIM's equilibrium messages."""
    game = game_from_options(risk, costs, weights, random_n, seed, spillover)
    if not tol > 0:
        raise InputError("--tol must be positive")
    report = pm.exchange_report(
        game,
        method="admm" if method == "admm" else "gradient",
        tol=tol,
        max_iter=max_iter,
        rho=rho,
    )
    emit(report.as_dict(), as_json, _render_exchange)


@click.group("pesim")
def pesim() -> None:
    """Interdependent security game and the PESIM mechanism (Naghizadeh & Liu)."""


pesim.add_command(solve)
pesim.add_command(participation)
pesim.add_command(exchange)
pesim.add_command(ONCHAIN_COMMAND)

COMMANDS: list[click.Command] = [pesim]
