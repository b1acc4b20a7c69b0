"""CLI: ``sharing fund --ether X`` - add ether to the alliance's reward pool (anyone may).

The amount is converted to wei exactly (a decimal string, never a float);
zero, a negative amount, more decimals than wei, or more than the sender
holds are refused before anything is sent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import click

from sharing.cli._common import emit
from sharing.cli._roles import (
    governance_default,
    render_fields,
    role_options,
    session_from,
    tx_hash,
)
from sharing.errors import ChainError, InputError

WEI_PER_ETHER = 10**18


def ether_to_wei(value: str) -> int:
    """``"1.5"`` -> 1_500_000_000_000_000_000, exactly; a one-line error otherwise."""
    try:
        amount = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        raise InputError(f"--ether {value!r} is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise InputError(f"--ether must be a positive amount, got {value!r}")
    wei = amount * WEI_PER_ETHER
    if wei != wei.to_integral_value():
        raise InputError(f"--ether {value!r} has more than 18 decimals (finer than a wei)")
    return int(wei)


@click.command()
@click.option("--ether", "ether", required=True, help="Amount in ether (a decimal, e.g. 2.5).")
@role_options
def fund(ether: str, **opts: Any) -> None:
    """Add ether to the reward pool (queued debts are settled first)."""
    wei = ether_to_wei(ether)
    session = session_from(opts, default_sender=governance_default)
    sender = session.require_sender("fund")
    balance = int(session.chain.w3.eth.get_balance(sender))  # type: ignore[arg-type]
    if balance < wei:
        raise ChainError(
            f"{sender} holds {Decimal(balance) / WEI_PER_ETHER} ether, less than the "
            f"{ether} to fund; nothing sent"
        )
    receipt = session.send("fund", value=wei)
    system = session.system
    result = {"funder": sender, "amount_wei": wei, "alliance": system.address,
              "unallocated_wei": int(system.call("unallocated")),
              "transaction": tx_hash(receipt), "block": int(receipt["blockNumber"])}
    emit(result, opts["as_json"], render_fields("funded"))


COMMANDS: list[click.Command] = [fund]
