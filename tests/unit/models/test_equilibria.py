"""Bimatrix solving, cross-checks, degeneracy reports, 2x2 classes and selection."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharing.errors import InputError
from sharing.models.equilibria import (
    CHICKEN,
    HARMONY,
    LEMKE_HOWSON,
    OTHER,
    PRISONERS_DILEMMA,
    SHARING_NAMES,
    STAG_HUNT,
    SUPPORT_ENUMERATION,
    VERTEX_ENUMERATION,
    check_game,
    classify_2x2,
    degeneracy_witness,
    is_nash,
    pure_nash_equilibria,
    select_equilibrium,
    solve_bimatrix,
)

TOL = 1e-9  # tolerance for reproduced probabilities and payoffs


def labels(result):
    return [e.label(SHARING_NAMES) for e in result.equilibria]


def random_game(seed: int, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Continuous random payoffs: nondegenerate with probability one."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), rng.normal(size=(m, n))


# --------------------------------------------------------------------------- reproductions


def test_solve_bimatrix__stag_hunt_has_two_pure_and_one_mixed():
    # R=3, S=0, T=2, P=2: the mixed equilibrium makes the opponent indifferent,
    # 3q = 2 -> q = 2/3 on C for both players.
    result = solve_bimatrix([[3, 0], [2, 2]], [[3, 2], [0, 2]])
    assert labels(result) == ["(C,C)", "(D,D)", "mixed"]
    mixed = result.equilibria[2]
    np.testing.assert_allclose(mixed.row, [2 / 3, 1 / 3], atol=TOL)
    np.testing.assert_allclose(mixed.col, [2 / 3, 1 / 3], atol=TOL)
    np.testing.assert_allclose(mixed.payoffs, [2.0, 2.0], atol=TOL)
    assert not result.degenerate
    assert result.methods_agree


def test_solve_bimatrix__von_stengel_3x2_example():
    # von Stengel (2007, Nisan et al. ch. 3, fig. 3.1): exactly three equilibria.
    a = [[3, 3], [2, 5], [0, 6]]
    b = [[3, 2], [2, 6], [3, 1]]
    result = solve_bimatrix(a, b)
    expected = [
        ([1, 0, 0], [1, 0]),
        ([4 / 5, 1 / 5, 0], [2 / 3, 1 / 3]),
        ([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3]),
    ]
    assert len(result.equilibria) == 3
    for x, y in expected:
        assert any(
            np.allclose(e.row, x, atol=TOL) and np.allclose(e.col, y, atol=TOL)
            for e in result.equilibria
        ), (x, y)
    assert not result.degenerate


def test_solve_bimatrix__matching_pennies_unique_mixed():
    result = solve_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert labels(result) == ["mixed"]
    np.testing.assert_allclose(result.equilibria[0].row, [0.5, 0.5], atol=TOL)
    np.testing.assert_allclose(result.equilibria[0].col, [0.5, 0.5], atol=TOL)
    # every method finds it, Lemke-Howson included
    assert set(result.equilibria[0].methods) >= {
        SUPPORT_ENUMERATION,
        VERTEX_ENUMERATION,
        LEMKE_HOWSON,
    }


def test_solve_bimatrix__lemke_howson_runs_from_every_label():
    result = solve_bimatrix([[3, 0], [2, 2]], [[3, 2], [0, 2]])
    # 4 labels; LH never returns the mixed equilibrium of a 2x2 coordination game
    assert result.counts[LEMKE_HOWSON] == 2
    assert LEMKE_HOWSON not in result.equilibria[2].methods


# --------------------------------------------------------------------------- degeneracy


def test_solve_bimatrix__all_equal_payoffs_reported_not_crashed():
    result = solve_bimatrix([[1, 1], [1, 1]], [[1, 1], [1, 1]])
    assert result.degenerate
    assert result.continuum
    assert len(result.pure_profiles) == 4
    assert any("degenerate game" in m for m in result.messages)
    assert all("\n" not in m for m in result.messages)


def test_solve_bimatrix__zero_matrix_reported_not_crashed():
    result = solve_bimatrix(np.zeros((2, 3)), np.zeros((2, 3)))
    assert result.degenerate
    assert len(result.pure_profiles) == 6


def test_solve_bimatrix__tie_in_one_column_is_degenerate():
    # column player indifferent against row's D: a continuum of equilibria (D, q)
    a = [[2, 0], [3, 1]]
    b = [[2, 3], [1, 1]]
    result = solve_bimatrix(a, b)
    assert result.degenerate
    assert result.continuum
    assert degeneracy_witness(np.array(a, float), np.array(b, float)) is not None


def test_degeneracy_witness__nondegenerate_stag_hunt__is_none():
    assert degeneracy_witness(np.array([[3.0, 0], [2, 2]]), np.array([[3.0, 2], [0, 2]])) is None


def test_degeneracy_witness__mixed_support_with_three_best_responses():
    # row mixing 1/2-1/2 makes all three columns best responses: degenerate
    # although no pure strategy has tied best responses.
    a = np.array([[1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])
    b = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
    assert degeneracy_witness(a, b) is not None


@given(st.integers(0, 2**32 - 1), st.integers(2, 3), st.integers(2, 3))
def test_solve_bimatrix__methods_agree_on_random_nondegenerate_games(seed, m, n):
    a, b = random_game(seed, m, n)
    result = solve_bimatrix(a, b)
    assert not result.degenerate, result.messages
    assert result.methods_agree
    assert len(result.equilibria) % 2 == 1  # Lemke-Howson's odd-number theorem
    for e in result.equilibria:
        assert is_nash(a, b, e.row, e.col, 1e-9)
        assert SUPPORT_ENUMERATION in e.methods and VERTEX_ENUMERATION in e.methods
    assert any(LEMKE_HOWSON in e.methods for e in result.equilibria)
    assert sorted(result.pure_profiles) == sorted(pure_nash_equilibria(a, b))


@given(
    st.integers(0, 2**32 - 1),
    st.floats(0.1, 100.0),
    st.floats(-50.0, 50.0),
    st.floats(-50.0, 50.0),
)
def test_solve_bimatrix__invariant_under_positive_affine_payoffs(seed, scale, shift_a, shift_b):
    a, b = random_game(seed, 2, 3)
    base = solve_bimatrix(a, b)
    moved = solve_bimatrix(scale * a + shift_a, scale * b + shift_b)
    assert len(base.equilibria) == len(moved.equilibria)
    for e, f in zip(base.equilibria, moved.equilibria, strict=True):
        np.testing.assert_allclose(e.row, f.row, atol=1e-7)
        np.testing.assert_allclose(e.col, f.col, atol=1e-7)


@pytest.mark.parametrize(
    "row, col, expected",
    [
        ([[5.0]], [[3.0]], [(0, 0)]),
        ([[1.0, 2.0, 3.0]], [[3.0, 2.0, 1.0]], [(0, 0)]),
        ([[1.0], [2.0], [3.0]], [[3.0], [3.0], [1.0]], [(2, 0)]),
    ],
)
def test_solve_bimatrix__single_strategy_player__solved_without_hanging(row, col, expected):
    # nashpy's own Lemke-Howson never terminates on these games
    result = solve_bimatrix(row, col)
    assert result.pure_profiles == expected
    assert not result.degenerate and result.methods_agree


def test_lemke_howson__pivot_cap__raises_solver_error():
    from sharing.errors import SolverError
    from sharing.models.equilibria import lemke_howson

    with pytest.raises(SolverError):
        lemke_howson(np.array([[5.0]]), np.array([[3.0]]), 0, max_pivots=20)


# --------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    "row, col",
    [
        ([[1, 2], [3]], [[1, 2], [3, 4]]),
        ([[1, 2], [3, 4]], [[1, 2, 3], [3, 4, 5]]),
        ([[1, "x"], [3, 4]], [[1, 2], [3, 4]]),
        ([[1, float("nan")], [3, 4]], [[1, 2], [3, 4]]),
        ([], []),
    ],
)
def test_check_game__malformed__raises(row, col):
    with pytest.raises(InputError):
        check_game(row, col)


def test_solve_bimatrix__too_large__raises():
    with pytest.raises(InputError, match="too large"):
        solve_bimatrix(np.zeros((11, 2)), np.zeros((11, 2)))


# --------------------------------------------------------------------------- classes


def symmetric(r: float, s: float, t: float, p: float) -> tuple[list, list]:
    """Symmetric 2x2 game from one player's R, S, T, P (strategy 0 = C)."""
    return [[r, s], [t, p]], [[r, t], [s, p]]


