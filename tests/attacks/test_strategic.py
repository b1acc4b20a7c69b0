"""Strategic members against the mechanism itself: each move that used to pay, now refused or unpaid.

The adversary is a rogue member (``rogue``, small-business tier) that may
also bribe panel seats and time its reveals around governance's panel
changes. Each test names the move, shows the revert reason or the outcome,
and checks that no wei moved that should not have.
"""

from __future__ import annotations

import pytest
from attack_helpers import assert_balanced, books, reverts

from sharing import quote as q
from sharing.chain.ais import AisSystem, Status, new_salt
from sharing.chain.compile import load_artifact
from sharing.chain.contract import deploy
from sharing.errors import Revert

H = b"\x61" * 32
KEY = b"\x6b" * 32


def panel_of_seven(system: AisSystem, actors) -> list[str]:
    """Grow the conftest's panel of 3 to 7 independent seats (quorum 4)."""
    extra = actors.spare[:4]
    for p in extra:
        system.appoint_panellist(p)
    assert system.call("panel_size") == 7 and system.call("quorum") == 4
    return extra


# ------------------------------------------------------- 1. panel growth and bribed seats


def test_panel_grows_after_reveal__new_seats_cannot_vote_bribed_minority_fails(
    system: AisSystem, actors, rogue, life, everyone
):
    """Reveal at a panel of 3, grow it to 7 before voting opens, bribe 2 seats.

    The eligible seats and the quorum were fixed at the reveal (3 seats, quorum
    2): the 4 new seats cannot vote on it, and one bribed seat among the 3 is a
    minority that the 2 honest seats outvote.
    """
    life.submit(rogue, H, semantic_key=KEY)
    assert system.indicator(H).quorum == 2 and system.terms(H).eligible_count == 3
    bribed_new = panel_of_seven(system, actors)[:2]
    life.open_voting()
    before = books(system, everyone)
    for seat in bribed_new:
        with reverts(Revert.SEAT_NOT_ELIGIBLE):
            system.vote(seat, H, True, 100, 2)
    system.vote(actors.panellist_c, H, True, 100, 2)  # the one bribed eligible seat
    system.vote(actors.panellist_a, H, False, 0, 0)
    system.vote(actors.panellist_b, H, False, 0, 0)
    system.finalise(H)
    st = system.indicator(H)
    assert (st.status, st.reward, st.valid_votes, st.invalid_votes) == (Status.REJECTED, 0, 1, 2)
    after = books(system, everyone)
    assert after.of(rogue)[0] == before.of(rogue)[0] == 0 and not system.has_access(rogue)
    assert after.unallocated == before.unallocated
    assert_balanced(system)


def test_panel_grows_after_reveal__silent_majority_leaves_it_expired(
    system: AisSystem, actors, rogue, life
):
    """The 2014-style "bribed minority, silent rest": 2 new seats cannot vote, the
    3 eligible stay silent, and the window closes: EXPIRED, nothing paid."""
    life.submit(rogue, H, semantic_key=KEY)
    bribed_new = panel_of_seven(system, actors)[:2]
    life.open_voting()
    for seat in bribed_new:
        with reverts(Revert.SEAT_NOT_ELIGIBLE):
            system.vote(seat, H, True, 100, 2)
    life.close_voting()
    system.finalise(H)
    assert system.indicator(H).status == Status.EXPIRED
    assert system.call("claimable", rogue) == 0


def test_reveal_after_panel_grows__the_larger_panel_decides(system: AisSystem, actors, rogue, life):
    """Timing the reveal the other way: revealed at 7 seats, quorum 4 of 7; two bribed
    valid votes against five invalid reject it."""
    extra = panel_of_seven(system, actors)
    life.submit(rogue, H, semantic_key=KEY)
    assert system.indicator(H).quorum == 4 and system.terms(H).eligible_count == 7
    life.open_voting()
    system.vote(extra[0], H, True, 100, 2)
    system.vote(extra[1], H, True, 100, 2)
    with reverts(Revert.NOT_DECIDED_YET):
        system.finalise(H)
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c, extra[2], extra[3]):
        system.vote(p, H, False, 0, 0)
    system.finalise(H)
    assert system.indicator(H).status == Status.REJECTED


