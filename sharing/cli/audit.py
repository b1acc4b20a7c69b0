"""``sharing audit deviations``: whether any strategic move beats honest sharing, on chain.

Exit status 0 when no move pays, 1 when one does (so that CI, or an ISAC
piloting a new reward schedule, can gate on it).
"""

from __future__ import annotations

from typing import Any

import click

from sharing.cli._common import emit, json_option, rpc_option


def _render(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"Strategic deviations against honest sharing ({r['chain']}, {r['regime']} "
                    "regime; payoffs in wei)")
    for col, justify in (("tier", "left"), ("move", "left"), ("honest", "right"),
                         ("deviation", "right"), ("gain", "right"), ("pays", "left"),
                         ("stopped by", "left")):
        t.add_column(col, justify=justify)  # type: ignore[arg-type]
    for d in r["deviations"]:
        t.add_row(
            d["tier"],
            d["name"],
            f"{d['payoff_honest']:,}",
            f"{d['payoff_deviation']:,}",
            f"{d['gain']:+,}",
            "[red]PAYS[/red]" if d["pays"] else "no",
            "; ".join(
                [x.removeprefix("ais_alliance: ").removeprefix("pesim_settlement: ")
                 for x in d["refused"]]
                + [o for o in d.get("outcome", ()) if o != "verified"]
            ) or "-",
        )
    console.print(t)
    verdict = "a deviation pays" if r["any_pays"] else "no deviation pays"
    console.print(f"{verdict}; best gain {r['best_gain']:+,} wei")


@click.group("audit")
def audit() -> None:
    """Audit the mechanism against strategic members."""


@audit.command("deviations")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the indicators.")
@rpc_option
@json_option
def deviations(seed: int, rpc_url: str | None, as_json: bool) -> None:
    """Each firm tier's payoff from every strategic move against honest sharing, on chain."""
    from sharing.chain.connect import connect
    from sharing.simulation.deviations import ACCOUNTS_NEEDED, audit_deviations

    chain = connect(rpc_url, num_accounts=ACCOUNTS_NEEDED)
    result = audit_deviations(chain, seed=seed)
    emit(result, as_json, _render)
    if result["any_pays"]:
        raise click.exceptions.Exit(1)


COMMANDS: list[click.Command] = [audit]
