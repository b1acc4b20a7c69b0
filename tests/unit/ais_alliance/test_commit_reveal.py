"""commit() and reveal(): storage, events, every revert, refused roles, first-committer rule."""


import pytest
from chain_asserts import reverts

from sharing.chain.ais import AisSystem, Status, commitment_of, new_salt
from sharing.chain.contract import translate_reverts
from sharing.errors import Revert

H = b"\xaa" * 32
KEY = b"\x0a" * 32


def test_commit__stores_sequence_and_logs(system: AisSystem, actors):
    salt = new_salt()
    c = commitment_of(H, salt, actors.firm_core)
    r = system.commit(actors.firm_core, H, salt)
    seq, block, ts = system.call("commitment_of", actors.firm_core, c)
    assert seq == system.call("commit_count") and seq >= 1
    assert block == r["blockNumber"] and ts == system.chain.timestamp()
    assert system.alliance.events(r, "IndicatorCommitted") == [
        {"firm": actors.firm_core, "commitment": c, "sequence": seq}
    ]


def test_commit__not_member__reverts(system: AisSystem, actors):
    for who in (actors.attacker, actors.panellist_a, actors.governance):
        with reverts(Revert.CALLER_IS_NOT_A_MEMBER):
            system.commit(who, H, new_salt())


def test_commit__empty_or_existing__reverts(system: AisSystem, actors):
    with reverts(Revert.EMPTY_COMMITMENT):
        system.tx("commit", b"\x00" * 32, sender=actors.firm_core)
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    with reverts(Revert.COMMITMENT_EXISTS):
        system.commit(actors.firm_core, H, salt)


def test_commit__copied_commitment_does_not_block_owner(system: AisSystem, actors):
    """A mempool copy of someone's commitment is keyed to the copier and useless to it."""
    salt = new_salt()
    c = commitment_of(H, salt, actors.firm_core)
    system.tx("commit", c, sender=actors.firm_small)  # the copy, committed first
    system.commit(actors.firm_core, H, salt)
    system.chain.mine()
    with reverts(Revert.NO_SUCH_COMMITMENT):  # the copier cannot reveal it: sender is bound
        system.reveal(actors.firm_small, H, salt, 0, 0)
    system.reveal(actors.firm_core, H, salt, 0, 0)
    assert system.indicator(H).submitter == actors.firm_core


def test_reveal__records_indicator_and_logs(system: AisSystem, actors):
    salt = new_salt()
    system.commit(actors.firm_critical, H, salt, 5, 1, KEY)
    committed_at = system.chain.timestamp()
    system.chain.mine()
    r = system.reveal(actors.firm_critical, H, salt, 5, 1, KEY)
    st = system.indicator(H)
    assert (st.submitter, st.category, st.claimed_class, st.status) == (actors.firm_critical, 5, 1, Status.PENDING)
    assert st.vote_opens == committed_at + 600 and st.vote_closes == st.vote_opens + 3_600
    assert st.quorum == 2 and st.valid_votes == st.invalid_votes == 0
    terms = system.terms(H)
    assert terms.eligible_seats == 0b111 and terms.price_bps == system.price_index(5)
    assert terms.appointment_mark == system.call("appointment_count") == 3
    assert system.key_holder(KEY) == H
    (ev,) = system.alliance.events(r, "IndicatorRevealed")
    assert ev == {
        "content_hash": H, "firm": actors.firm_critical, "semantic_key": KEY, "category": 5,
        "claimed_class": 1, "sequence": st.sequence, "vote_opens": st.vote_opens,
        "vote_closes": st.vote_closes, "eligible_seats": 0b111, "quorum": 2,
        "price_bps": terms.price_bps,
    }
    c = commitment_of(H, salt, actors.firm_critical, 5, 1, KEY)
    assert system.call("commitment_of", actors.firm_critical, c) == [0, 0, 0]


@pytest.mark.parametrize(
    ("category", "claimed_class", "key"),
    [(6, 1, None), (5, 0, None), (5, 1, b"\x0b" * 32)],
    ids=["other-category", "other-class", "other-key"],
)
def test_reveal__terms_not_committed__reverts(system: AisSystem, actors, category, claimed_class, key):
    """Category, class and semantic key are bound by the commitment: none can change at reveal."""
    salt = new_salt()
    system.commit(actors.firm_core, H, salt, 5, 1, KEY)
    system.chain.mine()
    with reverts(Revert.NO_SUCH_COMMITMENT):
        system.reveal(actors.firm_core, H, salt, category, claimed_class, key or KEY)
    system.reveal(actors.firm_core, H, salt, 5, 1, KEY)  # the committed terms still reveal


def test_reveal__empty_semantic_key__reverts(system: AisSystem, actors):
    salt = new_salt()
    system.commit(actors.firm_core, H, salt, 0, 0, b"\x00" * 32)
    system.chain.mine()
    with reverts(Revert.EMPTY_SEMANTIC_KEY):
        system.reveal(actors.firm_core, H, salt, 0, 0, b"\x00" * 32)


def test_commit__no_panel__reverts(chain, actors):
    """Before governance seats a panel, a commit could never be voted on: refused."""
    fresh = AisSystem.deploy(chain, governance=actors.governance)
    fresh.register_member(actors.firm_core, 1)
    with reverts(Revert.NO_PANEL):
        fresh.commit(actors.firm_core, H, new_salt())
    fresh.appoint_panellist(actors.panellist_a)
    fresh.commit(actors.firm_core, H, new_salt())