def test_bootstrap__single_seat_panel_fixed_at_reveal(chain, actors):
    """At bootstrap (no panel) a commit is refused; a reveal on a one-seat panel keeps
    that seat as its whole panel even after governance appoints more."""
    s = AisSystem.deploy(chain, governance=actors.governance)
    s.register_member(actors.attacker, 2)
    with reverts(Revert.NO_PANEL):
        s.commit(actors.attacker, H, new_salt())
    s.appoint_panellist(actors.panellist_a)
    salt = new_salt()
    s.commit(actors.attacker, H, salt)
    chain.mine()
    s.reveal(actors.attacker, H, salt)
    s.appoint_panellist(actors.panellist_b)
    s.appoint_panellist(actors.panellist_c)
    chain.advance_time(3_600)
    for p in (actors.panellist_b, actors.panellist_c):
        with reverts(Revert.SEAT_NOT_ELIGIBLE):
            s.vote(p, H, True, 100, 2)
    assert s.indicator(H).quorum == 1 and s.terms(H).eligible_count == 1


def test_affiliated_seat__excluded_from_the_panel_and_the_quorum(system: AisSystem, actors, rogue, life):
    """A firm's own panellists are not eligible for its indicator and do not count
    towards its quorum: 3 independent seats, 2 affiliated ones, quorum 2 of 3."""
    system.appoint_panellist(actors.spare[0], rogue)
    system.appoint_panellist(actors.spare[1], rogue)
    life.submit(rogue, H)
    terms = system.terms(H)
    assert terms.eligible_count == 3 and system.indicator(H).quorum == 2
    life.open_voting()
    with reverts(Revert.PANELLIST_VOTES_ON_OWN_FIRM):
        system.vote(actors.spare[0], H, True, 100, 2)


# ----------------------------------------------------------- 2. category and class gaming


def test_misdeclared_category__cannot_be_changed_after_commit_and_panel_rejects_it(
    system: AisSystem, actors, rogue, life
):
    """The category is bound by the commitment; a false one is voted invalid by the
    panel (which confirms category and class), so it earns nothing and leaves the
    declared tactic's price where it was."""
    hot, true_cat = 9, 3
    salt = new_salt()
    system.commit(rogue, H, salt, true_cat, 0, KEY)
    system.chain.mine()
    with reverts(Revert.NO_SUCH_COMMITMENT):  # switching to the best-priced tactic at reveal
        system.reveal(rogue, H, salt, hot, 0, KEY)
    system.reveal(rogue, H, salt, true_cat, 0, KEY)
    # Committing to the hot tactic from the start: the panel sees the content and rejects it.
    h2, key2 = b"\x62" * 32, b"\x6c" * 32
    price_before = system.price_index(hot)
    life.submit(rogue, h2, category=hot, semantic_key=key2)
    life.open_voting()
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.vote(p, h2, False, 0, 0)
    system.finalise(h2)
    assert system.indicator(h2).status == Status.REJECTED
    assert system.price_index(hot) == price_before
    assert system.call("claimable", rogue) == 0


# ------------------------------------------------------------ 3. same observable, new bytes


@pytest.mark.parametrize("first_outcome", ["verified", "pending"])
def test_reworded_duplicate__same_key_refused_in_every_state(
    system: AisSystem, actors, rogue, life, everyone, first_outcome
):
    """A new STIX id, timestamp or a ``revoked`` re-issue changes the bytes, not the key."""
    life.submit(actors.firm_core, H, semantic_key=KEY)
    if first_outcome != "pending":
        life.open_voting()
        valid = first_outcome == "verified"
        for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
            system.vote(p, H, valid, 80 if valid else 0, 1)
        system.finalise(H)
    before = books(system, everyone)
    reissue = b"\x63" * 32  # the same observable in new bytes
    for firm in (rogue, actors.firm_core):  # a copier, and the original submitter itself
        salt = new_salt()
        system.commit(firm, reissue, salt, 0, 0, KEY)
        system.chain.mine()
        with reverts(Revert.DUPLICATE_OBSERVABLE):
            system.reveal(firm, reissue, salt, 0, 0, KEY)
    after = books(system, everyone)
    assert after.accounts == before.accounts and after.unallocated == before.unallocated
    assert system.indicator(reissue).status == Status.NONE and system.key_holder(KEY) == H


