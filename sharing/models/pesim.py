"""PESIM: the Positive Externality Security Investment Mechanism of Naghizadeh & Liu.

Every user ``i`` sends a message ``m_i = (pi_i, x_i)``: a price proposal
``pi_i in R^N_+`` and an investment proposal ``x_i in R^N``.  The regulator
sets (eqs. (6)-(7)), with indices modulo ``N``,

    x_hat = (1/N) sum_i x_i
    t_i   = (pi_{i+1} - pi_{i+2})^T x_hat
            + (x_i - x_{i+1})^T diag(pi_i) (x_i - x_{i+1})
            - (x_{i+1} - x_{i+2})^T diag(pi_{i+1}) (x_{i+1} - x_{i+2}),

and user ``i`` gets ``u_i = -(f_i(x_hat) + c_i x_hat_i) - t_i`` (eq. (1)).

Conventions (0-based users ``0..N-1``; user ``i+1`` means ``(i+1) mod N``):

* **Lindahl prices**, eqs. (20)-(21): ``l_i = -grad g_i(x*) + lambda_i`` with
  ``lambda_i >= 0``, ``lambda_i . x* = 0`` and ``sum_i lambda_i = mu =
  grad G(x*)`` (the KKT multiplier of problem (2)).  This is the paper's sign
  and agrees with SPEC 5.2: ``x*`` then solves user ``i``'s own problem
  ``min_{x >= 0} g_i(x) + l_i^T x`` (eq. (19)/(22)), and ``sum_i l_i = 0``.
  The split of ``mu`` among the users is not unique; we use the equal split
  ``lambda_i = mu / N`` unless told otherwise.  The equilibrium tax
  ``t_i = l_i^T x* = -grad g_i(x*)^T x*`` does not depend on the split
  (``lambda_i`` vanishes where ``x*`` is positive).
* **Equilibrium messages**, eqs. (23)-(24): ``x_i = x*`` and
  ``pi_{i+1} - pi_{i+2} = l_i``.  These N vector equations fix the ``pi_k``
  up to one common vector ``a``: ``pi_k = a - P_k`` with partial sums
  ``P_0 = 0``, ``P_{k+1} = P_k + l_{k-1}`` (the cycle closes because
  ``sum_i l_i = 0``).  Any ``a >= max_k P_k`` (componentwise) makes every
  ``pi_k >= 0``; ``a`` is the *free constant*.  It changes no tax at the
  equilibrium (the price differences are fixed and the quadratic terms vanish
  when all ``x_i`` agree), only how hard a disagreement is penalised off the
  equilibrium.  We take ``a = max_k P_k + margin``.
* **Deviations** must keep the outcome feasible, ``x_hat >= 0`` (problem (2)
  and eq. (25) restrict ``x >= 0``); otherwise a user facing a positive
  ``lambda_ij`` would profit from a negative ``x_hat_j``.
* **N >= 3.**  The paper does not say it, but its argument (10)-(11) needs
  ``i+2 != i``: with ``N = 2`` user ``i``'s own proposal enters its Lindahl
  price ``pi_{i+1} - pi_{i+2} = pi_{i+1} - pi_i`` and raising ``pi_i`` lowers
  its tax without bound.  :func:`deviation_check` shows it numerically.
* **Individual rationality** (Section V, :func:`participation`).  Eq. (16)
  is right under its premises (total effort, a unique cheapest user with
  ``c_1 < 1`` who, as a loner, carries all the effort), but there it is
  always positive; the printed conclusion "IR fails for ``c_1 >= e``" lies
  outside them (the loner's effort ``-ln c_1`` would be negative).  Computed
  directly, IR can hold with ``c_1 = 3 > e`` (costs 3, 4, 4.5, 5, 6:
  ``u_IN - u_OUT = +0.094`` where (16) gives ``-1.20``) and fails with
  ``c_1 = 0.5 < e`` (costs 0.5, 0.6, 0.7: ``-0.165`` where (16) gives
  ``+0.381``): what breaks IR is free-riding on a cheap second user.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize

from sharing.errors import InputError, SolverError
from sharing.models.ids_game import (
    FloatArray,
    IDSGame,
    NashEquilibrium,
    RandomState,
    SocialOptimum,
    TotalEffortRisk,
    WeightedEffortRisk,
    as_rng,
    coalition_optimum,
    nash_equilibrium,
    price_of_anarchy,
    social_optimum,
)

__all__ = [
    "DeviationReport",
    "ExchangeResult",
    "LindahlPrices",
    "MessageProfile",
    "ParticipationReport",
    "PesimSolution",
    "best_response_value",
    "deviation_bound",
    "budget_surplus",
    "budget_surplus_exact",
    "closed_form_16",
    "closed_form_16_conditions",
    "deviation_check",
    "equilibrium_messages",
    "equilibrium_messages_exact",
    "lindahl_prices",
    "lindahl_residual",
    "message_exchange",
    "outcome",
    "participation",
    "prices_from_messages",
    "solve",
    "tax_terms",
    "taxes",
    "taxes_exact",
    "taxes_scaled",
    "utilities",
]

Number = int | float | Fraction | str


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class MessageProfile:
    """A PESIM message profile: row ``i`` of ``pi`` and ``x`` is user ``i``'s message.

    Attributes
    ----------
    pi
        ``(N, N)`` price proposals, ``pi[i] in R^N_+``.
    x
        ``(N, N)`` investment proposals, ``x[i] in R^N``.
    """

    pi: FloatArray
    x: FloatArray

    def __post_init__(self) -> None:
        pi, x = _check_profile(self.pi, self.x, dtype=np.float64)
        object.__setattr__(self, "pi", pi)
        object.__setattr__(self, "x", x)

    @property
    def n(self) -> int:
        """Number of users."""
        return int(self.pi.shape[0])

    def outcome(self) -> FloatArray:
        """Return ``x_hat``, eq. (6)."""
        return outcome(self.x)

    def replace(self, i: int, pi_i: npt.ArrayLike, x_i: npt.ArrayLike) -> MessageProfile:
        """Return the profile with user ``i``'s message replaced."""
        pi = self.pi.copy()
        x = self.x.copy()
        pi[i] = pi_i
        x[i] = x_i
        return MessageProfile(pi, x)

    def to_list(self) -> list[dict[str, list[float]]]:
        """Return ``[{"pi": [...], "x": [...]}, ...]`` for JSON."""
        return [{"pi": p.tolist(), "x": q.tolist()} for p, q in zip(self.pi, self.x, strict=True)]


