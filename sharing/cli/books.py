"""``sharing books``: audit an alliance from what the chain says, and finish what was left pending.

After a crash (the node died in the middle of a simulation, or a driver
stopped between votes and finalisation) an operator needs two answers:
do the books still hold - the ledger rebuilt from events equals storage,
``balance == claimable + unallocated``, no indicator paid twice - and
which indicators are still pending. ``--finish`` then finalises every
pending indicator the contract can decide now (``can_finalise``); with
``--advance-clock`` (dev nodes only) it first moves the clock past the
open voting windows so that all of them are decided. Exit status 1 if
the books do not hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sharing.cli._common import deployment_option, emit, json_option, rpc_option
from sharing.errors import ChainError, InputError


def _system(
    rpc_url: str, address: str | None, deployment_path: str | None, sender: str | None
) -> Any:
    """Attach to the alliance at ``address``, or to the deployment file's."""
    from web3 import Web3

    from sharing.chain.ais import AisSystem, default_deployment_path, load_deployment
    from sharing.chain.connect import rpc_chain

    for name, value in (("--alliance", address), ("--sender", sender)):
        if value is not None and not Web3.is_address(value):
            raise InputError(f"{name} {value!r} is not an Ethereum address")
    chain = rpc_chain(rpc_url)
    if sender is not None:
        sender = Web3.to_checksum_address(sender)
        if sender not in chain.accounts:
            raise ChainError(
                f"account {sender} is not unlocked on the node at {rpc_url}; nothing sent"
            )
    if address is not None:
        if deployment_path is not None:
            raise InputError("give --alliance or --deployment, not both")
        return AisSystem.at(chain, Web3.to_checksum_address(address), sender or chain.accounts[0])
    path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
    return load_deployment(chain, path)


def _render(r: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"Books of alliance {r['alliance']} (chain {r['chain_id']})")
    t.add_column("figure")
    t.add_column("wei", justify="right")
    for key in ("balance", "total_claimable", "unallocated", "total_owed", "surplus"):
        t.add_row(key.replace("_", " "), f"{r[key]:,}")
    console.print(t)
    if r["problems"]:
        for p in r["problems"]:
            console.print(f"[red]problem:[/red] {p}")
    else:
        console.print(
            "books hold: ledger from events == storage, balance == claimable + unallocated "
            "+ surplus, no indicator or observable paid twice"
        )
        if r["surplus"]:
            console.print(
                f"surplus: {r['surplus']:,} wei forced in outside fund() (governance may "
                "sweep it with sweep_surplus)"
            )
    for h in r["finalised"]:
        console.print(f"finalised {h}")
    for p in r["pending"]:
        console.print(
            f"pending {p['content_hash']} (voting closes at {p['vote_closes']}; "
            f"{'decidable now' if p['can_finalise'] else 'not decidable yet'})"
        )


@click.command("books")
@click.option(
    "--alliance",
    "address",
    default=None,
    metavar="ADDRESS",
    help="Alliance contract (default: the deployment file's).",
)
@click.option(
    "--finish", is_flag=True, help="Finalise every pending indicator the contract can decide now."
)
@click.option(
    "--advance-clock",
    is_flag=True,
    help="With --finish, on a dev node (anvil): move the clock past open voting windows first.",
)
@click.option(
    "--sender",
    default=None,
    metavar="ADDRESS",
    help="Unlocked account that sends the finalisations (default: the node's first).",
)
@rpc_option
@deployment_option
@json_option
def books(
    address: str | None,
    finish: bool,
    advance_clock: bool,
    sender: str | None,
    rpc_url: str | None,
    deployment_path: str | None,
    as_json: bool,
) -> None:
    """Check an alliance's books from events and storage; list (and --finish) pending indicators."""
    from sharing.simulation.faults import check_books, finish_interrupted

    if advance_clock and not finish:
        raise InputError("--advance-clock only goes with --finish")
    if not rpc_url:
        raise InputError("books needs --rpc-url (the embedded chain ends with this process)")
    system = _system(rpc_url, address, deployment_path, sender)
    check = check_books(system)
    finalised: list[bytes] = []
    if finish and check.ok and check.pending:
        if not (sender or system.chain.accounts):
            raise ChainError(
                "no account is unlocked on the node to send the finalisations; give --sender"
            )
        finalised = finish_interrupted(
            system,
            sender=sender or system.chain.accounts[0],
            advance_clock=advance_clock,
            pending=check.pending,
        )
        check = check_books(system)
    pending = []
    for h in check.pending:
        state = system.indicator(h)
        pending.append(
            {
                "content_hash": "0x" + h.hex(),
                "submitter": state.submitter,
                "vote_closes": state.vote_closes,
                "can_finalise": bool(system.call("can_finalise", h)),
            }
        )
    result = {
        "alliance": system.address,
        "chain_id": system.chain.chain_id,
        "ok": check.ok,
        "balance": check.balance,
        "total_claimable": check.total_claimable,
        "unallocated": check.unallocated,
        "total_owed": check.total_owed,
        "surplus": max(check.surplus, 0),
        "problems": check.problems,
        "finalised": ["0x" + h.hex() for h in finalised],
        "pending": pending,
    }
    emit(result, as_json, _render)
    if not check.ok:
        raise click.exceptions.Exit(1)


COMMANDS = [books]
