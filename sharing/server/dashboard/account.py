"""One signed-in address's standing: what "My account" shows, read from the contract's views.

The figures are the ones ``sharing member status`` reports (tier,
reputation, claimable, owed, access), read the same way: from
``AisAlliance``'s public views at the latest block. For a panellist, the
indicators awaiting its vote follow ``AisAlliance.vote``'s eligibility
rule, read from the chain per indicator (the seat bitmap and appointment
mark fixed at the reveal, ``has_voted``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sharing.chain.ais import AisSystem, Status
from sharing.server.dashboard.snapshot import (
    Commitment,
    IndicatorView,
    Seat,
    Snapshot,
)


@dataclass(frozen=True)
class Access:
    """The pool access rule applied to one address now (``AisAlliance.has_access``).

    ``until_epoch`` is the last epoch with access (inclusive) from the
    later of a verified indicator and a governance grant; ``None`` when the
    pool is open to every member or the address never had access.
    """

    has_access: bool
    pool_open: bool
    until_epoch: int | None
    until_time: int | None
    source: str


@dataclass(frozen=True)
class AccountView:
    """Everything "My account" shows for one address."""

    address: str
    is_member: bool
    tier: int | None
    reputation: int
    claimable: int
    owed: int
    access: Access
    seat: Seat | None
    indicators: tuple[IndicatorView, ...]
    commitments: tuple[Commitment, ...]
    awaiting_vote: tuple[IndicatorView, ...]
    voted: tuple[IndicatorView, ...]


def access_of(system: AisSystem, snap: Snapshot, address: str) -> Access:
    """When ``address``'s pool access ends, from the two sources the contract checks."""
    call = system.call
    has = bool(call("has_access", address))
    granted_plus_one = int(call("access_granted_until_plus_one", address))
    verified_plus_one = int(call("last_verified_epoch_plus_one", address))
    candidates: list[tuple[int, str]] = []
    if granted_plus_one:
        candidates.append((granted_plus_one - 1, "granted by governance"))
    if verified_plus_one and snap.access_epochs:
        candidates.append(
            (verified_plus_one - 1 + snap.access_epochs - 1, "earned by a verified indicator")
        )
    if snap.pool_open:
        return Access(has, True, None, None, "the pool is open to every member")
    if not candidates:
        return Access(has, False, None, None, "no verified indicator and no grant yet")
    until, source = max(candidates)
    end = snap.genesis_time + (until + 1) * snap.epoch_length
    return Access(has, False, until, end, source)


def awaiting_vote(system: AisSystem, snap: Snapshot, seat: Seat) -> list[IndicatorView]:
    """Pending indicators this seat's holder may still vote on (now or once voting opens).

    ``AisAlliance.vote``'s rule: the seat is among those fixed at the
    reveal, held by an appointment no later than the reveal's mark, the
    submitter is neither the panellist nor its firm, the window has not
    closed, and the seat has not voted.
    """
    found = []
    for ind in snap.indicators:
        if ind.status != Status.PENDING or snap.timestamp >= ind.vote_closes:
            continue
        if not (ind.eligible_seats >> seat.index) & 1 or seat.appointment > ind.appointment_mark:
            continue
        if ind.submitter in (seat.holder, seat.affiliation):
            continue
        if system.call("has_voted", ind.content_hash, seat.holder):
            continue
        found.append(ind)
    return found


def read_account(system: AisSystem, snap: Snapshot, address: str) -> AccountView:
    """The account page's figures for ``address`` (an EIP-55 address)."""
    call = system.call
    member = bool(call("is_member", address))
    seat = snap.seat_of(address)
    waiting = awaiting_vote(system, snap, seat) if seat else []
    voted = [
        i for i in snap.indicators if any(v.panellist == address for v in i.votes)
    ]
    return AccountView(
        address=address,
        is_member=member,
        tier=int(call("tier_of", address)) if member else None,
        reputation=int(call("reputation", address)),
        claimable=int(call("claimable", address)),
        owed=int(call("owed", address)),
        access=access_of(system, snap, address),
        seat=seat,
        indicators=tuple(i for i in snap.indicators if i.submitter == address),
        commitments=tuple(c for c in snap.commitments if c.firm == address),
        awaiting_vote=tuple(waiting),
        voted=tuple(voted),
    )
