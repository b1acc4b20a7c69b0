"""The Nash equilibrium of the unregulated IDS game, eq. (3).

Every user minimises its own cost ``g_i`` over ``x_i >= 0``.  Total effort:
closed form; weighted effort: a linear complementarity problem (best
responses, then Lemke); any other convex risk: best-response iteration with
a complementarity solve as fall-back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize

from sharing.errors import SolverError
from sharing.models.ids_game.game import IDSGame, total_effort_closed_form
from sharing.models.ids_game.lcp import is_p_matrix_sufficient, lemke, polish_lcp
from sharing.models.ids_game.risks import TotalEffortRisk, WeightedEffortRisk
from sharing.models.numerics import FloatArray


@dataclass(frozen=True)
class NashEquilibrium:
    """A pure Nash equilibrium of the unregulated IDS game, eq. (3).

    Attributes
    ----------
    x
        Investments.
    social_cost
        ``G(x)``.
    residual
        Natural residual of the equilibrium conditions.
    method
        ``"closed-form"``, ``"best-response"``, ``"lemke"`` or
        ``"best-response+complementarity"``.
    iterations
        Sweeps or pivots used.
    unique
        ``True`` when a sufficient condition for uniqueness holds (the
        weight matrix is a P-matrix by diagonal dominance or a positive
        definite symmetric part; total effort with a unique cheapest user),
        ``None`` when unknown.  With several equilibria the PoA of eq. (4)
        is a max over them; we report ``rho`` at the computed one.
    """

    x: FloatArray
    social_cost: float
    residual: float
    method: str
    iterations: int
    unique: bool | None


def _weighted_nash(
    game: IDSGame, risk: WeightedEffortRisk, tol: float, max_iter: int, method: str
) -> NashEquilibrium:
    w = risk.weights
    c = game.costs
    n = game.n
    d = np.diag(w)
    active = d > 0
    # NE conditions: x_i >= 0, (W x)_i >= b_i = ln(w_ii / c_i), complementary.
    b = np.full(n, -np.inf)
    b[active] = np.log(d[active] / c[active])
    idx = np.flatnonzero(active)
    wa = w[np.ix_(idx, idx)]
    ba = b[idx]
    xa = np.zeros(idx.size)
    used = "best-response"
    iters = 0
    converged = False
    if method in ("auto", "best-response"):
        # Gauss-Seidel best responses: x_i <- max(0, (b_i - sum_{j != i} w_ij x_j) / w_ii).
        for sweep in range(1, max_iter + 1):
            change = 0.0
            for k in range(idx.size):
                new = max(0.0, (ba[k] - (wa[k] @ xa - wa[k, k] * xa[k])) / wa[k, k])
                change = max(change, abs(new - xa[k]))
                xa[k] = new
            iters = sweep
            if change <= 1e-14 * (1.0 + float(np.max(xa, initial=0.0))):
                converged = True
                break
        if not converged and method == "best-response":
            raise SolverError(
                f"Nash equilibrium: best-response iteration did not converge in {max_iter} "
                f"sweeps (last change {change:.3g}); try method='lemke'"
            )
    if not converged:
        xa, iters = lemke(wa, -ba, max_pivots=max(max_iter, 4 * idx.size + 10))
        used = "lemke"
    xa = polish_lcp(wa, ba, xa)
    x = np.zeros(n)
    x[idx] = xa
    res = game.nash_residual(x)
    if res > tol:
        raise SolverError(f"Nash equilibrium: residual {res:.3g} above tolerance {tol:.3g}")
    unique = bool(np.all(active) and is_p_matrix_sufficient(w)) or None
    return NashEquilibrium(x, game.social_cost(x), res, used, iters, unique)


def _own_best_response(game: IDSGame, i: int, x: FloatArray) -> float:
    """Minimise ``g_i`` over ``x_i >= 0`` given ``x_{-i}`` (a convex 1-D problem)."""

    def deriv(t: float) -> float:
        y = x.copy()
        y[i] = t
        return game.risk.partial(i, i, y) + float(game.costs[i])

    if deriv(0.0) >= 0.0:
        return 0.0
    # Proposition 1 (eqs. (17)-(18)): dg_i/dx_i > 0 at (f_i(0) + eps) / c_i.
    hi = (game.risk.user_value(i, np.zeros(game.n)) + 1.0) / game.costs[i]
    while deriv(hi) < 0.0:  # only if the risk breaks Assumption 1 between samples
        hi *= 2.0
        if hi > 1e12:
            raise SolverError(f"best response of user {i} is unbounded")
    return float(optimize.brentq(deriv, 0.0, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def _generic_nash(
    game: IDSGame, tol: float, max_iter: int, x0: FloatArray | None
) -> NashEquilibrium:
    n = game.n
    x = np.zeros(n) if x0 is None else np.maximum(np.asarray(x0, dtype=np.float64), 0.0)
    change = np.inf
    for sweep in range(1, max_iter + 1):
        change = 0.0
        for i in range(n):
            new = _own_best_response(game, i, x)
            change = max(change, abs(new - x[i]))
            x[i] = new
        if change <= 1e-9 * (1.0 + float(np.max(x))):
            res = game.nash_residual(x)
            if res <= tol:
                return NashEquilibrium(x, game.social_cost(x), res, "best-response", sweep, None)
    # Fall back on the complementarity form: Fischer-Burmeister equation for (x_i, dg_i/dx_i).

    def fb(y: FloatArray) -> FloatArray:
        y = np.maximum(y, 0.0)
        g = np.array([game.risk.partial(i, i, y) for i in range(n)]) + game.costs
        return np.asarray(y + g - np.sqrt(y * y + g * g))

    sol = optimize.least_squares(fb, x, xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200 * n)
    y = np.maximum(sol.x, 0.0)
    res = game.nash_residual(y)
    if res > tol:
        raise SolverError(
            f"Nash equilibrium: best-response iteration did not converge in {max_iter} sweeps "
            f"(last change {change:.3g}) and the complementarity solver stopped at residual "
            f"{res:.3g} > {tol:.3g}"
        )
    return NashEquilibrium(
        y, game.social_cost(y), res, "best-response+complementarity", max_iter, None
    )


def nash_equilibrium(
    game: IDSGame,
    *,
    tol: float = 1e-9,
    max_iter: int = 500,
    method: Literal["auto", "best-response", "lemke"] = "auto",
    x0: npt.ArrayLike | None = None,
) -> NashEquilibrium:
    """Pure Nash equilibrium of the unregulated IDS game, eq. (3) (exists by Proposition 1).

    Total effort: closed form (Section III).  Weighted effort: the NE is the
    linear complementarity problem ``x >= 0, W x - b >= 0, x.(W x - b) = 0``
    with ``b_i = ln(w_ii / c_i)``; solved by Gauss-Seidel best responses and,
    if they do not converge in ``max_iter`` sweeps, by Lemke's algorithm.
    A user-supplied risk: best-response iteration (each a 1-D convex problem
    bracketed by Proposition 1), then a Fischer-Burmeister complementarity
    solve as fall-back.

    Parameters
    ----------
    game
        The instance.
    tol
        Accepted natural residual of the equilibrium conditions.
    max_iter
        Best-response sweeps (also bounds Lemke's pivots).
    method
        For weighted effort: ``"auto"``, ``"best-response"`` or ``"lemke"``.
    x0
        Starting point of the best-response iteration (custom risks).

    Returns
    -------
    NashEquilibrium

    Raises
    ------
    SolverError
        If no method reaches ``tol``.
    """
    risk = game.risk
    if isinstance(risk, TotalEffortRisk):
        x, _ = total_effort_closed_form(game.costs)
        res = game.nash_residual(x)
        unique = bool(np.sum(game.costs == game.costs.min()) == 1 or x.sum() == 0)
        return NashEquilibrium(x, game.social_cost(x), res, "closed-form", 0, unique)
    if isinstance(risk, WeightedEffortRisk):
        return _weighted_nash(game, risk, tol, max_iter, method)
    return _generic_nash(game, tol, max_iter, None if x0 is None else np.asarray(x0, float))
