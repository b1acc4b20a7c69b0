"""vote() and finalise(): quorum, medians, reputation, access, price index, refused roles."""


import pytest
from chain_asserts import reverts

from sharing import quote as q
from sharing.chain.ais import AisSystem, Status
from sharing.errors import Revert

H = b"\x42" * 32


@pytest.fixture
def pending(system: AisSystem, actors, life) -> bytes:
    life.submit(actors.firm_core, H, category=3, claimed_class=0)
    life.open_voting()
    return H


def test_vote__records_seat_and_logs(system: AisSystem, actors, pending):
    r = system.vote(actors.panellist_b, pending, True, 98, 2)
    assert system.call("has_voted", pending, actors.panellist_b)
    assert not system.call("has_voted", pending, actors.panellist_a)
    st = system.indicator(pending)
    assert (st.valid_votes, st.invalid_votes) == (1, 0)
    assert system.alliance.events(r, "VoteCast") == [
        {"content_hash": pending, "panellist": actors.panellist_b, "seat": 1, "valid": True,
         "score_x10": 98, "scope": 2}
    ]


def test_vote__invalid_ignores_score(system: AisSystem, actors, pending):
    r = system.vote(actors.panellist_a, pending, False, 255, 9)
    assert system.indicator(pending).invalid_votes == 1
    (ev,) = system.alliance.events(r, "VoteCast")
    assert (ev["valid"], ev["score_x10"], ev["scope"]) == (False, 0, 0)


@pytest.mark.parametrize("who", ["attacker", "firm_core", "governance"])
def test_vote__not_panellist__reverts(system: AisSystem, actors, pending, who):
    with reverts(Revert.CALLER_IS_NOT_A_PANELLIST):
        system.vote(getattr(actors, who), pending, True, 50, 0)


def test_vote__removed_panellist__reverts(system: AisSystem, actors, pending):
    system.tx("remove_panellist", actors.panellist_c, sender=actors.governance)
    with reverts(Revert.CALLER_IS_NOT_A_PANELLIST):
        system.vote(actors.panellist_c, pending, True, 50, 0)


def test_vote__own_firm__reverts(system: AisSystem, actors, life):
    system.appoint_panellist(actors.spare[0], actors.firm_small)
    life.submit(actors.firm_small, H)
    life.open_voting()
    with reverts(Revert.PANELLIST_VOTES_ON_OWN_FIRM):
        system.vote(actors.spare[0], H, True, 50, 0)


def test_vote__submitter_as_panellist__reverts(system: AisSystem, actors, life):
    system.appoint_panellist(actors.firm_small)
    life.submit(actors.firm_small, H)
    life.open_voting()
    with reverts(Revert.PANELLIST_VOTES_ON_OWN_FIRM):
        system.vote(actors.firm_small, H, True, 50, 0)


def test_vote__twice__reverts(system: AisSystem, actors, pending):
    system.vote(actors.panellist_a, pending, True, 50, 0)
    with reverts(Revert.SEAT_ALREADY_VOTED):
        system.vote(actors.panellist_a, pending, False, 0, 0)


def test_vote__out_of_range__reverts(system: AisSystem, actors, pending):
    with reverts(Revert.SCORE_OUT_OF_RANGE):
        system.vote(actors.panellist_a, pending, True, 101, 0)
    with reverts(Revert.UNKNOWN_SCOPE):
        system.vote(actors.panellist_a, pending, True, 50, 3)


def test_vote__outside_window__reverts(system: AisSystem, actors, life):
    life.submit(actors.firm_core, H)
    with reverts(Revert.VOTING_NOT_OPEN):
        system.vote(actors.panellist_a, H, True, 50, 0)
    life.open_voting()
    life.close_voting()
    with reverts(Revert.VOTING_CLOSED):
        system.vote(actors.panellist_a, H, True, 50, 0)


def test_vote__unknown_or_decided__reverts(system: AisSystem, actors, pending):
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.vote(actors.panellist_a, b"\x01" * 32, True, 50, 0)
    system.vote(actors.panellist_a, pending, True, 50, 0)
    system.vote(actors.panellist_b, pending, True, 50, 0)
    system.chain.advance_time(3_600)  # window closed: decided without the third seat
    system.finalise(pending)
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.vote(actors.panellist_c, pending, True, 50, 0)