def _check_profile(
    pi: Any, x: Any, dtype: type | np.dtype[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    pi_a = np.array(pi, dtype=dtype)
    x_a = np.array(x, dtype=dtype)
    if pi_a.ndim != 2 or pi_a.shape[0] != pi_a.shape[1] or pi_a.shape[0] == 0:
        raise InputError(f"price proposals must form an (N, N) array, got shape {pi_a.shape}")
    if x_a.shape != pi_a.shape:
        raise InputError(
            f"investment proposals must have the shape of the prices {pi_a.shape}, got {x_a.shape}"
        )
    if dtype is not object:
        if not (np.all(np.isfinite(pi_a)) and np.all(np.isfinite(x_a))):
            raise InputError("messages must be finite")
    if np.any(pi_a < 0):
        i, j = np.argwhere(pi_a < 0)[0]
        raise InputError(f"price proposals must be non-negative, got pi[{i}][{j}] = {pi_a[i, j]}")
    return pi_a, x_a


def outcome(x: npt.ArrayLike) -> FloatArray:
    """Investment outcome ``x_hat = (1/N) sum_i x_i``, eq. (6)."""
    xa = np.asarray(x, dtype=np.float64)
    return np.asarray(xa.mean(axis=0))


# --------------------------------------------------------------------------- taxes


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
    pi_a, x_a = _check_profile(pi, x, dtype=np.float64)
    price, penalty, balance = tax_terms(pi_a, x_a)
    return np.asarray(price + penalty - balance, dtype=np.float64)


def _fraction(v: Any) -> Fraction:
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


def _exact_array(a: Any) -> npt.NDArray[Any]:
    arr = np.array(a, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        out[idx] = _fraction(v)
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
    pi_a, x_a = _check_profile(_exact_array(pi), _exact_array(x), dtype=object)
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
    pi_a, x_a = _check_profile(
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
    pi_a, x_a = _check_profile(pi, x, dtype=np.float64)
    if pi_a.shape[0] != game.n:
        raise InputError(f"messages are for {pi_a.shape[0]} users, the game has {game.n}")
    x_hat = x_a.mean(axis=0)
    return np.asarray(-game.user_costs(x_hat) - taxes(pi_a, x_a))


# --------------------------------------------------------------------------- Lindahl prices


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
    pi, x = _equilibrium_arrays(
        np.asarray(prices, dtype=np.float64), np.asarray(x_star, float), float(margin)
    )
    return MessageProfile(pi, x)


def _equilibrium_arrays(
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
    pi, x = _equilibrium_arrays(_exact_array(prices), _exact_array(x_star), _fraction(margin))
    return ([[Fraction(v) for v in row] for row in pi], [[Fraction(v) for v in row] for row in x])


def prices_from_messages(pi: npt.ArrayLike) -> FloatArray:
    """The Lindahl prices a message profile quotes: ``l_i = pi_{i+1} - pi_{i+2}``."""
    pa = np.asarray(pi, dtype=np.float64)
    n = pa.shape[0]
    return np.asarray(pa[(np.arange(n) + 1) % n] - pa[(np.arange(n) + 2) % n])


# --------------------------------------------------------------------------- deviations


def _bounded_minimum(
    fun_grad: Callable[[FloatArray], tuple[float, FloatArray]],
    x0: FloatArray,
    bounds: Sequence[tuple[float | None, float | None]],
    maxfun: int,
) -> FloatArray:
    """Local minimiser of a smooth function on a box.

    scipy's truncated Newton (TNC) up to 40 variables, L-BFGS-B beyond.  On
    small problems L-BFGS-B's per-iteration BLAS calls ran 10-200 times
    slower on a loaded machine with threaded OpenBLAS; on large ones TNC can
    stall until ``maxfun`` on the bilinear price terms of a deviation, while
    L-BFGS-B stops in a few dozen iterations.
    """
    if x0.size <= 40:
        res = optimize.minimize(
            fun_grad,
            x0,
            jac=True,
            method="TNC",
            bounds=list(bounds),
            options={"maxfun": maxfun, "gtol": 1e-12},
        )
    else:
        res = optimize.minimize(
            fun_grad,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=list(bounds),
            options={"maxfun": maxfun, "maxiter": maxfun, "ftol": 1e-15, "gtol": 1e-11},
        )
    lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds])
    hi = np.array([np.inf if b[1] is None else b[1] for b in bounds])
    return np.clip(np.asarray(res.x, dtype=np.float64), lo, hi)


def deviation_bound(game: IDSGame, x_hat: npt.ArrayLike) -> float:
    """Box ``[0, B]^N`` of outcomes searched by the deviation checks.

    ``B = 2 max(1, max_j x_hat_j, max_i f_i(0)/c_i)``: twice the largest of
    the current outcome and the bound of Proposition 1 on useful investments.
    The paper's message space is unbounded; at exact equilibrium prices the
    bound changes nothing (every user's priced problem is bounded below),
    but at approximate prices a tiny negative quoted price for someone
    else's investment (``l_ij = -1e-11``) could be exploited without limit
    and an unbounded search would report an infinite gain.
    """
    xh = np.asarray(x_hat, dtype=np.float64)
    zero = np.zeros(game.n)
    prop1 = max(game.risk.user_value(i, zero) / game.costs[i] for i in range(game.n))
    return 2.0 * max(1.0, float(np.max(xh, initial=0.0)), float(prop1))


def best_response_value(
    game: IDSGame, i: int, price: npt.ArrayLike, bound: float | None = None
) -> tuple[float, FloatArray]:
    """``min_{0 <= y <= B} g_i(y) + price^T y``: user ``i``'s best outcome at a Lindahl price.

    For ``N >= 3`` this is exactly user ``i``'s best deviation in PESIM: it
    sets ``pi_i = 0`` (its own price proposal only enters its penalty term,
    which is non-negative) and picks ``x_i`` to reach any outcome
    ``x_hat = y``; its tax is then ``price^T y`` minus a term it cannot
    influence.

    Exponential risks ``exp(-w_i^T y)`` are solved exactly: with
    ``a = c_i e_i + price``, coordinates with ``a_j <= 0`` go to the bound,
    the others are filled in increasing order of ``a_j / w_ij`` (a fractional
    knapsack: the cheapest protection first) until the marginal protection
    ``exp(-w_i^T y)`` falls to the ratio.  Without a bound and with ``a >= 0``
    this is ``r (1 - ln r)`` for ``r = min_j a_j / w_ij < 1`` (``1`` if
    ``r >= 1``).  Other risks: bounded truncated Newton (scipy TNC) on the box.

    Parameters
    ----------
    game, i
        The instance and the user.
    price
        Its Lindahl price ``l_i``.
    bound
        ``B`` (default: unbounded; ``inf`` is returned for unbounded problems).

    Returns
    -------
    value, y
        The optimal value and a minimiser.
    """
    p = np.asarray(price, dtype=np.float64)
    n = game.n
    risk = game.risk
    big = math.inf if bound is None else float(bound)
    if isinstance(risk, WeightedEffortRisk):
        a = p.copy()
        a[i] += game.costs[i]
        w = risk.weights[i]
        y = np.zeros(n)
        free_gain = (a < 0) | ((a == 0) & (w > 0))
        if np.any(free_gain) and math.isinf(big):
            return -math.inf, y
        y[free_gain] = big
        u0 = float(w[free_gain] @ y[free_gain]) if np.any(free_gain) else 0.0
        const = float(a[free_gain] @ y[free_gain]) if np.any(free_gain) else 0.0
        cand = np.flatnonzero(~free_gain & (w > 0))
        order = cand[np.argsort(a[cand] / w[cand], kind="stable")]
        u = u0
        cost = const
        for j in order:
            r = a[j] / w[j]
            if math.exp(-u) <= r:
                break
            need = -math.log(r) - u  # protection at which exp(-u) = r
            cap = w[j] * big
            take = min(need, cap)
            y[j] = take / w[j]
            u += take
            cost += a[j] * y[j]
            if take < cap:
                break
        return math.exp(-u) + cost, y

    def fun(y: FloatArray) -> float:
        return game.user_cost(i, y) + float(p @ y)

    def grad(y: FloatArray) -> FloatArray:
        return game.user_cost_gradient(i, y) + p

    if math.isinf(big) and np.any(p + game.costs[i] * (np.arange(n) == i) < 0):
        # a negative effective price on a coordinate that also lowers the risk: unbounded
        return -math.inf, np.zeros(n)
    upper = None if math.isinf(big) else big
    y = _bounded_minimum(
        lambda v: (fun(v), grad(v)), np.zeros(n), [(0.0, upper)] * n, 200 * (n + 10)
    )
    return fun(y), y


@dataclass(frozen=True)
class DeviationReport:
    """Best unilateral deviation gains found against a message profile (eq. (5)).

    Attributes
    ----------
    max_gain
        ``max_i (u_i(best deviation) - u_i(profile))`` over the checked users.
    gains
        Per checked user.
    users_checked
        The users examined.
    method
        ``"numeric"`` (multi-start bounded search over ``(pi_i, x_i)``), ``"analytic"``
        (the exact reduction of :func:`best_response_value`) or both.
    n_starts
        Starts per user for the numeric search.
    """

    max_gain: float
    gains: dict[int, float]
    users_checked: list[int]
    method: str
    n_starts: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        worst = max(self.gains, key=lambda k: self.gains[k]) if self.gains else None
        return {
            "method": self.method,
            "users_checked": len(self.users_checked),
            "starts_per_user": self.n_starts,
            "max_gain": self.max_gain,
            "worst_user": worst,
        }


def _user_cost_and_grad(
    game: IDSGame, messages: MessageProfile, i: int
) -> tuple[Callable[[FloatArray], tuple[float, FloatArray]], FloatArray]:
    """User ``i``'s cost ``g_i(x_hat) + t_i`` as a function of its own message ``(pi_i, x_i)``."""
    n = game.n
    pi, x = messages.pi, messages.x
    i1, i2 = (i + 1) % n, (i + 2) % n
    s_others = x.sum(axis=0) - x[i]

    def f(v: FloatArray) -> tuple[float, FloatArray]:
        p_i, x_i = v[:n], v[n:]
        x_hat = (x_i + s_others) / n
        pi_i2 = p_i if i2 == i else pi[i2]
        x_i2 = x_i if i2 == i else x[i2]
        d = pi[i1] - pi_i2
        dx = x_i - x[i1]
        dx1 = x[i1] - x_i2
        cost = (
            game.user_cost(i, x_hat)
            + float(d @ x_hat)
            + float(p_i @ (dx * dx))
            - float(pi[i1] @ (dx1 * dx1))
        )
        g_x = (game.user_cost_gradient(i, x_hat) + d) / n + 2.0 * p_i * dx
        g_p = dx * dx
        if i2 == i and n > 1:  # N = 2: own message in the price and balancing terms
            g_p = g_p - x_hat
            g_x = g_x + 2.0 * pi[i1] * dx1
        return cost, np.concatenate([g_p, g_x])

    return f, s_others


def deviation_check(
    game: IDSGame,
    messages: MessageProfile,
    *,
    users: Sequence[int] | None = None,
    method: Literal["numeric", "analytic"] = "numeric",
    n_starts: int = 4,
    random_state: RandomState = None,
) -> DeviationReport:
    """Search each user's best unilateral deviation from ``messages`` (Theorems 1-2, eq. (28)).

    ``numeric``: for each user, a bounded truncated-Newton search (scipy
    TNC) over its whole message
    ``(pi_i >= 0, x_i)`` with the outcome kept feasible and finite
    (``0 <= x_hat <= B``, :func:`deviation_bound`), from the current
    message, from the analytic best response and from ``n_starts - 2``
    random perturbations.  ``analytic``: the exact reduction of
    :func:`best_response_value` (valid for ``N >= 3``), one convex problem per
    user, solved exactly for exponential risks; cheap enough for every user
    of a large instance.

    Parameters
    ----------
    game
        The instance.
    messages
        The profile to test (e.g. :func:`equilibrium_messages`).
    users
        Users to examine (default: all).
    method
        ``"numeric"`` or ``"analytic"``.
    n_starts
        Starts per user (numeric).
    random_state
        Seed or Generator for the random starts.

    Returns
    -------
    DeviationReport
        ``max_gain`` of the order of rounding at equilibrium messages;
        positive otherwise.
    """
    n = game.n
    if messages.n != n:
        raise InputError(f"messages are for {messages.n} users, the game has {n}")
    if n < 2:
        raise InputError("a mechanism needs at least two users")
    checked = list(range(n)) if users is None else [int(u) for u in users]
    for u in checked:
        if not 0 <= u < n:
            raise InputError(f"user {u} out of range 0..{n - 1}")
    rng = as_rng(random_state)
    gains: dict[int, float] = {}
    base_u = utilities(game, messages.pi, messages.x)
    bound = deviation_bound(game, messages.outcome())
    if method == "analytic":
        if n < 3:
            raise InputError("the analytic deviation check needs N >= 3 (see module notes)")
        tx = tax_terms(messages.pi, messages.x)
        d_all = prices_from_messages(messages.pi)
        for i in checked:
            value, _ = best_response_value(game, i, d_all[i], bound)
            best_cost = value - float(tx[2][i])
            gains[i] = float(-best_cost - base_u[i])
        return DeviationReport(max(gains.values()), gains, checked, "analytic", 0)
    if method != "numeric":
        raise InputError(f"unknown deviation method {method!r}")
    d_all = prices_from_messages(messages.pi)
    for i in checked:
        f, s_others = _user_cost_and_grad(game, messages, i)
        cap = 1e3 * (1.0 + float(np.max(messages.pi)))
        lo_x, hi_x = -s_others, n * bound - s_others
        bounds = [(0.0, cap)] * n + list(zip(lo_x.tolist(), hi_x.tolist(), strict=True))
        starts = [np.concatenate([messages.pi[i], np.clip(messages.x[i], lo_x, hi_x)])]
        if n >= 3:
            _, y = best_response_value(game, i, d_all[i], bound)
            starts.append(np.concatenate([np.zeros(n), np.clip(n * y - s_others, lo_x, hi_x)]))
        scale_x = 1.0 + float(np.max(np.abs(messages.x)))
        while len(starts) < max(n_starts, 1):
            p0 = messages.pi[i] * rng.uniform(0.0, 2.0, n)
            x0 = np.clip(messages.x[i] + rng.normal(0.0, 0.5 * scale_x, n), lo_x, hi_x)
            starts.append(np.concatenate([p0, x0]))
        best = math.inf
        for v0 in starts:
            v = _bounded_minimum(f, v0, bounds, max(500, 20 * (2 * n + 10)))
            best = min(best, f(v)[0], f(v0)[0])
        gains[i] = float(-best - base_u[i])
    return DeviationReport(max(gains.values()), gains, checked, "numeric", max(n_starts, 1))


# --------------------------------------------------------------------------- participation


def closed_form_16(c1: float, n: int) -> float:
    """The paper's eq. (16): ``u_IN - u_OUT = (c_1/N) ((N-1)(1 - ln c_1) - ln N)``.

    Derived in Section V for total effort under the premises listed by
    :func:`closed_form_16_conditions`.  Note that whenever those premises
    hold (``c_1 < 1``), ``(N-1)(1 - ln c_1) > N - 1 >= ln N``, so (16) is
    positive: the printed conclusion "IR fails for ``c_1 >= e``" lies outside
    the range where (16) was derived.
    """
    return (c1 / n) * ((n - 1) * (1.0 - math.log(c1)) - math.log(n))


def closed_form_16_conditions(game: IDSGame, user: int) -> dict[str, bool]:
    """The premises of eq. (16) for ``user`` (the paper's user 1).

    * ``total_effort``: every ``f_i = exp(-sum_j x_j)``;
    * ``unique_cheapest``: ``c_user < c_j`` for all other ``j`` (the paper
      orders ``c_1 < c_2 < ... < c_N``), so the user carries all of ``x*``;
    * ``loner_invests``: ``c_user < 1``, so that ``exp(-x_hat_1) = c_1`` has
      a positive root ``x_hat_1 = -ln c_1`` (the paper's "latter case");
    * ``coalition_adds_nothing``: ``c_2 >= (N-1) c_1``, so that after the
      loner's ``-ln c_1`` the coalition's optimal top-up
      ``max(ln((N-1)/c_2) - x_1, 0)`` is zero (the paper's ``x_hat_j = 0``);
    * ``all_effort_beats_free_riding``: ``c_1 (1 - ln c_1) <= min(1, c_2/(N-1))``,
      the loner's cost when carrying all the effort is at most its cost when
      it free-rides on the coalition.
    """
    c = game.costs
    n = game.n
    cu = float(c[user])
    others = np.delete(c, user)
    c2 = float(others.min()) if others.size else math.inf
    conds = {
        "total_effort": isinstance(game.risk, TotalEffortRisk),
        "unique_cheapest": bool(others.size > 0 and cu < c2),
        "loner_invests": cu < 1.0,
        "coalition_adds_nothing": bool(c2 >= (n - 1) * cu),
        "all_effort_beats_free_riding": bool(
            cu < 1.0 and cu * (1.0 - math.log(cu)) <= min(1.0, c2 / max(n - 1, 1))
        ),
    }
    return conds


@dataclass(frozen=True)
class ParticipationReport:
    """Individual rationality of PESIM for one user (Section V).

    Attributes
    ----------
    user
        The user contemplating staying out.
    utility_in
        ``-g_u(x*) - l_u^T x*``: its utility at the mechanism's equilibrium.
    utility_out
        ``-g_u(x_hat)`` at the loner outcome (see :func:`participation`).
    tax_in
        Its equilibrium tax ``l_u^T x*`` (negative: a subsidy).
    loner_effort
        Its effort as a loner.
    outside_profile
        The loner outcome (loner effort and the coalition's response).
    closed_form_16
        Eq. (16) evaluated at ``c_u``, ``N`` (reported whatever its premises).
    closed_form_conditions
        The premises of eq. (16).
    """

    user: int
    utility_in: float
    utility_out: float
    tax_in: float
    loner_effort: float
    outside_profile: FloatArray
    closed_form_16: float
    closed_form_conditions: dict[str, bool]
    tolerance: float = 1e-9

    @property
    def difference(self) -> float:
        """``u_IN - u_OUT`` (eq. (16)'s left-hand side)."""
        return self.utility_in - self.utility_out

    @property
    def individually_rational(self) -> bool:
        """``True`` when participating is at least as good as staying out."""
        return self.difference >= -self.tolerance

    @property
    def closed_form_applies(self) -> bool:
        """``True`` when every premise of eq. (16) holds."""
        return all(self.closed_form_conditions.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly report."""
        return {
            "user": self.user,
            "utility_in": self.utility_in,
            "utility_out": self.utility_out,
            "difference": self.difference,
            "individually_rational": self.individually_rational,
            "tax_in": self.tax_in,
            "loner_effort": self.loner_effort,
            "outside_profile": self.outside_profile.tolist(),
            "closed_form_16": self.closed_form_16,
            "closed_form_applies": self.closed_form_applies,
            "closed_form_conditions": self.closed_form_conditions,
            "closed_form_error": (
                self.closed_form_16 - self.difference if self.closed_form_applies else None
            ),
        }


def participation(
    game: IDSGame,
    user: int,
    *,
    optimum: SocialOptimum | None = None,
    grid: int = 41,
    tol: float = 1e-9,
) -> ParticipationReport:
    """Compare a user's utility in PESIM with its utility as a loner (Section V).

    Our reading of Section V.  *In*: all N users play PESIM's equilibrium, the
    outcome is ``x*`` and the user pays ``l_u^T x*`` (eq. (12)).  *Out*: the
    user refuses to participate and pays no tax; the other ``N-1`` users keep
    running the mechanism among themselves, which implements *their* social
    optimum ``min sum_{j != u} g_j`` given the loner's effort (the paper:
    "the remaining N-1 users choose their strategies assuming user 1 exerts an
    effort of x_1"); the loner anticipates that response (the paper's
    ``x_hat_1 = argmin_{x_1} exp(-x_1 - max{-ln(c_2/(N-1)) - x_1, 0}) + c_1 x_1``,
    a sequential game with the loner as leader).  So

        u_OUT = -min_{e >= 0} g_u(e, X_{-u}(e)),   X_{-u}(e) = coalition optimum,

    computed by a grid on ``[0, f_u(0)/c_u]`` (the loner never goes beyond:
    ``g_u >= c_u e`` and staying at 0 costs at most ``f_u(0)``) refined by
    bounded Brent around the best grid point.

    Parameters
    ----------
    game
        Any instance with ``N >= 2``.
    user
        The user considering staying out (0-based).
    optimum
        Precomputed social optimum.
    grid
        Grid points of the loner's effort.
    tol
        Tolerance of the individual-rationality verdict.

    Returns
    -------
    ParticipationReport
    """
    n = game.n
    if n < 2:
        raise InputError("participation needs at least two users")
    if not 0 <= user < n:
        raise InputError(f"user {user} out of range 0..{n - 1}")
    opt = optimum if optimum is not None else social_optimum(game)
    lp = lindahl_prices(game, opt)
    msgs = equilibrium_messages(lp)
    tax_in = float(taxes(msgs.pi, msgs.x)[user])
    u_in = -game.user_cost(user, opt.x) - tax_in

    def loner_cost(e: float) -> float:
        return game.user_cost(user, coalition_optimum(game, user, e))

    upper = game.risk.user_value(user, np.zeros(n)) / game.costs[user]
    es = np.linspace(0.0, upper, max(grid, 3))
    vals = np.array([loner_cost(float(e)) for e in es])
    k = int(np.argmin(vals))
    best_e, best_v = float(es[k]), float(vals[k])
    lo, hi = float(es[max(k - 1, 0)]), float(es[min(k + 1, es.size - 1)])
    if hi > lo:
        res = optimize.minimize_scalar(
            loner_cost, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
        )
        if float(res.fun) < best_v:
            best_e, best_v = float(res.x), float(res.fun)
    outside = coalition_optimum(game, user, best_e)
    return ParticipationReport(
        user=user,
        utility_in=u_in,
        utility_out=-best_v,
        tax_in=tax_in,
        loner_effort=best_e,
        outside_profile=outside,
        closed_form_16=closed_form_16(float(game.costs[user]), n),
        closed_form_conditions=closed_form_16_conditions(game, user),
        tolerance=tol,
    )


# --------------------------------------------------------------------------- message exchange


@dataclass(frozen=True)
class ExchangeResult:
    """Outcome of :func:`message_exchange`.

    Attributes
    ----------
    method
        ``"gradient"`` or ``"admm"``.
    messages
        The final message profile.
    prices
        The final Lindahl prices ``l_i = pi_{i+1} - pi_{i+2}``.
    iterations
        Rounds of message exchange.
    final_distance
        ``max(consensus, lindahl_residual)`` of the final messages: zero
        exactly at equilibrium messages (all proposals agree on ``x_hat``,
        and ``x_hat`` solves every user's problem (22) at its price, hence is
        socially optimal by the argument of Theorem 1).
    distance_to_optimum
        ``||x_hat - x*||_inf`` against the direct solver's ``x*``
        (meaningful when ``x*`` is unique; it can exceed ``final_distance``
        by the condition number of ``G``).
    history
        Per round: ``(residual, step parameter)``; the residual is the KKT
        residual of ``x_hat`` (gradient) or the largest primal/dual ADMM
        residual (admm); the parameter is ``1/L`` or ``rho``.
    """

    method: str
    messages: MessageProfile
    prices: FloatArray
    iterations: int
    final_distance: float
    distance_to_optimum: float
    history: list[tuple[float, float]] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        return {
            "method": self.method,
            "iterations": self.iterations,
            "final_distance": self.final_distance,
            "distance_to_optimum": self.distance_to_optimum,
        }


def _prox_weighted(
    w: FloatArray, a: FloatArray, z: FloatArray, rho: float, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """All users' proposals ``argmin_{y>=0} exp(-w_i.y) + a_i.y + rho/2 |y - z|^2`` at once.

    Stationarity gives ``y_i(s) = max(0, z - (a_i - s w_i)/rho)`` with
    ``s = exp(-w_i.y)``; in ``t = ln s`` the scalar equation
    ``phi(t) = t + w_i.y_i(e^t) = 0`` is increasing and convex, so Newton's
    method converges from any start (after one step it approaches the root
    monotonically from the right).
    """
    base = z[None, :] - a / rho
    for _ in range(200):
        s = np.exp(t)
        y = base + (s / rho)[:, None] * w
        pos = y > 0
        yp = np.where(pos, y, 0.0)
        wy = np.sum(w * yp, axis=1)
        phi = t + wy
        if np.all(np.abs(phi) <= 1e-13 * (1.0 + np.abs(t) + wy)):
            return yp, t
        dphi = 1.0 + (s / rho) * np.sum(np.where(pos, w * w, 0.0), axis=1)
        step = phi / dphi
        t = t - step
        if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(t))):
            break
    s = np.exp(t)
    return np.maximum(base + (s / rho)[:, None] * w, 0.0), t


def _prox_generic(
    game: IDSGame, a: FloatArray, z: FloatArray, rho: float, y0: FloatArray
) -> FloatArray:
    n = game.n
    out = np.empty((n, n))
    for i in range(n):

        def fg(y: FloatArray, i: int = i) -> tuple[float, FloatArray]:
            val = (
                game.risk.user_value(i, y) + float(a[i] @ y) + 0.5 * rho * float((y - z) @ (y - z))
            )
            grad = game.risk.user_gradient(i, y) + a[i] + rho * (y - z)
            return val, grad

        out[i] = _bounded_minimum(fg, np.maximum(y0[i], 0.0), [(0.0, None)] * n, 200 * (n + 10))
    return out


def _exchange_gradient(
    game: IDSGame, z0: FloatArray, tol: float, max_iter: int
) -> tuple[FloatArray, FloatArray, FloatArray, int, list[tuple[float, float]]]:
    """Accelerated gradient play; returns (proposals, prices, x_hat, rounds, history)."""
    n = game.n
    x = z0.copy()
    y = x.copy()
    momentum = 1.0
    lip: float | None = None
    prev: tuple[FloatArray, FloatArray] | None = None
    best = (math.inf, x.copy())
    history: list[tuple[float, float]] = []
    for k in range(1, max_iter + 1):
        jac = game.cost_jacobian(y)  # row i: user i's marginal costs, revealed by its proposal
        g = jac.sum(axis=0)
        if prev is not None:
            dy = y - prev[0]
            ny = float(np.linalg.norm(dy))
            if ny > 0:
                est = float(np.linalg.norm(g - prev[1])) / ny
                lip = est if lip is None else max(lip, est)
        if lip is None:
            lip = 1.0 + float(np.max(np.abs(g)))
        prev = (y.copy(), g.copy())
        gamma = 1.0 / lip
        # proposals x_i = y - N gamma grad g_i(y); PESIM outcome (6) = y - gamma grad G(y),
        # projected on the feasible set
        x_new = np.maximum(0.0, y - gamma * g)
        if float(g @ (x_new - x)) > 0.0:  # gradient restart (O'Donoghue & Candes 2015)
            momentum = 1.0
            y = x_new.copy()
        else:
            m_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * momentum * momentum))
            y = x_new + ((momentum - 1.0) / m_new) * (x_new - x)
            momentum = m_new
        x = x_new
        r = game.kkt_residual(x)
        history.append((r, gamma))
        if r < best[0]:
            best = (r, x.copy())
        elif r > 100.0 * best[0] + 1e-12:  # secant under-estimated the curvature
            lip *= 2.0
            x = best[1].copy()
            y = x.copy()
            momentum = 1.0
            prev = None
        if r <= tol:
            jac = game.cost_jacobian(x)  # agreement round at x_hat itself
            prices = -jac + jac.sum(axis=0)[None, :] / n
            return np.tile(x, (n, 1)), prices, x, k, history
    raise SolverError(
        f"message exchange (gradient play) did not reach equilibrium messages in {max_iter} "
        f"rounds (KKT residual {best[0]:.3g} > {tol:.3g})"
    )


def _exchange_admm(
    game: IDSGame, z0: FloatArray, rho: float, tol: float, max_iter: int, memory: int
) -> tuple[FloatArray, FloatArray, FloatArray, int, list[tuple[float, float]]]:
    """Consensus ADMM with safeguarded Anderson extrapolation by the regulator."""
    n = game.n
    diag = np.arange(n)
    weighted = isinstance(game.risk, WeightedEffortRisk)
    t = np.zeros(n)

    def step(
        z: FloatArray, lam: FloatArray, t: FloatArray, x_prev: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        a = lam.copy()
        a[diag, diag] += game.costs
        if weighted:
            assert isinstance(game.risk, WeightedEffortRisk)
            x_prop, t = _prox_weighted(game.risk.weights, a, z, rho, t)
        else:
            x_prop = _prox_generic(game, a, z, rho, x_prev)
        z_new = x_prop.mean(axis=0)
        lam_new = lam + rho * (x_prop - z_new[None, :])
        lam_new -= lam_new.mean(axis=0)[None, :]  # keep sum_i l_i = 0 against rounding
        return z_new, lam_new, t, x_prop

    def pack(z: FloatArray, lam: FloatArray) -> FloatArray:
        return np.concatenate([z, lam.ravel()])

    u = pack(z0, np.zeros((n, n)))
    x_prop = np.tile(z0, (n, 1))
    d_u: list[FloatArray] = []
    d_g: list[FloatArray] = []
    last: tuple[FloatArray, FloatArray] | None = None
    history: list[tuple[float, float]] = []
    best = math.inf
    for k in range(1, max_iter + 1):
        z, lam = u[:n], u[n:].reshape(n, n)
        z_new, lam_new, t, x_prop = step(z, lam, t, x_prop)
        tu = pack(z_new, lam_new)
        g = tu - u
        primal = float(np.max(np.abs(x_prop - z_new[None, :])))
        dual = float(rho * np.max(np.abs(z_new - z)))
        history.append((max(primal, dual), rho))
        if primal <= tol and dual <= tol:
            dist = max(primal, lindahl_residual(game, lam_new, z_new))
            best = min(best, dist)
            if dist <= tol:
                return x_prop, lam_new, z_new, k, history
        if last is not None:
            d_u.append(tu - last[0])
            d_g.append(g - last[1])
            if len(d_u) > memory:
                d_u.pop(0)
                d_g.pop(0)
        last = (tu, g)
        if d_u:  # Anderson (type II) extrapolation, kept only if it shrinks the residual
            coef = np.linalg.lstsq(np.array(d_g).T, g, rcond=None)[0]
            cand = tu - np.array(d_u).T @ coef
            zc, lc = cand[:n], cand[n:].reshape(n, n)
            zc2, lc2, tc, _ = step(zc, lc, t.copy(), x_prop)
            if np.max(np.abs(pack(zc2, lc2) - cand)) < np.max(np.abs(g)):
                u = cand
                t = tc
                continue
        u = tu
    raise SolverError(
        f"message exchange (admm) did not reach equilibrium messages in {max_iter} rounds "
        f"(last residual {history[-1][0]:.3g}, best certificate {best:.3g} > {tol:.3g})"
    )


def message_exchange(
    game: IDSGame,
    *,
    method: Literal["gradient", "admm"] = "gradient",
    tol: float = 1e-9,
    max_iter: int = 20000,
    rho: float | None = None,
    memory: int = 8,
    x0: npt.ArrayLike | None = None,
    optimum: SocialOptimum | None = None,
) -> ExchangeResult:
    """An iterative message exchange that reaches PESIM's equilibrium messages.

    The paper leaves open how users find the equilibrium (Section VI).  Both
    processes below start from anarchy (the unregulated Nash equilibrium,
    zero prices), use only public messages plus each user's private
    evaluation of its own ``g_i`` (Assumption 4), and stop on a
    *certificate*: all proposals agree on ``x_hat`` and ``x_hat`` solves every
    user's priced problem (22) up to ``tol`` (:func:`lindahl_residual`), which
    by the argument of Theorem 1 makes ``x_hat`` socially optimal and the
    messages equilibrium messages.

    ``"gradient"`` (default; accelerated gradient play).  Round ``k`` at the
    public point ``y``: user ``i`` proposes ``x_i = y - N gamma grad g_i(y)``
    (its marginal costs, the only thing it reveals); the outcome (6) is
    ``mean_i x_i = y - gamma grad G(y)``, projected on ``x >= 0``; the
    regulator quotes ``l_i = (x_i - x_hat)/(N gamma) = -grad g_i(y) +
    grad G(y)/N`` (they sum to zero) and extrapolates ``y`` with Nesterov
    momentum and gradient restarts.  ``gamma = 1/L`` with ``L`` the largest
    secant curvature seen so far (doubled and restarted from the best point if
    the residual blows up).  This is FISTA on problem (2): ``G(x_k) - G* =
    O(L/k^2)``, linear with restarts where ``G`` is strongly convex (Beck &
    Teboulle 2009; O'Donoghue & Candes 2015).  When the KKT residual of
    ``x_hat`` falls below ``tol`` a last *agreement round* posts
    ``x_i = x_hat`` with the prices ``l_i = -grad g_i(x_hat) + mu/N`` -
    the equal-split Lindahl prices of eq. (21).

    ``"admm"`` (consensus ADMM, Boyd et al. 2011, section 7.1).  Round ``k``:
    user ``i`` proposes ``x_i = argmin_{y >= 0} g_i(y) + l_i^T y +
    (rho/2)|y - x_hat|^2`` (its own problem at its current price, plus the
    role of PESIM's quadratic disagreement penalty); ``x_hat = mean_i x_i``;
    ``l_i <- l_i + rho (x_i - x_hat)``.  Its fixed points are exactly PESIM's
    equilibrium messages and it converges for any fixed ``rho > 0`` (Boyd et
    al. 2011, section 3.2).  The regulator extrapolates the public state
    ``(x_hat, l)`` by Anderson acceleration with memory ``memory``, kept only
    when it shrinks the fixed-point residual.  Its round count grows quickly
    with ``N``, so it is the small-N option.

    Measured on random weighted instances (``random_instance(n,
    random_state=3)``, ``tol = 1e-9``): gradient play 66 / 162 / 261 / 795 /
    4259 rounds at N = 3 / 4 / 10 / 30 / 200 (N = 200 in under a second); ADMM
    17 / 30 / 149 / 893 rounds at N = 3 / 4 / 10 / 30 (without the Anderson
    step it took 1,700 rounds at N = 4 and did not converge in 20,000 rounds
    at N = 30 for most ``rho``).

    Price proposals ``pi`` are rebuilt from ``l`` by eq. (24) with the
    smallest free constant.

    Parameters
    ----------
    game
        The instance.
    method
        ``"gradient"`` or ``"admm"``.
    tol
        Target for :attr:`ExchangeResult.final_distance`.
    max_iter
        Rounds before giving up.
    rho
        ADMM penalty (default ``mean(c)/N``).
    memory
        Anderson memory (ADMM).
    x0
        Starting outcome (default: the unregulated Nash equilibrium).
    optimum
        Reference optimum for :attr:`ExchangeResult.distance_to_optimum`.

    Returns
    -------
    ExchangeResult

    Raises
    ------
    SolverError
        If the certificate is not reached in ``max_iter`` rounds.
    """
    n = game.n
    if max_iter < 1:
        raise InputError("max_iter must be at least 1")
    z0 = nash_equilibrium(game).x.copy() if x0 is None else np.maximum(_as_float_vector(x0, n), 0.0)
    if method == "gradient":
        x_prop, prices, z, k, history = _exchange_gradient(game, z0, tol, max_iter)
    elif method == "admm":
        r = float(np.mean(game.costs)) / n if rho is None else float(rho)
        if r <= 0:
            raise InputError("rho must be positive")
        x_prop, prices, z, k, history = _exchange_admm(game, z0, r, tol, max_iter, memory)
    else:
        raise InputError(f"unknown exchange method {method!r}; use 'gradient' or 'admm'")
    pi, _ = _equilibrium_arrays(prices, z, 0.0)
    msgs = MessageProfile(pi, x_prop)
    quoted = prices_from_messages(pi)
    distance = max(float(np.max(np.abs(x_prop - z[None, :]))), lindahl_residual(game, quoted, z))
    ref = optimum if optimum is not None else social_optimum(game)
    return ExchangeResult(
        method=method,
        messages=msgs,
        prices=quoted,
        iterations=k,
        final_distance=distance,
        distance_to_optimum=float(np.max(np.abs(z - ref.x))),
        history=history,
    )


def _as_float_vector(x: npt.ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise InputError(f"x0 must be {n} finite numbers")
    return arr


# --------------------------------------------------------------------------- all together


@dataclass(frozen=True)
class PesimSolution:
    """Everything ``sharing pesim solve`` reports for one instance."""

    game: IDSGame
    nash: NashEquilibrium
    optimum: SocialOptimum
    price_of_anarchy: float
    lindahl: LindahlPrices
    messages: MessageProfile
    taxes: FloatArray
    budget_surplus: float
    utilities: FloatArray
    deviation: list[DeviationReport]
    exchange: ExchangeResult | None
    timings: dict[str, float]

    @property
    def max_deviation_gain(self) -> float:
        """Largest unilateral gain found by any of the deviation checks."""
        return max(d.max_gain for d in self.deviation)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly report (the schema of ``sharing pesim solve --json``)."""
        out: dict[str, Any] = {
            "instance": self.game.describe(),
            "nash": self.nash.x.tolist(),
            "optimum": self.optimum.x.tolist(),
            "social_cost": {"nash": self.nash.social_cost, "optimum": self.optimum.social_cost},
            "price_of_anarchy": self.price_of_anarchy,
            "nash_unique": self.nash.unique,
            "kkt_multipliers": self.optimum.multipliers.tolist(),
            "lindahl_prices": self.lindahl.prices.tolist(),
            "taxes": self.taxes.tolist(),
            "equilibrium_taxes_l_dot_x": self.lindahl.equilibrium_taxes().tolist(),
            "budget_surplus": self.budget_surplus,
            "utilities": self.utilities.tolist(),
            "messages": self.messages.to_list(),
            "outcome": self.messages.outcome().tolist(),
            "max_deviation_gain": self.max_deviation_gain,
            "deviation_check": [d.to_dict() for d in self.deviation],
            "solver": {
                "nash": {
                    "method": self.nash.method,
                    "iterations": self.nash.iterations,
                    "residual": self.nash.residual,
                },
                "optimum": {
                    "method": self.optimum.method,
                    "iterations": self.optimum.iterations,
                    "kkt_residual": self.optimum.kkt_residual,
                },
            },
            "timings_s": self.timings,
        }
        if self.exchange is not None:
            out["exchange"] = self.exchange.to_dict()
        return out


def solve(
    game: IDSGame,
    *,
    numeric_users: int | None = None,
    n_starts: int = 3,
    exchange: bool = False,
    random_state: RandomState = 0,
) -> PesimSolution:
    """Solve an instance end to end: NE, ``x*``, PoA, Lindahl prices, messages, taxes, checks.

    Parameters
    ----------
    game
        The instance.
    numeric_users
        How many users get the (costly) numeric deviation search; default all
        users up to ``N = 12`` and a random sample of 8 beyond.  The analytic
        check (exact reduction, closed form for exponential risks) always
        covers every user when ``N >= 3``.
    n_starts
        Starts per user of the numeric search.
    exchange
        Also run :func:`message_exchange` and report its convergence.
    random_state
        Seed for the sample of users and the random starts.

    Returns
    -------
    PesimSolution
    """
    rng = as_rng(random_state)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ne = nash_equilibrium(game)
    timings["nash"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    opt = social_optimum(game, x0=ne.x)
    timings["optimum"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lp = lindahl_prices(game, opt)
    msgs = equilibrium_messages(lp)
    tx = taxes(msgs.pi, msgs.x)
    surplus = float(np.sum(tx))
    util = utilities(game, msgs.pi, msgs.x)
    timings["mechanism"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    reports = []
    n = game.n
    if n >= 3:
        reports.append(deviation_check(game, msgs, method="analytic"))
    k = numeric_users if numeric_users is not None else (n if n <= 12 else 8)
    k = max(0, min(k, n))
    if k > 0:
        users = sorted(int(u) for u in rng.choice(n, size=k, replace=False))
        reports.append(
            deviation_check(game, msgs, users=users, n_starts=n_starts, random_state=rng)
        )
    timings["deviation_check"] = time.perf_counter() - t0
    ex = None
    if exchange:
        t0 = time.perf_counter()
        ex = message_exchange(game, optimum=opt)
        timings["exchange"] = time.perf_counter() - t0
    return PesimSolution(
        game=game,
        nash=ne,
        optimum=opt,
        price_of_anarchy=price_of_anarchy(game, ne, opt),
        lindahl=lp,
        messages=msgs,
        taxes=tx,
        budget_surplus=surplus,
        utilities=util,
        deviation=reports,
        exchange=ex,
        timings=timings,
    )
