"""Attacks by and on the panel: self-voting, double votes, outsiders, a colluding minority, no quorum.

The adversary is a collusion ring: a rogue member firm, a panellist
affiliated with it, a panellist secretly in its pay, and the firm itself
holding a seat. The contract must keep every one of them from deciding
alone, pay nothing without a quorum of valid votes, and never leave an
indicator stuck.
"""

from __future__ import annotations

from attack_helpers import assert_balanced, books, fill_panel, reverts

from sharing import quote as q
from sharing.chain.ais import AisSystem, Status, new_salt
from sharing.errors import Revert, RevertError

H = b"\x7c" * 32


def test_collusion_ring__every_shortcut_refused_and_junk_rejected(system: AisSystem, actors, rogue, life, everyone):
    affiliated, bribed, outsider = actors.spare[0], actors.panellist_c, actors.spare[1]
    system.appoint_panellist(affiliated, rogue)   # declared: works for the rogue firm
    system.appoint_panellist(rogue)               # the firm itself got a seat, as "independent"
    assert system.call("quorum") == 3             # 5 seats: a strict majority
    life.submit(rogue, H)                          # junk
    life.open_voting()
    before = books(system, everyone)
    tried = {}
    for label, who in (("self vote", rogue), ("affiliated vote", affiliated), ("outsider vote", outsider),
                       ("governance vote", actors.governance)):
        try:
            system.vote(who, H, True, 100, 2)
            tried[label] = "succeeded"
        except RevertError as exc:
            tried[label] = exc.reason
    system.vote(bribed, H, True, 100, 2)
    try:
        system.vote(bribed, H, True, 100, 2)
        tried["second vote"] = "succeeded"
    except RevertError as exc:
        tried["second vote"] = exc.reason
    system.tx("remove_panellist", bribed, sender=actors.governance)  # caught; it tries again
    try:
        system.vote(bribed, H, True, 100, 2)
        tried["removed panellist"] = "succeeded"
    except RevertError as exc:
        tried["removed panellist"] = exc.reason
    assert tried == {
        "self vote": Revert.PANELLIST_VOTES_ON_OWN_FIRM,
        "affiliated vote": Revert.PANELLIST_VOTES_ON_OWN_FIRM,
        "outsider vote": Revert.CALLER_IS_NOT_A_PANELLIST,
        "governance vote": Revert.CALLER_IS_NOT_A_PANELLIST,
        "second vote": Revert.SEAT_ALREADY_VOTED,
        "removed panellist": Revert.CALLER_IS_NOT_A_PANELLIST,
    }
    with reverts(Revert.NOT_DECIDED_YET):  # one valid vote of three needed
        system.finalise(H, sender=rogue)
    assert books(system, everyone) == before
    # The honest panellists reject it; the ring pays with reputation, gains nothing.
    system.vote(actors.panellist_a, H, False, 0, 0)
    system.vote(actors.panellist_b, H, False, 0, 0)
    with reverts(Revert.NOT_DECIDED_YET):  # the bribed vote stands; 2 invalid < quorum 3
        system.finalise(H)
    life.close_voting()
    system.finalise(H)
    st = system.indicator(H)
    assert st.status == Status.EXPIRED and st.reward == 0
    after = books(system, everyone)
    assert after.of(rogue)[:2] == (0, 0) and after.unallocated == before.unallocated
    assert_balanced(system)


def test_colluding_minority_of_full_panel__cannot_pass_junk_nor_block_honest_majority(
        system: AisSystem, actors, rogue, life, everyone):
    seats = fill_panel(system, actors)
    colluders, honest = seats[:7], seats[7:]       # 7 of 16; quorum 9
    life.submit(rogue, H)
    life.open_voting()
    for p in colluders:
        system.vote(p, H, True, 100, 2)
    with reverts(Revert.NOT_DECIDED_YET):
        system.finalise(H, sender=rogue)
    # Honest panellists that do nothing: the window closes, the junk expires unpaid.
    snap = system.chain.snapshot()
    life.close_voting()
    system.finalise(H)
    assert system.indicator(H).status == Status.EXPIRED
    assert system.call("claimable", rogue) == system.call("owed", rogue) == 0
    system.chain.revert(snap)
    # Honest panellists that vote: rejected, whatever the colluders said.
    before = books(system, everyone)
    for p in honest:
        system.vote(p, H, False, 0, 0)
    system.finalise(H)
    st = system.indicator(H)
    assert (st.status, st.valid_votes, st.invalid_votes, st.reward) == (Status.REJECTED, 7, 9, 0)
    after = books(system, everyone)
    assert after.of(rogue)[2] == before.of(rogue)[2] - system.call("reject_penalty")
    assert (after.balance, after.unallocated, after.total_claimable) == (before.balance, before.unallocated, before.total_claimable)


