"""CLI: ``sharing member status [ADDRESS]`` and ``sharing claim`` - a member firm's own view.

``member status`` reads what the chain holds about a firm (tier, reputation,
claimable and owed wei, pool access and until when, panel seat); it sends
nothing. ``claim`` pulls the sender's claimable rewards, refused before
sending when there is nothing to claim.
"""

from __future__ import annotations

from typing import Any

import click

from sharing.cli._common import emit
from sharing.cli._roles import parse_address, render_fields, role_options, session_from, tx_hash


@click.group()
def member() -> None:
    """A member firm's standing in the alliance."""


@member.command("status")
@click.argument("address", required=False)
@role_options
def status(address: str | None, **opts: Any) -> None:
    """Tier, reputation, claimable, owed and pool access of ADDRESS (default: the sender)."""
    from sharing.quote import TIERS

    session = session_from(opts)
    who = parse_address(address, "ADDRESS") if address else session.require_sender("status")
    result = session.system.member_status(who)
    result["tier_name"] = None if result["tier"] is None else TIERS[result["tier"]]
    result["alliance"] = session.system.address
    emit(result, opts["as_json"], render_fields(f"member {who}"))


@click.command()
@role_options
def claim(**opts: Any) -> None:
    """Pull the sender's claimable rewards to its account."""
    from sharing.chain.ais import WouldRevert
    from sharing.errors import Revert

    session = session_from(opts)
    sender = session.require_sender("claim")
    amount = int(session.system.call("claimable", sender))
    if amount == 0:
        owed = int(session.system.call("owed", sender))
        more = f" ({owed} wei owed, paid once the pool is funded)" if owed else ""
        raise WouldRevert(Revert.NOTHING_TO_CLAIM, "claim", f"{sender} has nothing to claim{more}")
    receipt = session.send("claim")
    result = {"firm": sender, "claimed_wei": amount, "transaction": tx_hash(receipt),
              "block": int(receipt["blockNumber"])}
    emit(result, opts["as_json"], render_fields("claimed"))


COMMANDS: list[click.Command] = [member, claim]