def test_finalise__verified_pays_quote_and_updates_everything(system: AisSystem, actors, pending):
    price_before = system.price_index(3)
    system.vote(actors.panellist_a, pending, True, 98, 2)
    system.vote(actors.panellist_b, pending, True, 72, 1)
    system.vote(actors.panellist_c, pending, True, 80, 0)
    r = system.finalise(pending, sender=actors.attacker)  # anyone may finalise
    st = system.indicator(pending)
    severity, scope = q.median([98, 72, 80]), q.median([2, 1, 0])
    expected = q.quote(1, 0, severity, scope, price_before)
    assert (st.status, st.severity_x10, st.scope, st.reward) == (Status.VERIFIED, severity, scope, expected)
    assert system.call("claimable", actors.firm_core) == expected
    assert system.call("reputation", actors.firm_core) == severity * (scope + 1)
    assert system.has_access(actors.firm_core)
    assert system.price_index(3) == q.decayed_price(price_before, q.DEFAULT_PRICE_RULE)
    names = [n for n, _ in system.alliance.all_events(r)]
    assert names == ["IndicatorFinalised", "PriceIndexUpdated", "ReputationChanged", "RewardCredited"]
    assert system.alliance.events(r, "RewardCredited") == [
        {"firm": actors.firm_core, "content_hash": pending, "amount": expected}
    ]


def test_finalise__median_resists_one_outlier(system: AisSystem, actors, pending):
    system.set_quorum(3)
    for p, score in ((actors.panellist_a, 40), (actors.panellist_b, 45), (actors.panellist_c, 100)):
        system.vote(p, pending, True, score, 0)
    system.finalise(pending)
    assert system.indicator(pending).severity_x10 == 45


def test_finalise__rejected_lowers_reputation_pays_nothing(system: AisSystem, actors, pending):
    system.vote(actors.panellist_a, pending, False, 0, 0)
    system.vote(actors.panellist_b, pending, False, 0, 0)
    system.vote(actors.panellist_c, pending, False, 0, 0)
    r = system.finalise(pending)
    st = system.indicator(pending)
    assert st.status == Status.REJECTED and st.reward == 0
    assert system.call("reputation", actors.firm_core) == -50
    assert system.call("claimable", actors.firm_core) == 0
    assert not system.has_access(actors.firm_core)
    assert system.alliance.events(r, "ReputationChanged") == [
        {"firm": actors.firm_core, "delta": -50, "reputation": -50}
    ]


def test_finalise__colluding_minority_cannot_pass_junk(system: AisSystem, actors, pending):
    system.vote(actors.panellist_c, pending, True, 100, 2)  # the colluder
    with reverts(Revert.NOT_DECIDED_YET):
        system.finalise(pending)
    system.vote(actors.panellist_a, pending, False, 0, 0)
    system.vote(actors.panellist_b, pending, False, 0, 0)
    system.finalise(pending)
    assert system.indicator(pending).status == Status.REJECTED


def test_finalise__no_quorum_expires_after_window(system: AisSystem, actors, pending):
    system.vote(actors.panellist_a, pending, True, 80, 1)
    system.vote(actors.panellist_b, pending, False, 0, 0)
    with reverts(Revert.NOT_DECIDED_YET):
        system.finalise(pending)
    system.chain.advance_time(3_600)
    r = system.finalise(pending)
    st = system.indicator(pending)
    assert st.status == Status.EXPIRED and st.reward == 0
    assert system.call("claimable", actors.firm_core) == 0
    assert system.call("reputation", actors.firm_core) == 0
    (ev,) = system.alliance.events(r, "IndicatorFinalised")
    assert ev["status"] == Status.EXPIRED


def test_finalise__quorum_waits_for_the_rest_of_the_panel(system: AisSystem, actors, pending):
    system.vote(actors.panellist_a, pending, True, 100, 2)
    system.vote(actors.panellist_b, pending, True, 100, 2)
    assert not system.call("can_finalise", pending)
    with reverts(Revert.PANEL_STILL_VOTING):
        system.finalise(pending)
    assert system.indicator(pending).status == Status.PENDING
    system.vote(actors.panellist_c, pending, True, 40, 0)
    assert system.call("can_finalise", pending)
    system.finalise(pending)
    st = system.indicator(pending)
    assert (st.status, st.severity_x10, st.scope) == (Status.VERIFIED, 100, 2)
    assert not system.call("can_finalise", pending)


