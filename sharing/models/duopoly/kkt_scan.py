"""Every symmetric KKT point of the first stage, found by a scan.

At a symmetric profile ``s_1 = s_2 = s``, ``t_1 = t_2 = t`` the own
first-order conditions (eqs. 5-6) are two equations in ``(s, t)``.  The scan
follows the roots ``t(s)`` of the investment condition along a grid in ``s``
and brackets the sharing condition along each branch, so that several
equilibria (or none) are found, not just the one a local solver lands on.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from sharing.errors import SolverError
from sharing.models.duopoly.params import Num, Payoff
from sharing.models.numerics import FIRST_ORDER_STEP, FloatArray, central_difference


def symmetric_partial(payoff: Payoff, s: Num, t: Num, which: int) -> Num:
    """Own partial derivative (``which`` 0: s, 1: t) at the symmetric profile (s, t, s, t).

    A central difference with step ``1e-5 (1 + |x|)``; broadcasts over arrays.
    """
    if which == 0:
        h = FIRST_ORDER_STEP * (1.0 + np.abs(s))
        return central_difference(lambda u: payoff(u, t, s, t), s, h)
    h = FIRST_ORDER_STEP * (1.0 + np.abs(t))
    return central_difference(lambda u: payoff(s, u, s, t), t, h)


def _sharing_foc(payoff: Payoff, s: float, t: float) -> float:
    """``dPi_i/ds_i`` at the symmetric profile ``(s, t, s, t)`` (eq. 5's left-hand side)."""
    return float(symmetric_partial(payoff, s, t, 0))


def _symmetric_t_bound(payoff: Payoff, s_grid: FloatArray, t_scale: float) -> float:
    """A ``T`` with ``dPi_i/dt_i < 0`` at every symmetric profile ``(s, T)`` of the grid."""
    t_hi = max(t_scale, 1e-3)
    for _ in range(60):
        if np.all(np.asarray(symmetric_partial(payoff, s_grid, np.full_like(s_grid, t_hi), 1)) < 0):
            return 2.0 * t_hi
        t_hi *= 2.0
    raise SolverError("no symmetric equilibrium: marginal profit of investment stays positive")


def _t_roots(payoff: Payoff, s: float, row: FloatArray, t_grid: FloatArray) -> list[float]:
    """Roots in t of the symmetric t-FOC on one grid row, plus the corner t = 0 if KKT."""
    roots: list[float] = []
    if row[0] <= 0:
        roots.append(0.0)

    def h(t: float) -> float:
        return float(symmetric_partial(payoff, s, t, 1))

    for m in range(len(t_grid) - 1):
        lo_v, hi_v = row[m], row[m + 1]
        if lo_v == 0.0 and m > 0:
            roots.append(float(t_grid[m]))
        elif lo_v * hi_v < 0:
            roots.append(float(optimize.brentq(h, t_grid[m], t_grid[m + 1], xtol=1e-14)))
    return roots


def _t_on_branch(payoff: Payoff, s: float, guess: float, width: float) -> float:
    """Root of the symmetric t-FOC near ``guess`` (t = 0 if the corner is the only KKT point)."""

    def h(t: float) -> float:
        return float(symmetric_partial(payoff, s, t, 1))

    w = width
    for _ in range(30):
        lo, hi = max(0.0, guess - w), guess + w
        if h(lo) * h(hi) < 0:
            return float(optimize.brentq(h, lo, hi, xtol=1e-14))
        if lo == 0.0 and h(0.0) <= 0:
            return 0.0
        w *= 2.0
    raise SolverError(f"lost the investment branch at s={s}")


def symmetric_kkt_points(
    payoff: Payoff,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    t_scale: float = 1.0,
    n_s: int = 41,
    n_t: int = 161,
) -> list[tuple[float, float]]:
    """All symmetric KKT points of the own problem, found by a scan (up to grid resolution).

    For each ``s`` on a grid, the roots ``t(s)`` of the symmetric investment
    FOC (eq. 6) are bracketed on a ``t`` grid and refined (``t = 0`` is kept
    when the corner satisfies KKT); then the sharing FOC (eq. 5) along each
    branch, ``phi(s) = dPi_i/ds_i(s, t(s))``, is scanned for sign changes, and
    the corners ``s = s_lo`` (``phi <= 0``) and ``s = s_hi`` (``phi >= 0``) are
    tested.  Where the number of branches changes, a 2-D root finder is
    started from the grid points as a fallback.

    Returns
    -------
    list of (s, t)
        Distinct KKT points (not yet checked to be equilibria).
    """
    s_lo, s_hi = s_bounds
    fixed_s = s_hi - s_lo < 1e-15
    s_grid = np.array([s_lo]) if fixed_s else np.linspace(s_lo, s_hi, n_s)
    t_top = _symmetric_t_bound(payoff, s_grid, t_scale)
    t_grid = np.linspace(0.0, t_top, n_t)
    ss, tt = np.meshgrid(s_grid, t_grid, indexing="ij")
    h_t = np.asarray(symmetric_partial(payoff, ss, tt, 1), dtype=float)
    rows = [_t_roots(payoff, float(s_grid[k]), h_t[k], t_grid) for k in range(len(s_grid))]
    width = float(t_grid[1] - t_grid[0])
    found: list[tuple[float, float]] = []
    scale = 1.0 + float(np.max(np.abs(np.asarray(payoff(ss, tt, ss, tt)))))
    tol = 1e-9 * scale
    if fixed_s:
        return [(s_lo, t) for t in rows[0]]
    phis = [
        [_sharing_foc(payoff, float(s_grid[k]), t) for t in rows[k]] for k in range(len(s_grid))
    ]
    found += [(s_lo, t) for t, v in zip(rows[0], phis[0], strict=True) if v <= tol]
    found += [(s_hi, t) for t, v in zip(rows[-1], phis[-1], strict=True) if v >= -tol]
    for k in range(len(s_grid) - 1):
        sa, sb = float(s_grid[k]), float(s_grid[k + 1])
        if len(rows[k]) == len(rows[k + 1]):
            for r, (ta, tb) in enumerate(zip(rows[k], rows[k + 1], strict=True)):
                va, vb = phis[k][r], phis[k + 1][r]
                if va * vb >= 0 and not (vb == 0.0 and k + 1 < len(s_grid) - 1):
                    continue
                found.append(_root_on_branch(payoff, (sa, ta), (sb, tb), width))
        else:
            starts = [(sa, t) for t in rows[k]] + [(sb, t) for t in rows[k + 1]]
            found += _roots_from_grid_points(payoff, starts, s_bounds)
    return _distinct(found)


def _root_on_branch(
    payoff: Payoff, a: tuple[float, float], b: tuple[float, float], width: float
) -> tuple[float, float]:
    """Root of the sharing FOC along the investment branch from grid point ``a`` to ``b``.

    The branch ``t(s)`` is followed by :func:`_t_on_branch` from the linear
    interpolation of its two ends; at the corner ``t = 0`` it stays there.
    """
    (sa, ta), (sb, tb) = a, b
    corner = ta == 0.0 and tb == 0.0

    def t_at(s: float) -> float:
        if corner:
            return 0.0
        guess = ta + (tb - ta) * (s - sa) / (sb - sa)
        return _t_on_branch(payoff, s, guess, width)

    def branch_phi(s: float) -> float:
        return _sharing_foc(payoff, s, t_at(s))

    s_root = float(optimize.brentq(branch_phi, sa, sb, xtol=1e-14))
    return s_root, t_at(s_root)


def _roots_from_grid_points(
    payoff: Payoff, starts: list[tuple[float, float]], s_bounds: tuple[float, float]
) -> list[tuple[float, float]]:
    """Both FOCs solved together (Powell's hybrid method) from grid points; interior roots kept.

    The fallback where the number of investment branches changes between two
    grid columns, so that branches cannot be paired.
    """
    s_lo, s_hi = s_bounds
    roots: list[tuple[float, float]] = []
    for s0, t0 in starts:
        sol = optimize.root(
            lambda z: [
                _sharing_foc(payoff, float(z[0]), float(z[1])),
                float(symmetric_partial(payoff, float(z[0]), float(z[1]), 1)),
            ],
            [s0, t0],
            method="hybr",
            options={"xtol": 1e-13},
        )
        z = sol.x
        if sol.success and s_lo < z[0] < s_hi and z[1] > 0:
            roots.append((float(z[0]), float(z[1])))
    return roots


def _distinct(found: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points of ``found`` more than ``1e-7`` apart (relative in t), sorted."""
    distinct: list[tuple[float, float]] = []
    for s, t in found:
        if all(abs(s - a) > 1e-7 or abs(t - b) > 1e-7 * (1 + abs(b)) for a, b in distinct):
            distinct.append((s, t))
    return sorted(distinct)
