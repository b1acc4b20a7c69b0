"""The IDS game itself: risks and unit costs, the users' costs and their derivatives.

User ``i`` invests ``x_i >= 0`` at unit cost ``c_i`` and bears the risk
``f_i(x)``; its cost is ``g_i(x) = f_i(x) + c_i x_i`` (eq. (1)), the social
cost ``G(x) = sum_i g_i(x)`` (problem (2)).  The total-effort game of Section
III is solved here in closed form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.ids_game.risks import RiskModel
from sharing.models.numerics import FloatArray


@dataclass(frozen=True, init=False, eq=False)
class IDSGame:
    """An IDS game: risks ``f_i`` and unit costs ``c_i`` (Section II).

    Parameters
    ----------
    risk
        The risk model, one of :class:`TotalEffortRisk`,
        :class:`WeightedEffortRisk`, :class:`ConvexRisk`.
    costs
        Unit investment costs ``c_i > 0``, shape ``(N,)``.

    Raises
    ------
    InputError
        If a cost is not positive and finite or the sizes differ.

    Examples
    --------
    >>> from sharing.models.ids_game import TotalEffortRisk, price_of_anarchy
    >>> game = IDSGame(TotalEffortRisk(3), [0.2, 0.3, 0.5])
    >>> round(price_of_anarchy(game), 4)
    1.2431
    """

    risk: RiskModel
    costs: FloatArray = field(repr=False)

    def __init__(self, risk: RiskModel, costs: npt.ArrayLike) -> None:
        if not isinstance(risk, RiskModel):
            raise InputError(f"risk must be a RiskModel, got {type(risk).__name__}")
        try:
            c = np.array(costs, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InputError(f"costs must be numbers: {exc}") from exc
        if c.size != risk.n:
            raise InputError(
                f"{c.size} costs given for {risk.n} users (weights are {risk.n}x{risk.n})"
            )
        if not np.all(np.isfinite(c)):
            raise InputError("costs must be finite")
        if np.any(c <= 0):
            i = int(np.argmax(c <= 0))
            raise InputError(f"costs must be positive (c_i > 0, Section II), got c[{i}] = {c[i]:g}")
        c.setflags(write=False)
        object.__setattr__(self, "risk", risk)
        object.__setattr__(self, "costs", c)

    @property
    def n(self) -> int:
        """Number of users."""
        return self.risk.n

    def user_costs(self, x: npt.ArrayLike) -> FloatArray:
        """Return ``g_i(x) = f_i(x) + c_i x_i`` for every user, eq. (1)."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.risk.values(x) + self.costs * x)

    def user_cost(self, i: int, x: npt.ArrayLike) -> float:
        """Return ``g_i(x)``."""
        x = np.asarray(x, dtype=np.float64)
        return self.risk.user_value(i, x) + float(self.costs[i] * x[i])

    def user_cost_gradient(self, i: int, x: npt.ArrayLike) -> FloatArray:
        """Return ``grad g_i(x) = grad f_i(x) + c_i e_i``."""
        x = np.asarray(x, dtype=np.float64)
        g = self.risk.user_gradient(i, x).copy()
        g[i] += self.costs[i]
        return g

    def cost_jacobian(self, x: npt.ArrayLike) -> FloatArray:
        """Return the ``(N, N)`` matrix whose row ``i`` is ``grad g_i(x)``."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.risk.jacobian(x) + np.diag(self.costs))

    def social_cost(self, x: npt.ArrayLike) -> float:
        """Return ``G(x) = sum_i g_i(x)``, the objective of problem (2)."""
        return float(np.sum(self.user_costs(x)))

    def social_gradient(self, x: npt.ArrayLike) -> FloatArray:
        """Return ``grad G(x)``."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.risk.jacobian(x).sum(axis=0) + self.costs)

    def social_hessian(self, x: npt.ArrayLike) -> FloatArray:
        """Return the Hessian of ``G`` (the costs are linear)."""
        return self.risk.sum_hessian(np.asarray(x, dtype=np.float64))

    def nash_residual(self, x: npt.ArrayLike) -> float:
        """Natural residual ``max_i |x_i - max(0, x_i - dg_i/dx_i)|`` of the NE conditions (3)."""
        x = np.asarray(x, dtype=np.float64)
        own = np.array([self.risk.partial(i, i, x) for i in range(self.n)]) + self.costs
        return float(np.max(np.abs(x - np.maximum(0.0, x - own))))

    def kkt_residual(self, x: npt.ArrayLike) -> float:
        """Natural residual ``max_j |x_j - max(0, x_j - dG/dx_j)|`` of problem (2)."""
        x = np.asarray(x, dtype=np.float64)
        g = self.social_gradient(x)
        return float(np.max(np.abs(x - np.maximum(0.0, x - g))))

    def describe(self) -> dict[str, Any]:
        """Return a JSON-friendly description of the instance."""
        return {**self.risk.describe(), "costs": self.costs.tolist()}


# --------------------------------------------------------------------------- closed forms


def total_effort_closed_form(costs: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Nash equilibrium and social optimum of the total-effort game (Section III).

    With ``f_i(x) = exp(-S)``, ``S = sum_j x_j``, user ``i`` invests at the
    Nash equilibrium only if ``-exp(-S) + c_i = 0``, so only the cheapest user
    (cost ``c_min``) invests, up to ``S_nash = max(0, -ln c_min)``.  The
    social problem (2) has ``dG/dx_j = -N exp(-S) + c_j``, so again only the
    cheapest user invests, up to ``S* = max(0, ln(N / c_min))``
    (``exp(-x_1*) = c_1 / N`` in Section V).  With ties the effort goes to the
    first cheapest user (any split among the tied users is also an
    equilibrium / optimum with the same social cost).

    Parameters
    ----------
    costs
        Unit costs ``c_i > 0``.

    Returns
    -------
    x_nash, x_opt
        The two investment profiles.
    """
    c = np.asarray(costs, dtype=np.float64)
    n = c.size
    k = int(np.argmin(c))
    x_nash = np.zeros(n)
    x_opt = np.zeros(n)
    x_nash[k] = max(0.0, -math.log(c[k]))
    x_opt[k] = max(0.0, math.log(n / c[k]))
    return x_nash, x_opt


def total_effort_price_of_anarchy(n: int, c_min: float) -> float:
    """Closed-form PoA of the total-effort game, from Section III.

    ``rho = (N e^{-S_nash} + c S_nash) / (N e^{-S*} + c S*)`` with the
    efforts of :func:`total_effort_closed_form`; it depends only on ``N``
    and the cheapest cost ``c``: ``(N - ln c) / (1 + ln N - ln c)`` for
    ``c < 1``, ``N / (c (1 + ln(N/c)))`` for ``1 <= c < N`` and ``1`` for
    ``c >= N``.
    """
    if n < 1 or not c_min > 0:
        raise InputError("need n >= 1 and a positive cost")
    s_nash = max(0.0, -math.log(c_min))
    s_opt = max(0.0, math.log(n / c_min))
    return (n * math.exp(-s_nash) + c_min * s_nash) / (n * math.exp(-s_opt) + c_min * s_opt)
