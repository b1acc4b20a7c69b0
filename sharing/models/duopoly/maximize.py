"""Maximisers of the duopoly's smooth payoffs over boxes: projected Newton and grid search.

:func:`maximize_box` polishes locally (projected Newton steps on the free
coordinates), :func:`maximize_2d` finds a global maximum over ``[s_lo, s_hi]
x [0, inf)`` by a grid search first.  Derivatives are central finite
differences (:mod:`sharing.models.numerics`), so the payoffs must be smooth
and defined a little outside the box.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from sharing.errors import SolverError
from sharing.models.duopoly.params import SymmetricObjective
from sharing.models.numerics import (
    SECOND_ORDER_STEP,
    FloatArray,
    central_gradient,
    central_hessian,
    forward_jacobian,
)


def active_set(
    x: FloatArray, g: FloatArray, lo: FloatArray, hi: FloatArray
) -> npt.NDArray[np.bool_]:
    """Boolean mask of bound-constrained coordinates whose gradient pushes outwards."""
    at_lo = (x <= lo + 1e-12) & (g <= 0)
    at_hi = (x >= hi - 1e-12) & (g >= 0)
    return np.asarray(at_lo | at_hi, dtype=bool)


def kkt_residual(g: FloatArray, x: FloatArray, lo: FloatArray, hi: FloatArray) -> float:
    """Natural residual ``|x - clip(x + g)|_inf`` of a box-constrained maximisation (0 at KKT)."""
    return float(np.max(np.abs(x - np.clip(x + g, lo, hi))))


def maximize_box(
    fun: Callable[[FloatArray], float],
    x0: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    *,
    gtol: float = 1e-9,
    max_iter: int = 200,
    grad: Callable[[FloatArray], FloatArray] | None = None,
) -> tuple[FloatArray, float, float]:
    """Maximise a smooth function over a box by projected Newton steps (local).

    Newton steps on the free coordinates (Hessian shifted to be negative
    definite when it is not), projected on the box, with a backtracking line
    search.  ``grad`` replaces the central-difference gradient (the Hessian is
    then its forward difference).

    Returns
    -------
    x, value, residual
        The local maximiser, the value and its KKT residual (gradient on the
        free coordinates, scaled by ``1 + |value|``).
    """
    gradient = grad if grad is not None else (lambda z: central_gradient(fun, z))

    def hessian(z: FloatArray) -> FloatArray:
        if grad is None:
            return central_hessian(fun, z, SECOND_ORDER_STEP * (1.0 + np.abs(z)))
        h = forward_jacobian(grad, z, SECOND_ORDER_STEP)
        return np.asarray(0.5 * (h + h.T))

    x = np.clip(np.asarray(x0, dtype=float), lo, hi)
    fx = fun(x)
    res = math.inf
    trusted = 0
    for _ in range(max_iter):
        g = gradient(x)
        free = ~active_set(x, g, lo, hi)
        res = float(np.max(np.abs(g[free]))) if free.any() else 0.0
        if res <= gtol * (1.0 + abs(fx)):
            break
        hess = hessian(x)[np.ix_(free, free)]
        eig_max = float(np.max(np.linalg.eigvalsh(hess)))
        if eig_max >= -1e-12:
            hess = hess - (eig_max + 1e-6 * (1.0 + float(np.max(np.abs(hess))))) * np.eye(
                hess.shape[0]
            )
        d = np.zeros_like(x)
        d[free] = -np.linalg.solve(hess, g[free])
        if float(g @ d) < 1e-11 * (1.0 + abs(fx)):
            # The predicted gain is below the noise of ``fun``: trust a few Newton steps.
            trusted += 1
            x_new = np.clip(x + d, lo, hi)
            if trusted > 3 or float(np.max(np.abs(x_new - x))) <= 1e-15 * (
                1.0 + float(np.max(np.abs(x)))
            ):
                break
            x, fx = x_new, fun(x_new)
            continue
        step = 1.0
        improved = False
        while step > 1e-14:
            x_new = np.clip(x + step * d, lo, hi)
            f_new = fun(x_new)
            if f_new >= fx:
                improved = True
                break
            step *= 0.5
        if not improved or float(np.max(np.abs(x_new - x))) <= 1e-15 * (
            1.0 + float(np.max(np.abs(x)))
        ):
            break
        x, fx = x_new, f_new
    g = gradient(x)
    free = ~active_set(x, g, lo, hi)
    res = float(np.max(np.abs(g[free]))) if free.any() else 0.0
    return x, float(fx), res / (1.0 + abs(fx))


def _grid_starts(values: FloatArray, k: int, sep: int) -> list[tuple[int, int]]:
    """Indices of up to ``k`` best grid points at least ``sep`` cells apart."""
    order = np.argsort(values, axis=None)[::-1]
    picked: list[tuple[int, int]] = []
    for flat in order:
        i, j = np.unravel_index(int(flat), values.shape)
        if all(abs(int(i) - a) > sep or abs(int(j) - b) > sep for a, b in picked):
            picked.append((int(i), int(j)))
            if len(picked) == k:
                break
    return picked


def maximize_2d(
    fun: SymmetricObjective,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    *,
    t_scale: float = 1.0,
    n_s: int = 41,
    n_t: int = 81,
    starts: int = 3,
    extra_starts: tuple[tuple[float, float], ...] = (),
) -> tuple[float, float, float, float]:
    """Globally maximise ``fun(s, t)`` over ``[s_lo, s_hi] x [0, inf)``.

    A vectorised grid search (the t range doubles until the grid maximum is
    interior in t), then :func:`maximize_box` from the best separated grid
    points and from ``extra_starts``.

    Returns
    -------
    s, t, value, residual

    Raises
    ------
    SolverError
        If the maximum runs away in ``t`` (objective unbounded) or is not finite.
    """
    s_lo, s_hi = s_bounds
    t_hi = max(float(t_scale), 1e-3)
    s_grid = np.array([s_lo]) if s_hi - s_lo < 1e-15 else np.linspace(s_lo, s_hi, n_s)
    for _ in range(60):
        t_grid = np.linspace(0.0, t_hi, n_t)
        ss, tt = np.meshgrid(s_grid, t_grid, indexing="ij")
        vals = np.asarray(fun(ss, tt), dtype=float)
        if not np.all(np.isfinite(vals)):
            raise SolverError("objective is not finite on the search grid")
        _, j = np.unravel_index(int(np.argmax(vals)), vals.shape)
        if j < n_t - 2:
            break
        t_hi *= 2.0
    else:
        raise SolverError("the optimum runs away in t: the objective looks unbounded in t")
    lo = np.array([s_lo, 0.0])
    hi = np.array([s_hi, 4.0 * t_hi])

    def f(x: FloatArray) -> float:
        return float(fun(float(x[0]), float(x[1])))

    candidates = [(float(s_grid[i]), float(t_grid[j])) for i, j in _grid_starts(vals, starts, 2)]
    candidates += [(min(max(a, s_lo), s_hi), max(b, 0.0)) for a, b in extra_starts]
    best: tuple[float, float, float, float] | None = None
    for s0, t0 in candidates:
        x, v, res = maximize_box(f, np.array([s0, t0]), lo, hi)
        if best is None or v > best[2]:
            best = (float(x[0]), float(x[1]), v, res)
    assert best is not None
    if best[1] >= hi[1] * (1 - 1e-9):
        raise SolverError("the optimum runs away in t: the objective looks unbounded in t")
    return best
