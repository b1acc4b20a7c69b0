"""One signed-in address's standing: what "My account" shows, read from the contract's views.

The standing (tier, reputation, claimable, owed, access) is
``AisSystem.member_status``, what ``sharing member status`` reports. For a panellist, the
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

    ``until_epoch`` is the last epoch with access (inclusive), from the later
    of a verified indicator and a governance grant, as
    ``AisSystem.member_status`` (``sharing member status``) reports it;
    ``None`` when neither gives access now.
    """

    has_access: bool
    pool_open: bool
    until_epoch: int | None
    until_time: int | None

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
    """The account page's figures for ``address`` (an EIP-55 address).

    The standing is ``AisSystem.member_status``, the very dict ``sharing
    member status`` prints, so the page and the command cannot disagree.
    """
    status = system.member_status(address)
    seat = snap.seat_of(address)
    waiting = awaiting_vote(system, snap, seat) if seat else []
    voted = [i for i in snap.indicators if any(v.panellist == address for v in i.votes)]
    return AccountView(
        address=status["address"],
        is_member=bool(status["member"]),
        tier=status["tier"],
        reputation=int(status["reputation"]),
        claimable=int(status["claimable_wei"]),
        owed=int(status["owed_wei"]),
        access=Access(
            bool(status["pool_access"]), bool(status["pool_open"]),
            status["access_until_epoch"], status["access_until_time"],
        ),
        seat=seat,
        indicators=tuple(i for i in snap.indicators if i.submitter == address),
        commitments=tuple(c for c in snap.commitments if c.firm == address),
        awaiting_vote=tuple(waiting),
        voted=tuple(voted),
    )
