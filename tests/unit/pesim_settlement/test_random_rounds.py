"""Whole rounds with random messages (and silent participants): chain == Python, sum == 0."""

from hypothesis import given, settings
from hypothesis import strategies as st
from pesim_helpers import assert_books_balanced, assert_matches_python

from sharing import pesim_fixed as fx
from sharing.chain.pesim import Design

pi_entry = st.one_of(st.integers(0, 5 * fx.PI_SCALE), st.sampled_from([0, fx.MAX_PI]))
x_entry = st.one_of(st.integers(0, 5 * fx.X_SCALE), st.sampled_from([0, 1, fx.MAX_ABS_X]))


@st.composite
def rounds(draw):
    n = draw(st.integers(2, 5))
    messages = []
    for _ in range(n):
        if draw(st.integers(0, 4)) == 0:
            messages.append(None)
        else:
            messages.append(fx.FixedMessage(tuple(draw(pi_entry) for _ in range(n)),
                                            tuple(draw(x_entry) for _ in range(n))))
    design = draw(st.sampled_from([Design.STORAGE, Design.CALLDATA]))
    collateral = draw(st.sampled_from([10**15, 10**18, 10**22]))
    wei = draw(st.sampled_from([1, 10**9, 10**18]))
    return messages, design, collateral, wei


@settings(max_examples=12)
@given(case=rounds())
def test_round__random_messages__chain_equals_python(chain, pesim_deployed, roles, case):
    messages, design, collateral, wei = case
    members = (roles.members + [roles.member_d, roles.settler])[:len(messages)]
    snap = chain.snapshot()
    try:
        result = pesim_deployed.run_round(members, messages, collateral, wei, design,
                                          settler=roles.outsider)
        expected = fx.settle(messages, wei, collateral)
        assert_matches_python(result, expected)
        assert result.defaults == [i for i, m in enumerate(messages) if m is None]
        assert sum(result.credits) == len(messages) * collateral
        assert_books_balanced(pesim_deployed)
    finally:
        chain.revert(snap)
