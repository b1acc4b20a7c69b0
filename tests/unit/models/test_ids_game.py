"""The IDS game of Naghizadeh & Liu: risks, Nash equilibrium, social optimum, PoA (docs/models.md)."""

from __future__ import annotations

import math
from collections.abc import Callable

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
    coalition_optimum,
    nash_equilibrium,
    parse_costs,
    parse_instance,
    parse_weights,
    price_of_anarchy,
    random_instance,
    social_optimum,
    total_effort_closed_form,
    total_effort_price_of_anarchy,
)

TOL = 1e-9

costs_strategy = st.lists(st.floats(0.01, 3.0), min_size=1, max_size=7)


def _brute_social_cost_lower_bound(game: IDSGame, rng: np.random.Generator, k: int) -> float:
    """Smallest social cost among ``k`` random feasible points (an upper bound on G*)."""
    pts = rng.uniform(0.0, 5.0, size=(k, game.n)) * (rng.random((k, game.n)) < 0.6)
    return min(game.social_cost(p) for p in pts)


# --------------------------------------------------------------------------- total effort


@given(costs_strategy)
def test_total_effort_closed_form__satisfies_equilibrium_and_kkt(costs: list[float]) -> None:
    # Section III: only the cheapest user invests, -ln c_min at NE, ln(N / c_min) at x*.
    c = np.array(costs)
    n = c.size
    game = IDSGame(TotalEffortRisk(n), c)
    x_nash, x_opt = total_effort_closed_form(c)
    k = int(np.argmin(c))
    assert x_nash[k] == pytest.approx(max(0.0, -math.log(c[k])), abs=1e-12)
    assert x_opt[k] == pytest.approx(max(0.0, math.log(n / c[k])), abs=1e-12)
    assert np.count_nonzero(x_nash) <= 1 and np.count_nonzero(x_opt) <= 1
    assert game.nash_residual(x_nash) <= 1e-12
    assert game.kkt_residual(x_opt) <= 1e-12
    assert game.social_cost(x_opt) <= game.social_cost(x_nash) + 1e-12


@given(costs_strategy)
def test_total_effort_closed_form__agrees_with_the_weighted_solvers(costs: list[float]) -> None:
    # The same game through the generic LCP / projected-Newton route (weights all one).
    c = np.array(costs)
    closed = IDSGame(TotalEffortRisk(c.size), c)
    numeric = IDSGame(WeightedEffortRisk(np.ones((c.size, c.size))), c)
    ne_c, ne_n = nash_equilibrium(closed), nash_equilibrium(numeric)
    assert ne_c.method == "closed-form" and ne_n.method in {"best-response", "lemke"}
    # with tied cheapest costs the split of the effort may differ, the total may not
    assert ne_n.x.sum() == pytest.approx(ne_c.x.sum(), abs=1e-9)
    assert ne_n.social_cost == pytest.approx(ne_c.social_cost, abs=1e-9)
    opt_c, opt_n = social_optimum(closed), social_optimum(numeric)
    assert opt_n.x.sum() == pytest.approx(opt_c.x.sum(), abs=1e-7)
    assert opt_n.social_cost == pytest.approx(opt_c.social_cost, abs=1e-10)


@pytest.mark.parametrize("n", [2, 3, 10, 200])
@pytest.mark.parametrize("c", [0.01, 0.2, 0.9, 1.5, 7.0, 500.0])
def test_total_effort_price_of_anarchy__matches_the_section_iii_formula(n: int, c: float) -> None:
    game = IDSGame(TotalEffortRisk(n), [c] + [c + 1.0] * (n - 1))
    rho = price_of_anarchy(game)
    if c < 1:
        expected = (n - math.log(c)) / (1 + math.log(n) - math.log(c))
    elif c < n:
        expected = n / (c * (1 + math.log(n / c)))
    else:
        expected = 1.0
    assert rho == pytest.approx(expected, rel=1e-12)
    assert rho == pytest.approx(total_effort_price_of_anarchy(n, c), rel=1e-12)
    # the paper's conclusion rho > 1 (strict convexity of f) whenever x* > x_nash
    assert (rho > 1.0) == (c < n)


