"""Re-entrancy into claim() from a contract recipient, and a recipient that refuses ether.

The attacker is ``contracts/testing/AttackReentrantClaimer.vy``: a contract admitted
as a member that earns a real reward, then re-enters the alliance from its
``__default__`` while ``claim()`` is sending it ether. Two layers stop it:
``# pragma nonreentrancy on`` (the re-entry reverts with empty data, the
signature of Vyper's transient-storage lock) and checks-effects-interactions
(the balance is zeroed before the ether leaves, so even without the lock a
second claim would find nothing).
"""

from __future__ import annotations

import pytest
from attack_helpers import REFUSING_ETHER, assert_balanced, books, reverts

from sharing.chain.ais import AisSystem, Status, commitment_of, new_salt
from sharing.chain.compile import load_artifact
from sharing.chain.contract import Handle, deploy
from sharing.errors import Revert, RevertError

H_ATTACK = b"\xa1" * 32
H_HONEST = b"\xb2" * 32
MODES = {"accept": 0, "claim": 1, "finalise": 2, "fund": 3, "refuse": 4, "claim_strict": 5, "read": 6}


@pytest.fixture
def attacker_contract(system: AisSystem, actors, life) -> Handle:
    """An attacker contract, admitted as a critical-tier member, holding a verified reward."""
    handle = deploy(system.chain, load_artifact("AttackReentrantClaimer"), system.address,
                    sender=actors.attacker)
    system.register_member(handle.address, 0)
    salt = new_salt()
    handle.transact("commit", commitment_of(H_ATTACK, salt, handle.address, 2, 0),
                    sender=actors.attacker)
    system.chain.mine()
    handle.transact("reveal", H_ATTACK, H_ATTACK, 2, 0, salt, sender=actors.attacker)
    life.open_voting()
    system.vote(actors.panellist_a, H_ATTACK, True, 98, 2)
    system.vote(actors.panellist_b, H_ATTACK, True, 98, 2)
    system.vote(actors.panellist_c, H_ATTACK, True, 98, 2)
    system.finalise(H_ATTACK)
    assert system.call("claimable", handle.address) == system.indicator(H_ATTACK).reward > 0
    return handle


def set_mode(handle: Handle, actors, mode: str, target: bytes = b"\x00" * 32) -> None:
    handle.transact("set_mode", MODES[mode], target, sender=actors.attacker)


def party(actors, handle: Handle) -> list[str]:
    return [handle.address, actors.firm_critical, actors.firm_core, actors.firm_small,
            actors.funder, actors.attacker]


def test_reentrant_claim__lock_stops_second_withdrawal(system: AisSystem, actors, attacker_contract):
    reward = system.call("claimable", attacker_contract.address)
    set_mode(attacker_contract, actors, "claim")
    before = books(system, party(actors, attacker_contract))
    attacker_contract.transact("attack_claim", sender=actors.attacker)
    after = books(system, party(actors, attacker_contract))
    # The re-entry was tried and failed with the lock's empty revert, not a reason string.
    assert attacker_contract.call("reentry_attempts") == 1
    assert attacker_contract.call("reentry_successes") == 0
    assert attacker_contract.call("last_response") == b""
    # Paid once, exactly the reward; nobody else's books moved.
    assert attacker_contract.call("received") == reward
    assert system.chain.w3.eth.get_balance(attacker_contract.address) == reward
    assert after.balance == before.balance - reward
    assert after.total_claimable == before.total_claimable - reward
    assert (after.unallocated, after.total_owed) == (before.unallocated, before.total_owed)
    assert after.of(attacker_contract.address)[0] == 0
    for a in party(actors, attacker_contract)[1:]:
        assert after.of(a) == before.of(a)
    assert_balanced(system)
    with reverts(Revert.NOTHING_TO_CLAIM):
        attacker_contract.transact("attack_claim", sender=actors.attacker)


