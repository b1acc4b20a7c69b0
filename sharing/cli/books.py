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

from sharing.cli._common import emit
from sharing.cli._roles import role_options
from sharing.errors import ChainError, InputError


def _system(opts: dict[str, Any], address: str | None, legacy_sender: str | None,
            finish: bool) -> tuple[Any, str | None]:
    """Attach to the alliance at ``address`` (or the deployment file's); who finalises.

    Reading needs no account: a public endpoint serves the audit. Only
    ``--finish`` sends, from the key given (signed here) or an account the
    node has unlocked (``--from``, else its first).
    """
    from web3 import Web3

    from sharing.chain.ais import ZERO_ADDRESS, AisSystem
    from sharing.chain.connect import rpc_chain
    from sharing.chain.deployment import default_deployment_path, load_deployment
    from sharing.cli._common import policy_from_options, signer_from_options

    rpc_url = opts["rpc_url"]
    if not rpc_url:
        raise InputError("books needs --rpc-url (the embedded chain ends with this process)")
    if legacy_sender is not None:
        if opts["sender"] is not None:
            raise InputError("give --from or --sender (its old name), not both")
        opts["sender"] = legacy_sender
    sender = opts["sender"]
    for name, value in (("--alliance", address), ("--from", sender)):
        if value is not None and not Web3.is_address(value):
            raise InputError(f"{name} {value!r} is not an Ethereum address")
    if address is not None and opts["deployment_path"] is not None:
        raise InputError("give --alliance or --deployment, not both")
    signer = signer_from_options(opts["keystore"], opts["account"], opts["password_file"])
    policy = policy_from_options(opts["max_fee_gwei"], opts["priority_fee_gwei"],
                                 opts["confirmations"], opts["tx_timeout"])
    chain = rpc_chain(rpc_url, signers=[signer] if signer else [], policy=policy,
                      read_only=True)
    who: str | None = None
    if signer is not None:
        who = signer.address
        if sender is not None and Web3.to_checksum_address(sender) != who:
            raise InputError(f"--from {sender} is not the address of the key given ({who})")
    elif sender is not None:
        who = Web3.to_checksum_address(sender)
        if who not in chain.accounts:
            raise ChainError(
                f"account {who} is not unlocked on the node at {rpc_url}; give its key "
                "(--keystore, --account or $SHARING_PRIVATE_KEY); nothing sent"
            )
    elif finish and chain.accounts:
        who = chain.accounts[0]
    if address is not None:
        system = AisSystem.at(chain, Web3.to_checksum_address(address), who or ZERO_ADDRESS)
    else:
        path = (Path(opts["deployment_path"]) if opts["deployment_path"]
                else default_deployment_path(chain))
        system = load_deployment(chain, path)
    return system, who


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
@click.option("--sender", "legacy_sender", default=None, metavar="ADDRESS", hidden=True,
              help="The old name of --from.")
@role_options
def books(
    address: str | None,
    finish: bool,
    advance_clock: bool,
    legacy_sender: str | None,
    **opts: Any,
) -> None:
    """Check an alliance's books from events and storage; list (and --finish) pending indicators.

    The audit only reads (any endpoint, no account). ``--finish`` sends the
    finalisations from the key given, or an account unlocked on a dev node.
    """
    from sharing.simulation.faults import check_books, finish_interrupted

    if advance_clock and not finish:
        raise InputError("--advance-clock only goes with --finish")
    system, sender = _system(opts, address, legacy_sender, finish)
    as_json = opts["as_json"]
    check = check_books(system)
    finalised: list[bytes] = []
    if finish and check.ok and check.pending:
        if sender is None:
            raise InputError(
                "--finish needs a sender: --keystore FILE, --account NAME or "
                "$SHARING_PRIVATE_KEY (or --from ADDRESS unlocked on a development node)"
            )
        finalised = finish_interrupted(
            system,
            sender=sender,
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