# --------------------------------------------------------------------------- weighted effort


@st.composite
def weighted_games(draw: st.DrawFn, max_n: int = 6) -> IDSGame:
    n = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    spill = draw(st.floats(0.0, 1.5))
    return random_instance(n, spillover=spill, random_state=seed)


@given(weighted_games())
def test_nash_equilibrium__weighted_solves_the_complementarity_conditions(game: IDSGame) -> None:
    ne = nash_equilibrium(game)
    assert np.all(ne.x >= 0)
    assert ne.residual <= TOL
    # no user gains by moving its own investment (eq. (3)): probe a grid of own efforts
    for i in range(game.n):
        base = game.user_cost(i, ne.x)
        for t in np.linspace(0.0, 2.0 * ne.x[i] + 2.0, 25):
            y = ne.x.copy()
            y[i] = t
            assert game.user_cost(i, y) >= base - 1e-12


@given(weighted_games())
def test_nash_equilibrium__lemke_agrees_with_best_responses(game: IDSGame) -> None:
    br = nash_equilibrium(game, method="best-response", max_iter=10_000)
    lk = nash_equilibrium(game, method="lemke")
    assert lk.residual <= TOL
    if br.unique:
        np.testing.assert_allclose(lk.x, br.x, atol=1e-9)


def test_nash_equilibrium__lemke_handles_a_game_with_several_equilibria() -> None:
    # w_12 = w_21 = 2 > w_ii: strategic substitutes, three equilibria, not a P-matrix.
    game = IDSGame(WeightedEffortRisk([[1.0, 2.0], [2.0, 1.0]]), [0.3, 0.3])
    lk = nash_equilibrium(game, method="lemke")
    assert lk.residual <= TOL
    assert lk.unique is None
    b = math.log(1 / 0.3)
    candidates = [np.array([b, 0.0]), np.array([0.0, b]), np.array([b / 3, b / 3])]
    assert any(np.allclose(lk.x, c, atol=1e-9) for c in candidates)


@given(weighted_games())
def test_social_optimum__kkt_multipliers_and_optimality(game: IDSGame) -> None:
    opt = social_optimum(game)
    mu = opt.multipliers
    assert np.all(opt.x >= 0) and np.all(mu >= 0)
    assert float(mu @ opt.x) == 0.0
    assert opt.kkt_residual <= TOL
    grad = game.social_gradient(opt.x)
    np.testing.assert_allclose(grad[opt.x > 0], 0.0, atol=TOL)
    ne = nash_equilibrium(game)
    assert opt.social_cost <= ne.social_cost + 1e-12
    rng = np.random.default_rng(0)
    assert opt.social_cost <= _brute_social_cost_lower_bound(game, rng, 200) + 1e-12
    assert price_of_anarchy(game, ne, opt) >= 1.0 - 1e-12


def test_social_optimum__weighted_two_user_instance_by_hand() -> None:
    # Interior optimum of exp(-(x1 + .4 x2)) + exp(-(.3 x1 + 1.2 x2)) + .2 x1 + .3 x2:
    # grad G = 0 is linear in (s1, s2) = exp(-W x): W^T s = c.
    w = np.array([[1.0, 0.4], [0.3, 1.2]])
    c = np.array([0.2, 0.3])
    s = np.linalg.solve(w.T, c)
    x_expected = np.linalg.solve(w, -np.log(s))
    opt = social_optimum(IDSGame(WeightedEffortRisk(w), c))
    np.testing.assert_allclose(opt.x, x_expected, atol=1e-10)


