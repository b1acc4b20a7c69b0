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
    # The ring's own seats are not eligible: the indicator's panel is the 3 independent
    # seats, its quorum 2 of them (the whole panel's 3-of-5 scaled to 3 seats).
    assert system.terms(H).eligible_count == 3 and system.indicator(H).quorum == 2
    with reverts(Revert.NOT_DECIDED_YET):  # one valid vote of the two needed
        system.finalise(H, sender=rogue)
    assert books(system, everyone) == before
    # The honest panellists reject it; the ring pays with reputation, gains nothing.
    system.vote(actors.panellist_a, H, False, 0, 0)
    system.vote(actors.panellist_b, H, False, 0, 0)
    system.finalise(H)  # 2 invalid > 1 valid at quorum, every eligible seat still held voted
    st = system.indicator(H)
    assert st.status == Status.REJECTED and st.reward == 0
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


def test_colluding_minority__cannot_fix_severity_by_voting_first(system: AisSystem, actors, life):
    """Residual R1, closed: the first quorum of votes does not decide while seats may still vote.

    7 colluders of 16 seats (quorum 9) vote 10.0 cross-sector, two honest
    seats vote 4.0 single-organisation: a quorum of valid votes whose median
    the colluders own. Finalising then is refused (`panel still voting`) and
    changes nothing; once the honest majority has voted the median is honest.
    """
    seats = fill_panel(system, actors)
    colluders, honest = seats[:7], seats[7:]
    firm = actors.firm_small
    life.submit(firm, H)
    life.open_voting()
    for p in colluders:
        system.vote(p, H, True, 100, 2)
    for p in honest[:2]:
        system.vote(p, H, True, 40, 0)
    st = system.indicator(H)
    assert st.valid_votes == 9 >= st.quorum
    price = system.price_index(0)
    for who in (colluders[0], firm, actors.attacker):
        with reverts(Revert.PANEL_STILL_VOTING):
            system.finalise(H, sender=who)
    assert not system.call("can_finalise", H)
    assert system.indicator(H).status == Status.PENDING
    assert (system.call("claimable", firm), system.call("owed", firm), system.price_index(0)) == (0, 0, price)
    for p in honest[2:]:
        system.vote(p, H, True, 40, 0)
    system.finalise(H, sender=colluders[0])
    st = system.indicator(H)
    assert (st.severity_x10, st.scope) == (40, 0)  # 9 honest of 16 valid votes: the median is honest
    assert st.reward == q.quote(2, 0, 40, 0)


def test_colluding_minority__silent_honest_seats__median_after_window_is_theirs(system: AisSystem, actors, life):
    """What remains of R1 is turnout: if honest seats stay silent for the whole window, the votes cast decide."""
    seats = fill_panel(system, actors)
    colluders, honest = seats[:7], seats[7:]
    life.submit(actors.firm_small, H)
    life.open_voting()
    for p in colluders:
        system.vote(p, H, True, 100, 2)
    for p in honest[:2]:
        system.vote(p, H, True, 40, 0)
    life.close_voting()
    system.finalise(H)
    assert system.indicator(H).severity_x10 == 100


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
    panel of an indicator is fixed at its reveal."""
    life.submit(actors.firm_core, H)
    life.open_voting()
    system.vote(actors.panellist_a, H, False, 0, 0)
    gov = actors.governance
    system.tx("remove_panellist", actors.panellist_a, sender=gov)
    system.appoint_panellist(actors.spare[0])         # takes the freed seat 0
    system.appoint_panellist(actors.panellist_a)      # a new seat
    with reverts(Revert.SEAT_NOT_ELIGIBLE):
        system.vote(actors.panellist_a, H, False, 0, 0)
    with reverts(Revert.SEAT_NOT_ELIGIBLE):  # nor can governance stack the vote
        system.vote(actors.spare[0], H, True, 50, 0)
    assert system.indicator(H).invalid_votes == 1
    # the panellists appointed later vote on indicators revealed later
    life.submit(actors.firm_core, b"\x77" * 32)
    life.open_voting()
    system.vote(actors.panellist_a, b"\x77" * 32, True, 50, 0)
    system.vote(actors.spare[0], b"\x77" * 32, True, 50, 0)
    assert system.indicator(b"\x77" * 32).valid_votes == 2
