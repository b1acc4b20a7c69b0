"""Propositions 1 and 2: prices in investment and sharing, and the reaction functions.

Proposition 1 is tested on the second-stage prices (eq. 21) around each
valid equilibrium, Proposition 2 on the reaction-function slopes and the
cross partial derivatives of profit at the equilibrium.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy import optimize

from sharing.models.duopoly.check import CROSS_TOL, STATICS_TOL, Check, example
from sharing.models.duopoly.grid import PointData
from sharing.models.duopoly.market import stage2_prices
from sharing.models.duopoly.params import DuopolyParams, FunctionalForms
from sharing.models.numerics import central_difference


def _price_partials(
    params: DuopolyParams,
    forms: FunctionalForms,
    s_i: np.ndarray,
    t_i: np.ndarray,
    s_j: np.ndarray,
    t_j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``(dp_i/dt_i, dp_i/dt_j)`` of the second-stage price, vectorised central differences."""
    h = 1e-6 * (1.0 + np.abs(t_i))
    k = 1e-6 * (1.0 + np.abs(t_j))
    d_own = central_difference(lambda u: stage2_prices(s_i, u, s_j, t_j, params, forms)[0], t_i, h)
    d_other = central_difference(
        lambda u: stage2_prices(s_i, t_i, s_j, u, params, forms)[0], t_j, k
    )
    return np.asarray(d_own), np.asarray(d_other)


def _price_peak(params: DuopolyParams, forms: FunctionalForms, t: float, s_other: float) -> float:
    """Maximiser of ``p_i(s_i)`` over [0, 1] at ``t_i = t_j = t`` (bounded scalar search)."""
    res = optimize.minimize_scalar(
        lambda x: -float(stage2_prices(x, t, s_other, t, params, forms)[0]),
        bounds=(0.0, 1.0),
        method="bounded",
        options={"xatol": 1e-12},
    )
    return float(res.x)


def check_prices(points: list[PointData], forms: FunctionalForms) -> list[Check]:
    """Proposition 1: the price rises with own (and, under Assumption 1, rival) investment."""
    a = Check(
        "P1(i)a",
        "A firm's price increases with its own investment in security technology.",
        "dp_i/dt_i > 0 (central difference of eq. 21) at 81 profiles per point: "
        "s_i, s_j in {0, s*, 1}, t_i, t_j in {t*/2, t*, 2t*}",
        "none",
    )
    b = Check(
        "P1(i)b",
        "Under Assumption 1 the price also increases with the competitor's investment.",
        "dp_i/dt_j > 0 at the same profiles, counted where alpha < lambda_d min(s_i, s_j) "
        "+ b2/(2 b1) at the profile",
        "Assumption 1, strict, at the profile (at alpha = alpha_bar eq. 21 gives dp_i/dt_j = 0)",
    )
    c = Check(
        "P1(ii)",
        "Under Assumption 2 the price is inverted-U shaped in own sharing: dp_i/ds_i > 0 on "
        "(0, s^c) and < 0 on (s^c, 1) with 0 < s^c < 1.",
        "s^c = argmax of p_i(s_i) over [0, 1] (bounded search) with t_i = t_j = t*, "
        "s_j in {0, s*, 1/2, 1}: 0 < s^c < 1, and p_i strictly increasing on 200 points of "
        "[0, s^c], strictly decreasing on 200 points of [s^c, 1]",
        "Assumption 2 (at t*)",
    )
    for pt in points:
        if not pt.valid:
            continue
        assert pt.nash is not None
        p, s, t = pt.params, pt.nash.s, pt.nash.t
        grid = np.array(
            list(
                itertools.product(
                    (0.0, s, 1.0), (0.0, s, 1.0), (0.5 * t, t, 2 * t), (0.5 * t, t, 2 * t)
                )
            )
        )
        si, sj, ti, tj = grid[:, 0], grid[:, 1], grid[:, 2], grid[:, 3]
        d_own, d_other = _price_partials(p, forms, si, ti, sj, tj)
        k = int(np.argmin(d_own))
        a.add(
            float(d_own[k]) - STATICS_TOL,
            example(pt, profile=grid[k].tolist(), dp_i_dt_i=float(d_own[k])),
        )
        abar = p.lambda_d * np.minimum(si, sj) + p.b2 / (2 * p.b1)
        inside = p.alpha < abar - 1e-12
        for mask, flag in ((inside, True), (~inside, False)):
            if mask.any():
                idx = np.flatnonzero(mask)
                m = idx[int(np.argmin(d_other[idx]))]
                b.add(
                    float(d_other[m]) - STATICS_TOL,
                    example(
                        pt,
                        profile=grid[m].tolist(),
                        dp_i_dt_j=float(d_other[m]),
                        alpha_bar=float(abar[m]),
                    ),
                    in_conditions=flag,
                )
        worst = float("inf")
        worst_ex: dict[str, Any] = {}
        for s_other in (0.0, s, 0.5, 1.0):
            s_c = _price_peak(p, forms, t, s_other)
            left = np.diff(
                np.asarray(stage2_prices(np.linspace(0.0, s_c, 200), t, s_other, t, p, forms)[0])
            )
            right = np.diff(
                np.asarray(stage2_prices(np.linspace(s_c, 1.0, 200), t, s_other, t, p, forms)[0])
            )
            up = float(np.min(left)) if s_c > 0 else -1.0
            down = float(np.min(-right)) if s_c < 1 else -1.0
            margin = min(up, down, s_c - 1e-9, 1.0 - 1e-9 - s_c)
            if margin < worst:
                worst = margin
                worst_ex = example(
                    pt, s_j=s_other, s_c=s_c, min_step_increase=up, min_step_decrease=down
                )
        c.add(worst, worst_ex)
    return [a, b, c]


