"""Double reward for one indicator: finalise twice, claim twice, settle a debt twice, resubmit.

Each indicator is paid at most once, by one ``finalise`` that moves it out
of ``pending``; an expired one is paid nothing and may be submitted again by
its own submitter only; a debt leaves the FIFO queue when it is paid.
"""

from __future__ import annotations

from attack_helpers import assert_balanced, books, reverts

from sharing.chain.ais import AisSystem, Status, new_salt
from sharing.errors import Revert

H = b"\xd0" * 32


def test_double_dip__second_finalise_claim_and_reveal_change_nothing(system: AisSystem, actors, rogue, life, everyone):
    life.verify(rogue, H, score_x10=95, scope=2)
    reward = system.indicator(H).reward
    assert system.call("claimable", rogue) == reward > 0
    system.claim(rogue)
    before = books(system, everyone)
    with reverts(Revert.INDICATOR_NOT_PENDING):
        system.finalise(H, sender=rogue)
    with reverts(Revert.NOTHING_TO_CLAIM):
        system.claim(rogue)
    salt = new_salt()
    system.commit(rogue, H, salt)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_CONTENT):
        system.reveal(rogue, H, salt, 0, 0)
    after = books(system, everyone)
    assert after.accounts == before.accounts
    assert (after.balance, after.unallocated, after.total_owed) == (before.balance, before.unallocated, before.total_owed)


def test_expired_then_resubmitted__paid_exactly_once(system: AisSystem, actors, rogue, life):
    life.submit(rogue, H)
    life.open_voting()
    life.close_voting()
    r = system.finalise(H)
    assert system.indicator(H).status == Status.EXPIRED
    assert system.alliance.events(r, "RewardCredited") == []
    assert system.call("claimable", rogue) == 0
    life.verify(rogue, H)  # its own submitter may bring it back, once
    reward = system.indicator(H).reward
    assert system.call("claimable", rogue) == reward
    salt = new_salt()
    system.commit(rogue, H, salt)
    system.chain.mine()
    with reverts(Revert.DUPLICATE_CONTENT):
        system.reveal(rogue, H, salt, 0, 0)
    assert system.call("claimable", rogue) == reward
    assert_balanced(system)


def test_debt__settled_once_then_gone(system: AisSystem, actors, rogue, life):
    """A reward the pool could not pay is owed, paid once on funding, never again."""
    system.tx("set_reward_schedule", [10**20, 10**20, 10**20], [50_000, 50_000],
              [0, 50_000, 50_000, 50_000, 50_000], [50_000, 50_000, 50_000], sender=actors.governance)
    life.verify(rogue, H, score_x10=95, scope=2)
    reward = system.indicator(H).reward
    pool_before = 10 * 10**18  # the session pool, untouched so far
    owed = system.call("owed", rogue)
    assert owed == reward - pool_before > 0 and system.call("claimable", rogue) == pool_before
    system.fund(owed + 5, sender=actors.funder)  # fund() settles the queue first
    assert (system.call("owed", rogue), system.call("total_owed")) == (0, 0)
    assert system.call("claimable", rogue) == reward
    assert system.call("unallocated") == 5
    with reverts(Revert.NO_DEBTS):
        system.tx("settle_debts", 64, sender=rogue)
    system.fund(10**18, sender=actors.funder)
    assert system.call("claimable", rogue) == reward  # nothing settled twice
    assert_balanced(system)
