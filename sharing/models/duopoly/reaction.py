"""Best responses of one firm to the other's ``(s, t)``, and their slopes.

A best response is global (grid search plus polishing, :func:`best_response`)
or local (:func:`local_best_response`); the reaction-function slopes come
from the implicit function theorem on the own first-order conditions
(:func:`best_response_jacobian`, eqs. 23-24 of the paper).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sharing.models.duopoly.maximize import active_set, maximize_2d, maximize_box
from sharing.models.duopoly.params import Num, Payoff
from sharing.models.numerics import (
    RICHARDSON_STEP,
    FloatArray,
    central_gradient,
    richardson_hessian,
)


@dataclass(frozen=True)
class BestResponse:
    """A best response ``(s, t)`` of the firm under consideration, with its value."""

    s: float
    t: float
    value: float
    residual: float


def best_response(
    payoff: Payoff,
    s_other: float,
    t_other: float,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    t_scale: float | None = None,
    warm: tuple[float, float] | None = None,
) -> BestResponse:
    """Global best response to ``(s_other, t_other)``: ``argmax_{s, t} payoff(s, t, s_j, t_j)``.

    Grid search over the own box plus local polishing (see :func:`maximize_2d`),
    so corners (``s = 0``, ``s = 1``, ``t = 0``) are handled.
    """

    def own(s: Num, t: Num) -> Num:
        return payoff(s, t, s_other, t_other)

    scale = t_scale if t_scale is not None else max(1.0, 2.0 * t_other)
    extra = (warm,) if warm is not None else ()
    s, t, v, res = maximize_2d(own, s_bounds, t_scale=scale, extra_starts=extra)
    return BestResponse(s=s, t=t, value=v, residual=res)


def local_best_response(
    payoff: Payoff,
    s_other: float,
    t_other: float,
    warm: tuple[float, float],
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> BestResponse:
    """Best response by local polishing from ``warm`` only (fast; no global guarantee)."""

    def f(x: FloatArray) -> float:
        return float(payoff(float(x[0]), float(x[1]), s_other, t_other))

    lo = np.array([s_bounds[0], 0.0])
    hi = np.array([s_bounds[1], math.inf])
    x, v, res = maximize_box(f, np.array(warm, dtype=float), lo, hi)
    return BestResponse(s=float(x[0]), t=float(x[1]), value=v, residual=res)


def own_derivatives(
    payoff: Payoff, s_i: float, t_i: float, s_j: float, t_j: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gradient and Hessian of ``payoff`` in the own variables, and the cross block.

    Returns
    -------
    grad : (2,)
        ``(dPi_i/ds_i, dPi_i/dt_i)``.
    own_hessian : (2, 2)
        Second derivatives in ``(s_i, t_i)``.
    cross : (2, 2)
        ``cross[k, m] = d^2 Pi_i / d x_i[k] d x_j[m]`` with ``x = (s, t)``.
    """

    def f4(z: FloatArray) -> float:
        return float(payoff(float(z[0]), float(z[1]), float(z[2]), float(z[3])))

    z = np.array([s_i, t_i, s_j, t_j], dtype=float)
    g = central_gradient(f4, z)
    hess = richardson_hessian(f4, z, RICHARDSON_STEP * (1.0 + np.abs(z)))
    return g[:2], hess[:2, :2], hess[:2, 2:]


def best_response_jacobian(
    payoff: Payoff,
    s_i: float,
    t_i: float,
    s_j: float,
    t_j: float,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Slopes of the reaction functions ``d(s_i, t_i)/d(s_j, t_j)`` at a best response.

    Implicit function theorem on the own first-order conditions (eqs. 23-24 of
    the paper): ``J = -H_own^{-1} H_cross`` on the free coordinates; a
    coordinate at a bound (``s = 0``/``s = 1``/``t = 0`` with the gradient
    pointing out) has slope 0.

    Returns
    -------
    jacobian : (2, 2)
        Rows ``(s_i, t_i)``, columns ``(s_j, t_j)``.
    own_hessian : (2, 2)
    active : tuple of str
        Names of the binding bounds.
    """
    g, h_own, cross = own_derivatives(payoff, s_i, t_i, s_j, t_j)
    x = np.array([s_i, t_i])
    lo = np.array([s_bounds[0], 0.0])
    hi = np.array([s_bounds[1], math.inf])
    fixed_s = s_bounds[1] - s_bounds[0] < 1e-15
    active = active_set(x, g, lo, hi)
    if fixed_s:
        active[0] = True
    names = []
    if active[0]:
        names.append("s fixed" if fixed_s else ("s=0" if s_i <= s_bounds[0] + 1e-12 else "s=1"))
    if active[1]:
        names.append("t=0")
    free = ~active
    jac = np.zeros((2, 2))
    if free.any():
        jac[free, :] = -np.linalg.solve(h_own[np.ix_(free, free)], cross[free, :])
    return jac, h_own, tuple(names)
