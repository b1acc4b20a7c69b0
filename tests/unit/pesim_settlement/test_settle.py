"""settle() / settle_with_messages(): PESIM taxes of eq. (7), wei for wei as in Python."""

import pytest
from pesim_helpers import (
    COLLATERAL,
    MESSAGE_S,
    PROFILE3,
    REGISTRATION_S,
    WEI_PER_UNIT,
    assert_books_balanced,
    assert_matches_python,
    open_round,
    registered_round,
    reverts,
    submit_all,
)

from sharing import pesim_fixed as fx
from sharing.chain.pesim import Design, RoundStatus
from sharing.errors import Revert


def test_settle__all_messages__taxes_equal_python(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    submit_all(pesim, rid, roles.members, PROFILE3)
    before = {p: pesim.withdrawable(p) for p in roles.members}
    # anyone may settle, as soon as every message is in (no need to wait for the deadline)
    result = pesim.settle(rid, sender=roles.settler)
    expected = fx.settle(PROFILE3, WEI_PER_UNIT, COLLATERAL)
    assert_matches_python(result, expected)
    assert result.defaults == [] and result.participants == roles.members
    assert expected.taxes != [0, 0, 0]  # off equilibrium: money really moves
    for p, credit in zip(roles.members, expected.credits, strict=True):
        assert pesim.withdrawable(p) == before[p] + credit
    assert sum(expected.credits) == 3 * COLLATERAL
    info = pesim.round_info(rid)
    assert info.status == RoundStatus.SETTLED
    assert pesim.call("locked_collateral") == 0
    assert_books_balanced(pesim)


def test_settle__events(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    submit_all(pesim, rid, roles.members, PROFILE3)
    if design == Design.STORAGE:
        r = pesim.tx("settle", rid, sender=roles.settler)
    else:
        r = pesim.tx("settle_with_messages", rid, [list(m.pi) for m in PROFILE3],
                     [list(m.x) for m in PROFILE3], sender=roles.settler)
    expected = fx.settle(PROFILE3, WEI_PER_UNIT, COLLATERAL)
    assert pesim.contract.events(r, "RoundSettled") == [{
        "round_id": rid, "settler": roles.settler, "x_sum": expected.x_sum,
        "submitted": 0b111, "shortfall_wei": 0}]
    assert pesim.contract.events(r, "TaxSettled") == [
        {"round_id": rid, "participant": p, "index": i, "tax_wei": expected.taxes[i],
         "transfer_wei": expected.transfers[i], "credited_wei": expected.credits[i]}
        for i, p in enumerate(roles.members)]
    assert pesim.contract.events(r, "DefaultMessageApplied") == []


def test_settle__messages_missing_before_deadline__reverts(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    submit_all(pesim, rid, roles.members, [PROFILE3[0], PROFILE3[1], None])
    with reverts(Revert.MESSAGES_STILL_OPEN):
        pesim.settle(rid)


def test_settle__silent_participant_gets_default_message(pesim, roles, design, chain):
    rid = registered_round(pesim, roles.members, design)
    messages = [PROFILE3[0], None, PROFILE3[2]]
    submit_all(pesim, rid, roles.members, messages)
    chain.advance_time(REGISTRATION_S + MESSAGE_S)
    result = pesim.settle(rid, sender=roles.settler)
    expected = fx.settle(messages, WEI_PER_UNIT, COLLATERAL)
    assert_matches_python(result, expected)
    assert result.defaults == [1] and result.submitted == 0b101
    # the default: pi = 0 and the (truncated) mean of the submitted x
    assert expected.pi[1] == [0, 0, 0]
    assert expected.x[1] == [int((a + b) / 2) for a, b in zip(PROFILE3[0].x, PROFILE3[2].x, strict=True)]
    assert_books_balanced(pesim)


def test_settle__default_event(pesim, roles, chain):
    rid = registered_round(pesim, roles.members, Design.STORAGE)
    submit_all(pesim, rid, roles.members, [None, PROFILE3[1], PROFILE3[2]])
    chain.advance_time(REGISTRATION_S + MESSAGE_S)
    r = pesim.tx("settle", rid, sender=roles.settler)
    dx = fx.default_x([None, list(PROFILE3[1].x), list(PROFILE3[2].x)], 3)
    assert pesim.contract.events(r, "DefaultMessageApplied") == [
        {"round_id": rid, "participant": roles.member_a, "index": 0, "x": dx}]


def test_settle__nobody_submits__everyone_gets_collateral_back(pesim, roles, design, chain):
    rid = registered_round(pesim, roles.members, design)
    chain.advance_time(REGISTRATION_S + MESSAGE_S)
    result = pesim.settle(rid)
    assert result.taxes == [0, 0, 0] and result.credits == [COLLATERAL] * 3
    assert result.defaults == [0, 1, 2] and result.x_sum == [0, 0, 0]


def test_settle__registration_incomplete__reverts(pesim, roles, design, chain):
    rid = open_round(pesim, roles.members, design)
    pesim.register(rid, roles.member_a)
    chain.advance_time(REGISTRATION_S + MESSAGE_S)
    with reverts(Revert.REGISTRATION_INCOMPLETE):
        pesim.settle(rid, messages=[None] * 3)


def test_settle__twice__reverts(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    submit_all(pesim, rid, roles.members, PROFILE3)
    pesim.settle(rid)
    with reverts(Revert.ROUND_NOT_OPEN):
        pesim.settle(rid, messages=PROFILE3)


def test_settle__unknown_round__reverts(pesim, roles):
    with reverts(Revert.UNKNOWN_ROUND):
        pesim.tx("settle", 77, sender=roles.settler)
    with reverts(Revert.UNKNOWN_ROUND):
        pesim.tx("settle_with_messages", 77, [], [], sender=roles.settler)


def test_settle__wrong_design__reverts(pesim, roles):
    storage = registered_round(pesim, roles.members, Design.STORAGE)
    calldata = registered_round(pesim, roles.members, Design.CALLDATA)
    submit_all(pesim, storage, roles.members, PROFILE3)
    submit_all(pesim, calldata, roles.members, PROFILE3)
    pis, xs = [list(m.pi) for m in PROFILE3], [list(m.x) for m in PROFILE3]
    with reverts(Revert.WRONG_DESIGN):
        pesim.tx("settle_with_messages", storage, pis, xs, sender=roles.settler)
    with reverts(Revert.WRONG_DESIGN):
        pesim.tx("settle", calldata, sender=roles.settler)


@pytest.fixture
def calldata_round(pesim, roles):
    rid = registered_round(pesim, roles.members, Design.CALLDATA)
    submit_all(pesim, rid, roles.members, PROFILE3)
    return rid


def test_settle_with_messages__wrong_count__reverts(pesim, roles, calldata_round):
    pis, xs = [list(m.pi) for m in PROFILE3], [list(m.x) for m in PROFILE3]
    for p, x in ((pis[:2], xs[:2]), (pis + pis[:1], xs + xs[:1]), (pis, xs[:2])):
        with reverts(Revert.WRONG_MESSAGE_COUNT):
            pesim.tx("settle_with_messages", calldata_round, p, x, sender=roles.settler)
    with pytest.raises(fx.InputError):  # the driver refuses before sending
        pesim.settle(calldata_round, messages=PROFILE3[:2])


def test_settle_with_messages__tampered__reverts(pesim, calldata_round):
    forged = fx.FixedMessage(PROFILE3[0].pi, (PROFILE3[0].x[0] + 1,) + PROFILE3[0].x[1:])
    with reverts(Revert.MESSAGE_DOES_NOT_MATCH_COMMITMENT):
        pesim.settle(calldata_round, messages=[forged, PROFILE3[1], PROFILE3[2]])
    # a settler cannot drop a submitted message either
    with reverts(Revert.MESSAGE_DOES_NOT_MATCH_COMMITMENT):
        pesim.settle(calldata_round, messages=[PROFILE3[0], None, PROFILE3[2]])
    # nor swap two of them
    with reverts(Revert.MESSAGE_DOES_NOT_MATCH_COMMITMENT):
        pesim.settle(calldata_round, messages=[PROFILE3[1], PROFILE3[0], PROFILE3[2]])


def test_settle_with_messages__message_for_a_non_submitter__reverts(pesim, roles, chain):
    rid = registered_round(pesim, roles.members, Design.CALLDATA)
    submit_all(pesim, rid, roles.members, [PROFILE3[0], PROFILE3[1], None])
    chain.advance_time(REGISTRATION_S + MESSAGE_S)
    with reverts(Revert.MESSAGE_FOR_A_NON_SUBMITTER):
        pesim.settle(rid, messages=PROFILE3)
    result = pesim.settle(rid)  # from the logs: the silent one gets the default
    assert result.defaults == [2]