def test_reveal__no_eligible_panel__reverts(system: AisSystem, actors):
    """A panel made only of the submitter's own seats cannot decide its indicator."""
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.tx("remove_panellist", p, sender=actors.governance)
    system.appoint_panellist(actors.spare[0], actors.firm_core)
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    system.chain.mine()
    with reverts(Revert.NO_ELIGIBLE_PANEL):
        system.reveal(actors.firm_core, H, salt)
    assert system.indicator(H).status == Status.NONE


def test_reveal__twice__reverts(system: AisSystem, actors, life):
    salt = life.submit(actors.firm_core, H)
    with reverts(Revert.NO_SUCH_COMMITMENT):
        system.reveal(actors.firm_core, H, salt, 0, 0)


@pytest.mark.parametrize(
    ("category", "claimed_class", "reason"),
    [(14, 0, Revert.UNKNOWN_CATEGORY), (0, 2, Revert.UNKNOWN_CLASS)],
)
def test_reveal__bad_fields__reverts(system: AisSystem, actors, category, claimed_class, reason):
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    system.chain.mine()
    with reverts(reason):
        system.reveal(actors.firm_core, H, salt, category, claimed_class)


def test_reveal__wrong_salt_or_hash__reverts(system: AisSystem, actors):
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    system.chain.mine()
    with reverts(Revert.NO_SUCH_COMMITMENT):
        system.reveal(actors.firm_core, H, new_salt(), 0, 0)
    with reverts(Revert.NO_SUCH_COMMITMENT):
        system.reveal(actors.firm_core, b"\xbb" * 32, salt, 0, 0)


def test_reveal__not_member__reverts(system: AisSystem, actors):
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    system.tx("remove_member", actors.firm_core, sender=actors.governance)
    system.chain.mine()
    with reverts(Revert.CALLER_IS_NOT_A_MEMBER):
        system.reveal(actors.firm_core, H, salt, 0, 0)


def test_reveal__in_commit_block__reverts(system: AisSystem, actors):
    """Commit and reveal in one block would let a front-runner do the same: refused.

    An ``eth_call`` at "latest" executes in the commit's own block, which is
    exactly the state a same-block reveal would see.
    """
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    f = system.alliance.contract.functions
    with reverts(Revert.REVEAL_IN_THE_COMMIT_BLOCK):
        with translate_reverts("reveal"):
            f.reveal(H, H, 0, 0, salt).call({"from": actors.firm_core}, block_identifier="latest")
    system.chain.mine()
    system.reveal(actors.firm_core, H, salt, 0, 0)
    assert system.indicator(H).submitter == actors.firm_core


def test_reveal__after_window__reverts(system: AisSystem, actors):
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    system.chain.advance_time(600)
    with reverts(Revert.REVEAL_WINDOW_CLOSED):
        system.reveal(actors.firm_core, H, salt, 0, 0)


def test_reveal__duplicate_content__reverts(system: AisSystem, actors, life):
    life.submit(actors.firm_core, H)
    salt = new_salt()
    system.commit(actors.firm_small, H, salt)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_CONTENT):
        system.reveal(actors.firm_small, H, salt, 0, 0)


def test_reveal__earlier_committer_supersedes_pending_rival(system: AisSystem, actors):
    """First committer wins even if a copier revealed first (before voting opens)."""
    salt_honest, salt_copy = new_salt(), new_salt()
    system.commit(actors.firm_core, H, salt_honest)
    system.commit(actors.firm_small, H, salt_copy)  # later commit (higher sequence)
    system.chain.mine()
    system.reveal(actors.firm_small, H, salt_copy, 0, 0)
    assert system.indicator(H).submitter == actors.firm_small
    r = system.reveal(actors.firm_core, H, salt_honest, 0, 0)
    assert system.indicator(H).submitter == actors.firm_core
    assert system.alliance.events(r, "IndicatorSuperseded") == [
        {"content_hash": H, "displaced": actors.firm_small, "firm": actors.firm_core,
         "by_content_hash": H}
    ]


def test_reveal__later_committer_cannot_supersede(system: AisSystem, actors):
    salt_first, salt_late = new_salt(), new_salt()
    system.commit(actors.firm_core, H, salt_first)
    system.commit(actors.firm_small, H, salt_late)
    system.chain.mine()
    system.reveal(actors.firm_core, H, salt_first, 0, 0)
    with reverts(Revert.DUPLICATE_CONTENT):
        system.reveal(actors.firm_small, H, salt_late, 0, 0)


def test_reveal__expired_indicator_resubmitted_by_its_submitter(system: AisSystem, actors, life):
    life.submit(actors.firm_core, H)
    life.open_voting()
    life.close_voting()
    system.finalise(H)
    assert system.indicator(H).status == Status.EXPIRED
    salt = new_salt()
    system.commit(actors.firm_small, H, salt)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_CONTENT):  # nobody else may take it
        system.reveal(actors.firm_small, H, salt, 0, 0)
    life.submit(actors.firm_core, H)
    assert system.indicator(H).status == Status.PENDING
