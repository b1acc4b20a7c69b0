"""One signed-in address's standing: what "My account" shows, read from the contract's views.

The standing (tier, reputation, claimable, owed, access) is
``AisSystem.member_status``, what ``sharing member status`` reports. For a panellist, the
indicators awaiting its vote follow ``AisAlliance.vote``'s eligibility
rule (:func:`~sharing.chain.ais.vote_refusals`, shared with ``sharing panel
pending``), read from the snapshot and ``has_voted``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sharing.chain.ais import AisSystem, vote_refusals
from sharing.errors import Revert
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

    :func:`~sharing.chain.ais.vote_refusals` is ``AisAlliance.vote``'s rule,
    the one ``sharing panel pending`` applies: an indicator awaits the seat
    when nothing but an unopened window stands in the way. ``has_voted`` is
    read only for those (one call each).
    """
    found = []
    for ind in snap.indicators:
        refusals = vote_refusals(
            seat=seat.index,
            status=ind.status,
            own_firm=ind.submitter in (seat.holder, seat.affiliation),
            now=snap.timestamp,
            vote_opens=ind.vote_opens,
            vote_closes=ind.vote_closes,
            eligible_seats=ind.eligible_seats,
            appointment_mark=ind.appointment_mark,
            appointment=seat.appointment,
            voted=False,
        )
        if any(reason != Revert.VOTING_NOT_OPEN for reason, _ in refusals):
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
