"""pesim_math equals its Python mirror (sharing.pesim_fixed) on random inputs, to the wei.

The taxes are compared with the *model's* exact rational taxes
(sharing.models.pesim.taxes_exact) rounded by THE rule, not with a second
copy of the contract's integer formula.
"""

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pesim_helpers import reverts

from sharing import pesim_fixed as fx
from sharing.errors import Revert

small_pi = st.integers(0, 10 * fx.PI_SCALE)
small_x = st.integers(-10 * fx.X_SCALE, 10 * fx.X_SCALE)
any_pi = st.one_of(small_pi, st.integers(0, fx.MAX_PI), st.sampled_from([0, 1, fx.MAX_PI]))
any_x = st.one_of(small_x, st.integers(-fx.MAX_ABS_X, fx.MAX_ABS_X),
                  st.sampled_from([0, 1, -1, fx.MAX_ABS_X, -fx.MAX_ABS_X]))
wei = st.one_of(st.sampled_from([1, 3, 10**9, fx.MAX_WEI_PER_UNIT]), st.integers(1, fx.MAX_WEI_PER_UNIT))


@st.composite
def profiles(draw, n_min=2, n_max=8, pi=any_pi, x=any_x):
    n = draw(st.integers(n_min, n_max))
    pis = [[draw(pi) for _ in range(n)] for _ in range(n)]
    xs = [[draw(x) for _ in range(n)] for _ in range(n)]
    return pis, xs


@given(profile=profiles(), w=wei)
def test_taxes__chain_equals_model_exact_rounded(harness, profile, w):
    pis, xs = profile
    taxes, sums = harness.call("taxes", pis, xs, w)
    exact = fx.exact_taxes_wei(pis, xs, w)
    assert list(taxes) == fx.round_taxes(exact)
    assert list(sums) == fx.x_sum(xs)
    assert sum(taxes) == 0  # budget balance, exactly, for any messages
    assert all(abs(t - e) < 1 for t, e in zip(taxes, exact, strict=True))


@pytest.mark.parametrize("n", [2, 3, 32])
def test_taxes__extreme_messages_do_not_overflow(harness, n):
    # the largest prices against the widest disagreement: the bound of the module notes
    pis = [[fx.MAX_PI] * n for _ in range(n)]
    pis[0] = [0] * n  # unequal prices so that the price terms do not cancel
    xs = [[fx.MAX_ABS_X * (-1) ** (i + k) for k in range(n)] for i in range(n)]
    taxes, sums = harness.call("taxes", pis, xs, fx.MAX_WEI_PER_UNIT)
    assert list(taxes) == fx.round_taxes(fx.exact_taxes_wei(pis, xs, fx.MAX_WEI_PER_UNIT))
    assert sum(taxes) == 0 and max(map(abs, taxes)) > 0


@st.composite
def apportionments(draw):
    n = draw(st.integers(1, 32))
    den = draw(st.one_of(st.integers(1, 10), st.integers(1, 10**40)))
    total = draw(st.integers(-10**20, 10**20))
    nums = [draw(st.integers(-10**60, 10**60)) for _ in range(n - 1)]
    nums.append(total * den - sum(nums))
    return nums, den, total


@given(case=apportionments())
def test_apportion__chain_equals_python(harness, case):
    nums, den, total = case
    assume(abs(nums[-1]) < 2**250)
    out = harness.call("apportion", nums, den, total)
    assert list(out) == fx.apportion_int(nums, den, total)
    assert sum(out) == total
    assert all(abs(o - Fraction(v, den)) < 1 for o, v in zip(out, nums, strict=True))


def test_apportion__ties_go_to_the_lower_index(harness):
    # three thirds: one unit to give, equal remainders -> index 0 gets it
    assert list(harness.call("apportion", [1, 1, 1], 3, 1)) == [1, 0, 0] == fx.apportion_int([1, 1, 1], 3, 1)
    # the largest remainder wins over the index
    assert list(harness.call("apportion", [1, 2, 0], 3, 1)) == [0, 1, 0]


def test_apportion__inconsistent_total__reverts(harness):
    with reverts(Revert.RESIDUAL_OUT_OF_RANGE):
        harness.call("apportion", [1, 1], 1, 5)
    with reverts(Revert.RESIDUAL_OUT_OF_RANGE):
        harness.call("apportion", [1, 1], 1, 1)
    with pytest.raises(ValueError):
        fx.apportion_int([1, 1], 1, 5)


@st.composite
def tax_profiles(draw):
    n = draw(st.integers(2, 12))
    big = st.one_of(st.integers(-10**19, 10**19), st.integers(-2**130, 2**130))
    taxes = [draw(big) for _ in range(n - 1)]
    taxes.append(-sum(taxes))
    return taxes


@given(taxes=tax_profiles(), collateral=st.one_of(st.integers(1, 10**19), st.integers(1, fx.MAX_COLLATERAL_WEI)))
def test_transfers__chain_equals_python(harness, taxes, collateral):
    assume(abs(taxes[-1]) < 2**133)
    moved, shortfall = harness.call("transfers", taxes, collateral)
    assert (list(moved), shortfall) == fx.transfers(taxes, collateral)
    assert sum(moved) == 0
    assert shortfall == sum(max(t - collateral, 0) for t in taxes)
    for t, m in zip(taxes, moved, strict=True):
        if t >= 0:  # a payer pays its tax, at most its collateral
            assert m == min(t, collateral)
        else:  # a receiver gets at most what it is owed, never pays
            assert t <= m <= 0
            if shortfall == 0:
                assert m == t


@given(profile=profiles(n_max=6, pi=small_pi, x=any_x), mask=st.integers(0, 2**6 - 1))
def test_default_x__chain_equals_python(harness, profile, mask):
    _, xs = profile
    n = len(xs)
    mask &= (1 << n) - 1
    rows = [xs[i] if mask >> i & 1 else None for i in range(n)]
    filled = [r if r is not None else [] for r in rows]
    assert list(harness.call("default_x", filled, mask, n)) == fx.default_x(rows, n)


@given(a=st.integers(-2**200, 2**200), b=st.integers(1, 2**100))
def test_floor_div__chain_equals_python(harness, a, b):
    assert tuple(harness.call("floor_div", a, b)) == fx.floor_div(a, b)