def check_reactions(points: list[PointData]) -> list[Check]:
    """Proposition 2: reaction-function slopes and cross partials of profit."""
    c1 = Check(
        "P2(i)",
        "More sharing by one firm leads to more sharing and more investment by its competitor "
        "(Lemma 1(ii): ds_i/ds_j > 0, dt_i/ds_j > 0).",
        "reaction-function slopes at the equilibrium by the implicit function theorem on the "
        "own FOCs (eqs. 23-24): ds_i/ds_j > 0 and dt_i/ds_j > 0",
        "none",
    )
    c2 = Check(
        "P2(ii)",
        "If alpha <= alpha_bar, more investment by one firm leads to more sharing and more "
        "investment by its competitor (ds_i/dt_j > 0, dt_i/dt_j > 0).",
        "ds_i/dt_j > 0 and dt_i/dt_j > 0 at the equilibrium (same Jacobian)",
        "Assumption 1 at the equilibrium",
    )
    c3 = Check(
        "P2(iii)",
        "If alpha <= alpha_bar, investment and sharing are strategic complements; the text "
        "gives d2Pi_i/ds_i dt_j > 0 as the evidence (and d2Pi_i/ds_i ds_j > 0, "
        "d2Pi_i/dt_i dt_j > 0).",
        "cross partial derivatives of Pi_i at the equilibrium (second differences): "
        "d2Pi_i/ds_i dt_j > 0 and d2Pi_i/dt_i ds_j > 0",
        "Assumption 1 at the equilibrium",
    )
    c4 = Check(
        "P2 text",
        "d2Pi_i/ds_i ds_j > 0 and, for alpha small, d2Pi_i/dt_i dt_j > 0 (text after Prop. 2).",
        "cross partial derivatives of Pi_i at the equilibrium: d2Pi_i/ds_i ds_j > 0 and "
        "d2Pi_i/dt_i dt_j > 0",
        "Assumption 1 at the equilibrium",
    )
    zero_cross = 0.0
    for pt in points:
        if not pt.valid:
            continue
        assert pt.nash is not None and pt.cross is not None
        jac = pt.nash.equilibrium.br_jacobian
        slopes = {
            "ds_i/ds_j": float(jac[0, 0]),
            "ds_i/dt_j": float(jac[0, 1]),
            "dt_i/ds_j": float(jac[1, 0]),
            "dt_i/dt_j": float(jac[1, 1]),
        }
        a1 = pt.assumption1
        zero_cross = max(zero_cross, abs(float(pt.cross[0, 1])))
        c1.add(min(jac[0, 0], jac[1, 0]) - STATICS_TOL, example(pt, **slopes))
        c2.add(min(jac[0, 1], jac[1, 1]) - STATICS_TOL, example(pt, **slopes), in_conditions=a1)
        cr = pt.cross
        cross = {
            "d2Pi_i/ds_i ds_j": float(cr[0, 0]),
            "d2Pi_i/ds_i dt_j": float(cr[0, 1]),
            "d2Pi_i/dt_i ds_j": float(cr[1, 0]),
            "d2Pi_i/dt_i dt_j": float(cr[1, 1]),
        }
        c3.add(min(cr[0, 1], cr[1, 0]) - CROSS_TOL, example(pt, **cross), in_conditions=a1)
        c4.add(min(cr[0, 0], cr[1, 1]) - CROSS_TOL, example(pt, **cross), in_conditions=a1)
    c3.notes = (
        "Richardson second differences, accurate to ~1e-7; a cross partial within 1e-6 of zero "
        f"is not positive. max |d2Pi_i/ds_i dt_j| over all valid points = {zero_cross:.1e}: at "
        "an interior equilibrium dPi_i/ds_i = 2 b1 p_i dp_i/ds_i and dp_i/ds_i does not depend "
        "on t_j (eq. 22), so this cross partial is exactly 0, not positive; the reaction-slope "
        "reading (ds_i/dt_j > 0, dt_i/ds_j > 0) is tested in P2(i)-(ii)"
    )
    return [c1, c2, c3, c4]