@pytest.mark.parametrize(
    "rstp, expected",
    [
        ((3, 0, 5, 1), PRISONERS_DILEMMA),
        ((4, 0, 3, 1), STAG_HUNT),
        ((4, 0, 2, 2), STAG_HUNT),  # T = P, as in the gated pool
        ((4, 0, 1, 2), OTHER),  # R > P > T > S: coordination, but not a stag hunt
        ((3, 1, 4, 0), CHICKEN),
        ((4, 3, 2, 1), HARMONY),
        ((1, 0, 3, 2), OTHER),  # deadlock: mutual defection preferred
        ((1, 1, 1, 1), OTHER),
    ],
)
def test_classify_2x2__orderings(rstp, expected):
    assert classify_2x2(*symmetric(*rstp)).label == expected


def test_classify_2x2__mixed_classes__other_with_per_player_detail():
    a, _ = symmetric(3, 0, 5, 1)  # row: prisoner's dilemma
    _, b = symmetric(4, 0, 3, 1)  # column: stag hunt
    cls = classify_2x2(a, b)
    assert cls.label == OTHER
    assert cls.per_player == (PRISONERS_DILEMMA, STAG_HUNT)


def test_classify_2x2__not_2x2__other():
    assert classify_2x2(np.zeros((2, 3)), np.ones((2, 3))).label == OTHER


