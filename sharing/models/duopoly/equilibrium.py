"""The symmetric Bertrand-Nash equilibrium of the first stage, diagnosed.

Every symmetric KKT point of the scan (:mod:`~sharing.models.duopoly.kkt_scan`)
is checked: KKT residual, a global no-deviation check, second-order
conditions, reaction-function slopes and their spectral radius, and
best-response iteration from symmetric and asymmetric starts
(:func:`symmetric_equilibrium`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sharing.errors import SolverError
from sharing.models.duopoly.kkt_scan import symmetric_kkt_points
from sharing.models.duopoly.market import Outcome
from sharing.models.duopoly.maximize import kkt_residual
from sharing.models.duopoly.params import Payoff
from sharing.models.duopoly.reaction import best_response, best_response_jacobian
from sharing.models.numerics import FloatArray, richardson_gradient

#: Relative tolerance on a deviation gain below which a profile is a best response.
DEVIATION_TOL = 1e-8


@dataclass(frozen=True)
class EquilibriumPoint:
    """A symmetric KKT point ``s_1 = s_2 = s``, ``t_1 = t_2 = t`` of the first stage, diagnosed.

    Attributes
    ----------
    kkt_residual : float
        Natural residual of the own first-order conditions (eqs. 5-6) at the point.
    is_equilibrium : bool
        No unilateral deviation (global best response over the own box) gains more
        than ``DEVIATION_TOL * (1 + |payoff|)``.
    deviation_gain : float
        Best deviation payoff minus the payoff at the point.
    soc : bool
        The own Hessian restricted to the free coordinates is negative definite.
    br_jacobian : (2, 2) array
        Reaction-function slopes ``d(s_i, t_i)/d(s_j, t_j)``.
    spectral_radius : float
        Of ``br_jacobian``; below 1 the equilibrium is locally stable under
        best-response iteration.
    active : tuple of str
        Binding bounds (e.g. ``"s=0"``).
    """

    s: float
    t: float
    value: float
    kkt_residual: float
    is_equilibrium: bool
    deviation_gain: float
    soc: bool
    own_hessian: FloatArray = field(repr=False)
    br_jacobian: FloatArray = field(repr=False)
    spectral_radius: float
    active: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        return {
            "s": self.s,
            "t": self.t,
            "payoff": self.value,
            "kkt_residual": self.kkt_residual,
            "is_equilibrium": self.is_equilibrium,
            "deviation_gain": self.deviation_gain,
            "second_order_ok": self.soc,
            "own_hessian": self.own_hessian.tolist(),
            "best_response_slopes": {
                "ds_i/ds_j": float(self.br_jacobian[0, 0]),
                "ds_i/dt_j": float(self.br_jacobian[0, 1]),
                "dt_i/ds_j": float(self.br_jacobian[1, 0]),
                "dt_i/dt_j": float(self.br_jacobian[1, 1]),
            },
            "spectral_radius": self.spectral_radius,
            "active_bounds": list(self.active),
        }


def diagnose_symmetric_point(
    payoff: Payoff,
    s: float,
    t: float,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    global_check: bool = True,
) -> EquilibriumPoint:
    """Diagnose a symmetric profile: KKT residual, deviation gain, SOC, reaction slopes."""
    value = float(payoff(s, t, s, t))
    g = richardson_gradient(
        lambda x: float(payoff(float(x[0]), float(x[1]), s, t)), np.array([s, t])
    )
    lo = np.array([s_bounds[0], 0.0])
    hi = np.array([s_bounds[1], math.inf])
    if s_bounds[1] - s_bounds[0] < 1e-15:
        g = np.array([0.0, g[1]])
    res = kkt_residual(g / (1.0 + abs(value)), np.array([s, t]), lo, hi)
    jac, h_own, active = best_response_jacobian(payoff, s, t, s, t, s_bounds)
    free = [k for k, name in enumerate(("s", "t")) if not any(a.startswith(name) for a in active)]
    if free:
        eig = np.linalg.eigvalsh(h_own[np.ix_(free, free)])
        soc = bool(np.all(eig < 0))
    else:
        soc = True
    if global_check:
        br = best_response(payoff, s, t, s_bounds=s_bounds, t_scale=max(1.0, 2.0 * t), warm=(s, t))
        gain = br.value - value
    else:
        gain = 0.0
    rho = float(np.max(np.abs(np.linalg.eigvals(jac))))
    return EquilibriumPoint(
        s=s,
        t=t,
        value=value,
        kkt_residual=res,
        is_equilibrium=gain <= DEVIATION_TOL * (1.0 + abs(value)),
        deviation_gain=float(gain),
        soc=soc,
        own_hessian=h_own,
        br_jacobian=jac,
        spectral_radius=rho,
        active=active,
    )


@dataclass(frozen=True)
class IterationRun:
    """One run of simultaneous best-response iteration."""

    start: tuple[float, float, float, float]
    end: tuple[float, float, float, float]
    iterations: int
    converged: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        return dataclasses.asdict(self)


def best_response_iteration(
    payoff: Payoff,
    start: tuple[float, float, float, float],
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    tol: float = 1e-9,
    max_iter: int = 200,
    t_scale: float = 1.0,
) -> IterationRun:
    """Simultaneous best-response iteration ``x_1 <- BR(x_2), x_2 <- BR(x_1)`` (global BRs).

    Stops when the profile moves less than ``tol`` (sup norm).
    """
    s1, t1, s2, t2 = start
    for it in range(1, max_iter + 1):
        br1 = best_response(
            payoff, s2, t2, s_bounds=s_bounds, t_scale=max(t_scale, 2 * t2), warm=(s1, t1)
        )
        br2 = best_response(
            payoff, s1, t1, s_bounds=s_bounds, t_scale=max(t_scale, 2 * t1), warm=(s2, t2)
        )
        new = (br1.s, br1.t, br2.s, br2.t)
        move = max(abs(a - b) for a, b in zip(new, (s1, t1, s2, t2), strict=True))
        s1, t1, s2, t2 = new
        if move < tol:
            return IterationRun(start, new, it, True)
    return IterationRun(start, (s1, t1, s2, t2), max_iter, False)


@dataclass(frozen=True)
class NashResult:
    """Symmetric Bertrand-Nash equilibrium of the first stage, with its diagnostics.

    Attributes
    ----------
    equilibrium : EquilibriumPoint
        The selected symmetric equilibrium (the most profitable if several).
    candidates : tuple of EquilibriumPoint
        Every symmetric KKT point found by the scan.
    n_equilibria : int
        How many candidates pass the global deviation check.
    iteration : tuple of IterationRun
        Best-response iteration runs from symmetric and asymmetric starts.
    stable : bool
        Spectral radius of the reaction slopes < 1 and every iteration run
        converged to the selected equilibrium.
    outcome : Outcome
        Prices, profits, welfare at the equilibrium.
    """

    equilibrium: EquilibriumPoint
    candidates: tuple[EquilibriumPoint, ...]
    n_equilibria: int
    iteration: tuple[IterationRun, ...]
    stable: bool
    outcome: Outcome

    @property
    def s(self) -> float:
        """Equilibrium sharing."""
        return self.equilibrium.s

    @property
    def t(self) -> float:
        """Equilibrium investment."""
        return self.equilibrium.t

    @property
    def unique(self) -> bool:
        """Exactly one symmetric equilibrium found."""
        return self.n_equilibria == 1

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view: the outcome plus the diagnostics."""
        out: dict[str, Any] = self.outcome.symmetric_dict()
        out.update(
            {
                "unique": self.unique,
                "n_symmetric_equilibria": self.n_equilibria,
                "stable": self.stable,
                "diagnostics": self.equilibrium.as_dict(),
                "other_kkt_points": [
                    c.as_dict() for c in self.candidates if c is not self.equilibrium
                ],
                "best_response_iteration": [r.as_dict() for r in self.iteration],
            }
        )
        return out


