"""The social optimum ``x*`` of problem (2), its KKT multipliers and the Price of Anarchy.

``min_{x >= 0} G(x)`` with the multipliers ``mu = grad G(x*) >= 0``,
``mu . x* = 0`` from which :mod:`sharing.models.pesim` builds the Lindahl
prices; the optimum of a coalition of all users but one (Section V); and
the Price of Anarchy ``G(x_nash) / G(x*)``, eq. (4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharing.errors import SolverError
from sharing.models.ids_game.game import IDSGame, total_effort_closed_form
from sharing.models.ids_game.nash import NashEquilibrium, nash_equilibrium
from sharing.models.ids_game.orthant import minimise_orthant, natural_residual
from sharing.models.ids_game.risks import TotalEffortRisk, WeightedEffortRisk
from sharing.models.numerics import FloatArray


@dataclass(frozen=True)
class SocialOptimum:
    """The social optimum ``x*`` of problem (2) with its KKT multipliers.

    Attributes
    ----------
    x
        Optimal investments (coordinates below ``1e-13`` snapped to zero).
    social_cost
        ``G(x*)``.
    multipliers
        ``mu = grad G(x*)`` on the zero coordinates and ``0`` elsewhere:
        ``mu >= 0``, ``mu . x* = 0`` (the aggregate of the ``lambda_i`` of
        eq. (20)).
    kkt_residual
        Natural residual of the KKT conditions.
    method, iterations
        How it was found.
    """

    x: FloatArray
    social_cost: float
    multipliers: FloatArray
    kkt_residual: float
    method: str
    iterations: int


def _optimum_result(
    game: IDSGame, x: FloatArray, method: str, iters: int, tol: float
) -> SocialOptimum:
    x = np.where(x < 1e-13, 0.0, x)
    g = game.social_gradient(x)
    r = natural_residual(x, g)
    if r > tol:
        raise SolverError(
            f"social optimum: KKT residual {r:.3g} above tolerance {tol:.3g} after {iters} "
            f"iterations ({method})"
        )
    mu = np.where(x > 0, 0.0, np.maximum(g, 0.0))
    return SocialOptimum(x, game.social_cost(x), mu, r, method, iters)


def social_optimum(
    game: IDSGame, *, tol: float = 1e-9, max_iter: int = 2000, x0: npt.ArrayLike | None = None
) -> SocialOptimum:
    """Social optimum ``x*`` of problem (2), ``min_{x >= 0} G(x)``, with KKT multipliers.

    Total effort: closed form.  Otherwise a projected Newton method with the
    analytic gradient and Hessian (weighted effort: ``W^T diag(f) W``; custom
    risks: given or finite differences), with scipy's TNC as fall-back.

    Parameters
    ----------
    game
        The instance.
    tol
        Accepted natural KKT residual (absolute; the gradients are of the
        order of the costs).
    max_iter
        Iteration budget of each stage.
    x0
        Starting point (default: the Nash equilibrium for weighted effort,
        zero otherwise).

    Returns
    -------
    SocialOptimum

    Raises
    ------
    SolverError
        If the KKT residual stays above ``tol``.
    """
    if isinstance(game.risk, TotalEffortRisk):
        _, x = total_effort_closed_form(game.costs)
        return _optimum_result(game, x, "closed-form", 0, tol)
    if x0 is not None:
        start = np.asarray(x0, dtype=np.float64)
    else:
        start = np.zeros(game.n)
    x, iters, method = minimise_orthant(
        game.social_cost, game.social_gradient, game.social_hessian, start, tol, max_iter
    )
    return _optimum_result(game, x, method, iters, tol)


def coalition_optimum(
    game: IDSGame, outsider: int, effort: float, *, tol: float = 1e-9, max_iter: int = 2000
) -> FloatArray:
    """Social optimum of the ``N-1`` users other than ``outsider`` given its effort.

    This is the response of the participating coalition in Section V: it
    minimises ``sum_{j != outsider} g_j(x)`` over ``x_{-outsider} >= 0`` with
    ``x_outsider = effort`` fixed.

    Returns
    -------
    FloatArray
        The full profile ``x`` (with ``x[outsider] = effort``).
    """
    n = game.n
    others = np.array([j for j in range(n) if j != outsider], dtype=int)
    c = game.costs
    full = np.zeros(n)
    full[outsider] = effort
    if others.size == 0:
        return full
    risk = game.risk
    if isinstance(risk, TotalEffortRisk):
        k = others[int(np.argmin(c[others]))]
        full[k] = max(0.0, math.log((n - 1) / c[k]) - effort)
        return full
    if isinstance(risk, WeightedEffortRisk):
        w = risk.weights[np.ix_(others, others)]
        off = risk.weights[others, outsider] * effort
        co = c[others]

        def fun(y: FloatArray) -> float:
            return float(np.sum(np.exp(-(w @ y) - off)) + co @ y)

        def grad(y: FloatArray) -> FloatArray:
            return np.asarray(-(w.T @ np.exp(-(w @ y) - off)) + co)

        def hess(y: FloatArray) -> FloatArray:
            s = np.exp(-(w @ y) - off)
            return np.asarray(w.T @ (s[:, None] * w))

    else:

        def embed(y: FloatArray) -> FloatArray:
            z = full.copy()
            z[others] = y
            return z

        def fun(y: FloatArray) -> float:
            z = embed(y)
            return float(np.sum(risk.values(z)[others]) + c[others] @ y)

        def grad(y: FloatArray) -> FloatArray:
            z = embed(y)
            return np.asarray(risk.jacobian(z)[others][:, others].sum(axis=0) + c[others])

        def hess(y: FloatArray) -> FloatArray:
            z = embed(y)
            h = np.sum([risk.hessian(int(j), z) for j in others], axis=0)
            return np.asarray(h[np.ix_(others, others)])

    y, iters, method = minimise_orthant(fun, grad, hess, np.zeros(others.size), tol, max_iter)
    y = np.where(y < 1e-13, 0.0, y)
    r = natural_residual(y, grad(y))
    if r > tol:
        raise SolverError(
            f"coalition optimum without user {outsider}: KKT residual {r:.3g} > {tol:.3g} "
            f"({method}, {iters} iterations)"
        )
    full[others] = y
    return full


def price_of_anarchy(
    game: IDSGame,
    nash: NashEquilibrium | None = None,
    optimum: SocialOptimum | None = None,
) -> float:
    """Price of Anarchy ``rho(x_nash) = G(x_nash) / G(x*)``, eq. (4).

    With several Nash equilibria eq. (4) takes the worst; this is ``rho`` at
    the computed equilibrium (see :attr:`NashEquilibrium.unique`).
    """
    ne = nash if nash is not None else nash_equilibrium(game)
    opt = optimum if optimum is not None else social_optimum(game)
    return ne.social_cost / opt.social_cost
