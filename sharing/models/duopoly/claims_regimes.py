"""Propositions 5-7: welfare across regimes, the sequential game, volume-related costs.

Proposition 5 compares the Nash market with no sharing, the joint-profit
ISA and the social planner; Proposition 6 the leader of the sequential game
with the simultaneous market; Proposition 7 the section-4 model's response
to the volume-related cost spillover ``lambda_hat``.
"""

from __future__ import annotations

from sharing.errors import SharingError
from sharing.models.duopoly.check import LEVEL_TOL, STATICS_TOL, Check, example
from sharing.models.duopoly.grid import PointData
from sharing.models.duopoly.market import welfare
from sharing.models.duopoly.params import FunctionalForms
from sharing.models.duopoly.regimes import nash_equilibrium


def check_welfare(points: list[PointData]) -> list[Check]:
    """Proposition 5: welfare with and without sharing; planner vs ISA vs market."""
    c1 = Check(
        "P5(i)",
        "Welfare at the symmetric Bertrand equilibrium is higher with sharing than without.",
        "SW(Nash) - SW(Nash of the game with s forced to 0, t re-optimised) > 1e-7",
        "none",
    )
    c1b = Check(
        "P5(i) fixed t",
        "Same claim read at the Nash investment: SW(s*, t*) > SW(0, t*).",
        "SW(s*, t*, s*, t*) - SW(0, t*, 0, t*) > 1e-7",
        "none",
    )
    c2 = Check(
        "P5(ii) SW>JP",
        "If alpha <= alpha_bar, the socially optimal sharing and investment exceed those of a "
        "joint-profit-maximising ISA.",
        "s_SW - s_JP > 1e-7 and t_SW - t_JP > 1e-7 (both optima over symmetric (s, t) in "
        "[0, 1] x [0, inf), global grid + Newton)",
        "Assumption 1 at the Nash equilibrium; both optima exist and are interior in s",
    )
    c3 = Check(
        "P5(ii) JP>NE",
        "If alpha <= alpha_bar, the joint-profit ISA shares and invests more than the Bertrand-"
        "Nash market.",
        "s_JP - s_NE > 1e-7 and t_JP - t_NE > 1e-7",
        "Assumption 1 at the Nash equilibrium; both optima exist and are interior in s",
    )
    corners = 0
    for pt in points:
        if not pt.valid:
            continue
        assert pt.nash is not None
        nash_w = pt.nash.outcome.welfare
        if pt.no_sharing is not None:
            w0 = pt.no_sharing.outcome.welfare
            c1.add(
                nash_w - w0 - LEVEL_TOL,
                example(
                    pt, welfare_nash=nash_w, welfare_no_sharing=w0, t_no_sharing=pt.no_sharing.t
                ),
            )
        else:
            c1.skipped += 1
        p, t = pt.params, pt.nash.t
        w_fixed = float(welfare(0.0, t, 0.0, t, p))
        c1b.add(
            nash_w - w_fixed - LEVEL_TOL,
            example(pt, welfare_nash=nash_w, welfare_zero_s_same_t=w_fixed),
        )
        jp, sw = pt.joint, pt.social
        if jp is None or sw is None:
            c2.skipped += 1
            c3.skipped += 1
            continue
        nums = {
            "s_SW": sw.s,
            "s_JP": jp.s,
            "s_NE": pt.nash.s,
            "t_SW": sw.t,
            "t_JP": jp.t,
            "t_NE": pt.nash.t,
        }
        a1 = pt.assumption1
        interior = sw.s < 1.0 and jp.s < 1.0
        corners += int(a1 and not interior)
        c2.add(
            min(sw.s - jp.s, sw.t - jp.t) - LEVEL_TOL,
            example(pt, **nums),
            in_conditions=a1 and interior,
        )
        c3.add(
            min(jp.s - pt.nash.s, jp.t - pt.nash.t) - LEVEL_TOL,
            example(pt, **nums),
            in_conditions=a1 and interior,
        )
    for c in (c2, c3):
        c.notes = (
            f"{corners} point(s) within Assumption 1 have the SW or JP optimum at the corner "
            "s = 1 (where the ordering in s cannot be strict) and count as outside the "
            "conditions; 'skipped' counts points where the social or joint-profit optimum does "
            "not exist (objective unbounded in t)"
        )
    return [c1, c1b, c2, c3]


def check_sequential(points: list[PointData]) -> list[Check]:
    """Proposition 6: the leader of the sequential game shares and invests more."""
    c1 = Check(
        "P6",
        "If alpha <= alpha_bar, the leader (incumbent) shares more and invests more in the "
        "sequential game than in the simultaneous one.",
        "s_L - s_NE > 1e-7 and t_L - t_NE > 1e-7 (Stackelberg: leader maximises "
        "Pi_L(x_L, BR_F(x_L)) from the Nash point, follower best responses checked globally)",
        "Assumption 1 at the Nash equilibrium",
    )
    c2 = Check(
        "P6 text",
        "Both firms' profits are strictly higher in the sequential game than in the "
        "simultaneous one.",
        "Pi_L - Pi_NE > 1e-7 and Pi_F - Pi_NE > 1e-7",
        "Assumption 1 at the Nash equilibrium",
    )
    for pt in points:
        if not pt.valid:
            continue
        if pt.sequential is None or not pt.sequential.verified:
            c1.skipped += 1
            c2.skipped += 1
            continue
        assert pt.nash is not None
        o = pt.sequential.outcome
        nums = {
            "s_L": o.s[0],
            "t_L": o.t[0],
            "s_F": o.s[1],
            "t_F": o.t[1],
            "profit_L": o.profit[0],
            "profit_F": o.profit[1],
            "profit_NE": pt.nash.outcome.profit[0],
        }
        a1 = pt.assumption1
        c1.add(
            min(o.s[0] - pt.nash.s, o.t[0] - pt.nash.t) - LEVEL_TOL,
            example(pt, **nums),
            in_conditions=a1,
        )
        gain = min(o.profit[0], o.profit[1]) - pt.nash.outcome.profit[0]
        c2.add(gain - LEVEL_TOL, example(pt, **nums), in_conditions=a1)
    for c in (c1, c2):
        c.notes = (
            "'skipped': no Stackelberg optimum (leader payoff unbounded), or neither the "
            "leader's KKT residual nor the ascent-slope certificate verifies its optimum"
        )
    return [c1, c2]