distinct4 = st.lists(st.integers(-20, 20), min_size=4, max_size=4, unique=True)


@given(distinct4, distinct4)
def test_classify_2x2__class_predicts_equilibria(row_vals, col_vals):
    r1, s1, t1, p1 = row_vals
    r2, s2, t2, p2 = col_vals
    a = [[r1, s1], [t1, p1]]
    b = [[r2, t2], [s2, p2]]
    cls = classify_2x2(a, b).label
    found = labels(solve_bimatrix(a, b))
    expected = {
        PRISONERS_DILEMMA: ["(D,D)"],
        STAG_HUNT: ["(C,C)", "(D,D)", "mixed"],
        HARMONY: ["(C,C)"],
        CHICKEN: ["(C,D)", "(D,C)", "mixed"],
    }
    if cls in expected:
        assert found == expected[cls]


# --------------------------------------------------------------------------- selection


def test_select_equilibrium__stag_hunt_risk_vs_payoff_dominance():
    # Nash products: (C,C) (3-2)(3-2) = 1 < (D,D) (2-0)(2-0) = 4
    a, b = symmetric(3, 0, 2, 2)
    sel = select_equilibrium(a, b, [(0, 0), (1, 1)])
    assert sel.risk_dominant == (1, 1)
    assert sel.payoff_dominant == (0, 0)
    assert sel.nash_products["(0, 0) vs (1, 1)"] == pytest.approx((1.0, 4.0))


def test_select_equilibrium__equal_products__no_risk_dominant():
    a, b = symmetric(3, 0, 1, 2)  # products (3-1)^2 = 4 and (2-0)^2 = 4
    sel = select_equilibrium(a, b, [(0, 0), (1, 1)])
    assert sel.risk_dominant is None
    assert sel.payoff_dominant == (0, 0)


def test_select_equilibrium__anti_coordination_pair():
    a, b = symmetric(3, 1, 4, 0)  # chicken: (C,D) and (D,C), symmetric -> tie
    sel = select_equilibrium(a, b, [(0, 1), (1, 0)])
    assert sel.risk_dominant is None
    assert sel.payoff_dominant is None


def test_select_equilibrium__single_pure_equilibrium_selected_vacuously():
    a, b = symmetric(3, 0, 5, 1)
    sel = select_equilibrium(a, b, [(1, 1)])
    assert sel.risk_dominant == sel.payoff_dominant == (1, 1)