def test_colluding_minority__biases_severity_only_by_voting_first(system: AisSystem, actors, life):
    """Documented limit (SPEC 2.5: anyone may finalise once quorum is reached).

    The severity is the median of the valid votes cast by finalisation. A
    minority that casts most of the first quorum of valid votes and finalises
    at once sets the median; if the honest majority has voted, it cannot.
    """
    seats = fill_panel(system, actors)
    colluders, honest = seats[:7], seats[7:]
    firm = actors.firm_small
    life.submit(firm, H)
    life.open_voting()
    snap = system.chain.snapshot()
    for p in colluders:
        system.vote(p, H, True, 100, 2)
    for p in honest[:2]:
        system.vote(p, H, True, 40, 0)
    system.finalise(H)
    assert system.indicator(H).severity_x10 == 100  # the race won
    system.chain.revert(snap)
    for p in honest:
        system.vote(p, H, True, 40, 0)
    for p in colluders:
        system.vote(p, H, True, 100, 2)
    system.finalise(H)
    st = system.indicator(H)
    assert (st.severity_x10, st.scope) == (40, 0)  # honest majority of the valid votes: honest median
    assert st.reward == q.quote(2, 0, 40, 0)


def test_panel_never_reaches_quorum__expires_unpaid_and_can_come_back(system: AisSystem, actors, life, everyone):
    """Governance removes most of the panel after the reveal: the indicator is not stuck."""
    firm = actors.firm_core
    life.submit(firm, H)
    system.tx("remove_panellist", actors.panellist_a, sender=actors.governance)
    system.tx("remove_panellist", actors.panellist_b, sender=actors.governance)
    assert system.call("quorum") == 1               # the panel's quorum follows its size...
    assert system.indicator(H).quorum == 2          # ...a pending ballot keeps the one it was revealed with
    life.open_voting()
    system.vote(actors.panellist_c, H, True, 90, 2)
    with reverts(Revert.NOT_DECIDED_YET):           # governance cannot shrink a pending quorum
        system.finalise(H)
    before = books(system, everyone)
    life.close_voting()
    r = system.finalise(H, sender=actors.attacker)  # anyone may close it out
    assert system.indicator(H).status == Status.EXPIRED
    assert [n for n, _ in system.alliance.all_events(r)] == ["IndicatorFinalised"]
    assert books(system, everyone).accounts == before.accounts
    # Its submitter brings it back to the smaller panel; it is decided and paid once.
    salt = new_salt()
    system.commit(firm, H, salt)
    system.chain.mine()
    system.reveal(firm, H, salt, 0, 0)
    life.open_voting()
    system.vote(actors.panellist_c, H, True, 90, 2)
    system.finalise(H)
    assert system.indicator(H).status == Status.VERIFIED
    assert system.call("claimable", firm) == before.of(firm)[0] + system.indicator(H).reward
    assert_balanced(system)


def test_reseated_panellist__cannot_vote_twice(system: AisSystem, actors, life):
    """Re-seating (remove, fill the seat, re-appoint) used to give a second vote; the
    panel of an indicator is now fixed when its voting opens."""
    life.submit(actors.firm_core, H)
    life.open_voting()
    system.vote(actors.panellist_a, H, False, 0, 0)
    gov = actors.governance
    system.tx("remove_panellist", actors.panellist_a, sender=gov)
    system.appoint_panellist(actors.spare[0])         # takes the freed seat 0
    system.appoint_panellist(actors.panellist_a)      # a new seat
    with reverts(Revert.APPOINTED_AFTER_VOTING_OPENED):
        system.vote(actors.panellist_a, H, False, 0, 0)
    with reverts(Revert.APPOINTED_AFTER_VOTING_OPENED):  # nor can governance stack the vote
        system.vote(actors.spare[0], H, True, 50, 0)
    assert system.indicator(H).invalid_votes == 1
    # the panellists appointed later vote on indicators whose voting opens later
    life.submit(actors.firm_core, b"\x77" * 32)
    life.open_voting()
    system.vote(actors.panellist_a, b"\x77" * 32, True, 50, 0)
    system.vote(actors.spare[0], b"\x77" * 32, True, 50, 0)
    assert system.indicator(b"\x77" * 32).valid_votes == 2
