"""``sharing pesim onchain``: settle PESIM's equilibrium on chain and check it against the model."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from sharing import pesim_fixed as fx
from sharing.cli._common import console, emit, json_option, rpc_option


def _fmt_gain(v: float) -> str:
    return "n/a" if v != v else f"{v:+.3e}"  # NaN when the deviation test was skipped


@click.command("onchain")
@click.option(
    "--risk",
    default="total-effort",
    show_default=True,
    help="total-effort | weighted | module:name (a custom convex risk).",
)
@click.option("--costs", required=True, help="Unit costs c_i, e.g. 0.2,0.3,0.5 (2 to 32 users).")
@click.option("--weights", default=None, help='Weighted risk: rows separated by ";".')
@click.option(
    "--design",
    type=click.Choice(["calldata", "storage"]),
    default=None,
    help="Where messages live: hashes + calldata at settlement (default), or storage.",
)
@click.option(
    "--wei-per-unit",
    type=int,
    default=fx.DEFAULT_WEI_PER_UNIT,
    show_default=True,
    help="Wei value of one utility unit of the model.",
)
@click.option(
    "--collateral-wei",
    type=int,
    default=None,
    help="Collateral per participant (default: twice the largest cost plus tax at equilibrium; "
    "refused below the minimum, the largest cost plus tax, where defaulting would pay).",
)
@click.option("--no-deviations", is_flag=True, help="Skip the on-chain deviation test.")
@rpc_option
@json_option
def onchain(
    risk: str,
    costs: str,
    weights: str | None,
    design: str | None,
    wei_per_unit: int,
    collateral_wei: int | None,
    no_deviations: bool,
    rpc_url: str | None,
    as_json: bool,
) -> None:
    """Run one PESIM round on chain with the model's equilibrium messages.

    Prints, per participant, the model tax l_i^T x*, the on-chain tax in wei,
    their difference, and the deviation test: each participant's best
    deviation found off chain, replayed on a snapshot, must not raise its
    utility (private risk and cost plus the on-chain tax).
    """
    from sharing.chain.connect import connect
    from sharing.chain.pesim import DEFAULT_DESIGN, Design, PesimSystem
    from sharing.chain.pesim_equilibrium import equilibrium_round
    from sharing.errors import InputError
    from sharing.models.ids_game import parse_instance

    game = parse_instance(risk, costs, weights)
    n = game.n
    if not fx.MIN_N <= n <= fx.MAX_N:
        raise InputError(f"PESIM on chain takes {fx.MIN_N} to {fx.MAX_N} users, got {n}")
    if not 1 <= wei_per_unit <= fx.MAX_WEI_PER_UNIT:
        raise InputError(f"--wei-per-unit must be in 1..{fx.MAX_WEI_PER_UNIT}, got {wei_per_unit}")
    if collateral_wei is not None and not 1 <= collateral_wei <= fx.MAX_COLLATERAL_WEI:
        raise InputError(f"--collateral-wei must be in 1..2**96, got {collateral_wei}")
    chosen = DEFAULT_DESIGN if design is None else Design[design.upper()]
    chain = connect(rpc_url, num_accounts=n + 1)
    if len(chain.accounts) < n + 1:
        raise InputError(
            f"{n} users need {n + 1} accounts (governance + participants); "
            f"the node has {len(chain.accounts)}"
        )
    system = PesimSystem.deploy(chain)
    report = equilibrium_round(
        system,
        game,
        chain.accounts[1 : n + 1],
        design=chosen,
        wei_per_unit=wei_per_unit,
        collateral_wei=collateral_wei,
        deviations=not no_deviations,
    )
    result = report.as_dict()

    def render(r: dict[str, Any]) -> None:
        t = Table(
            title=(
                f"PESIM on chain ({r['chain']}, {r['design']} design): "
                f"{r['instance']['risk']}, N = {len(r['participants'])}"
            )
        )
        for col in ("user", "cost", "model tax l_i.x*", "on-chain tax (wei)", "diff (wei)",
                    "bound (wei)", "deviation gain"):
            t.add_column(col, justify="right", no_wrap=True)
        t.add_column("")
        for p in r["participants"]:
            ok = p["deviation_ok"] is not False and (
                abs(p["difference_wei"]) <= p["quantisation_bound_wei"])
            t.add_row(
                str(p["index"]),
                f"{p['cost']:g}",
                f"{p['model_tax']:+.12f}",
                str(p["tax_wei"]),
                f"{p['difference_wei']:+,}",
                f"{p['quantisation_bound_wei']:,}",
                _fmt_gain(p["deviation_gain"]),
                "ok" if ok else "FAIL",
            )
        console.print(t)
        console.print(
            f"x* = {[round(v, 12) for v in r['x_star']]}   "
            f"on-chain x_hat = {[round(v, 12) for v in r['x_hat']]}   "
            f"(max error {r['x_hat_error']:.1e})"
        )
        console.print(
            f"sum of taxes = {r['sum_taxes_wei']} wei; shortfall = {r['shortfall_wei']} wei; "
            f"settlement gas = {r['settle_gas']:,}; max deviation gain = "
            f"{_fmt_gain(r['max_deviation_gain'])} (tolerance {r['deviation_tolerance']:g})"
        )
        console.print(
            f"1 unit = {r['wei_per_unit']:,} wei; collateral {r['collateral_wei']:,} wei. "
            "difference = on-chain tax - W l_i.x*; it is the 1e-12 fixed point of the "
            "messages (bound shown); against the exact tax of the messages sent the "
            "on-chain tax is within 1 wei."
        )

    emit(result, as_json, render)


COMMAND = onchain