def test_finalise__quorum_without_full_turnout_decides_when_window_closes(system: AisSystem, actors, pending):
    system.vote(actors.panellist_a, pending, True, 90, 2)
    system.vote(actors.panellist_b, pending, True, 70, 0)
    closes = system.indicator(pending).vote_closes
    system.chain.advance_time(closes - 2 - system.chain.timestamp())  # next block: the window's last second
    with reverts(Revert.PANEL_STILL_VOTING):
        system.finalise(pending)
    system.chain.advance_time(1)
    assert system.call("can_finalise", pending)
    system.finalise(pending)
    st = system.indicator(pending)
    assert (st.status, st.severity_x10, st.scope) == (Status.VERIFIED, q.median([90, 70]), q.median([2, 0]))


def test_finalise__full_turnout_of_eligible_seats_decides_early(system: AisSystem, actors, life):
    affiliated, late = actors.spare[0], actors.spare[1]
    life.submit(actors.firm_core, H)
    system.appoint_panellist(affiliated, actors.firm_core)  # panel 4, quorum 3 for later ballots
    life.open_voting()
    system.appoint_panellist(late)
    for p in (actors.panellist_a, actors.panellist_b):
        system.vote(p, H, True, 60, 1)
    with reverts(Revert.PANEL_STILL_VOTING):  # panellist_c may still vote
        system.finalise(H)
    system.vote(actors.panellist_c, H, True, 60, 1)
    # The affiliated seat and the late appointee may not vote: nobody left to wait for.
    system.finalise(H)
    assert system.indicator(H).status == Status.VERIFIED


def test_finalise__removed_panellist_seat_does_not_hold_it_up(system: AisSystem, actors, pending):
    system.tx("remove_panellist", actors.panellist_c, sender=actors.governance)
    system.vote(actors.panellist_a, pending, True, 60, 1)
    system.vote(actors.panellist_b, pending, True, 60, 1)
    system.finalise(pending)
    assert system.indicator(pending).status == Status.VERIFIED


def test_can_finalise__unknown_and_undecided(system: AisSystem, actors, pending):
    assert not system.call("can_finalise", b"\x07" * 32)
    assert not system.call("can_finalise", pending)
    system.vote(actors.panellist_a, pending, True, 60, 1)
    system.vote(actors.panellist_b, pending, False, 0, 0)
    system.vote(actors.panellist_c, pending, False, 0, 0)
    assert system.call("can_finalise", pending)  # rejected at full turnout


def test_finalise__twice__reverts(system: AisSystem, actors, pending):
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.vote(p, pending, True, 80, 1)
    system.finalise(pending)
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.finalise(pending)
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.finalise(b"\x07" * 32)


def test_finalise__removed_member_paid_at_lowest_tier(system: AisSystem, actors, life):
    life.submit(actors.firm_critical, H)
    system.tx("remove_member", actors.firm_critical, sender=actors.governance)
    life.open_voting()
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.vote(p, H, True, 80, 1)
    system.finalise(H)
    assert system.indicator(H).reward == q.quote(2, 0, 80, 1)
    assert system.call("claimable", actors.firm_critical) == q.quote(2, 0, 80, 1)


def test_price_index__decays_per_report_and_recovers_per_epoch(system: AisSystem, actors, life):
    rule = q.DEFAULT_PRICE_RULE
    p = rule.base_bps
    for i in range(3):
        life.verify(actors.firm_core, bytes([i + 1]) * 32, category=7)
        p = q.decayed_price(p, rule)
        assert system.price_index(7) == p
    assert system.price_index(6) == rule.base_bps
    system.chain.advance_time(2 * 86_400)
    assert system.price_index(7) == q.current_price(p, 1, 2, rule) == p + 2 * rule.recovery_bps


def test_access__lasts_access_epochs_after_contribution(system: AisSystem, actors, life):
    assert not system.has_access(actors.firm_small)
    life.verify(actors.firm_small, H)
    assert system.has_access(actors.firm_small)
    epochs = system.call("access_epochs")
    system.chain.advance_time(86_400 * (epochs - 1))
    assert system.has_access(actors.firm_small)
    system.chain.advance_time(86_400)
    assert not system.has_access(actors.firm_small)
