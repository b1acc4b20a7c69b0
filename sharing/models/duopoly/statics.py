"""Comparative statics of a symmetric equilibrium: Newton re-solves and the IFT.

:func:`refine_symmetric_equilibrium` re-solves the symmetric first-order
conditions near a known equilibrium; :func:`equilibrium_sensitivity` gives
``(ds*/dp, dt*/dp)`` for any parameter ``p`` by the implicit function theorem,
the method of the paper's proofs of Propositions 3-4 and 7.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sharing.errors import InputError, SolverError
from sharing.models.duopoly.kkt_scan import symmetric_partial
from sharing.models.duopoly.market import profit
from sharing.models.duopoly.params import DEFAULT_FORMS, DuopolyParams, FunctionalForms, Payoff
from sharing.models.numerics import (
    RICHARDSON_STEP,
    SECOND_ORDER_STEP,
    FloatArray,
    central_gradient,
    richardson_hessian,
)


def refine_symmetric_equilibrium(
    payoff: Payoff,
    s0: float,
    t0: float,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """Re-solve the symmetric FOCs near ``(s0, t0)``, keeping its active set.

    Newton's method on the FOCs (eqs. 5-6) of the free variables, iterated to
    the noise floor of the finite differences.

    Raises
    ------
    SolverError
        If Newton's method does not converge, or leaves the box.
    """
    s_lo, s_hi = s_bounds
    if t0 <= 0.0:
        raise SolverError("comparative statics at the corner t = 0 are not supported")
    s_fixed = abs(s0 - s_lo) < 1e-10 or abs(s0 - s_hi) < 1e-10 or s_hi - s_lo < 1e-15
    free = [1] if s_fixed else [0, 1]

    def foc(z: FloatArray) -> FloatArray:
        s, t = float(z[0]), float(z[1])
        return np.array([float(symmetric_partial(payoff, s, t, k)) for k in free])

    z = np.array([s0, t0], dtype=float)
    scale = 1.0 + abs(float(payoff(s0, t0, s0, t0)))
    for _ in range(40):
        f0 = foc(z)
        jac = central_gradient(foc, z, SECOND_ORDER_STEP, coords=free)
        dz = np.linalg.solve(jac, -f0)
        z[free] += dz
        if float(np.max(np.abs(dz))) <= 1e-11 * (1.0 + float(np.max(np.abs(z)))):
            break
    residual = float(np.max(np.abs(foc(z))))
    if not (residual <= 1e-7 * scale and z[1] > 0 and (s_fixed or s_lo < z[0] < s_hi)):
        raise SolverError(f"Newton re-solve failed near (s, t) = ({s0}, {t0})")
    return float(z[0]), float(z[1])


def equilibrium_sensitivity(
    params: DuopolyParams,
    name: str,
    s: float,
    t: float,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """Comparative statics ``(ds*/dp, dt*/dp)`` of a symmetric equilibrium in parameter ``name``.

    Implicit function theorem on the symmetric first-order conditions (the
    method of the paper's proofs of Propositions 3-4 and 7): with ``G(s, t; p) =
    (dPi_i/ds_i, dPi_i/dt_i)`` at ``(s, t, s, t)``, ``dz/dp = -(dG/dz)^{-1} dG/dp``,
    where moving ``z`` moves both firms.  Second derivatives are Richardson-
    extrapolated central differences.  A sharing level at a bound has ``ds* = 0``.

    Raises
    ------
    SolverError
        If ``name`` is not a parameter, the parameter is too close to the edge of
        its domain for the differences, or the Jacobian is singular.
    """
    if name not in {f.name for f in dataclasses.fields(params)}:
        raise SolverError(f"unknown parameter {name!r}")
    value = float(getattr(params, name))
    hp = RICHARDSON_STEP * max(1.0, abs(value))
    cache: dict[float, DuopolyParams] = {value: params}

    def at(v: float) -> DuopolyParams:
        if v not in cache:
            try:
                cache[v] = params.replace(**{name: v})
            except InputError as exc:
                raise SolverError(f"{name}={value} is too close to the edge of its domain") from exc
        return cache[v]

    def f5(z: FloatArray) -> float:
        return float(
            profit(float(z[0]), float(z[1]), float(z[2]), float(z[3]), at(float(z[4])), forms)
        )

    z = np.array([s, t, s, t, value])
    steps = np.append(RICHARDSON_STEP * (1.0 + np.abs(z[:4])), hp)
    hess = richardson_hessian(f5, z, steps)
    # dG/dz with z = (s, t) moving both firms; rows: (s_i-FOC, t_i-FOC).
    jac = np.array(
        [
            [hess[0, 0] + hess[0, 2], hess[0, 1] + hess[0, 3]],
            [hess[1, 0] + hess[1, 2], hess[1, 1] + hess[1, 3]],
        ]
    )
    rhs = hess[:2, 4]
    s_fixed = (
        s_bounds[1] - s_bounds[0] < 1e-15
        or abs(s - s_bounds[0]) < 1e-10
        or abs(s - s_bounds[1]) < 1e-10
    )
    try:
        if s_fixed:
            return 0.0, float(-rhs[1] / jac[1, 1])
        d = np.linalg.solve(jac, -rhs)
    except (np.linalg.LinAlgError, ZeroDivisionError) as exc:
        raise SolverError("singular Jacobian of the equilibrium conditions") from exc
    return float(d[0]), float(d[1])