def test_nash_equilibrium__best_response_budget_exhausted__reverts() -> None:
    game = random_instance(6, spillover=1.2, random_state=3)
    with pytest.raises(SolverError, match="did not converge in 1 sweeps"):
        nash_equilibrium(game, method="best-response", max_iter=1)


def test_social_optimum__iteration_budget_exhausted__reverts() -> None:
    game = random_instance(8, random_state=4)
    with pytest.raises(SolverError, match="KKT residual"):
        social_optimum(game, max_iter=1)


def test_coalition_optimum__total_effort_closed_form_agrees_with_weighted() -> None:
    c = [0.4, 0.25, 0.7, 0.9]
    closed = IDSGame(TotalEffortRisk(4), c)
    numeric = IDSGame(WeightedEffortRisk(np.ones((4, 4))), c)
    for effort in (0.0, 0.5, 1.2, 3.0):
        a = coalition_optimum(closed, 0, effort)
        b = coalition_optimum(numeric, 0, effort)
        assert a[0] == b[0] == effort
        assert a[1:].sum() == pytest.approx(max(0.0, math.log(3 / 0.25) - effort), abs=1e-12)
        np.testing.assert_allclose(b, a, atol=1e-7)


# --------------------------------------------------------------------------- custom risks


def _exp_risk(w: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda x: np.exp(-(w @ x))


def test_convex_risk__finite_differences_reproduce_the_weighted_model() -> None:
    game_w = random_instance(4, random_state=8)
    assert isinstance(game_w.risk, WeightedEffortRisk)
    w = np.array(game_w.risk.weights)
    custom = IDSGame(ConvexRisk(4, _exp_risk(w)), game_w.costs)
    ne_w, ne_c = nash_equilibrium(game_w), nash_equilibrium(custom)
    np.testing.assert_allclose(ne_c.x, ne_w.x, atol=1e-6)
    opt_w, opt_c = social_optimum(game_w), social_optimum(custom, tol=1e-7)
    np.testing.assert_allclose(opt_c.x, opt_w.x, atol=1e-5)
    assert opt_c.social_cost == pytest.approx(opt_w.social_cost, abs=1e-10)


def test_convex_risk__analytic_derivatives_per_user() -> None:
    # f_i(x) = 1 / (1 + w_i . x): positive, decreasing, convex, not exponential.
    w = np.array([[1.0, 0.3, 0.1], [0.2, 1.0, 0.5], [0.4, 0.1, 1.0]])
    fs = [lambda x, wi=wi: 1.0 / (1.0 + wi @ x) for wi in w]
    grads = [lambda x, wi=wi: -wi / (1.0 + wi @ x) ** 2 for wi in w]
    hess = [lambda x, wi=wi: 2.0 * np.outer(wi, wi) / (1.0 + wi @ x) ** 3 for wi in w]
    risk = ConvexRisk(3, fs, grads, hess, name="hyperbolic")
    game = IDSGame(risk, [0.05, 0.08, 0.1])
    ne = nash_equilibrium(game)
    opt = social_optimum(game)
    assert ne.residual <= TOL and opt.kkt_residual <= TOL
    assert opt.social_cost < ne.social_cost
    # own first-order condition by hand for an investing user: w_ii / (1 + w_i.x)^2 = c_i
    for i in np.flatnonzero(ne.x > 0):
        assert w[i, i] / (1.0 + w[i] @ ne.x) ** 2 == pytest.approx(game.costs[i], rel=1e-9)


def test_convex_risk__not_convex__reverts() -> None:
    with pytest.raises(InputError, match="not convex"):
        ConvexRisk(3, lambda x: np.full(3, np.exp(-(np.sum(x) ** 2))))


def test_convex_risk__increasing__reverts() -> None:
    with pytest.raises(InputError, match="decrease"):
        ConvexRisk(2, lambda x: np.exp(x - 5.0))


def test_convex_risk__not_positive__reverts() -> None:
    with pytest.raises(InputError, match="positive"):
        ConvexRisk(2, lambda x: np.exp(-x) - 2.0)


def test_convex_risk__wrong_shape__reverts() -> None:
    with pytest.raises(InputError, match="must return 3 values"):
        ConvexRisk(3, lambda x: np.exp(-x[:2]))


# --------------------------------------------------------------------------- input checking


@pytest.mark.parametrize("bad", [[0.2, -0.1], [0.0, 1.0], [0.3, float("nan")]])
def test_game__non_positive_cost__reverts(bad: list[float]) -> None:
    with pytest.raises(InputError, match="cost"):
        IDSGame(TotalEffortRisk(2), bad)


def test_game__cost_count_mismatch__reverts() -> None:
    with pytest.raises(InputError, match="3 costs given for 2 users"):
        IDSGame(WeightedEffortRisk(np.eye(2)), [0.1, 0.2, 0.3])


def test_weighted_risk__negative_weight__reverts() -> None:
    with pytest.raises(InputError, match="non-negative"):
        WeightedEffortRisk([[1.0, -0.1], [0.0, 1.0]])


def test_parse_instance__weighted_and_total_effort() -> None:
    g = parse_instance("weighted", "0.2,0.3", "1 0.4; 0.3 1.2")
    assert isinstance(g.risk, WeightedEffortRisk)
    np.testing.assert_array_equal(g.risk.weights, [[1.0, 0.4], [0.3, 1.2]])
    g2 = parse_instance("total-effort", "0.2 0.3 0.5")
    assert isinstance(g2.risk, TotalEffortRisk) and g2.n == 3
    np.testing.assert_array_equal(parse_costs("1e-1, .5"), [0.1, 0.5])
    np.testing.assert_array_equal(parse_weights("1,2;3,4"), [[1, 2], [3, 4]])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("weighted", "0.2,0.3", "1 0.4 0; 0.3 1.2 0"), "weights must be 2x2"),
        (("weighted", "0.2,0.3", "1 0.4; 0.3"), "rows have different lengths"),
        (("weighted", "0.2,0.3", None), "needs --weights"),
        (("total-effort", "0.2,abc", None), "not a number"),
        (("total-effort", "0.2,0.3", "1 0; 0 1"), "only applies"),
        (("sigmoid", "0.2,0.3", None), "unknown risk"),
        (("nosuchmodule_xyz:f", "0.2,0.3", None), "cannot load"),
    ],
)
def test_parse_instance__bad_input__reverts(
    args: tuple[str, str, str | None], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        parse_instance(*args)


def test_parse_instance__custom_risk_from_a_file(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "myrisk.py"
    path.write_text(
        "import numpy as np\n"
        "W = np.array([[1.0, 0.5], [0.2, 1.0]])\n"
        "def risk(x):\n    return np.exp(-(W @ x))\n"
        "def bumpy(x):\n    return np.full(2, np.exp(-np.sum(x) ** 2))\n"
    )
    game = parse_instance(f"{path}:risk", "0.2,0.3")
    ref = IDSGame(WeightedEffortRisk([[1.0, 0.5], [0.2, 1.0]]), [0.2, 0.3])
    np.testing.assert_allclose(nash_equilibrium(game).x, nash_equilibrium(ref).x, atol=1e-7)
    with pytest.raises(InputError, match="not convex"):
        parse_instance(f"{path}:bumpy", "0.2,0.3")


def test_random_instance__replays_with_the_same_seed() -> None:
    a = random_instance(5, random_state=42)
    b = random_instance(5, random_state=np.random.default_rng(42))
    assert isinstance(a.risk, WeightedEffortRisk) and isinstance(b.risk, WeightedEffortRisk)
    np.testing.assert_array_equal(a.risk.weights, b.risk.weights)
    np.testing.assert_array_equal(a.costs, b.costs)
    assert not np.array_equal(random_instance(5, random_state=43).costs, a.costs)
