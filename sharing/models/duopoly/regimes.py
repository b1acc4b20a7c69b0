"""The symmetric regimes of section 2: Nash market, joint-profit ISA and social planner.

The market's Bertrand-Nash equilibrium (FOCs 5-6) and the two cooperative
optima (eqs. 9-14): an information-sharing association maximising joint
profit, and a planner maximising welfare, both choosing a symmetric
``(s, t)`` with prices left to the second-stage Bertrand game.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sharing.models.duopoly.equilibrium import NashResult, symmetric_equilibrium
from sharing.models.duopoly.market import Outcome, outcome, profit, profit_payoff, welfare
from sharing.models.duopoly.maximize import kkt_residual, maximize_2d
from sharing.models.duopoly.params import (
    DEFAULT_FORMS,
    DuopolyParams,
    FunctionalForms,
    Num,
    SymmetricObjective,
)
from sharing.models.numerics import FloatArray, richardson_gradient


@dataclass(frozen=True)
class RegimeResult:
    """Optimum of a symmetric cooperative regime (joint-profit ISA or social planner)."""

    name: str
    s: float
    t: float
    objective: float
    kkt_residual: float
    outcome: Outcome

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        out: dict[str, Any] = self.outcome.symmetric_dict()
        out["objective"] = self.objective
        out["kkt_residual"] = self.kkt_residual
        return out


def _symmetric_optimum(
    name: str,
    objective: SymmetricObjective,
    params: DuopolyParams,
    forms: FunctionalForms,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> RegimeResult:
    s, t, v, _ = maximize_2d(objective, s_bounds, t_scale=1.0, n_s=51, n_t=101)

    def f(x: FloatArray) -> float:
        return float(objective(float(x[0]), float(x[1])))

    g = richardson_gradient(f, np.array([s, t]))
    res = kkt_residual(
        g / (1 + abs(v)),
        np.array([s, t]),
        np.array([s_bounds[0], 0.0]),
        np.array([s_bounds[1], math.inf]),
    )
    return RegimeResult(name, s, t, v, res, outcome(s, t, s, t, params, forms))


def joint_profit_optimum(
    params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS
) -> RegimeResult:
    """Joint-profit ISA: symmetric ``(s, t)`` maximising ``Pi_1 + Pi_2`` (eqs. 13-14).

    Prices stay those of the second-stage Bertrand game: the ISA coordinates
    sharing and investment, never prices.
    """

    def obj(s: Num, t: Num) -> Num:
        return 2.0 * profit(s, t, s, t, params, forms)

    return _symmetric_optimum("joint_profit", obj, params, forms)


def social_optimum(params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS) -> RegimeResult:
    """Social planner: symmetric ``(s, t)`` maximising welfare (eq. 9) at Bertrand prices."""

    def obj(s: Num, t: Num) -> Num:
        return welfare(s, t, s, t, params, forms)

    return _symmetric_optimum("social_welfare", obj, params, forms)


def nash_equilibrium(
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    iterate: bool = True,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> NashResult:
    """Symmetric Bertrand-Nash equilibrium of the first stage (section 2.1, FOCs 5-6).

    ``s_bounds=(0, 0)`` gives the no-sharing benchmark (firms choose ``t`` only).

    Examples
    --------
    >>> r = nash_equilibrium(DuopolyParams(), iterate=False)
    >>> 0 < r.s < 1 and r.t > 0 and r.unique
    True
    """

    def out(s: float, t: float) -> Outcome:
        return outcome(s, t, s, t, params, forms)

    return symmetric_equilibrium(
        profit_payoff(params, forms), out, s_bounds=s_bounds, iterate=iterate
    )
