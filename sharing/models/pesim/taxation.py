"""PESIM's taxes, eq. (7): in floating point, in exact rationals and in integers.

One formula (:func:`tax_terms`) serves every number type: ``float64`` arrays,
and ``object`` arrays of :class:`fractions.Fraction` or ``int``, so the
floating-point taxes, the exact ones and the integer ones settled on chain
cannot drift apart.  The taxes always sum to zero (budget balance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.ids_game import IDSGame
from sharing.models.numerics import FloatArray
from sharing.models.pesim.messages import check_profile

#: A number given exactly: an int, a Fraction, a float (its binary value) or a decimal string.
Number = int | float | Fraction | str


def tax_terms(
    pi: npt.NDArray[Any], x: npt.NDArray[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """The three terms of the PESIM tax, eq. (7), for any numeric dtype.

    Works on ``float64`` arrays and on ``object`` arrays of
    :class:`fractions.Fraction` / ``int`` (exact), with the same code.

    Parameters
    ----------
    pi, x
        ``(N, N)`` arrays of price and investment proposals.

    Returns
    -------
    price, penalty, balance
        ``(pi_{i+1} - pi_{i+2})^T x_hat``, ``(x_i - x_{i+1})^T diag(pi_i) (x_i - x_{i+1})``
        and ``(x_{i+1} - x_{i+2})^T diag(pi_{i+1}) (x_{i+1} - x_{i+2})``; the
        tax is ``price + penalty - balance``.  ``balance`` is ``penalty``
        shifted by one user, which is why the taxes always sum to zero.
    """
    n = pi.shape[0]
    nxt = (np.arange(n) + 1) % n
    nxt2 = (np.arange(n) + 2) % n
    x_hat = x.sum(axis=0) / n
    price = ((pi[nxt] - pi[nxt2]) * x_hat[None, :]).sum(axis=1)
    dx = x - x[nxt]
    penalty = (pi * dx * dx).sum(axis=1)
    balance = penalty[nxt]
    return price, penalty, balance


def taxes(pi: npt.ArrayLike, x: npt.ArrayLike) -> FloatArray:
    """PESIM taxes ``t_i``, eq. (7), in floating point, for any message profile.

    Parameters
    ----------
    pi, x
        ``(N, N)`` price proposals (non-negative) and investment proposals.

    Returns
    -------
    FloatArray
        ``(N,)`` taxes; they sum to zero up to rounding (see :func:`taxes_exact`).

    Raises
    ------
    InputError
        On shape mismatch or a negative price proposal.

    Examples
    --------
    >>> taxes([[1, 0], [0, 1]], [[1, 1], [0, 0]]).round(6).tolist()
    [0.0, 0.0]
    """
    pi_a, x_a = check_profile(pi, x, dtype=np.float64)
    price, penalty, balance = tax_terms(pi_a, x_a)
    return np.asarray(price + penalty - balance, dtype=np.float64)


def as_fraction(v: Any) -> Fraction:
    """An exact :class:`~fractions.Fraction` of a number (a float by its binary value)."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, bool):
        raise InputError("messages must be numbers, not booleans")
    if isinstance(v, int | str):
        try:
            return Fraction(v)
        except ValueError as exc:
            raise InputError(f"not a number: {v!r}") from exc
    if isinstance(v, float | np.floating | np.integer):
        if not math.isfinite(float(v)):
            raise InputError("messages must be finite")
        return Fraction(float(v)) if isinstance(v, float | np.floating) else Fraction(int(v))
    raise InputError(f"not an exact number: {v!r}")


def exact_array(a: Any) -> npt.NDArray[Any]:
    """An ``object`` array of Fractions with the shape of ``a``."""
    arr = np.array(a, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = as_fraction(v)
    return out


def taxes_exact(pi: Sequence[Sequence[Number]] | npt.ArrayLike, x: Any) -> list[Fraction]:
    """PESIM taxes, eq. (7), in exact rational arithmetic.

    Same formula as :func:`taxes` (both call :func:`tax_terms`) on
    :class:`fractions.Fraction` values: ints, Fractions, decimal strings and
    floats (converted exactly from their binary value).  The result sums to
    exactly zero for every message profile (budget balance).

    Parameters
    ----------
    pi, x
        ``(N, N)`` nested sequences (or arrays) of numbers.

    Returns
    -------
    list of Fraction

    Examples
    --------
    >>> t = taxes_exact([[1, 2, 0], [0, 1, 1], [3, 0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    >>> sum(t)
    Fraction(0, 1)
    """
    pi_a, x_a = check_profile(exact_array(pi), exact_array(x), dtype=object)
    price, penalty, balance = tax_terms(pi_a, x_a)
    return [Fraction(v) for v in price + penalty - balance]


def taxes_scaled(pi: Sequence[Sequence[int]] | npt.ArrayLike, x: Any) -> list[int]:
    """``N * t_i`` for integer messages, in integer arithmetic (for on-chain settlement).

    With integer ``pi`` and ``x`` (e.g. fixed-point units) ``N t_i`` is an
    integer: ``(pi_{i+1} - pi_{i+2})^T (sum_j x_j) + N (penalty_i - penalty_{i+1})``.
    The list sums to exactly zero.

    Raises
    ------
    InputError
        If an entry is not an integer.
    """
    pi_l = np.array(pi, dtype=object)
    x_l = np.array(x, dtype=object)
    for v in (*pi_l.ravel(), *x_l.ravel()):
        if not isinstance(v, int | np.integer) or isinstance(v, bool):
            raise InputError(f"taxes_scaled needs integer messages, got {v!r}")
    pi_a, x_a = check_profile(
        np.vectorize(int, otypes=[object])(pi_l), np.vectorize(int, otypes=[object])(x_l), object
    )
    n = pi_a.shape[0]
    nxt = (np.arange(n) + 1) % n
    nxt2 = (np.arange(n) + 2) % n
    total = x_a.sum(axis=0)
    price = ((pi_a[nxt] - pi_a[nxt2]) * total[None, :]).sum(axis=1)
    dx = x_a - x_a[nxt]
    penalty = (pi_a * dx * dx).sum(axis=1)
    return [int(v) for v in price + n * (penalty - penalty[nxt])]


def budget_surplus(pi: npt.ArrayLike, x: npt.ArrayLike) -> float:
    """``sum_i t_i`` in floating point (zero up to rounding for every profile)."""
    return float(np.sum(taxes(pi, x)))


def budget_surplus_exact(pi: Any, x: Any) -> Fraction:
    """``sum_i t_i`` in exact arithmetic: always ``Fraction(0)`` (budget balance)."""
    return sum(taxes_exact(pi, x), Fraction(0))


def utilities(game: IDSGame, pi: npt.ArrayLike, x: npt.ArrayLike) -> FloatArray:
    """Utilities ``u_i = -(f_i(x_hat) + c_i x_hat_i) - t_i`` of a message profile, eq. (1)."""
    pi_a, x_a = check_profile(pi, x, dtype=np.float64)
    if pi_a.shape[0] != game.n:
        raise InputError(f"messages are for {pi_a.shape[0]} users, the game has {game.n}")
    x_hat = x_a.mean(axis=0)
    return np.asarray(-game.user_costs(x_hat) - taxes(pi_a, x_a))
