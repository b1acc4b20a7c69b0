"""cancel() and withdraw(): failed registrations are refunded, pulls are single and non-reentrant."""

import pytest
import vyper
from pesim_helpers import (
    COLLATERAL,
    PROFILE3,
    REGISTRATION_S,
    assert_books_balanced,
    open_round,
    registered_round,
    reverts,
    submit_all,
)

from sharing.chain.compile import Artifact
from sharing.chain.contract import deploy
from sharing.chain.pesim import Design, RoundStatus
from sharing.errors import Revert, RevertError


def test_cancel__refunds_registered_only(pesim, roles, chain):
    rid = open_round(pesim, roles.members, Design.STORAGE)
    pesim.register(rid, roles.member_a)
    pesim.register(rid, roles.member_c)
    chain.advance_time(REGISTRATION_S)
    r = pesim.cancel(rid, sender=roles.outsider)  # anyone may
    assert pesim.contract.events(r, "CollateralRefunded") == [
        {"round_id": rid, "participant": roles.member_a, "amount": COLLATERAL},
        {"round_id": rid, "participant": roles.member_c, "amount": COLLATERAL}]
    assert pesim.contract.events(r, "RoundCancelled") == [
        {"round_id": rid, "refunded_wei": 2 * COLLATERAL}]
    assert pesim.round_info(rid).status == RoundStatus.CANCELLED
    assert [pesim.withdrawable(p) for p in roles.members] == [COLLATERAL, 0, COLLATERAL]
    assert pesim.call("locked_collateral") == 0
    assert_books_balanced(pesim)
    with reverts(Revert.ROUND_NOT_OPEN):
        pesim.cancel(rid)


def test_cancel__registration_still_open__reverts(pesim, roles):
    rid = open_round(pesim, roles.members)
    pesim.register(rid, roles.member_a)
    with reverts(Revert.REGISTRATION_STILL_OPEN):
        pesim.cancel(rid)


def test_cancel__registration_complete__reverts(pesim, roles, chain):
    rid = registered_round(pesim, roles.members)
    chain.advance_time(REGISTRATION_S)
    with reverts(Revert.REGISTRATION_COMPLETE):
        pesim.cancel(rid)


def test_cancel__unknown_round__reverts(pesim):
    with reverts(Revert.UNKNOWN_ROUND):
        pesim.cancel(5)


def test_withdraw__pays_and_zeroes(pesim, roles, chain):
    rid = registered_round(pesim, roles.members)
    submit_all(pesim, rid, roles.members, PROFILE3)
    result = pesim.settle(rid)
    w3 = chain.w3
    for p, credit in zip(roles.members, result.credits, strict=True):
        before = w3.eth.get_balance(p)
        r = pesim.withdraw(p)
        fee = r["gasUsed"] * r["effectiveGasPrice"]
        assert w3.eth.get_balance(p) == before + credit - fee
        assert pesim.contract.events(r, "Withdrawn") == [{"account": p, "amount": credit}]
        assert pesim.withdrawable(p) == 0
        assert_books_balanced(pesim)
    assert pesim.balance() == 0  # nothing is lost, nothing is left behind
    with reverts(Revert.NOTHING_TO_WITHDRAW):
        pesim.withdraw(roles.member_a)


def test_withdraw__nothing__reverts(pesim, roles):
    with reverts(Revert.NOTHING_TO_WITHDRAW):
        pesim.withdraw(roles.outsider)


def test_withdraw__works_while_paused(pesim, roles, chain):
    rid = open_round(pesim, roles.members)
    pesim.register(rid, roles.member_a)
    chain.advance_time(REGISTRATION_S)
    pesim.cancel(rid)
    pesim.tx("pause", sender=roles.governance)
    pesim.withdraw(roles.member_a)


RECEIVER = """
# pragma version 0.4.3
interface Settlement:
    def register(round_id: uint256): payable
    def withdraw() -> uint256: nonpayable

target: Settlement
reenter: bool
received: public(uint256)

@deploy
def __init__(target: address, reenter: bool):
    self.target = Settlement(target)
    self.reenter = reenter

@external
@payable
def join(round_id: uint256):
    extcall self.target.register(round_id, value=msg.value)

@external
def pull() -> uint256:
    return extcall self.target.withdraw()

@external
@payable
def __default__():
    self.received += msg.value
    if self.reenter:
        extcall self.target.withdraw()
"""


def receiver(chain, pesim, roles, reenter: bool):
    out = vyper.compile_code(RECEIVER, output_formats=["abi", "bytecode"])
    artifact = Artifact("Receiver", out["abi"], out["bytecode"], 0, vyper.__version__, "")
    return deploy(chain, artifact, pesim.address, reenter, sender=roles.governance)


@pytest.mark.parametrize("reenter", [False, True], ids=["plain", "reentrant"])
def test_withdraw__reentrancy_is_refused(pesim, roles, chain, reenter):
    contract = receiver(chain, pesim, roles, reenter)
    rid = open_round(pesim, [contract.address, roles.member_b])
    contract.transact("join", rid, sender=roles.governance, value=COLLATERAL)
    chain.advance_time(REGISTRATION_S)
    pesim.cancel(rid)
    assert pesim.withdrawable(contract.address) == COLLATERAL
    if reenter:
        with pytest.raises(RevertError) as err:
            contract.transact("pull", sender=roles.governance)
        # stopped by the transient-storage lock (no reason), before the balance check
        assert Revert.NOTHING_TO_WITHDRAW not in err.value.reason
        assert pesim.withdrawable(contract.address) == COLLATERAL  # nothing moved
        assert contract.call("received") == 0
    else:
        contract.transact("pull", sender=roles.governance)
        assert contract.call("received") == COLLATERAL
    assert_books_balanced(pesim)
