"""CLI: ``sharing simulate`` - firm and panel bots on the chain, per incentive regime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sharing.cli._common import console, emit, json_option, rpc_option
from sharing.errors import InputError


def _floats3(value: str, name: str) -> tuple[float, float, float]:
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError:
        raise InputError(
            f"--{name}: expected three numbers (critical,core,small), got {value!r}"
        ) from None
    if len(parts) != 3:
        raise InputError(f"--{name}: expected three numbers (critical,core,small), got {value!r}")
    return parts


@click.command()
@click.option("--firms", default=6, show_default=True, help="Number of firm bots.")
@click.option("--rounds", default=8, show_default=True, help="Rounds (one epoch each).")
@click.option(
    "--regime",
    "regimes",
    multiple=True,
    default=("all",),
    show_default=True,
    help="open | gated | flat | tiered | tiered-pesim | all; a comma-separated list or repeated.",
)
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    default=("best-response",),
    show_default=True,
    help="always | never | best-response | fictitious-play | imitation | all (repeatable).",
)
@click.option(
    "--initial-share",
    default=0.5,
    show_default=True,
    help="Probability that an adaptive firm shares in round 1.",
)
@click.option("--seed", default=0, show_default=True, help="Seed: same seed, same result.")
@click.option(
    "--knowledge",
    default="3,2,1",
    show_default=True,
    help="Knowledge per tier (critical,core,small), payoff units.",
)
@click.option(
    "--risk",
    default="0.5,0.4,0.3",
    show_default=True,
    help="Sharing risk per tier (critical,core,small), payoff units.",
)
@click.option(
    "--junk-rate",
    default=0.3,
    show_default=True,
    help="Chance per round that the colluders' ally submits junk.",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write an HTML report with figures to this directory.",
)
@rpc_option
@json_option
def simulate(
    firms: int,
    rounds: int,
    regimes: tuple[str, ...],
    strategies: tuple[str, ...],
    initial_share: float,
    seed: int,
    knowledge: str,
    risk: str,
    junk_rate: float,
    report_dir: str | None,
    rpc_url: str | None,
    as_json: bool,
) -> None:
    """Do firms cooperate on the chain? Measure it, per incentive regime, against the model."""
    from sharing.bots.strategies import STRATEGIES
    from sharing.chain.connect import connect
    from sharing.simulation.regimes import REGIME_NAMES, TierParams
    from sharing.simulation.run import SimulationConfig
    from sharing.simulation.run import simulate as run

    listed = [name.strip() for value in regimes for name in value.split(",")]
    if any(not name for name in listed):
        raise InputError(f"--regime: an empty name in {','.join(regimes)!r}")
    names = REGIME_NAMES if "all" in listed else tuple(dict.fromkeys(listed))
    if not 0.0 <= junk_rate <= 1.0:
        raise InputError(f"--junk-rate must be in [0, 1], got {junk_rate}")
    params = TierParams(_floats3(knowledge, "knowledge"), _floats3(risk, "risk"))
    cfg = SimulationConfig(
        firms=firms,
        rounds=rounds,
        regimes=names,
        strategies=tuple(STRATEGIES) if "all" in strategies else tuple(dict.fromkeys(strategies)),
        seed=seed,
        initial_share=initial_share,
        params=params,
        junk_rate=junk_rate,
    )
    chain = connect(rpc_url, num_accounts=firms + 10)
    total = len(names) * (rounds * len(cfg.strategies) + 1 + int(cfg.alliance_game))
    if as_json:
        result = run(chain, cfg)
    else:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        # A slow refresh, and none off a terminal: the refresh thread competes for the GIL.
        with Progress(
            *columns,
            console=console,
            transient=True,
            refresh_per_second=2,
            disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task(
                f"{firms} firms x {rounds} rounds x {len(names)} regimes", total=total
            )
            result = run(chain, cfg, progress=lambda n: bar.advance(task, n))
    if report_dir:
        from sharing.simulation.report import write_report

        result.report = str(write_report(result, Path(report_dir)))
    emit(result.as_dict(), as_json, _render)


def _render(r: dict[str, Any]) -> None:
    t = Table(title="Is cooperation the unique equilibrium? (2x2 game: a critical vs a small firm)")
    lead = next(iter(r["regimes"].values()))["strategy"] if r["regimes"] else ""
    for col in (
        "regime",
        "reward/tier",
        "on chain",
        "model",
        "agree",
        "max |diff|",
        f"final coop. ({lead})",
        "junk in/ok",
        "tx",
    ):
        t.add_column(col, justify="left" if col in ("regime", "reward/tier") else "right")
    for name, g in r["regimes"].items():
        t.add_row(
            name,
            "/".join(f"{x:.2f}" for x in g["reward_per_tier"]),
            "yes" if g["cooperation_unique"] else "no",
            "yes" if g["model_cooperation_unique"] else "no",
            "yes" if g["agree"] else "NO",
            f"{g['max_difference']:.1e}",
            f"{g['final_cooperation']:.0%}",
            f"{g['junk_submitted']}/{g['junk_verified']}",
            str(g["transactions"]),
        )
    console.print(t)
    m = Table(title="Payoffs (critical firm, small firm) by profile, measured on chain")
    for col in ("regime", "CC", "CD", "DC", "DD", "= model", "equilibria on chain (payoffs)"):
        m.add_column(col)
    for name, g in r["regimes"].items():
        a, b = g["empirical_matrix"]
        cells = [f"{a[i][j]:.2f}, {b[i][j]:.2f}" for i in range(2) for j in range(2)]
        eq = " ".join(
            "(" + ", ".join(f"{p:.2f}" for p in e["payoffs"]) + ")" for e in g["equilibria"]
        )
        m.add_row(name, *cells, "yes" if g["matrices_agree"] else "NO", eq)
    console.print(m)
    _render_alliance(r)
    first: dict[str, Any] = next(iter(r["regimes"].values()), {})
    rules = list(first.get("cooperation_by_strategy", {}))
    if len(rules) > 1:
        d = Table(title=f"Cooperation rate in round 1 -> last round, {r['config']['firms']} firms")
        d.add_column("regime")
        for rule in rules:
            d.add_column(rule, justify="right")
        for name, g in r["regimes"].items():
            rates = g["cooperation_by_strategy"]
            d.add_row(name, *(f"{rates[k][0]:.0%} -> {rates[k][-1]:.0%}" for k in rules))
        console.print(d)
    for name, g in r["regimes"].items():
        console.print(f"  {name}: {g['description']}")
    c = r["chain"]
    console.print(
        f"{c['transactions']} transactions on {c['kind']} in {c['seconds']} s "
        f"({c['tx_per_s']} tx/s); chain and model agree in every regime: "
        f"{'yes' if r['agree'] else 'NO'}"
    )
    if "report" in r:
        console.print(f"report: {r['report']}")


def _render_alliance(r: dict[str, Any]) -> None:
    """The N-firm game per regime: the deviation gain per tier and the cascade, beside the model."""
    games = {name: g["alliance"] for name, g in r["regimes"].items() if "alliance" in g}
    if not games:
        return
    n = next(iter(games.values()))["firms"]
    t = Table(title=f"The whole alliance ({n} firms): is all-share the unique equilibrium?")
    for col in (
        "regime",
        "gain of withholding (critical/core/small)",
        "all-share eq. chain/model",
        "unique chain/model",
        "cascade (sharers)",
        "agree",
        "max |diff|",
        "profiles",
    ):
        t.add_column(col, justify="left" if col == "regime" else "right")
    yes = lambda v: "yes" if v else "no"  # noqa: E731
    for name, a in games.items():
        gains = "/".join(f"{g:+.4f}" for g in a["deviation_gain_by_tier"].values())
        t.add_row(
            name,
            gains,
            f"{yes(a['all_share_is_equilibrium'])}/{yes(a['model_all_share_is_equilibrium'])}",
            f"{yes(a['unique'])}/{yes(a['model_unique'])}",
            " -> ".join(str(c) for c in [0, *a["cascade"]]),
            "yes" if a["agree"] else "NO",
            f"{a['max_difference']:.1e}",
            str(a["profiles_measured"]),
        )
    console.print(t)


COMMANDS: list[click.Command] = [simulate]