def test_reentrant_claim__strict_reentry_reverts_whole_claim_and_keeps_balance(
        system: AisSystem, actors, attacker_contract):
    reward = system.call("claimable", attacker_contract.address)
    set_mode(attacker_contract, actors, "claim_strict")
    before = books(system, party(actors, attacker_contract))
    with pytest.raises(RevertError) as err:
        attacker_contract.transact("attack_claim", sender=actors.attacker)
    # The lock's empty revert, bubbled up: not CEI's "nothing to claim".
    assert Revert.NOTHING_TO_CLAIM not in err.value.reason
    assert books(system, party(actors, attacker_contract)) == before
    assert system.call("claimable", attacker_contract.address) == reward
    assert attacker_contract.call("received") == 0


def test_reentrant_finalise__lock_stops_it_and_indicator_stays_decidable(
        system: AisSystem, actors, attacker_contract, life):
    """A decided rival indicator cannot be finalised from inside claim(); it still can be after."""
    life.submit(actors.firm_core, H_HONEST)
    life.open_voting()
    system.vote(actors.panellist_a, H_HONEST, True, 70, 1)
    system.vote(actors.panellist_b, H_HONEST, True, 70, 1)
    system.vote(actors.panellist_c, H_HONEST, True, 70, 1)
    set_mode(attacker_contract, actors, "finalise", H_HONEST)
    attacker_contract.transact("attack_claim", sender=actors.attacker)
    assert attacker_contract.call("reentry_attempts") == 1
    assert attacker_contract.call("reentry_successes") == 0
    assert attacker_contract.call("last_response") == b""
    assert system.indicator(H_HONEST).status == Status.PENDING
    system.finalise(H_HONEST, sender=actors.funder)
    assert system.indicator(H_HONEST).status == Status.VERIFIED
    assert_balanced(system)


def test_reentrant_fund__lock_stops_recycling_the_payout(system: AisSystem, actors, attacker_contract):
    reward = system.call("claimable", attacker_contract.address)
    set_mode(attacker_contract, actors, "fund")
    unallocated = system.call("unallocated")
    attacker_contract.transact("attack_claim", sender=actors.attacker)
    assert attacker_contract.call("reentry_successes") == 0
    assert attacker_contract.call("last_response") == b""
    assert system.chain.w3.eth.get_balance(attacker_contract.address) == reward
    assert system.call("unallocated") == unallocated
    assert_balanced(system)


def test_read_during_claim__views_are_locked_too(system: AisSystem, actors, attacker_contract):
    """Read-only re-entrancy: a view called mid-claim reverts instead of showing a half-done state.

    With ``# pragma nonreentrancy on``, Vyper 0.4 makes view functions check
    the lock as well, so no third contract can price anything off the
    alliance while ether is in flight.
    """
    set_mode(attacker_contract, actors, "read")
    attacker_contract.transact("attack_claim", sender=actors.attacker)
    assert attacker_contract.call("reentry_attempts") == 1
    assert attacker_contract.call("reentry_successes") == 0
    assert attacker_contract.call("last_response") == b""


def test_refusing_recipient__claim_fails_balance_stays_claimable_others_unaffected(
        system: AisSystem, actors, attacker_contract, life):
    reward = system.call("claimable", attacker_contract.address)
    life.verify(actors.firm_core, H_HONEST)
    honest = system.call("claimable", actors.firm_core)
    set_mode(attacker_contract, actors, "refuse")
    before = books(system, party(actors, attacker_contract))
    with reverts(REFUSING_ETHER):  # the recipient's own reason, bubbled up by claim()
        attacker_contract.transact("attack_claim", sender=actors.attacker)
    assert books(system, party(actors, attacker_contract)) == before
    assert system.call("claimable", attacker_contract.address) == reward
    # Everyone else goes on: claims, funding, the lifecycle.
    system.claim(actors.firm_core)
    assert system.call("claimable", actors.firm_core) == 0
    system.fund(10**15, sender=actors.funder)
    life.verify(actors.firm_small, b"\xc3" * 32)
    assert system.call("claimable", actors.firm_small) > 0
    assert_balanced(system)
    # The refused reward was never lost: once the contract accepts ether, it claims it.
    set_mode(attacker_contract, actors, "accept")
    attacker_contract.transact("attack_claim", sender=actors.attacker)
    assert system.chain.w3.eth.get_balance(attacker_contract.address) == reward
    assert honest > 0
    assert_balanced(system)