def symmetric_equilibrium(
    payoff: Payoff,
    outcome_fn: Callable[[float, float], Outcome],
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    iterate: bool = True,
    t_scale: float = 1.0,
) -> NashResult:
    """Symmetric Nash equilibrium of a symmetric first-stage game with a given payoff.

    Parameters
    ----------
    payoff : Payoff
        Firm i's payoff.
    outcome_fn : callable ``(s, t) -> Outcome``
        Evaluates the market at the symmetric profile.
    s_bounds : (float, float)
        Sharing box (``(0, 0)`` forbids sharing).
    iterate : bool
        Run best-response iteration from four starts (slower) to test
        stability globally; otherwise stability is the local test only.
    t_scale : float
        Initial upper end of the investment scan (doubled as needed).

    Raises
    ------
    SolverError
        If no symmetric equilibrium is found.
    """
    points = symmetric_kkt_points(payoff, s_bounds=s_bounds, t_scale=t_scale)
    diagnosed = tuple(diagnose_symmetric_point(payoff, s, t, s_bounds=s_bounds) for s, t in points)
    equilibria = [d for d in diagnosed if d.is_equilibrium]
    if not equilibria:
        raise SolverError(
            "no symmetric Nash equilibrium found "
            f"({len(diagnosed)} symmetric KKT point(s), none a best response to itself)"
        )
    chosen = max(equilibria, key=lambda d: d.value)
    runs: list[IterationRun] = []
    if iterate:
        t_top = max(1.0, 2.0 * chosen.t)
        s_lo, s_hi = s_bounds
        starts = [
            (s_lo, 0.0, s_lo, 0.0),
            (s_hi, t_top, s_hi, t_top),
            (s_hi, t_top, s_lo, 0.0),
            (0.5 * (s_lo + s_hi), 0.25 * t_top, s_lo, t_top),
        ]
        runs = [
            best_response_iteration(payoff, st, s_bounds=s_bounds, t_scale=t_top) for st in starts
        ]
    tol = 1e-6
    reached = all(
        r.converged
        and max(abs(r.end[0] - chosen.s), abs(r.end[2] - chosen.s)) < tol
        and max(abs(r.end[1] - chosen.t), abs(r.end[3] - chosen.t)) < tol * (1 + chosen.t)
        for r in runs
    )
    return NashResult(
        equilibrium=chosen,
        candidates=diagnosed,
        n_equilibria=len(equilibria),
        iteration=tuple(runs),
        stable=bool(chosen.spectral_radius < 1.0 and reached),
        outcome=outcome_fn(chosen.s, chosen.t),
    )