def check_volume_costs(points: list[PointData], forms: FunctionalForms) -> list[Check]:
    """Proposition 7: the section-4 model's response to ``lambda_hat``."""
    claim = (
        "With volume-related cost spillovers, an increase in lambda_hat has ambiguous "
        "implications on the propensity to share or invest."
    )
    c_s = Check(
        "P7(i) sharing",
        claim,
        "existential: over the valid section-4 grid, ds*/dlambda_hat takes both signs "
        "(|value| > 1e-9)",
        "section 4 model (lambda_c = 0, theta = 0)",
        kind="existential",
    )
    c_t = Check(
        "P7(i) investment",
        claim,
        "existential: over the valid section-4 grid, dt*/dlambda_hat takes both signs",
        "section 4 model (lambda_c = 0, theta = 0)",
        kind="existential",
    )
    c2 = Check(
        "P7(ii)",
        "Volume-related spillovers reduce the incentive to share relative to no such spillovers.",
        "s*(lambda_hat) < s*(lambda_hat = 0) - 1e-7, all else equal",
        "section 4 model (lambda_c = 0, theta = 0)",
    )
    c3 = Check(
        "P7 text",
        "The sharing reaction function slopes up (ds_i/ds_j > 0) for small lambda_hat and down "
        "(ds_i/ds_j < 0) for large lambda_hat.",
        "for each grid line in lambda_hat (other parameters fixed, >= 2 valid points): "
        "ds_i/ds_j > 1e-9 at the smallest lambda_hat and < -1e-9 at the largest valid one",
        "section 4 model (lambda_c = 0, theta = 0)",
    )
    counts = {"s": [0, 0], "t": [0, 0]}
    negative_cross = 0
    lines: dict[tuple[float, ...], list[tuple[float, float, PointData]]] = {}
    for pt in points:
        if not pt.valid:
            continue
        assert pt.nash is not None
        p = pt.params
        jac = pt.nash.equilibrium.br_jacobian
        negative_cross += int(jac[0, 1] < -STATICS_TOL)
        if "lambda_hat" in pt.statics:
            ds, dt = pt.statics["lambda_hat"]
            for check, name, d in ((c_s, "s", ds), (c_t, "t", dt)):
                check.tested += 1
                ratio = p.lambda_d / p.lambda_hat
                if d > STATICS_TOL:
                    counts[name][0] += 1
                    check.examples.setdefault("positive", example(pt, derivative=d, ratio=ratio))
                elif d < -STATICS_TOL:
                    counts[name][1] += 1
                    check.examples.setdefault("negative", example(pt, derivative=d, ratio=ratio))
        else:
            c_s.skipped += 1
            c_t.skipped += 1
        try:
            base = nash_equilibrium(p.replace(lambda_hat=0.0), forms, iterate=False)
            c2.add(base.s - pt.nash.s - LEVEL_TOL, example(pt, s_without_spillover=base.s))
        except SharingError:
            c2.skipped += 1
        key = tuple(v for k, v in sorted(p.as_dict().items()) if k != "lambda_hat")
        lines.setdefault(key, []).append((p.lambda_hat, float(jac[0, 0]), pt))
    for check, name in ((c_s, "s"), (c_t, "t")):
        _close_existential(check, name, *counts[name])
    _add_slope_lines(c3, lines)
    c3.notes = (
        f"ds_i/dt_j < 0 at {negative_cross} valid points (the cross slope in investment does "
        "turn negative with lambda_hat, as the appendix's d2p_i/ds_i dt_j < 0 suggests)"
    )
    return [c_s, c_t, c2, c3]


def _close_existential(check: Check, name: str, pos: int, neg: int) -> None:
    """Verdict of an existential sign claim: it holds iff both signs have a witness."""
    check.holds = check.tested if pos and neg else 0
    check.notes = (
        f"d{name}*/dlambda_hat > 0 at {pos} and < 0 at {neg} of {check.tested} valid points"
        + (
            ""
            if pos and neg
            else "; an existential claim: no witness of both signs on this grid (a finite grid "
            "cannot refute it)"
        )
    )
    if not (pos and neg):
        check.counterexample = {"positive": pos, "negative": neg, "tested": check.tested}


def _add_slope_lines(
    check: Check, lines: dict[tuple[float, ...], list[tuple[float, float, PointData]]]
) -> None:
    """Test, per grid line in ``lambda_hat``, that the sharing reaction slope changes sign."""
    for line in lines.values():
        if len(line) < 2:
            continue
        line.sort(key=lambda z: z[0])
        lo, hi = line[0], line[-1]
        margin = min(lo[1], -hi[1]) - STATICS_TOL
        check.add(
            margin,
            example(
                hi[2],
                lambda_hat_small=lo[0],
                slope_small=lo[1],
                lambda_hat_large=hi[0],
                slope_large=hi[1],
            ),
        )
