"""Tests of the Gal-Or & Ghose duopoly (sharing.models.duopoly).

Independent checks: closed-form derivatives of the default forms (eqs. 22,
Lemma 1, eqs. 13-14, 27-28), brute-force deviation grids, scipy optimisers
started elsewhere, and numerical integration of the inverse demand.
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, optimize

from sharing.errors import InputError, SolverError
from sharing.models import duopoly as dm
from sharing.models.duopoly import (
    Duopoly,
    DuopolyParams,
    FunctionalForms,
)

DEFAULT = DuopolyParams()
#: Tolerance on first-order conditions written in closed form (relative to the profit scale).
FOC_TOL = 1e-8


@pytest.fixture(scope="module")
def nash() -> dm.NashResult:
    return dm.nash_equilibrium(DEFAULT, iterate=True)


@pytest.fixture(scope="module")
def social() -> dm.RegimeResult:
    return dm.social_optimum(DEFAULT)


@pytest.fixture(scope="module")
def joint() -> dm.RegimeResult:
    return dm.joint_profit_optimum(DEFAULT)


# ----------------------------------------------------------------- closed forms (default forms)


def _d(p: DuopolyParams) -> float:
    return 4 * p.b1**2 - p.b2**2


def dp_dsi(p: DuopolyParams, si: float, ti: float, sj: float) -> float:
    """Eq. (22) with g of eq. (2)."""
    return (
        -2 * p.b1 * (2 * p.phi1 * si - p.phi3 * sj)
        + p.b2 * (p.lambda_d * ti + 2 * p.phi2 * si + p.phi3 * sj)
    ) / _d(p)


def dp_dti(p: DuopolyParams, si: float) -> float:
    return (2 * p.b1 + p.b2 * (p.lambda_d * si - p.alpha)) / _d(p)


def dp_dsj(p: DuopolyParams, si: float, sj: float, tj: float) -> float:
    return (
        2 * p.b1 * (p.lambda_d * tj + 2 * p.phi2 * sj + p.phi3 * si)
        + p.b2 * (-2 * p.phi1 * sj + p.phi3 * si)
    ) / _d(p)


def dp_dtj(p: DuopolyParams, sj: float) -> float:
    return (2 * p.b1 * (p.lambda_d * sj - p.alpha) + p.b2) / _d(p)


def kappa(p: DuopolyParams, y: float) -> float:
    return 1 - p.theta * y / (1 + y)


def price(p: DuopolyParams, si: float, ti: float, sj: float, tj: float) -> float:
    bi = (
        ti
        - p.alpha * tj
        + p.lambda_d * tj * sj
        - (p.phi1 * si**2 - p.phi2 * sj**2 - p.phi3 * si * sj)
    )
    bj = (
        tj
        - p.alpha * ti
        + p.lambda_d * ti * si
        - (p.phi1 * sj**2 - p.phi2 * si**2 - p.phi3 * si * sj)
    )
    return (2 * p.b1 * (p.a + bi) + p.b2 * (p.a + bj)) / _d(p)


def analytic_gradient(p: DuopolyParams, si: float, ti: float, sj: float, tj: float) -> np.ndarray:
    """(dPi_i/ds_i, dPi_i/dt_i): eq. (5) and eq. (6)."""
    pi = price(p, si, ti, sj, tj)
    y = p.lambda_c * tj * sj
    return np.array(
        [
            2 * p.b1 * pi * dp_dsi(p, si, ti, sj),
            2 * p.b1 * pi * dp_dti(p, si) - p.gamma * ti * kappa(p, y),
        ]
    )


def analytic_blocks(
    p: DuopolyParams, si: float, ti: float, sj: float, tj: float
) -> tuple[np.ndarray, np.ndarray]:
    """Own Hessian and cross block of Pi_i (rows own (s, t), columns rival (s, t))."""
    d = _d(p)
    pi = price(p, si, ti, sj, tj)
    ps, pt = dp_dsi(p, si, ti, sj), dp_dti(p, si)
    psj, ptj = dp_dsj(p, si, sj, tj), dp_dtj(p, sj)
    y = p.lambda_c * tj * sj
    f_ty = p.gamma * ti * (-p.theta / (1 + y) ** 2)
    own = (
        2
        * p.b1
        * np.array(
            [
                [
                    ps * ps + pi * (-4 * p.b1 * p.phi1 + 2 * p.b2 * p.phi2) / d,
                    ps * pt + pi * p.b2 * p.lambda_d / d,
                ],
                [ps * pt + pi * p.b2 * p.lambda_d / d, pt * pt],
            ]
        )
    )
    own[1, 1] -= p.gamma * kappa(p, y)
    cross = (
        2
        * p.b1
        * np.array(
            [
                [ps * psj + pi * (2 * p.b1 + p.b2) * p.phi3 / d, ps * ptj],
                [pt * psj, pt * ptj],
            ]
        )
    )
    cross[1, 0] -= f_ty * p.lambda_c * tj
    cross[1, 1] -= f_ty * p.lambda_c * sj
    return own, cross


params_strategy = st.builds(
    DuopolyParams,
    a=st.floats(5.0, 30.0),
    b1=st.just(1.0),
    b2=st.floats(0.0, 0.9),
    alpha=st.floats(0.0, 0.6),
    lambda_d=st.floats(0.1, 1.0),
    lambda_c=st.floats(0.0, 1.0),
    phi1=st.floats(1.5, 4.0),
    phi2=st.floats(0.0, 0.6),
    phi3=st.floats(0.0, 0.6),
    gamma=st.floats(20.0, 80.0),
    theta=st.floats(0.0, 0.9),
)
unit = st.floats(0.0, 1.0)
invest = st.floats(0.0, 3.0)


# ----------------------------------------------------------------- parameters


def test_params__defaults_are_the_cli_defaults() -> None:
    p = DuopolyParams()
    assert (p.a, p.b1, p.b2, p.alpha, p.lambda_d, p.lambda_c) == (10, 1, 0.5, 0.1, 0.6, 0.5)
    assert (p.phi1, p.phi2, p.phi3, p.gamma, p.theta) == (3, 0.5, 0.5, 20, 0.5)
    assert not p.volume_costs


@pytest.mark.parametrize(
    "changes",
    [
        {"b2": 1.0},
        {"b2": 1.5},
        {"b2": -0.1},
        {"phi1": 1.0},
        {"phi1": 0.5},
        {"theta": 1.0},
        {"theta": -0.01},
        {"alpha": 1.0},
        {"gamma": 0.0},
        {"a": 0.0},
        {"lambda_c": 1.5},
        {"lambda_d": 2.0},
        {"a": math.nan},
        {"a": math.inf},
        {"c": -1.0},
    ],
)
def test_params__out_of_range__reverts(changes: dict[str, float]) -> None:
    with pytest.raises(InputError):
        DuopolyParams(**changes)


def test_params__replace_revalidates() -> None:
    assert DEFAULT.replace(b2=0.7).b2 == 0.7
    with pytest.raises(InputError):
        DEFAULT.replace(b2=1.0)


# ----------------------------------------------------------------- market primitives


@given(params_strategy, unit, invest, unit, invest)
def test_stage2_prices__solve_the_bertrand_price_game(
    p: DuopolyParams, si: float, ti: float, sj: float, tj: float
) -> None:
    pi, pj = dm.stage2_prices(si, ti, sj, tj, p)
    bi = dm.demand_shift(si, ti, sj, tj, p)
    bj = dm.demand_shift(sj, tj, si, ti, p)
    # d(p_i q_i)/dp_i = a - 2 b1 p_i + b2 p_j + B_i = 0 for both firms.
    assert p.a - 2 * p.b1 * pi + p.b2 * pj + bi == pytest.approx(0.0, abs=1e-9)
    assert p.a - 2 * p.b1 * pj + p.b2 * pi + bj == pytest.approx(0.0, abs=1e-9)
    assert pi == pytest.approx(price(p, si, ti, sj, tj), rel=1e-12)


@given(params_strategy, unit, invest, unit, invest)
def test_profit__is_revenue_minus_investment_cost(
    p: DuopolyParams, si: float, ti: float, sj: float, tj: float
) -> None:
    pi, pj = dm.stage2_prices(si, ti, sj, tj, p)
    qi = p.a - p.b1 * pi + p.b2 * pj + dm.demand_shift(si, ti, sj, tj, p)
    cost = 0.5 * p.gamma * ti**2 * kappa(p, p.lambda_c * tj * sj)
    assert dm.profit(si, ti, sj, tj, p) == pytest.approx(pi * qi - cost, rel=1e-10, abs=1e-9)


@given(params_strategy, unit, invest)
def test_welfare__equals_spec_formula_on_the_diagonal(p: DuopolyParams, s: float, t: float) -> None:
    assert dm.welfare(s, t, s, t, p) == pytest.approx(
        dm.spec_symmetric_welfare(s, t, p), rel=1e-10, abs=1e-9
    )


def test_welfare__integral_of_inverse_demand_matches_quadrature() -> None:
    p, s, t = DEFAULT, 0.3, 0.8
    big_a = p.a + dm.demand_shift(s, t, s, t, p)
    q_star = p.b1 * big_a / (2 * p.b1 - p.b2)
    area, _ = integrate.quad(lambda q: (big_a - q) / (p.b1 - p.b2), 0.0, q_star)
    cost = 0.5 * p.gamma * t**2 * kappa(p, p.lambda_c * t * s)
    assert dm.welfare(s, t, s, t, p) == pytest.approx(2 * area - 2 * cost, rel=1e-12)


@given(params_strategy, unit, invest, unit, invest)
def test_welfare__is_consumer_surplus_plus_profits(
    p: DuopolyParams, s1: float, t1: float, s2: float, t2: float
) -> None:
    o = dm.outcome(s1, t1, s2, t2, p)
    assert o.welfare == pytest.approx(float(dm.welfare(s1, t1, s2, t2, p)), rel=1e-10, abs=1e-9)
    assert o.consumer_surplus == pytest.approx(
        float(dm.consumer_surplus(s1, t1, s2, t2, p)), rel=1e-10, abs=1e-9
    )
    assert o.consumer_surplus >= -1e-9


@given(params_strategy, unit, invest, unit, invest)
def test_subsidy__ray_reading_makes_the_objective_welfare(
    p: DuopolyParams, si: float, ti: float, sj: float, tj: float
) -> None:
    total = dm.profit(si, ti, sj, tj, p) + dm.appendix_b_subsidy(si, ti, sj, tj, p)
    assert total == pytest.approx(float(dm.welfare(si, ti, sj, tj, p)), rel=1e-10, abs=1e-8)


@given(params_strategy, unit, invest, unit, invest)
def test_subsidy__partial_reading_misses_the_cross_term(
    p: DuopolyParams, si: float, ti: float, sj: float, tj: float
) -> None:
    o = dm.outcome(si, ti, sj, tj, p)
    total = dm.profit(si, ti, sj, tj, p) + dm.appendix_b_subsidy(
        si, ti, sj, tj, p, reading="partial"
    )
    cross = p.b2 * o.quantity[0] * o.quantity[1] / (p.b1**2 - p.b2**2)
    assert total == pytest.approx(o.welfare - cross, rel=1e-10, abs=1e-8)


def test_subsidy__unknown_reading__reverts() -> None:
    with pytest.raises(InputError):
        dm.product_consumer_surplus(0.1, 0.1, 0.1, 0.1, DEFAULT, reading="other")  # type: ignore[arg-type]


# ----------------------------------------------------------------- numerical kernels


def test_maximize_box__finds_interior_and_corner_maxima() -> None:
    def f(x: np.ndarray) -> float:
        return float(-((x[0] - 0.3) ** 2) - 2 * (x[1] - 2.0) ** 2 + 0.5 * x[0] * x[1])

    lo, hi = np.array([0.0, 0.0]), np.array([1.0, np.inf])
    x, _, res = dm.maximize_box(f, np.array([0.9, 0.1]), lo, hi)
    exact = np.linalg.solve([[-2.0, 0.5], [0.5, -4.0]], [-0.6, -8.0])
    assert x == pytest.approx(exact, abs=1e-8) and res < 1e-8
    x, _, _ = dm.maximize_box(f, np.array([0.5, 0.5]), lo, np.array([0.2, np.inf]))
    assert x[0] == 0.2  # the bound binds: the unconstrained maximiser has x0 > 0.2


def test_own_derivatives__match_closed_forms() -> None:
    p, point = DEFAULT.replace(theta=0.7), (0.2, 0.9, 0.4, 1.3)
    g, own, cross = dm.own_derivatives(dm.profit_payoff(p), *point)
    own_exact, cross_exact = analytic_blocks(p, *point)
    assert g == pytest.approx(analytic_gradient(p, *point), abs=1e-8)
    assert own == pytest.approx(own_exact, abs=1e-6)
    assert cross == pytest.approx(cross_exact, abs=1e-6)


# ----------------------------------------------------------------- Nash equilibrium


def test_nash__first_order_conditions_hold_in_closed_form(nash: dm.NashResult) -> None:
    s, t = nash.s, nash.t
    assert 0 < s < 1 and t > 0
    assert analytic_gradient(DEFAULT, s, t, s, t) == pytest.approx(
        [0, 0], abs=FOC_TOL * nash.equilibrium.value
    )
    # Lemma 1(i): the symmetric sharing condition solved for s.
    p = DEFAULT
    den = 2 * p.b1 * (2 * p.phi1 - p.phi3) - p.b2 * (2 * p.phi2 + p.phi3)
    assert s == pytest.approx(p.b2 * p.lambda_d * t / den, rel=1e-8)
    assert nash.equilibrium.kkt_residual < 1e-9


def test_nash__no_profitable_deviation_on_a_grid(nash: dm.NashResult) -> None:
    s, t = nash.s, nash.t
    ss, tt = np.meshgrid(np.linspace(0, 1, 301), np.linspace(0, 4 * t + 1, 301))
    deviations = dm.profit(ss, tt, s, t, DEFAULT)
    assert np.max(deviations) <= nash.equilibrium.value + 1e-9


def test_nash__no_profitable_deviation_by_an_independent_optimiser(nash: dm.NashResult) -> None:
    s, t = nash.s, nash.t
    for start in ([0.9, 0.1], [0.0, 2.0], [0.5, 0.5]):
        res = optimize.minimize(
            lambda x: -dm.profit(x[0], x[1], s, t, DEFAULT),
            start,
            method="L-BFGS-B",
            bounds=[(0, 1), (0, None)],
            options={"ftol": 1e-15, "gtol": 1e-12},
        )
        assert -res.fun <= nash.equilibrium.value + 1e-9
        assert res.x == pytest.approx([s, t], abs=1e-4)


def test_nash__unique_stable_and_reached_by_best_response_iteration(nash: dm.NashResult) -> None:
    assert nash.unique and nash.stable and nash.equilibrium.soc
    assert len(nash.iteration) == 4
    for run in nash.iteration:
        assert run.converged
        assert run.end == pytest.approx((nash.s, nash.t, nash.s, nash.t), abs=1e-6)
    assert 0 < nash.equilibrium.spectral_radius < 1


def test_nash__without_demand_spillover_nobody_shares() -> None:
    # Paper, after Prop. 2: with lambda_d <= 0 the only symmetric equilibrium has s = 0.
    for lambda_d in (0.0, -0.5):
        p = DEFAULT.replace(lambda_d=lambda_d)
        r = dm.nash_equilibrium(p, iterate=False)
        assert r.s == 0.0 and r.unique and "s=0" in r.equilibrium.active
        g = analytic_gradient(p, 0.0, r.t, 0.0, r.t)
        assert g[0] <= 1e-12  # KKT at the corner: no gain from sharing a little
        assert g[1] == pytest.approx(0.0, abs=FOC_TOL * r.equilibrium.value)


def test_nash__no_sharing_regime_solves_the_investment_foc() -> None:
    r = Duopoly(DEFAULT).no_sharing()
    assert r.s == 0.0
    assert analytic_gradient(DEFAULT, 0.0, r.t, 0.0, r.t)[1] == pytest.approx(0.0, abs=1e-7)


def test_nash__runaway_investment__raises_solver_error() -> None:
    def cheap(t: float, y: float, p: DuopolyParams) -> float:
        return 0.001 * t  # linear: marginal profit of investment never turns negative

    with pytest.raises(SolverError):
        dm.nash_equilibrium(DEFAULT, FunctionalForms(cost=cheap), iterate=False)


@given(params_strategy)
def test_nash__is_an_equilibrium_on_random_parameters(p: DuopolyParams) -> None:
    r = dm.nash_equilibrium(p, iterate=False)
    eq = r.equilibrium
    assert eq.is_equilibrium and eq.kkt_residual < 1e-7
    g = analytic_gradient(p, r.s, r.t, r.s, r.t)
    scale = 1 + abs(eq.value)
    if 0 < r.s < 1:
        assert abs(g[0]) < 1e-7 * scale
    elif r.s == 0:
        assert g[0] <= 1e-7 * scale
    else:
        assert g[0] >= -1e-7 * scale
    assert abs(g[1]) < 1e-7 * scale
    dev = dm.profit(np.linspace(0, 1, 51)[:, None], np.linspace(0, 3 * r.t + 1, 51), r.s, r.t, p)
    assert np.max(dev) <= eq.value + 1e-8 * scale


def test_best_response_jacobian__matches_differences_of_best_responses(nash: dm.NashResult) -> None:
    payoff = dm.profit_payoff(DEFAULT)
    s, t = nash.s, nash.t
    jac, _, _ = dm.best_response_jacobian(payoff, s, t, s, t)
    h = 1e-4
    for col, (ds, dt) in enumerate(((h, 0.0), (0.0, h))):
        up = dm.local_best_response(payoff, s + ds, t + dt, (s, t))
        dn = dm.local_best_response(payoff, s - ds, t - dt, (s, t))
        assert (up.s - dn.s) / (2 * h) == pytest.approx(jac[0, col], rel=1e-3, abs=1e-8)
        assert (up.t - dn.t) / (2 * h) == pytest.approx(jac[1, col], rel=1e-3, abs=1e-8)
    # Lemma 1(ii): upward-sloping reaction functions at the defaults (alpha <= alpha_bar).
    assert np.all(jac > 0)


@pytest.mark.parametrize("name", ["b1", "b2", "a", "lambda_d", "lambda_c", "alpha", "theta"])
def test_equilibrium_sensitivity__matches_resolved_equilibria(
    nash: dm.NashResult, name: str
) -> None:
    ds, dt = dm.equilibrium_sensitivity(DEFAULT, name, nash.s, nash.t)
    value = getattr(DEFAULT, name)

    def resolved(h: float) -> np.ndarray:
        up = dm.refine_symmetric_equilibrium(
            dm.profit_payoff(DEFAULT.replace(**{name: value + h})), nash.s, nash.t
        )
        dn = dm.refine_symmetric_equilibrium(
            dm.profit_payoff(DEFAULT.replace(**{name: value - h})), nash.s, nash.t
        )
        return (np.array(up) - np.array(dn)) / (2 * h)

    # Re-solved equilibria, Richardson-extrapolated differences (an independent method).
    # Steps large enough that re-solve noise (~1e-12 in s) stays below 1e-10 in the ratio.
    h = 2e-2 * max(1.0, abs(value))
    reference = (4 * resolved(h) - resolved(2 * h)) / 3
    assert reference == pytest.approx([ds, dt], rel=1e-5, abs=1e-9)


def test_equilibrium_sensitivity__unknown_parameter__reverts(nash: dm.NashResult) -> None:
    with pytest.raises(SolverError):
        dm.equilibrium_sensitivity(DEFAULT, "nope", nash.s, nash.t)


# ----------------------------------------------------------------- cooperative regimes


def test_joint_profit__satisfies_equations_13_and_14(
    joint: dm.RegimeResult, nash: dm.NashResult
) -> None:
    p, s, t = DEFAULT, joint.s, joint.t
    assert 0 < s < 1
    big_a = p.a + dm.demand_shift(s, t, s, t, p)
    k = 4 * p.b1 * big_a / (2 * p.b1 - p.b2) ** 2
    y = p.lambda_c * t * s
    f_y = 0.5 * p.gamma * t**2 * (-p.theta / (1 + y) ** 2)
    f_t = p.gamma * t * kappa(p, y)
    db_ds = p.lambda_d * t - 2 * s * (p.phi1 - p.phi2 - p.phi3)
    assert k * db_ds - 2 * p.lambda_c * t * f_y == pytest.approx(0, abs=1e-7)
    assert k * (1 - p.alpha + p.lambda_d * s) - 2 * (f_t + p.lambda_c * s * f_y) == pytest.approx(
        0, abs=1e-7
    )
    assert joint.objective >= 2 * nash.outcome.profit[0] - 1e-12


def test_social_planner__satisfies_equations_27_and_28(social: dm.RegimeResult) -> None:
    p, s, t = DEFAULT, social.s, social.t
    assert 0 < s < 1
    big_a = p.a + dm.demand_shift(s, t, s, t, p)
    k = p.b1 * big_a * (3 * p.b1 - 2 * p.b2) / ((2 * p.b1 - p.b2) ** 2 * (p.b1 - p.b2))
    y = p.lambda_c * t * s
    f_y = 0.5 * p.gamma * t**2 * (-p.theta / (1 + y) ** 2)
    f_t = p.gamma * t * kappa(p, y)
    db_ds = p.lambda_d * t - 2 * s * (p.phi1 - p.phi2 - p.phi3)
    assert 2 * k * db_ds - 2 * p.lambda_c * t * f_y == pytest.approx(0, abs=1e-7)
    assert k * (1 - p.alpha + p.lambda_d * s) - (f_t + p.lambda_c * s * f_y) == pytest.approx(
        0, abs=1e-7
    )


def test_social_planner__beats_nash_and_joint_profit_welfare(
    social: dm.RegimeResult, joint: dm.RegimeResult, nash: dm.NashResult
) -> None:
    assert social.outcome.welfare > nash.outcome.welfare + 1e-6
    assert social.outcome.welfare > joint.outcome.welfare + 1e-6
    grid = dm.welfare(
        np.linspace(0, 1, 201)[:, None],
        np.linspace(0, 5, 201),
        np.linspace(0, 1, 201)[:, None],
        np.linspace(0, 5, 201),
        DEFAULT,
    )
    assert np.max(grid) <= social.objective + 1e-9


def test_social_planner__unbounded_welfare__raises_solver_error() -> None:
    with pytest.raises(SolverError):
        dm.social_optimum(DEFAULT.replace(b2=0.8, gamma=2.0))


# ----------------------------------------------------------------- sequential game


def test_sequential__leader_optimum_and_follower_best_response(nash: dm.NashResult) -> None:
    seq = dm.sequential_equilibrium(DEFAULT, nash=nash)
    o = seq.outcome
    payoff = dm.profit_payoff(DEFAULT)
    assert seq.leader_residual < 1e-8 and seq.follower_deviation_gain < 1e-8
    assert seq.leader_max_ascent < 0 and seq.verified
    follower = dm.best_response(payoff, o.s[0], o.t[0])
    assert (follower.s, follower.t) == pytest.approx((o.s[1], o.t[1]), abs=1e-6)
    # Committing to the Nash profile is feasible for the leader, so it cannot earn less.
    assert o.profit[0] >= nash.outcome.profit[0] - 1e-10
    # No commitment on a coarse grid (follower answering globally) beats the solution.
    for s_l in np.linspace(0, 1, 6):
        for t_l in np.linspace(0, 1.2, 6):
            br = dm.best_response(payoff, float(s_l), float(t_l))
            assert dm.profit(s_l, t_l, br.s, br.t, DEFAULT) <= o.profit[0] + 1e-9


def test_sequential__optimum_at_a_kink_of_the_follower_reaction_is_certified() -> None:
    # Found on the proposition grid: the leader shares fully and picks the investment at which
    # the follower's sharing just reaches s = 1, so the reduced payoff has a kink there.
    p = DuopolyParams(
        a=30,
        b2=0.8,
        alpha=0.2,
        lambda_d=0.9,
        lambda_c=0.2,
        phi1=1.0,
        phi2=0.2,
        phi3=0.6,
        gamma=20,
        theta=0.5,
    )
    seq = dm.sequential_equilibrium(p, global_search=False)
    o = seq.outcome
    assert o.s[0] == 1.0 and o.s[1] == pytest.approx(1.0, abs=1e-7)
    assert seq.leader_residual > 1e-7  # the gradient test cannot certify a kink ...
    assert seq.leader_max_ascent < 0 and seq.verified  # ... the ascent certificate does
    payoff = dm.profit_payoff(p)
    # At the kink the follower is indifferent to ~1e-8 in s_F, which moves the leader's profit
    # by ~1e-9 relative: hence the relative tolerance.
    for t_l in np.linspace(o.t[0] - 0.05, o.t[0] + 0.05, 11):
        br = dm.best_response(payoff, 1.0, float(t_l))
        assert dm.profit(1.0, t_l, br.s, br.t, p) <= o.profit[0] * (1 + 1e-8)


def test_sequential__unbounded_leader_payoff__raises_solver_error() -> None:
    p = DEFAULT.replace(b2=0.9, gamma=5.0)
    nash = dm.nash_equilibrium(p, iterate=False)  # the simultaneous game is fine here
    assert nash.equilibrium.is_equilibrium
    with pytest.raises(SolverError, match="unbounded"):
        dm.sequential_equilibrium(p, nash=nash, global_search=False)


# ----------------------------------------------------------------- Appendix B


def test_subsidy__ray_reading_reaches_the_social_optimum_at_zero_net_cost(
    social: dm.RegimeResult,
) -> None:
    r = dm.subsidy_scheme(DEFAULT, social=social, iterate=False)
    assert r.distance < 1e-6 and abs(r.welfare_gap) < 1e-8
    assert abs(r.net_cost) < 1e-6 and r.reaches_optimum
    assert r.tax_per_firm > 0 and r.subsidy_per_firm == pytest.approx(r.tax_per_firm, rel=1e-8)
    assert r.equilibrium.unique and r.equilibrium.equilibrium.is_equilibrium


def test_subsidy__partial_reading_falls_short_and_costs_money(social: dm.RegimeResult) -> None:
    r = dm.subsidy_scheme(DEFAULT, social=social, reading="partial", iterate=False)
    assert not r.reaches_optimum
    assert r.distance > 1e-2 and r.welfare_gap > 1e-3
    assert r.equilibrium.s < social.s and r.equilibrium.t < social.t
    assert abs(r.net_cost) > 1e-3


# ----------------------------------------------------------------- section 4 and forms


def test_volume_costs__zero_costs_recover_the_base_model() -> None:
    p = DEFAULT.replace(c=0.0, lambda_hat=0.0, delta1=5.0)
    assert dm.profit(0.3, 0.7, 0.2, 0.4, p) == dm.profit(0.3, 0.7, 0.2, 0.4, DEFAULT)


@given(unit, invest, unit, invest)
def test_volume_costs__prices_solve_the_bertrand_game_with_unit_costs(
    si: float, ti: float, sj: float, tj: float
) -> None:
    p = DEFAULT.replace(c=1.0, lambda_hat=0.2, lambda_c=0.0)
    pi, pj = dm.stage2_prices(si, ti, sj, tj, p)
    fi, fj = dm.unit_cost(ti, sj, tj, p), dm.unit_cost(tj, si, ti, p)
    bi, bj = dm.demand_shift(si, ti, sj, tj, p), dm.demand_shift(sj, tj, si, ti, p)
    # d((p_i - F_i) q_i)/dp_i = a - 2 b1 p_i + b2 p_j + B_i + b1 F_i = 0.
    assert p.a - 2 * p.b1 * pi + p.b2 * pj + bi + p.b1 * fi == pytest.approx(0, abs=1e-9)
    assert p.a - 2 * p.b1 * pj + p.b2 * pi + bj + p.b1 * fj == pytest.approx(0, abs=1e-9)


def test_volume_costs__spillover_lowers_equilibrium_sharing() -> None:
    base = DEFAULT.replace(c=1.0, lambda_c=0.0, a=30.0, phi1=1.0, phi2=0.2, phi3=0.6)
    s0 = dm.nash_equilibrium(base, iterate=False).s
    s1 = dm.nash_equilibrium(base.replace(lambda_hat=0.2), iterate=False).s
    assert 0 < s1 < s0


def test_forms__custom_cost_and_leakage_are_used() -> None:
    def cost(t: dm.Num, y: dm.Num, p: DuopolyParams) -> dm.Num:
        return 0.5 * p.gamma * t * t * (1 - p.theta * (1 - np.exp(-y)))

    def leakage(s_own: dm.Num, s_other: dm.Num, p: DuopolyParams) -> dm.Num:
        return p.phi1 * s_own**3 + p.phi1 * s_own * s_own - p.phi2 * s_other * s_other

    forms = FunctionalForms(cost=cost, leakage=leakage)
    model = Duopoly(DEFAULT, forms)
    r = model.nash(iterate=False)
    assert r.equilibrium.is_equilibrium and r.equilibrium.kkt_residual < 1e-8
    assert (r.s, r.t) != pytest.approx(
        (
            dm.nash_equilibrium(DEFAULT, iterate=False).s,
            dm.nash_equilibrium(DEFAULT, iterate=False).t,
        )
    )
    assert model.profit(0.1, 0.2, 0.3, 0.4) == pytest.approx(
        float(dm.profit(0.1, 0.2, 0.3, 0.4, DEFAULT, forms))
    )


def test_duopoly_solve__reports_every_regime() -> None:
    solution = Duopoly(DEFAULT).solve()
    assert solution.failures == {}
    assert solution.social_welfare is not None and solution.nash.s < solution.social_welfare.s
    out = solution.as_dict()
    for key in ("nash", "joint_profit", "social_welfare", "sequential", "no_sharing", "subsidy"):
        assert key in out
    for regime in ("nash", "joint_profit", "social_welfare"):
        assert {"s", "t", "price", "profit", "welfare"} <= set(out[regime])
    assert set(out["sequential"]) >= {"leader", "follower"}
    assert out["assumptions"]["assumption1"] and out["assumptions"]["assumption2"]
    assert out["subsidy"]["reaches_social_optimum_at_zero_net_cost"] is True
    assert out["subsidy"]["alternative_reading"]["reaches_social_optimum_at_zero_net_cost"] is False


def test_make_figures__writes_the_duopoly_pngs(tmp_path: pathlib.Path) -> None:
    from sharing.report.figures_duopoly import make_figures

    figures = make_figures(tmp_path)
    assert [f.filename for f in figures] == [
        "duopoly_regimes.png",
        "duopoly_reaction_functions.png",
        "duopoly_volume_costs.png",
    ]
    for f in figures:
        assert (tmp_path / f.filename).stat().st_size > 10_000
        assert f.title and f.caption
