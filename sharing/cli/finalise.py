"""CLI: ``sharing finalise HASH | --all-decidable`` - decide indicators whose vote is over.

Anyone may finalise; the reward does not depend on who does or when.
``HASH`` is refused before sending unless the contract's ``can_finalise``
says yes (the message names why not: not pending, not decided yet, the
panel still voting); ``--all-decidable`` scans the reveals since the
deployment and finalises every pending one that can be.
"""

from __future__ import annotations

from typing import Any

import click

from sharing.cli._common import emit
from sharing.cli._roles import (
    Session,
    governance_default,
    parse_hash,
    render_fields,
    role_options,
    session_from,
    tx_hash,
)
from sharing.errors import InputError


def _finalise_one(session: Session, content_hash: bytes) -> dict[str, Any]:
    receipt = session.send("finalise", content_hash)
    after = session.system.indicator(content_hash)
    return {"content_hash": "0x" + content_hash.hex(), "status": after.status.name.lower(),
            "reward_wei": after.reward, "submitter": after.submitter,
            "transaction": tx_hash(receipt)}


@click.command()
@click.argument("content_hash", required=False, metavar="HASH")
@click.option("--all-decidable", is_flag=True, help="Finalise every indicator that can be.")
@role_options
def finalise(content_hash: str | None, all_decidable: bool, **opts: Any) -> None:
    """Decide a pending indicator (or all that can be) once its panel has spoken."""
    from sharing.chain.ais import Status, WouldRevert
    from sharing.errors import Revert

    if (content_hash is None) == (not all_decidable):
        raise InputError("give exactly one of HASH and --all-decidable")
    target = parse_hash(content_hash) if content_hash is not None else None
    session = session_from(opts, default_sender=governance_default)
    session.require_sender("finalise")
    system = session.system
    if system.paused():
        raise WouldRevert(Revert.PAUSED, "finalise", f"the alliance at {system.address} is paused")
    if target is not None:
        if system.indicator(target).status != Status.PENDING:
            raise WouldRevert(Revert.INDICATOR_NOT_PENDING, "finalise",
                              f"0x{target.hex()} is not pending")
        if not bool(system.call("can_finalise", target)):
            system.simulate("finalise", target, sender=session.require_sender("finalise"))
        done = [_finalise_one(session, target)]
    else:
        decidable = [h for h in system.revealed_hashes()
                     if system.indicator(h).status == Status.PENDING
                     and bool(system.call("can_finalise", h))]
        done = [_finalise_one(session, h) for h in decidable]
    result = {"finalised": done, "count": len(done), "alliance": system.address}

    def render(r: dict[str, Any]) -> None:
        if not r["finalised"]:
            click.echo("nothing to finalise")
        for row in r["finalised"]:
            render_fields(f"finalised {row['content_hash']}")(row)

    emit(result, opts["as_json"], render)


COMMANDS: list[click.Command] = [finalise]
