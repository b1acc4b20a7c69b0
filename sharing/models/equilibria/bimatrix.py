"""A bimatrix game's payoffs, validated, and the best-response conditions of an equilibrium.

``A`` holds the row player's payoffs, ``B`` the column player's.  Tolerances
are relative to the payoff range (:func:`payoff_scale`), so a game and its
rescaling get the same answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.numerics import FloatArray

#: Default absolute tolerance, applied to payoffs rescaled to the range [0, 1].
DEFAULT_TOL = 1e-9


def as_payoff_matrix(values: Any, name: str = "matrix") -> FloatArray:
    """Return ``values`` as a finite, non-empty 2-D float array.

    Parameters
    ----------
    values : array_like
        Nested sequences of numbers.
    name : str
        Used in the error message.

    Returns
    -------
    numpy.ndarray
        A float64 copy.

    Raises
    ------
    InputError
        If the rows are ragged, an entry is not a number, or a value is not finite.
    """
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not a rectangular matrix of numbers ({exc})") from None
    if arr.ndim != 2 or arr.size == 0:
        raise InputError(f"{name}: expected a non-empty 2-D matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: every payoff must be a finite number")
    return arr


def check_game(row: Any, col: Any) -> tuple[FloatArray, FloatArray]:
    """Validate a bimatrix game and return its two payoff matrices.

    Raises
    ------
    InputError
        If a matrix is malformed or the two shapes differ.
    """
    a = as_payoff_matrix(row, "row payoffs")
    b = as_payoff_matrix(col, "column payoffs")
    if a.shape != b.shape:
        raise InputError(f"row payoffs have shape {a.shape} but column payoffs {b.shape}")
    return a, b


def payoff_scale(a: FloatArray, b: FloatArray) -> float:
    """Payoff range used to make tolerances relative (1 for constant games)."""
    spread = float(max(np.ptp(a), np.ptp(b)))
    return spread if spread > 0 else 1.0


def positive_payoffs(m: FloatArray) -> FloatArray:
    """Shift a payoff matrix to have minimum 1 (equilibria are invariant under it).

    nashpy's vertex enumeration needs bounded best-response polytopes, which a
    matrix with a zero row does not give.
    """
    return m - float(m.min()) + 1.0


# --------------------------------------------------------------------------- checks


def best_responses(
    payoff: FloatArray, opponent: FloatArray, tol: float = DEFAULT_TOL
) -> npt.NDArray[np.intp]:
    """Return the indices of the pure best responses to ``opponent`` (within ``tol``).

    ``payoff`` has the responding player's strategies as rows.
    """
    values = payoff @ opponent
    return np.flatnonzero(values >= values.max() - tol)


def is_nash(
    a: FloatArray, b: FloatArray, x: FloatArray, y: FloatArray, tol: float = DEFAULT_TOL
) -> bool:
    """Whether ``(x, y)`` is a Nash equilibrium of ``(A, B)`` within ``tol``.

    Every action played with probability above ``1e-9`` must be a best response
    within ``tol`` times the payoff range (so a game and its rescaling give the
    same answer).  Testing the support, not only the expected regret, rejects
    near-misses such as a dominated action played with probability 1e-6.
    """
    eps = tol * payoff_scale(a, b)
    if x.shape != (a.shape[0],) or y.shape != (a.shape[1],):
        return False
    if np.any(x < -1e-9) or np.any(y < -1e-9):
        return False
    if abs(x.sum() - 1) > 1e-6 or abs(y.sum() - 1) > 1e-6:
        return False
    row_values = a @ y
    col_values = x @ b
    return bool(
        np.all(row_values[x > 1e-9] >= row_values.max() - eps)
        and np.all(col_values[y > 1e-9] >= col_values.max() - eps)
    )


def pure_nash_equilibria(
    a: FloatArray, b: FloatArray, tol: float = DEFAULT_TOL
) -> list[tuple[int, int]]:
    """All pure-strategy equilibria ``(i, j)``, found by checking every cell.

    Exact up to ``tol`` (relative to the payoff range) and independent of nashpy:
    used as a fourth, elementary cross-check.
    """
    eps = tol * payoff_scale(a, b)
    col_best = a >= a.max(axis=0, keepdims=True) - eps
    row_best = b >= b.max(axis=1, keepdims=True) - eps
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(col_best & row_best), strict=True)]
