"""PESIM (Naghizadeh & Liu, Section IV-V): taxes, Lindahl prices, equilibria, IR, exchange."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharing.errors import InputError, SolverError
from sharing.models.ids_game import (
    ConvexRisk,
    IDSGame,
    TotalEffortRisk,
    WeightedEffortRisk,
    random_instance,
    social_optimum,
)
from sharing.models.pesim import (
    MessageProfile,
    budget_surplus_exact,
    closed_form_16,
    deviation_check,
    equilibrium_messages,
    equilibrium_messages_exact,
    lindahl_prices,
    lindahl_residual,
    message_exchange,
    participation,
    prices_from_messages,
    solve,
    tax_terms,
    taxes,
    taxes_exact,
    taxes_scaled,
    utilities,
)

# --------------------------------------------------------------------------- taxes, eq. (7)


def _tax_by_hand(pi: list[list[Fraction]], x: list[list[Fraction]]) -> list[Fraction]:
    """Eq. (7) written out with loops, independently of :func:`tax_terms`."""
    n = len(pi)
    x_hat = [sum((x[k][j] for k in range(n)), Fraction(0)) / n for j in range(n)]
    out = []
    for i in range(n):
        a, b = (i + 1) % n, (i + 2) % n
        t = sum(((pi[a][j] - pi[b][j]) * x_hat[j] for j in range(n)), Fraction(0))
        t += sum((pi[i][j] * (x[i][j] - x[a][j]) ** 2 for j in range(n)), Fraction(0))
        t -= sum((pi[a][j] * (x[a][j] - x[b][j]) ** 2 for j in range(n)), Fraction(0))
        out.append(t)
    return out


@st.composite
def exact_profiles(draw: st.DrawFn) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    n = draw(st.integers(1, 6))
    prices = st.fractions(min_value=0, max_value=20, max_denominator=97)
    invest = st.fractions(min_value=-20, max_value=20, max_denominator=97)
    pi = [[draw(prices) for _ in range(n)] for _ in range(n)]
    x = [[draw(invest) for _ in range(n)] for _ in range(n)]
    return pi, x


@given(exact_profiles())
def test_taxes_exact__budget_balance_for_any_profile(
    profile: tuple[list[list[Fraction]], list[list[Fraction]]],
) -> None:
    pi, x = profile
    t = taxes_exact(pi, x)
    assert all(isinstance(v, Fraction) for v in t)
    assert sum(t) == 0
    assert budget_surplus_exact(pi, x) == 0
    assert t == _tax_by_hand(pi, x)


@given(exact_profiles())
def test_taxes__float_version_agrees_with_exact(
    profile: tuple[list[list[Fraction]], list[list[Fraction]]],
) -> None:
    pi, x = profile
    pf = np.array([[float(v) for v in row] for row in pi])
    xf = np.array([[float(v) for v in row] for row in x])
    exact = taxes_exact(pf.tolist(), xf.tolist())  # floats converted exactly
    approx = taxes(pf, xf)
    scale = 1.0 + float(np.max(pf)) * (1.0 + float(np.max(np.abs(xf)))) ** 2
    np.testing.assert_allclose(approx, [float(v) for v in exact], atol=1e-12 * scale)
    assert abs(float(np.sum(approx))) <= 1e-12 * scale * len(pi)


@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.lists(st.integers(0, 10**6), min_size=n, max_size=n), min_size=n, max_size=n
            ),
            st.lists(
                st.lists(st.integers(-(10**6), 10**6), min_size=n, max_size=n),
                min_size=n,
                max_size=n,
            ),
        )
    )
)
def test_taxes_scaled__integer_settlement_is_n_times_the_tax(
    profile: tuple[list[list[int]], list[list[int]]],
) -> None:
    pi, x = profile
    scaled = taxes_scaled(pi, x)
    assert sum(scaled) == 0
    assert all(isinstance(v, int) for v in scaled)
    assert [Fraction(v, len(pi)) for v in scaled] == taxes_exact(pi, x)


def test_tax_terms__balancing_term_is_what_balances_the_budget() -> None:
    # A profile where proposals disagree: price + penalty alone do not sum to zero.
    pi = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
    x = np.array([[1.0, 0.0, 2.0], [0.5, 1.0, 0.0], [0.0, 2.0, 1.0]])
    price, penalty, balance = tax_terms(pi, x)
    assert abs(float(np.sum(price + penalty))) > 1.0
    assert float(np.sum(price + penalty - balance)) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(balance, np.roll(penalty, -1))


@pytest.mark.parametrize(
    ("pi", "x", "message"),
    [
        ([[1, -1], [0, 1]], [[0, 0], [0, 0]], "non-negative"),
        ([[1, 1], [0, 1]], [[0, 0, 0], [0, 0, 0]], "shape"),
        ([[1, 1, 1]], [[0, 0, 0]], r"\(N, N\)"),
        ([["a", 1], [0, 1]], [[0, 0], [0, 0]], "not a number"),
    ],
)
def test_taxes_exact__malformed_messages__reverts(
    pi: list[list[Any]], x: list[list[int]], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        taxes_exact(pi, x)


def test_taxes_scaled__non_integer__reverts() -> None:
    with pytest.raises(InputError, match="integer"):
        taxes_scaled([[1, 0], [0, 1]], [[0.5, 0], [0, 0]])


# --------------------------------------------------------------------------- Lindahl prices


@st.composite
def games(draw: st.DrawFn, min_n: int = 3, max_n: int = 5) -> IDSGame:
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    if draw(st.booleans()):
        return random_instance(n, risk="total-effort", random_state=seed)
    return random_instance(n, spillover=draw(st.floats(0.0, 1.5)), random_state=seed)


@given(games())
def test_lindahl_prices__support_x_star_for_every_user(game: IDSGame) -> None:
    opt = social_optimum(game)
    lp = lindahl_prices(game, opt)
    np.testing.assert_allclose(lp.prices.sum(axis=0), 0.0, atol=1e-12)
    # eq. (21): l_i + grad g_i(x*) - lambda_i = 0, lambda_i >= 0, lambda_i . x* = 0
    np.testing.assert_allclose(
        lp.prices + game.cost_jacobian(opt.x) - lp.multipliers, 0.0, atol=1e-9 / game.n
    )
    assert np.all(lp.multipliers >= 0) and np.all(lp.multipliers @ opt.x == 0)
    assert lindahl_residual(game, lp.prices, opt.x) <= 1e-9


@given(games())
def test_equilibrium_messages__theorem_2(game: IDSGame) -> None:
    lp = lindahl_prices(game)
    msgs = equilibrium_messages(lp)
    n = game.n
    assert np.all(msgs.pi >= 0)
    assert np.any(msgs.pi == 0, axis=0).all()  # smallest free constant
    for i in range(n):  # eq. (23)
        np.testing.assert_allclose(
            msgs.pi[(i + 1) % n] - msgs.pi[(i + 2) % n], lp.prices[i], atol=1e-12
        )
    np.testing.assert_allclose(msgs.outcome(), lp.x, rtol=1e-15, atol=0)  # x_hat = x* (Thm 1)
    t = taxes(msgs.pi, msgs.x)
    np.testing.assert_allclose(t, lp.prices @ lp.x, atol=1e-12)  # eq. (12)
    assert abs(float(t.sum())) <= 1e-12
    report = deviation_check(game, msgs, method="analytic")
    assert report.max_gain <= 1e-9
    assert report.users_checked == list(range(n))


@given(games(), st.floats(0.0, 50.0))
def test_equilibrium_messages__free_constant_changes_no_tax(game: IDSGame, margin: float) -> None:
    lp = lindahl_prices(game)
    a = equilibrium_messages(lp)
    b = equilibrium_messages(lp, margin=margin)
    np.testing.assert_allclose(b.pi - a.pi, margin, atol=1e-9)
    np.testing.assert_allclose(taxes(b.pi, b.x), taxes(a.pi, a.x), atol=1e-9)


def test_equilibrium_messages_exact__taxes_are_lindahl_prices_times_x() -> None:
    prices = [
        [Fraction(-3, 10), Fraction(1, 7), Fraction(2, 5)],
        [Fraction(1, 10), Fraction(-2, 7), Fraction(1, 5)],
        [Fraction(1, 5), Fraction(1, 7), Fraction(-3, 5)],
    ]
    x_star = [Fraction(5, 2), Fraction(0), Fraction(1, 3)]
    pi, x = equilibrium_messages_exact(prices, x_star, margin=Fraction(1, 2))
    assert all(v >= 0 for row in pi for v in row)
    expected = [
        sum((p * q for p, q in zip(row, x_star, strict=True)), Fraction(0)) for row in prices
    ]
    assert taxes_exact(pi, x) == expected
    with pytest.raises(InputError, match="sum to zero"):
        equilibrium_messages_exact([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(0)]], [1, 1])


def test_lindahl_prices__section_v_subsidy_of_the_cheapest_user() -> None:
    # Section V: l_11 = -(1 - 1/N) c_1 and t_1 = -(1 - 1/N) c_1 x_1*, exp(-x_1*) = c_1 / N.
    n, c1 = 5, 0.3
    game = IDSGame(TotalEffortRisk(n), [c1, 0.4, 0.6, 0.8, 1.0])
    lp = lindahl_prices(game)
    x1 = math.log(n / c1)
    assert lp.x[0] == pytest.approx(x1, rel=1e-14)
    assert lp.prices[0, 0] == pytest.approx(-(1 - 1 / n) * c1, rel=1e-12)
    msgs = equilibrium_messages(lp)
    assert taxes(msgs.pi, msgs.x)[0] == pytest.approx(-(1 - 1 / n) * c1 * x1, rel=1e-12)


def test_lindahl_prices__custom_multiplier_split() -> None:
    game = IDSGame(TotalEffortRisk(3), [0.2, 0.3, 0.5])
    opt = social_optimum(game)
    lam = np.zeros((3, 3))
    lam[1] = opt.multipliers  # all of mu on user 1
    lp = lindahl_prices(game, opt, multipliers=lam)
    msgs = equilibrium_messages(lp)
    assert deviation_check(game, msgs, method="analytic").max_gain <= 1e-12
    bad = lam.copy()
    bad[0, 0] = 0.1  # lambda on a coordinate where x* > 0
    with pytest.raises(InputError, match="vanish"):
        lindahl_prices(game, opt, multipliers=bad)


# --------------------------------------------------------------------------- deviations


def _custom_game() -> IDSGame:
    w = np.array([[1.0, 0.3, 0.1], [0.2, 1.0, 0.5], [0.4, 0.1, 1.0]])
    fs = [lambda x, wi=wi: 1.0 / (1.0 + wi @ x) for wi in w]
    return IDSGame(ConvexRisk(3, fs, name="hyperbolic"), [0.05, 0.08, 0.1])


@pytest.mark.parametrize(
    "game",
    [
        IDSGame(TotalEffortRisk(3), [0.2, 0.3, 0.5]),
        IDSGame(TotalEffortRisk(4), [0.6, 0.1, 0.9, 0.35]),
        random_instance(3, random_state=1),
        random_instance(5, spillover=1.2, random_state=2),
        _custom_game(),
    ],
    ids=["total3", "total4", "weighted3", "weighted5", "custom3"],
)
def test_deviation_check__no_profitable_unilateral_deviation(game: IDSGame) -> None:
    msgs = equilibrium_messages(lindahl_prices(game))
    numeric = deviation_check(game, msgs, n_starts=4, random_state=0)
    assert numeric.max_gain <= 1e-6
    assert len(numeric.users_checked) == game.n
    analytic = deviation_check(game, msgs, method="analytic")
    assert analytic.max_gain <= 1e-6


@pytest.mark.parametrize("factor", [0.5, 1.5])
def test_deviation_check__wrong_prices__a_user_gains(factor: float) -> None:
    game = random_instance(4, random_state=5)
    lp = lindahl_prices(game)
    msgs = equilibrium_messages(lp.prices * factor, lp.x)
    numeric = deviation_check(game, msgs, n_starts=3, random_state=1)
    analytic = deviation_check(game, msgs, method="analytic")
    assert numeric.max_gain > 1e-3
    assert analytic.max_gain >= numeric.max_gain - 1e-9  # the analytic one is exact


def test_deviation_check__disagreeing_proposals_are_not_an_equilibrium() -> None:
    game = IDSGame(TotalEffortRisk(3), [0.2, 0.3, 0.5])
    msgs = equilibrium_messages(lindahl_prices(game), margin=1.0)
    moved = msgs.replace(1, msgs.pi[1], msgs.x[1] + np.array([0.3, 0.0, 0.0]))
    assert deviation_check(game, moved, n_starts=3, random_state=0).max_gain > 1e-3


def test_deviation_check__two_users_break_the_mechanism() -> None:
    # With N = 2 user i's own pi_i enters its Lindahl price pi_{i+1} - pi_{i+2} = pi_{i+1} - pi_i.
    game = IDSGame(TotalEffortRisk(2), [0.2, 0.3])
    msgs = equilibrium_messages(lindahl_prices(game))
    assert deviation_check(game, msgs, n_starts=2, random_state=0).max_gain > 1.0
    with pytest.raises(InputError, match="N >= 3"):
        deviation_check(game, msgs, method="analytic")


def test_utilities__match_eq_1_at_equilibrium() -> None:
    game = random_instance(4, random_state=9)
    lp = lindahl_prices(game)
    msgs = equilibrium_messages(lp)
    u = utilities(game, msgs.pi, msgs.x)
    np.testing.assert_allclose(u, -game.user_costs(lp.x) - lp.prices @ lp.x, atol=1e-12)
    np.testing.assert_allclose(prices_from_messages(msgs.pi), lp.prices, atol=1e-12)
    assert float(u.sum()) == pytest.approx(-game.social_cost(lp.x), abs=1e-12)


# --------------------------------------------------------------------------- participation


@pytest.mark.parametrize(
    "costs",
    [[0.05, 0.5, 0.6], [0.3, 5.0, 6.0, 7.0], [0.01, 0.4, 0.5, 0.6, 0.7, 0.8], [0.8, 9.0, 9.5]],
)
def test_participation__eq_16_where_its_premises_hold(costs: list[float]) -> None:
    game = IDSGame(TotalEffortRisk(len(costs)), costs)
    report = participation(game, 0)
    assert report.closed_form_applies
    assert report.difference == pytest.approx(report.closed_form_16, abs=1e-9)
    assert report.loner_effort == pytest.approx(-math.log(costs[0]), abs=1e-6)
    assert report.individually_rational  # (16) > 0 on its whole domain


@given(st.floats(1e-4, 0.999), st.integers(2, 1000))
def test_closed_form_16__positive_wherever_the_loner_invests(c1: float, n: int) -> None:
    # (N-1)(1 - ln c1) > N - 1 >= ln N for c1 < 1: the paper's failure needs c1 >= e > 1.
    assert closed_form_16(c1, n) > 0


def test_participation__paper_claim_c1_above_e__ir_can_still_hold() -> None:
    # c1 = 3 >= e, but nobody else would invest (c_j >= N - 1): the loner bears the risk alone.
    game = IDSGame(TotalEffortRisk(5), [3.0, 4.0, 4.5, 5.0, 6.0])
    report = participation(game, 0)
    assert not report.closed_form_applies
    assert report.closed_form_16 < -1.0  # (16) predicts failure ...
    assert report.individually_rational  # ... but participating pays
    u_in = -(3.0 / 5) * (1 + math.log(5 / 3.0))  # -g_1(x*) - t_1 by hand
    assert report.utility_in == pytest.approx(u_in, abs=1e-12)
    assert report.utility_out == pytest.approx(-1.0, abs=1e-9)


def test_participation__ir_fails_by_free_riding() -> None:
    # The counter-example the paper is after, reproduced: a cheap second user carries the
    # effort when user 1 stays out, and user 1 saves its subsidised but costly investment.
    game = IDSGame(TotalEffortRisk(5), [3.0, 3.2, 4.0, 4.5, 5.0])
    report = participation(game, 0)
    assert not report.individually_rational
    expected = -(3.0 / 5) * (1 + math.log(5 / 3.0)) + 3.2 / 4  # u_IN - u_OUT by hand
    assert report.difference == pytest.approx(expected, abs=1e-9)
    assert report.closed_form_16 - report.difference < -1.0  # (16) is far off here
    cheap = participation(IDSGame(TotalEffortRisk(3), [0.5, 0.6, 0.7]), 0)
    assert not cheap.individually_rational and cheap.closed_form_16 > 0  # fails below e too
    assert cheap.loner_effort == 0.0


def test_participation__weighted_instance_and_bad_user() -> None:
    game = random_instance(4, random_state=12)
    report = participation(game, 2)
    opt = social_optimum(game)
    lp = lindahl_prices(game, opt)
    assert report.utility_in == pytest.approx(
        -game.user_cost(2, opt.x) - float(lp.prices[2] @ opt.x), abs=1e-12
    )
    assert report.utility_out >= -game.user_cost(2, report.outside_profile) - 1e-12
    assert not report.closed_form_applies
    with pytest.raises(InputError, match="out of range"):
        participation(game, 4)


# --------------------------------------------------------------------------- exchange


@pytest.mark.parametrize("method", ["gradient", "admm"])
@pytest.mark.parametrize(
    "game",
    [
        IDSGame(TotalEffortRisk(3), [0.2, 0.3, 0.5]),
        IDSGame(TotalEffortRisk(5), [0.6, 0.1, 0.9, 0.35, 0.4]),
        random_instance(3, random_state=21),
        random_instance(6, spillover=1.0, random_state=22),
    ],
    ids=["total3", "total5", "weighted3", "weighted6"],
)
def test_message_exchange__reaches_equilibrium_messages(game: IDSGame, method: str) -> None:
    opt = social_optimum(game)
    res = message_exchange(game, method=method, tol=1e-9, optimum=opt)  # type: ignore[arg-type]
    assert res.final_distance <= 1e-9
    assert 0 < res.iterations < 5000
    np.testing.assert_allclose(res.messages.outcome(), opt.x, atol=1e-5)
    assert np.all(res.messages.pi >= 0)
    assert deviation_check(game, res.messages, method="analytic").max_gain <= 1e-6
    t = taxes(res.messages.pi, res.messages.x)
    np.testing.assert_allclose(t, lindahl_prices(game, opt).prices @ opt.x, atol=1e-6)


def test_message_exchange__custom_risk_both_methods() -> None:
    game = _custom_game()
    for method in ("gradient", "admm"):
        res = message_exchange(game, method=method, tol=1e-8)
        assert res.final_distance <= 1e-8
        assert res.distance_to_optimum <= 1e-5


@pytest.mark.parametrize("method", ["gradient", "admm"])
def test_message_exchange__round_budget_exhausted__reverts(method: str) -> None:
    with pytest.raises(SolverError, match="did not reach equilibrium messages in 3 rounds"):
        message_exchange(random_instance(5, random_state=3), method=method, max_iter=3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- end to end


def test_solve__reports_a_consistent_equilibrium() -> None:
    game = random_instance(15, random_state=30)
    sol = solve(game, exchange=True, random_state=1)
    d = sol.as_dict()
    assert d["price_of_anarchy"] >= 1.0
    assert abs(d["budget_surplus"]) <= 1e-12
    assert d["max_deviation_gain"] <= 1e-6
    methods = {r["method"]: r["users_checked"] for r in d["deviation_check"]}
    assert methods == {"analytic": 15, "numeric": 8}
    assert d["exchange"]["final_distance"] <= 1e-9
    assert len(d["messages"]) == 15 and len(d["messages"][0]["pi"]) == 15
    np.testing.assert_allclose(d["taxes"], d["equilibrium_taxes_l_dot_x"], atol=1e-12)


def test_message_profile__rejects_negative_prices() -> None:
    with pytest.raises(InputError, match="non-negative"):
        MessageProfile(np.array([[0.0, -1.0], [0.0, 0.0]]), np.zeros((2, 2)))
    game = IDSGame(WeightedEffortRisk(np.eye(3)), [0.5, 0.5, 0.5])
    with pytest.raises(InputError, match="the game has 3"):
        deviation_check(game, MessageProfile(np.zeros((2, 2)), np.zeros((2, 2))))