def test_reworded_duplicate__earlier_committer_supersedes_by_key(system: AisSystem, actors, rogue, life):
    """First committer of the observable wins, whatever bytes each used: the later
    committer's pending indicator becomes SUPERSEDED and is never decided or paid."""
    salt_honest, salt_rogue = new_salt(), new_salt()
    h_rogue = b"\x64" * 32
    system.commit(actors.firm_core, H, salt_honest, 0, 0, KEY)
    system.commit(rogue, h_rogue, salt_rogue, 0, 0, KEY)
    system.chain.mine()
    system.reveal(rogue, h_rogue, salt_rogue, 0, 0, KEY)
    r = system.reveal(actors.firm_core, H, salt_honest, 0, 0, KEY)
    assert system.alliance.events(r, "IndicatorSuperseded") == [
        {"content_hash": h_rogue, "displaced": rogue, "firm": actors.firm_core, "by_content_hash": H}
    ]
    assert system.indicator(h_rogue).status == Status.SUPERSEDED and system.key_holder(KEY) == H
    life.open_voting()
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.vote(actors.panellist_a, h_rogue, True, 90, 2)
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.finalise(h_rogue)


def test_squatting_junk__a_rejected_holder_frees_the_observable(
    system: AisSystem, actors, rogue, life, everyone
):
    """A member commits junk under the key of an observable it expects a peer to report,
    and supersedes the peer's reveal with its older commitment. The panel rejects the
    junk (the key does not match the content); the observable is then free again, so the
    honest report goes through in other bytes, and only the junk's own bytes stay dead."""
    junk, honest = b"\x91" * 32, b"\x92" * 32
    salt_junk, salt_honest = new_salt(), new_salt()
    system.commit(rogue, junk, salt_junk, 0, 0, KEY)  # the squatter commits first
    system.commit(actors.firm_core, honest, salt_honest, 0, 0, KEY)
    system.chain.mine()
    system.reveal(actors.firm_core, honest, salt_honest, 0, 0, KEY)
    system.reveal(rogue, junk, salt_junk, 0, 0, KEY)  # older commitment: supersedes
    assert system.indicator(honest).status == Status.SUPERSEDED
    life.open_voting()
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.vote(p, junk, False, 0, 0)
    system.finalise(junk)
    assert system.indicator(junk).status == Status.REJECTED
    assert system.call("reputation", rogue) == -system.call("reject_penalty")
    # The honest firm reports the observable again and is verified and paid.
    again = b"\x93" * 32
    life.submit(actors.firm_core, again, semantic_key=KEY)
    assert system.key_holder(KEY) == again
    # The junk's own bytes stay dead; a verified observable stays held for good.
    salt = new_salt()
    system.commit(rogue, junk, salt, 0, 0, KEY)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_CONTENT):
        system.reveal(rogue, junk, salt, 0, 0, KEY)


def test_superseded_bundle__its_firm_may_still_win_with_an_older_commitment(
    system: AisSystem, actors, rogue
):
    """First committer wins, even if its first reveal used a younger commitment of the
    same bytes and lost the observable to a rival in between."""
    mine, rival = b"\x94" * 32, b"\x95" * 32
    s1, s3, s2 = new_salt(), new_salt(), new_salt()
    system.commit(actors.firm_core, mine, s1, 0, 0, KEY)  # sequence n
    system.commit(rogue, rival, s2, 0, 0, KEY)  # n + 1
    system.commit(actors.firm_core, mine, s3, 0, 0, KEY)  # n + 2
    system.chain.mine()
    system.reveal(actors.firm_core, mine, s3, 0, 0, KEY)
    system.reveal(rogue, rival, s2, 0, 0, KEY)  # older than n + 2: takes the observable
    assert system.indicator(mine).status == Status.SUPERSEDED
    r = system.reveal(actors.firm_core, mine, s1, 0, 0, KEY)  # older than n + 1: back
    assert system.key_holder(KEY) == mine and system.indicator(mine).status == Status.PENDING
    assert system.indicator(rival).status == Status.SUPERSEDED
    assert system.alliance.events(r, "IndicatorSuperseded")[0]["content_hash"] == rival


def test_expired_observable__only_its_submitter_may_bring_it_back(system: AisSystem, actors, rogue, life):
    life.submit(actors.firm_core, H, semantic_key=KEY)
    life.open_voting()
    life.close_voting()
    system.finalise(H)
    assert system.indicator(H).status == Status.EXPIRED
    reissue = b"\x65" * 32
    salt = new_salt()
    system.commit(rogue, reissue, salt, 0, 0, KEY)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_OBSERVABLE):
        system.reveal(rogue, reissue, salt, 0, 0, KEY)
    life.submit(actors.firm_core, reissue, semantic_key=KEY)  # re-worded by its owner: fine
    assert system.key_holder(KEY) == reissue


