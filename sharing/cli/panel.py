"""CLI: ``sharing panel pending`` and ``sharing panel vote`` - a panellist's work.

``pending`` lists the indicators still open to a vote and, for each, whether
the panellist's seat may vote on it (the seat is among those fixed at the
reveal, it was appointed before the reveal, the indicator is not its own
firm's), whether it has voted, and when the window closes. ``vote`` casts
the seat's vote, refused before sending for every reason the contract
would refuse it.
"""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, emit
from sharing.cli._roles import (
    Session,
    parse_address,
    parse_hash,
    render_fields,
    role_options,
    session_from,
    tx_hash,
)
from sharing.errors import InputError, Revert


def _eligibility(
    session: Session, panellist: str, seat: int | None, content_hash: bytes
) -> dict[str, Any]:
    """One pending indicator as ``panellist`` (holding ``seat``) sees it: may it vote, why not."""
    system = session.system
    state = system.indicator(content_hash)
    refusals = system.vote_refusals(panellist, content_hash, seat=seat)
    voted = any(r == Revert.SEAT_ALREADY_VOTED for r, _ in refusals)
    why = refusals[0][1] if refusals else None
    first = refusals[0][0] if refusals else None
    return {
        "content_hash": "0x" + content_hash.hex(),
        "submitter": state.submitter,
        "category": state.category,
        "votes_valid": state.valid_votes,
        "votes_invalid": state.invalid_votes,
        "quorum": state.quorum,
        "vote_opens": state.vote_opens,
        "vote_closes": state.vote_closes,
        "has_voted": voted,
        "can_vote": why is None,
        "why_not": why,
        "revert": first,
    }


@click.group()
def panel() -> None:
    """Vote on revealed indicators as a panellist."""


@panel.command("pending")
@click.argument("address", required=False)
@role_options
def pending(address: str | None, **opts: Any) -> None:
    """Indicators awaiting a vote, and whether ADDRESS's seat (default: the sender's) may vote."""
    from sharing.chain.ais import Status

    session = session_from(opts)
    who = parse_address(address, "ADDRESS") if address else session.require_sender("pending")
    system = session.system
    seat = system.seat_of(who)
    rows = [_eligibility(session, who, seat, h) for h in system.revealed_hashes()
            if system.indicator(h).status == Status.PENDING]
    result = {"panellist": who, "seat": seat, "pending": rows,
              "awaiting_my_vote": sum(1 for r in rows if r["can_vote"])}

    def render(r: dict[str, Any]) -> None:
        table = Table(title=f"Pending indicators for {r['panellist']} (seat {r['seat']})")
        for col in ("content hash", "submitter", "votes +/-", "quorum", "opens", "closes",
                    "my vote"):
            table.add_column(col)
        for row in r["pending"]:
            mine = "awaited" if row["can_vote"] else row["why_not"]
            table.add_row(row["content_hash"], row["submitter"],
                          f"{row['votes_valid']}/{row['votes_invalid']}", str(row["quorum"]),
                          str(row["vote_opens"]), str(row["vote_closes"]), mine)
        console.print(table)

    emit(result, opts["as_json"], render)


@panel.command("vote")
@click.argument("content_hash", metavar="HASH")
@click.option("--valid", "valid", flag_value=True, default=None,
              help="The indicator is genuine and its declared terms match its content.")
@click.option("--invalid", "valid", flag_value=False, help="It is not (junk, wrong terms).")
@click.option("--cvss", "vector", default=None, help="CVSS v3.1/v4.0 vector (with --valid).")
@click.option("--scope", default=None, help="single | sector | cross-sector (with --valid).")
@role_options
def vote(content_hash: str, valid: bool | None, vector: str | None, scope: str | None,
         **opts: Any) -> None:
    """Cast the sender's seat's vote on HASH."""
    from sharing.chain.ais import WouldRevert
    from sharing.standards.cvss import parse_cvss
    from sharing.standards.stix import scope_code

    digest = parse_hash(content_hash)
    if valid is None:
        raise InputError("give --valid (with --cvss and --scope) or --invalid")
    score_x10, scope_value = 0, 0
    if valid:
        if vector is None or scope is None:
            raise InputError("--valid needs --cvss VECTOR and --scope S")
        score_x10 = parse_cvss(vector).score_x10
        scope_value = int(scope_code(int(scope) if scope.isdigit() else scope))
    elif vector is not None or scope is not None:
        raise InputError("--invalid takes no --cvss or --scope")
    session = session_from(opts)
    sender = session.require_sender("vote")
    system = session.system
    if system.paused():
        raise WouldRevert(Revert.PAUSED, "vote", f"the alliance at {system.address} is paused")
    seat = system.seat_of(sender)
    if seat is None:
        raise WouldRevert(Revert.CALLER_IS_NOT_A_PANELLIST, "vote", f"{sender} holds no seat")
    seen = _eligibility(session, sender, seat, digest)
    if not seen["can_vote"]:
        raise WouldRevert(str(seen["revert"]), "vote", f"{sender} cannot vote on "
                          f"0x{digest.hex()}: {seen['why_not']}")
    receipt = session.send("vote", digest, valid, score_x10, scope_value)
    after = system.indicator(digest)
    result = {"content_hash": "0x" + digest.hex(), "panellist": sender, "valid": valid,
              "score_x10": score_x10, "scope": scope_value,
              "votes_valid": after.valid_votes, "votes_invalid": after.invalid_votes,
              "decidable": bool(system.call("can_finalise", digest)),
              "transaction": tx_hash(receipt), "block": int(receipt["blockNumber"])}
    emit(result, opts["as_json"], render_fields("vote cast"))


COMMANDS: list[click.Command] = [panel]
