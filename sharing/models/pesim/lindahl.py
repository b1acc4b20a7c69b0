"""Lindahl prices at the social optimum, and the equilibrium messages that quote them.

Eqs. (20)-(21): ``l_i = -grad g_i(x*) + lambda_i``; eqs. (23)-(24): the
messages ``x_i = x*`` with ``pi_{i+1} - pi_{i+2} = l_i``, fixed up to one free
constant (see the package notes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.ids_game import IDSGame, SocialOptimum, social_optimum
from sharing.models.numerics import FloatArray
from sharing.models.pesim.messages import MessageProfile
from sharing.models.pesim.taxation import Number, as_fraction, exact_array


@dataclass(frozen=True)
class LindahlPrices:
    """Personalised (Lindahl) prices at the social optimum, eqs. (20)-(21).

    Attributes
    ----------
    prices
        ``(N, N)``; row ``i`` is ``l_i = -grad g_i(x*) + lambda_i``.
    multipliers
        ``(N, N)``; row ``i`` is ``lambda_i``.
    x
        The social optimum ``x*`` they support.
    """

    prices: FloatArray
    multipliers: FloatArray
    x: FloatArray

    def equilibrium_taxes(self) -> FloatArray:
        """``t_i = l_i^T x*``, eq. (12)."""
        return np.asarray(self.prices @ self.x)


def lindahl_prices(
    game: IDSGame,
    optimum: SocialOptimum | None = None,
    *,
    multipliers: npt.ArrayLike | None = None,
    tol: float = 1e-8,
) -> LindahlPrices:
    """Lindahl prices ``l_i = -grad g_i(x*) + lambda_i`` (proof of Theorem 2, eqs. (20)-(21)).

    Parameters
    ----------
    game
        The instance.
    optimum
        The social optimum (computed if omitted).
    multipliers
        Optional ``(N, N)`` split ``lambda_i`` of the KKT multiplier
        ``mu = grad G(x*)``: non-negative, zero where ``x* > 0``, rows summing
        to ``mu``.  Default: the equal split ``mu / N``.
    tol
        Tolerance for checking a given split.

    Returns
    -------
    LindahlPrices
        With ``sum_i l_i = 0`` and ``x*`` solving ``min_{x >= 0} g_i(x) + l_i^T x``.
        The numerical KKT residual ``grad G(x*) - mu`` (below the optimum's
        tolerance, exactly zero in closed-form cases) is shared equally among
        the users so that the prices sum to zero to rounding.

    Raises
    ------
    InputError
        If the given split is not valid.

    Examples
    --------
    Section V (total effort): user 1 gets ``l_11 = -(1 - 1/N) c_1``.

    >>> from sharing.models.ids_game import IDSGame, TotalEffortRisk
    >>> lp = lindahl_prices(IDSGame(TotalEffortRisk(4), [0.2, 0.3, 0.5, 0.7]))
    >>> round(float(lp.prices[0, 0]), 12)
    -0.15
    """
    opt = optimum if optimum is not None else social_optimum(game)
    x = opt.x
    n = game.n
    mu = opt.multipliers
    if multipliers is None:
        lam = np.tile(mu / n, (n, 1))
    else:
        lam = np.asarray(multipliers, dtype=np.float64)
        if lam.shape != (n, n):
            raise InputError(f"multipliers must be ({n}, {n}), got {lam.shape}")
        if np.any(lam < -tol):
            raise InputError("multipliers lambda_i must be non-negative (eq. (20))")
        if np.any(np.abs(lam[:, x > 0]) > tol):
            raise InputError("multipliers must vanish where x* > 0 (lambda_i^T x* = 0, eq. (20))")
        if np.max(np.abs(lam.sum(axis=0) - mu)) > tol:
            raise InputError("multipliers must sum to grad G(x*) (eq. (20))")
    jac = game.cost_jacobian(x)
    # grad G(x*) - mu is the solver's KKT residual (zero in exact arithmetic); spreading it
    # equally keeps sum_i l_i = 0 to rounding, so eq. (23) closes and taxes balance.
    residual = jac.sum(axis=0) - mu
    prices = -jac + lam + residual[None, :] / n
    return LindahlPrices(np.asarray(prices), lam, x.copy())


def lindahl_residual(game: IDSGame, prices: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """How far ``y`` is from solving every user's priced problem (22).

    Returns ``max_i || y - max(0, y - (grad g_i(y) + l_i)) ||_inf``, the
    natural residual of the KKT conditions of ``min_{x >= 0} g_i(x) + l_i^T x``.
    Zero iff ``y`` is optimal for every user at its Lindahl price.
    """
    ya = np.asarray(y, dtype=np.float64)
    grads = game.cost_jacobian(ya) + np.asarray(prices, dtype=np.float64)
    return float(np.max(np.abs(ya[None, :] - np.maximum(0.0, ya[None, :] - grads))))


def equilibrium_messages(
    prices: npt.ArrayLike | LindahlPrices,
    x_star: npt.ArrayLike | None = None,
    *,
    margin: Number = 0,
) -> MessageProfile:
    """Equilibrium messages of Theorem 2: ``x_i = x*`` and ``pi_{i+1} - pi_{i+2} = l_i`` (eq. (23)).

    Builds ``pi_k = a - P_k`` with ``P_0 = 0``, ``P_{k+1} = P_k + l_{k-1}``
    (eq. (24) run from ``pi_0``) and the free constant
    ``a = max_k P_k + margin`` (componentwise), the smallest choice that keeps
    every ``pi_k >= 0`` when ``margin = 0``.

    Parameters
    ----------
    prices
        ``(N, N)`` Lindahl prices (rows summing to zero) or a
        :class:`LindahlPrices` (then ``x_star`` defaults to its ``x``).
    x_star
        The social optimum.
    margin
        Added to the free constant (any ``margin >= 0`` gives equilibrium
        messages with the same taxes).

    Returns
    -------
    MessageProfile

    Raises
    ------
    InputError
        If the prices do not sum to zero (no cyclic solution of eq. (23)) or
        shapes mismatch.
    """
    if isinstance(prices, LindahlPrices):
        if x_star is None:
            x_star = prices.x
        prices = prices.prices
    if x_star is None:
        raise InputError("equilibrium_messages needs x*")
    pi, x = equilibrium_arrays(
        np.asarray(prices, dtype=np.float64), np.asarray(x_star, float), float(margin)
    )
    return MessageProfile(pi, x)


def equilibrium_arrays(
    prices: npt.NDArray[Any], x_star: npt.NDArray[Any], margin: Any
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """dtype-generic core of :func:`equilibrium_messages` (floats or Fractions)."""
    n = prices.shape[0] if prices.ndim == 2 else 0
    if prices.ndim != 2 or prices.shape != (n, n) or n == 0:
        raise InputError(f"Lindahl prices must form an (N, N) array, got shape {prices.shape}")
    if x_star.shape != (n,):
        raise InputError(f"x* must have shape ({n},), got {x_star.shape}")
    closing = prices.sum(axis=0)
    scale = 1.0
    if prices.dtype != object:
        scale = 1.0 + float(np.max(np.abs(prices)))
        bad = np.max(np.abs(closing)) > 1e-9 * scale * n
    else:
        bad = any(v != 0 for v in closing)
    if bad:
        raise InputError("Lindahl prices must sum to zero over users (eq. (23) has no cycle)")
    # P_0 = 0, P_{k+1} = P_k + l_{k-1}: cumulative sums of l_{N-1}, l_0, l_1, ..., l_{N-2}
    order = (np.arange(n) - 1) % n
    partial = np.cumsum(prices[order], axis=0)
    zero_row = prices[:1] * 0
    big_p = np.concatenate([zero_row, partial[:-1]], axis=0)
    a = big_p.max(axis=0) + margin
    pi = a[None, :] - big_p
    if pi.dtype != object:
        pi = np.maximum(pi, 0.0)  # only rounding can push an entry below zero
    x = np.tile(x_star, (n, 1))
    return pi, x


def equilibrium_messages_exact(
    prices: Sequence[Sequence[Number]], x_star: Sequence[Number], *, margin: Number = 0
) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Exact-arithmetic twin of :func:`equilibrium_messages` (Fractions in, Fractions out).

    The prices must sum to exactly zero over users.
    """
    pi, x = equilibrium_arrays(exact_array(prices), exact_array(x_star), as_fraction(margin))
    return ([[Fraction(v) for v in row] for row in pi], [[Fraction(v) for v in row] for row in x])
