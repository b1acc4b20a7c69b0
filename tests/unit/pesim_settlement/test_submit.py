"""submit(): one well-formed message per registered participant while the window is open."""

import pytest
from eth_utils import keccak
from pesim_helpers import (
    MESSAGE_S,
    PROFILE3,
    REGISTRATION_S,
    msg,
    open_round,
    registered_round,
    reverts,
)

from sharing import pesim_fixed as fx
from sharing.chain.pesim import Design
from sharing.errors import Revert


def test_submit__stores_commitment_and_logs_message(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    m = PROFILE3[1]
    r = pesim.submit(rid, roles.member_b, m)
    assert pesim.round_info(rid).submitted == 0b010
    assert pesim.call("digest_of", rid, 1) == m.digest() == fx.message_digest(m.pi, m.x)
    assert pesim.contract.events(r, "MessageSubmitted") == [{
        "round_id": rid, "participant": roles.member_b, "index": 1, "digest": m.digest(),
        "pi": list(m.pi), "x": list(m.x)}]
    if design == Design.STORAGE:
        assert [tuple(v) for v in pesim.call("stored_message", rid, 1)] == [m.pi, m.x]
    else:
        with reverts(Revert.WRONG_DESIGN):
            pesim.call("stored_message", rid, 1)
    assert pesim.messages_from_logs(rid) == [None, m, None]


def test_submit__bounds_are_inclusive(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    m = fx.FixedMessage((fx.MAX_PI, 0, fx.MAX_PI), (fx.MAX_ABS_X, 0, fx.MAX_ABS_X))
    pesim.submit(rid, roles.member_a, m)
    if design == Design.STORAGE:  # the packed word round-trips the extremes
        assert [tuple(v) for v in pesim.call("stored_message", rid, 0)] == [m.pi, m.x]


def test_submit__not_blocked_by_pause(pesim, roles):
    rid = registered_round(pesim, roles.members)
    pesim.tx("pause", sender=roles.governance)
    pesim.submit(rid, roles.member_a, PROFILE3[0])


def test_submit__outsider__reverts(pesim, roles):
    rid = registered_round(pesim, roles.members)
    with reverts(Revert.CALLER_IS_NOT_A_PARTICIPANT):
        pesim.submit(rid, roles.outsider, PROFILE3[0])


def test_submit__before_registration_complete__reverts(pesim, roles):
    rid = open_round(pesim, roles.members)
    pesim.register(rid, roles.member_a)
    pesim.register(rid, roles.member_b)
    with reverts(Revert.REGISTRATION_INCOMPLETE):
        pesim.submit(rid, roles.member_a, PROFILE3[0])


def test_submit__twice__reverts(pesim, roles, design):
    rid = registered_round(pesim, roles.members, design)
    pesim.submit(rid, roles.member_a, PROFILE3[0])
    with reverts(Revert.ALREADY_SUBMITTED):
        pesim.submit(rid, roles.member_a, PROFILE3[1])


def test_submit__after_deadline__reverts(pesim, roles, chain):
    rid = registered_round(pesim, roles.members)
    chain.advance_time(REGISTRATION_S + MESSAGE_S)
    with reverts(Revert.MESSAGES_CLOSED):
        pesim.submit(rid, roles.member_a, PROFILE3[0])


def test_submit__after_settlement__reverts(pesim, roles):
    rid = registered_round(pesim, roles.members)
    for m, p in zip(PROFILE3, roles.members, strict=True):
        pesim.submit(rid, p, m)
    pesim.settle(rid)
    with reverts(Revert.ROUND_NOT_OPEN):
        pesim.submit(rid, roles.member_a, PROFILE3[0])


@pytest.mark.parametrize("pi, x", [
    ((1, 2), (0, 0, 0)),            # short price vector
    ((1, 2, 3), (0, 0, 0, 0)),      # long investment vector
    ((), ()),                       # empty
])
def test_submit__wrong_length__reverts(pesim, roles, pi, x):
    rid = registered_round(pesim, roles.members)
    with reverts(Revert.WRONG_MESSAGE_LENGTH):
        pesim.submit(rid, roles.member_a, fx.FixedMessage(pi, x))


@pytest.mark.parametrize("pi, x, reason", [
    ((0, -1, 0), (0, 0, 0), Revert.NEGATIVE_PRICE),
    ((fx.MAX_PI + 1, 0, 0), (0, 0, 0), Revert.PRICE_OUT_OF_RANGE),
    ((0, 0, 0), (0, fx.MAX_ABS_X + 1, 0), Revert.INVESTMENT_OUT_OF_RANGE),
    ((0, 0, 0), (0, 0, -1), Revert.NEGATIVE_INVESTMENT),  # the smallest negative investment
    ((0, 0, 0), (0, 0, -fx.MAX_ABS_X - 1), Revert.NEGATIVE_INVESTMENT),
    ((2**255 - 1, 0, 0), (0, 0, 0), Revert.PRICE_OUT_OF_RANGE),  # would overflow the products
    ((0, 0, 0), (-(2**255), 0, 0), Revert.NEGATIVE_INVESTMENT),
    ((0, -1, 0), (0, -1, 0), Revert.NEGATIVE_PRICE),  # at one coordinate the price is checked first
])
def test_submit__malformed__reverts_and_python_refuses_too(pesim, roles, pi, x, reason):
    rid = registered_round(pesim, roles.members)
    m = fx.FixedMessage(pi, x)
    with reverts(reason):
        pesim.submit(rid, roles.member_a, m)
    with pytest.raises(fx.InputError, match=reason):
        fx.check_message(m, 3)
    # a refused message leaves nothing behind: the participant may still send a good one
    assert pesim.round_info(rid).submitted == 0
    pesim.submit(rid, roles.member_a, msg([0.1, 0.2, 0.3], [1, 2, 3]))


def test_digest__is_keccak_of_abi_encoding():
    m = PROFILE3[2]
    from eth_abi import encode
    assert m.digest() == keccak(encode(["int256[]", "int256[]"], [list(m.pi), list(m.x)]))


def test_stored_message__no_message__reverts(pesim, roles):
    rid = registered_round(pesim, roles.members, Design.STORAGE)
    with reverts(Revert.NO_SUCH_MESSAGE):
        pesim.call("stored_message", rid, 0)