def test_revealed_content_under_another_key__duplicate_content(system: AisSystem, actors, rogue, life):
    """Dodging the key rule by declaring a new key for already revealed bytes."""
    life.submit(actors.firm_core, H, semantic_key=KEY)
    salt = new_salt()
    system.commit(rogue, H, salt, 0, 0, b"\x66" * 32)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_CONTENT):
        system.reveal(rogue, H, salt, 0, 0, b"\x66" * 32)


# ------------------------------------------------------------------ 4. severity 0


def test_verified_with_severity_zero__no_access_no_price_move_no_reputation(
    system: AisSystem, actors, rogue, life
):
    price_before = system.price_index(5)
    r = life.verify(rogue, H, score_x10=0, scope=2, category=5)
    st = system.indicator(H)
    assert (st.status, st.severity_x10, st.reward) == (Status.VERIFIED, 0, 0)
    assert system.price_index(5) == price_before
    assert not system.has_access(rogue)
    assert system.call("reputation", rogue) == 0
    names = [n for n, _ in system.alliance.all_events(r)]
    assert names == ["IndicatorFinalised"]  # nothing else changed
    # The positive twin: a score of 0.1 does all three.
    life.verify(rogue, b"\x67" * 32, score_x10=1, scope=2, category=5)
    assert system.price_index(5) < price_before and system.has_access(rogue)


# ----------------------------------------------------------------- 5. forced ether


def force_ether(system: AisSystem, actors, amount: int) -> None:
    feeder = deploy(system.chain, load_artifact("AttackForceFeeder"), sender=actors.attacker,
                    value=amount)
    feeder.transact("force", system.address, sender=actors.attacker)


def test_forced_ether__reported_as_surplus_books_still_hold_and_governance_sweeps(
    system: AisSystem, actors, life
):
    from sharing.simulation.faults import check_books

    life.verify(actors.firm_core, H)
    force_ether(system, actors, 10**18)
    assert system.surplus() == 10**18
    check = check_books(system)
    assert check.ok, check.problems
    assert check.surplus == 10**18
    with reverts(Revert.MISSING_ROLE):
        system.tx("sweep_surplus", actors.attacker, sender=actors.attacker)
    with reverts(Revert.ZERO_ADDRESS):
        system.tx("sweep_surplus", "0x" + "00" * 20, sender=actors.governance)
    claimable = system.call("total_claimable")
    unallocated = system.call("unallocated")
    balance_before = system.chain.w3.eth.get_balance(actors.funder)
    r = system.tx("sweep_surplus", actors.funder, sender=actors.governance)
    assert system.alliance.events(r, "SurplusSwept") == [{"recipient": actors.funder, "amount": 10**18}]
    assert system.chain.w3.eth.get_balance(actors.funder) == balance_before + 10**18
    assert (system.call("total_claimable"), system.call("unallocated")) == (claimable, unallocated)
    assert system.surplus() == 0 and check_books(system).ok
    assert_balanced(system)
    with reverts(Revert.NO_SURPLUS):
        system.tx("sweep_surplus", actors.funder, sender=actors.governance)


# ------------------------------------------------- 6. who finalises first does not matter


def test_finalise_order__price_fixed_at_reveal_same_rewards_either_way(
    system: AisSystem, actors, life
):
    """Two verified indicators of one tactic: the second one finalised used to be paid
    at the decayed price (a race to call finalise); now both are priced at reveal."""
    a, b = b"\x71" * 32, b"\x72" * 32
    life.submit(actors.firm_core, a, category=4, semantic_key=b"\x81" * 32)
    life.submit(actors.firm_small, b, category=4, semantic_key=b"\x82" * 32)
    life.open_voting()
    for h in (a, b):
        for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
            system.vote(p, h, True, 75, 1)
    rewards = []
    for order in ((a, b), (b, a)):
        snap = system.chain.snapshot()
        for h in order:
            system.finalise(h)
        rewards.append({h: system.indicator(h).reward for h in (a, b)})
        final_price = system.price_index(4)
        system.chain.revert(snap)
    assert rewards[0] == rewards[1]
    base = q.DEFAULT_PRICE_RULE.base_bps
    assert rewards[0][a] == q.quote(1, 0, 75, 1, base) and rewards[0][b] == q.quote(2, 0, 75, 1, base)
    assert final_price == q.decayed_price(q.decayed_price(base, q.DEFAULT_PRICE_RULE), q.DEFAULT_PRICE_RULE)
