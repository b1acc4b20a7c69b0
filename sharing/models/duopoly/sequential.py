"""The sequential game of section 3: a leader commits to ``(s, t)``, the follower responds.

A Stackelberg equilibrium (FOCs 15-16), found by screening a grid of leader
commitments with global follower best responses, polishing the best ones
with the total derivative of the leader's payoff, and certifying the
result without derivatives where the follower's reaction has a kink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sharing.errors import SolverError
from sharing.models.duopoly.equilibrium import DEVIATION_TOL, NashResult
from sharing.models.duopoly.market import Outcome, outcome, profit_payoff
from sharing.models.duopoly.maximize import maximize_box
from sharing.models.duopoly.params import DEFAULT_FORMS, DuopolyParams, FunctionalForms
from sharing.models.duopoly.reaction import (
    BestResponse,
    best_response,
    best_response_jacobian,
    local_best_response,
)
from sharing.models.duopoly.regimes import nash_equilibrium
from sharing.models.numerics import FloatArray, central_gradient, relative_step


@dataclass(frozen=True)
class SequentialResult:
    """Sequential game (section 3): the leader commits to ``(s_L, t_L)``, the follower responds.

    Attributes
    ----------
    leader_residual : float
        KKT residual of the leader's reduced problem ``max Pi_L(x_L, BR(x_L))``
        (gradient-based; not meaningful where the follower's reaction has a kink,
        e.g. where the follower's sharing just reaches a bound).
    leader_max_ascent : float
        Largest slope ``(V(x + h d) - V(x)) / |h d|`` of the leader's reduced payoff
        over 8 directions ``d`` with ``h = 1e-3 (1 + |x|)``: a derivative-free
        certificate of local optimality (negative at a strict local maximum, kinks
        included; the step is large enough that curvature beats the ~1e-8 noise of
        the reduced payoff).
    follower_deviation_gain : float
        Gain of the follower's global best response over the reported one (~0).
    """

    outcome: Outcome
    leader_residual: float
    leader_max_ascent: float
    follower_deviation_gain: float
    global_search: bool

    @property
    def verified(self) -> bool:
        """Leader optimum certified: KKT residual < 1e-7, or no ascent direction (kinks)."""
        scale = 1.0 + abs(self.outcome.profit[0])
        return self.leader_residual < 1e-7 or self.leader_max_ascent <= 1e-9 * scale

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        o = self.outcome
        return {
            "leader": o.firm(0),
            "follower": o.firm(1),
            "consumer_surplus": o.consumer_surplus,
            "welfare": o.welfare,
            "leader_kkt_residual": self.leader_residual,
            "leader_max_ascent": self.leader_max_ascent,
            "leader_verified": self.verified,
            "follower_deviation_gain": self.follower_deviation_gain,
            "global_search": self.global_search,
        }


def sequential_equilibrium(
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    nash: NashResult | None = None,
    global_search: bool = True,
) -> SequentialResult:
    """Stackelberg equilibrium of the sequential game (section 3, FOCs 15-16).

    The leader maximises ``Pi_L(x_L, BR_F(x_L))``.  With ``global_search`` a
    grid of leader commitments is screened with global follower best
    responses first; the best is then polished locally (follower best
    responses warm-started); the follower's final response is checked globally.

    Raises
    ------
    SolverError
        If the leader's payoff is unbounded in its investment (the follower's
        reaction can make commitment to ever larger ``t`` pay even when the
        simultaneous game has an equilibrium).
    """
    payoff = profit_payoff(params, forms)
    if nash is None:
        nash = nash_equilibrium(params, forms, iterate=False)
    t_top = max(1.0, 3.0 * nash.t)
    starts: list[tuple[float, float, float, float]] = [(nash.s, nash.t, nash.s, nash.t)]
    if global_search:
        for s_l in np.linspace(0.0, 1.0, 11):
            for t_l in np.linspace(0.0, t_top, 11):
                br = best_response(payoff, float(s_l), float(t_l), t_scale=t_top)
                starts.append((float(s_l), float(t_l), br.s, br.t))
        starts.sort(key=lambda z: -float(payoff(z[0], z[1], z[2], z[3])))
        starts = starts[:3]
    warm: dict[str, tuple[float, float]] = {}

    def follower(x: FloatArray) -> BestResponse:
        br = local_best_response(payoff, float(x[0]), float(x[1]), warm["f"])
        warm["f"] = (br.s, br.t)
        return br

    def leader_value(x: FloatArray) -> float:
        br = follower(x)
        return float(payoff(float(x[0]), float(x[1]), br.s, br.t))

    def f4(z: FloatArray) -> float:
        return float(payoff(float(z[0]), float(z[1]), float(z[2]), float(z[3])))

    def leader_gradient(x: FloatArray) -> FloatArray:
        # Total derivative (eqs. 15-16): dPi_L/dx_L + (dx_F/dx_L)' dPi_L/dx_F, with the
        # follower's reaction slopes from the implicit function theorem.
        br = follower(x)
        g = central_gradient(f4, np.array([x[0], x[1], br.s, br.t]))
        jac, _, _ = best_response_jacobian(payoff, br.s, br.t, float(x[0]), float(x[1]))
        return np.asarray(g[:2] + jac.T @ g[2:])

    best: tuple[FloatArray, float, float] | None = None
    # A finite box: if the leader's optimum sits on its edge, its payoff is unbounded in t.
    lo, hi = np.array([0.0, 0.0]), np.array([1.0, 1e3 * (1.0 + t_top)])
    for s_l, t_l, s_f, t_f in starts:
        warm["f"] = (s_f, t_f)
        x, v, res = maximize_box(
            leader_value, np.array([s_l, t_l]), lo, hi, gtol=1e-9, grad=leader_gradient
        )
        if best is None or v > best[1]:
            best = (x, v, res)
            best_warm = warm["f"]
    assert best is not None
    warm["f"] = best_warm
    x = best[0]
    if x[1] >= hi[1] * (1.0 - 1e-9):
        raise SolverError("the leader's payoff looks unbounded in t (no Stackelberg optimum)")
    br = follower(x)
    glob = best_response(payoff, float(x[0]), float(x[1]), t_scale=t_top, warm=(br.s, br.t))
    gain = glob.value - br.value
    if gain > DEVIATION_TOL * (1 + abs(br.value)):
        br = glob
    value = float(payoff(float(x[0]), float(x[1]), br.s, br.t))
    ascent = -math.inf
    for ds, dt in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        step = np.array(
            [ds * relative_step(float(x[0]), 1e-3), dt * relative_step(float(x[1]), 1e-3)]
        )
        y = np.clip(x + step, lo, hi)
        size = float(np.linalg.norm(y - x))
        if size > 0:
            warm["f"] = (br.s, br.t)
            ascent = max(ascent, (leader_value(y) - value) / size)
    out = outcome(float(x[0]), float(x[1]), br.s, br.t, params, forms)
    return SequentialResult(out, best[2], float(ascent), float(gain), global_search)
