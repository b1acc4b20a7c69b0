"""vote_refusals: the one eligibility rule of the panel CLI and the dashboard, against the contract.

The rule stated here: a seat may vote on a pending indicator of another firm,
inside its window, when the reveal counted the seat and its holder was
appointed no later than the reveal, and only once. On chain, whatever the
scenario, an empty list means ``vote`` succeeds and otherwise the contract
reverts with the first reason.
"""

from __future__ import annotations

import pytest

from sharing.chain.ais import AisSystem, Status, vote_refusals
from sharing.errors import Revert, RevertError

H = b"\x51" * 32

FINE = dict(seat=2, status=Status.PENDING, own_firm=False, now=100, vote_opens=50,
            vote_closes=200, eligible_seats=0b111, appointment_mark=5, appointment=3,
            voted=False)


def test_pure__eligible_seat_inside_window__no_refusal():
    assert vote_refusals(**FINE) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"seat": None}, Revert.CALLER_IS_NOT_A_PANELLIST),
        ({"status": Status.VERIFIED}, Revert.INDICATOR_NOT_PENDING),
        ({"own_firm": True}, Revert.PANELLIST_VOTES_ON_OWN_FIRM),
        ({"now": 49}, Revert.VOTING_NOT_OPEN),
        ({"eligible_seats": 0b011}, Revert.SEAT_NOT_ELIGIBLE),
        ({"appointment": 6}, Revert.SEAT_NOT_ELIGIBLE),
        ({"now": 200}, Revert.VOTING_CLOSED),
        ({"voted": True}, Revert.SEAT_ALREADY_VOTED),
    ],
)
def test_pure__each_condition_alone__its_own_reason(change, reason):
    assert [r for r, _ in vote_refusals(**{**FINE, **change})] == [reason]


def test_pure__window_boundaries():
    assert vote_refusals(**{**FINE, "now": 50}) == []  # opens at vote_opens
    assert vote_refusals(**{**FINE, "now": 199}) == []  # closes at vote_closes


def test_pure__several_reasons__all_listed_first_is_the_contracts():
    found = vote_refusals(**{**FINE, "own_firm": True, "now": 10, "voted": True})
    assert [r for r, _ in found] == [
        Revert.PANELLIST_VOTES_ON_OWN_FIRM, Revert.VOTING_NOT_OPEN, Revert.SEAT_ALREADY_VOTED,
    ]


def _agrees(system: AisSystem, panellist: str, content_hash: bytes) -> str | None:
    """Refusals predicted, then the vote tried: the outcome must match the first reason."""
    predicted = system.vote_refusals(panellist, content_hash)
    try:
        system.vote(panellist, content_hash, True, 70, 1)
    except RevertError as e:
        assert predicted and e.reason == predicted[0][0], (predicted, e.reason)
        return e.reason
    assert predicted == [], predicted
    return None


def test_chain__prediction_matches_the_contract_through_an_indicators_life(system, actors, life):
    affiliated, late = actors.spare[0], actors.spare[1]
    system.appoint_panellist(affiliated, actors.firm_core)
    life.submit(actors.firm_core, H)
    system.appoint_panellist(late, None)  # after the reveal: not counted for H
    seen = [
        _agrees(system, actors.attacker, H),  # no seat
        _agrees(system, actors.panellist_a, H),  # window not open yet
    ]
    life.open_voting()
    seen += [
        _agrees(system, affiliated, H),  # its own firm's indicator
        _agrees(system, late, H),  # appointed after the reveal
        _agrees(system, actors.panellist_a, H),  # accepted
        _agrees(system, actors.panellist_a, H),  # a second time
    ]
    life.close_voting()
    seen.append(_agrees(system, actors.panellist_b, H))  # window closed
    system.finalise(H)
    seen.append(_agrees(system, actors.panellist_c, H))  # no longer pending
    assert seen == [
        Revert.CALLER_IS_NOT_A_PANELLIST, Revert.VOTING_NOT_OPEN,
        Revert.PANELLIST_VOTES_ON_OWN_FIRM, Revert.SEAT_NOT_ELIGIBLE, None,
        Revert.SEAT_ALREADY_VOTED, Revert.VOTING_CLOSED, Revert.INDICATOR_NOT_PENDING,
    ]
