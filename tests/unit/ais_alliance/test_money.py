"""fund(), claim(), owed rewards and settle_debts(): every wei accounted for."""



from chain_asserts import reverts

from sharing import quote as q
from sharing.chain.ais import AisSystem
from sharing.errors import Revert


def books(system: AisSystem) -> tuple[int, int, int, int]:
    return (system.balance(), system.call("total_claimable"), system.call("unallocated"),
            system.call("total_owed"))


def assert_balanced(system: AisSystem) -> None:
    balance, claimable, unallocated, _ = books(system)
    assert balance == claimable + unallocated


def test_fund__anyone_adds_to_pool(system: AisSystem, actors):
    before = system.call("unallocated")
    r = system.fund(123, sender=actors.attacker)
    assert system.call("unallocated") == before + 123
    assert system.alliance.events(r, "PoolFunded") == [{"funder": actors.attacker, "amount": 123}]
    assert_balanced(system)


def test_fund__zero__reverts(system: AisSystem, actors):
    with reverts(Revert.NOTHING_TO_FUND):
        system.fund(0, sender=actors.funder)


def test_claim__pays_and_zeroes(system: AisSystem, actors, life):
    life.verify(actors.firm_critical, b"\x01" * 32, score_x10=95, scope=2)
    amount = system.call("claimable", actors.firm_critical)
    assert amount == q.quote(0, 0, 95, 2)
    w3 = system.chain.w3
    before = w3.eth.get_balance(actors.firm_critical)
    r = system.claim(actors.firm_critical)
    fee = r["gasUsed"] * r["effectiveGasPrice"]
    assert w3.eth.get_balance(actors.firm_critical) == before + amount - fee
    assert system.call("claimable", actors.firm_critical) == 0
    assert system.alliance.events(r, "RewardClaimed") == [{"firm": actors.firm_critical, "amount": amount}]
    assert_balanced(system)
    with reverts(Revert.NOTHING_TO_CLAIM):
        system.claim(actors.firm_critical)


def test_claim__nothing__reverts(system: AisSystem, actors):
    for who in (actors.attacker, actors.firm_core):
        with reverts(Revert.NOTHING_TO_CLAIM):
            system.claim(who)


def test_owed_rewards_fifo(system: AisSystem, actors, life, chain):
    # Spend the pool down by verifying until it cannot pay a full reward.
    r1 = q.quote(0, 0, 95, 2)
    pool = system.call("unallocated")
    n_full = pool // r1
    for i in range(n_full):
        life.verify(actors.firm_critical, bytes([1, i]) + b"\x00" * 30, score_x10=95, scope=2,
                    category=i % 12)
    # Rewards depend on the category's price: read what is left now.
    left = system.call("unallocated")
    h_a, h_b = b"\xa0" * 32, b"\xb0" * 32
    ra = life.verify(actors.firm_core, h_a, score_x10=95, scope=2, category=13)
    reward_a = system.indicator(h_a).reward
    assert reward_a > left  # the pool cannot pay it all
    assert system.alliance.events(ra, "RewardCredited")[0]["amount"] == left
    (owed_ev,) = system.alliance.events(ra, "RewardOwed")
    assert owed_ev["amount"] == reward_a - left
    assert system.call("owed", actors.firm_core) == reward_a - left
    assert system.call("unallocated") == 0
    # A second reward while a debt is outstanding queues entirely behind it.
    rb = life.verify(actors.firm_small, h_b, score_x10=95, scope=2, category=12)
    reward_b = system.indicator(h_b).reward
    assert system.alliance.events(rb, "RewardCredited") == []
    assert system.call("owed", actors.firm_small) == reward_b
    assert system.call("total_owed") == reward_a - left + reward_b
    assert_balanced(system)
    # A small top-up pays the oldest debt first, partially.
    small = (reward_a - left) // 2
    rf = system.fund(small, sender=actors.funder)
    assert system.alliance.events(rf, "DebtSettled") == [
        {"firm": actors.firm_core, "debt_index": 0, "amount": small, "remaining": reward_a - left - small}
    ]
    assert system.call("owed", actors.firm_small) == reward_b
    # A large top-up clears both, in order, and leaves the rest unallocated.
    rf = system.fund(reward_a + reward_b, sender=actors.funder)
    settled = system.alliance.events(rf, "DebtSettled")
    assert [e["firm"] for e in settled] == [actors.firm_core, actors.firm_small]
    assert system.call("total_owed") == 0
    assert system.call("claimable", actors.firm_core) == reward_a
    assert system.call("claimable", actors.firm_small) == reward_b
    assert_balanced(system)
    with reverts(Revert.NO_DEBTS):
        system.tx("settle_debts", 1, sender=actors.attacker)


def test_settle_debts__bounds__reverts(system: AisSystem, actors):
    for bad in (0, 65):
        with reverts(Revert.COUNT_OUT_OF_BOUNDS):
            system.tx("settle_debts", bad, sender=actors.attacker)
    with reverts(Revert.NO_DEBTS):
        system.tx("settle_debts", 1, sender=actors.attacker)


def test_plain_transfer_to_alliance__refused(system: AisSystem, actors):
    """Only fund() takes ether, so every wei in the contract is in the books."""
    w3 = system.chain.w3
    before = system.balance()
    refused = False
    try:
        tx = w3.eth.send_transaction({"from": actors.funder, "to": system.address, "value": 1,
                                      "gas": 100_000})
        refused = w3.eth.wait_for_transaction_receipt(tx)["status"] == 0
    except Exception:  # noqa: BLE001 - eth-tester raises, a node mines status 0
        refused = True
    assert refused
    assert system.balance() == before
    assert_balanced(system)
