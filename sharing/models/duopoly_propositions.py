"""Propositions 1-7 of Gal-Or & Ghose (2005), checked numerically over parameter grids.

Each claim of the paper is restated as the software tests it: a paraphrase of
the paper, the precise numerical test, and the conditions under which the
paper makes it.  The checks run on parameter grids that satisfy the model's
standing assumptions (``0 <= b2 < b1``, ``0 <= alpha < 1``, ``phi1 > phi2 +
phi3``, ``0 <= theta < 1``, spillovers in the unit interval); each grid point
is then *filtered*: a point is valid only if its symmetric Bertrand-Nash
equilibrium exists and is the unique symmetric one found by the scan, passes
a global no-deviation check, satisfies the second-order conditions (own
Hessian negative definite), is locally stable (spectral radius of the
reaction-function slopes < 1), is interior (``0 < s < 1``, ``t > 0``), has
positive margins, and satisfies Assumption 2 at the equilibrium investment.
Propositions that the paper states "when alpha <= alpha_bar" are tested only
where Assumption 1 holds at the equilibrium; the other valid points are still
evaluated and reported separately as "outside the conditions".

Nothing here copies the paper's claims as results: each verdict is computed,
and a failure comes with the worst counter-example found (parameters and
numbers).

Comparative statics (Propositions 3, 4, 7) use the implicit function theorem
on the symmetric first-order conditions, as the paper's proofs do, with
Richardson-extrapolated second differences (accurate to about 1e-10; the tests
cross-check them against re-solved equilibria); reaction-function slopes
(Proposition 2) likewise.  A derivative counts as strictly signed beyond
:data:`STATICS_TOL`.  Levels (s, t, profits, welfare) are compared with the
margin :data:`LEVEL_TOL`.

The grids are deterministic factorial designs; ``jobs > 1`` spreads the grid
points over processes (same results).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import optimize

from sharing.errors import InputError, SharingError
from sharing.models.duopoly import (
    DEFAULT_FORMS,
    DuopolyParams,
    FunctionalForms,
    NashResult,
    RegimeResult,
    SequentialResult,
    alpha_bar,
    assumption_report,
    equilibrium_sensitivity,
    joint_profit_optimum,
    nash_equilibrium,
    own_derivatives,
    profit_payoff,
    sequential_equilibrium,
    social_optimum,
    stage2_prices,
    welfare,
)

GridName = Literal["small", "full"]

#: A derivative (comparative statics, reaction slope, price slope) is strictly signed beyond this.
STATICS_TOL = 1e-9
#: Strictness for comparisons of levels (s, t, welfare, profit).
LEVEL_TOL = 1e-7
#: A second cross-partial of profit is strictly signed beyond this (accuracy ~1e-8).
CROSS_TOL = 1e-6

_BASE_AXES: dict[GridName, dict[str, tuple[float, ...]]] = {
    "small": {
        "a": (10.0, 30.0),
        "b2": (0.3, 0.8),
        "alpha": (0.05, 0.45),
        "lambda_d": (0.8,),
        "lambda_c": (0.5,),
        "phi": (0,),
        "gamma": (60.0,),
        "theta": (0.6,),
    },
    "full": {
        "a": (5.0, 10.0, 30.0),
        "b2": (0.2, 0.5, 0.8),
        "alpha": (0.05, 0.2, 0.45),
        "lambda_d": (0.3, 0.9),
        "lambda_c": (0.2, 0.9),
        "phi": (0, 1),
        "gamma": (20.0, 60.0),
        "theta": (0.5,),
    },
}
#: Leakage parameter sets ``(phi1, phi2, phi3)`` indexed by the ``phi`` axis.
PHI_SETS: tuple[tuple[float, float, float], ...] = ((3.0, 0.5, 0.5), (1.0, 0.2, 0.6))

_VOLUME_AXES: dict[GridName, dict[str, tuple[float, ...]]] = {
    "small": {
        "a": (30.0,),
        "b2": (0.3,),
        "lambda_d": (0.9,),
        "c": (0.5,),
        "delta2": (0.1, 2.0),
        "lambda_hat": (0.05, 0.3),
    },
    "full": {
        "a": (10.0, 30.0),
        "b2": (0.3, 0.8),
        "lambda_d": (0.3, 0.9),
        "c": (0.5, 1.0),
        "delta2": (0.1, 2.0),
        "lambda_hat": (0.02, 0.1, 0.4),
    },
}
#: Fixed parameters of the section-4 grid (``lambda_c = 0`` as in the paper's section 4).
VOLUME_BASE = {
    "lambda_c": 0.0,
    "alpha": 0.1,
    "phi1": 1.0,
    "phi2": 0.2,
    "phi3": 0.6,
    "gamma": 20.0,
    "theta": 0.0,
    "delta1": 0.1,
}


def parameter_grid(name: GridName = "full") -> list[DuopolyParams]:
    """The factorial grid of the base model (``b1 = 1`` normalises prices).

    Raises
    ------
    InputError
        For an unknown grid name.
    """
    if name not in _BASE_AXES:
        raise InputError(f"unknown grid {name!r}; use 'small' or 'full'")
    axes = _BASE_AXES[name]
    keys = list(axes)
    out = []
    for combo in itertools.product(*(axes[k] for k in keys)):
        values = dict(zip(keys, combo, strict=True))
        phi1, phi2, phi3 = PHI_SETS[int(values.pop("phi"))]
        out.append(DuopolyParams(b1=1.0, phi1=phi1, phi2=phi2, phi3=phi3, **values))
    return out


def volume_grid(name: GridName = "full") -> list[DuopolyParams]:
    """The factorial grid of section 4's model (volume-related costs, ``lambda_c = 0``)."""
    if name not in _VOLUME_AXES:
        raise InputError(f"unknown grid {name!r}; use 'small' or 'full'")
    axes = _VOLUME_AXES[name]
    keys = list(axes)
    return [
        DuopolyParams(b1=1.0, **VOLUME_BASE, **dict(zip(keys, combo, strict=True)))
        for combo in itertools.product(*(axes[k] for k in keys))
    ]


# --------------------------------------------------------------------------- per-point data


@dataclass
class PointData:
    """Everything the checks need at one grid point (``valid`` False: ``reason`` says why)."""

    params: DuopolyParams
    valid: bool = False
    reason: str = ""
    nash: NashResult | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    statics: dict[str, tuple[float, float]] = field(default_factory=dict)
    statics_error: dict[str, str] = field(default_factory=dict)
    cross: np.ndarray | None = None
    joint: RegimeResult | None = None
    social: RegimeResult | None = None
    no_sharing: NashResult | None = None
    sequential: SequentialResult | None = None
    regime_error: dict[str, str] = field(default_factory=dict)

    @property
    def assumption1(self) -> bool:
        """Assumption 1 (``alpha <= alpha_bar``) at the equilibrium."""
        return bool(self.assumptions.get("assumption1", False))


def _equilibrium_filter(point: PointData, forms: FunctionalForms) -> None:
    """Solve the Nash equilibrium at ``point`` and apply the validity filters."""
    p = point.params
    try:
        nash = nash_equilibrium(p, forms, iterate=False)
    except SharingError as exc:
        point.reason = f"no equilibrium ({exc})"
        return
    point.nash = nash
    eq = nash.equilibrium
    point.assumptions = assumption_report(p, eq.s, eq.t, forms)
    o = nash.outcome
    if not nash.unique:
        point.reason = "several symmetric equilibria"
    elif not eq.soc:
        point.reason = "second-order conditions fail"
    elif eq.spectral_radius >= 1.0:
        point.reason = "unstable (spectral radius >= 1)"
    elif not (0.0 < eq.s < 1.0 and eq.t > 0.0):
        point.reason = "corner equilibrium"
    elif min(o.quantity) <= 0.0 or (p.volume_costs and p.c - p.lambda_hat * eq.t * eq.s <= 0.0):
        point.reason = "non-positive margin or unit cost"
    elif not point.assumptions["assumption2"]:
        point.reason = "Assumption 2 fails"
    else:
        point.valid = True


def _statics(point: PointData, names: Iterable[str], forms: FunctionalForms) -> None:
    """Comparative statics ``(ds*/dp, dt*/dp)`` of the symmetric equilibrium (IFT)."""
    assert point.nash is not None
    for name in names:
        try:
            point.statics[name] = equilibrium_sensitivity(
                point.params, name, point.nash.s, point.nash.t, forms
            )
        except SharingError as exc:
            point.statics_error[name] = str(exc)


def evaluate_point(
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    regimes: bool = True,
    statics: Iterable[str] = ("b1", "b2", "a", "lambda_d", "lambda_c", "alpha"),
) -> PointData:
    """Solve everything the checks need at one parameter point."""
    point = PointData(params)
    _equilibrium_filter(point, forms)
    if not point.valid:
        return point
    assert point.nash is not None
    eq = point.nash.equilibrium
    _, _, point.cross = own_derivatives(profit_payoff(params, forms), eq.s, eq.t, eq.s, eq.t)
    _statics(point, statics, forms)
    if not regimes:
        return point
    for name, fn in (("joint", joint_profit_optimum), ("social", social_optimum)):
        try:
            setattr(point, name, fn(params, forms))
        except SharingError as exc:
            point.regime_error[name] = str(exc)
    try:
        point.no_sharing = nash_equilibrium(params, forms, iterate=False, s_bounds=(0.0, 0.0))
    except SharingError as exc:
        point.regime_error["no_sharing"] = str(exc)
    try:
        point.sequential = sequential_equilibrium(
            params, forms, nash=point.nash, global_search=False
        )
    except SharingError as exc:
        point.regime_error["sequential"] = str(exc)
    return point


def _evaluate_task(task: tuple[DuopolyParams, FunctionalForms, bool]) -> PointData:
    """Evaluate one grid point (base model, or section 4 when the flag is set)."""
    params, forms, volume = task
    if volume:
        return evaluate_point(params, forms, regimes=False, statics=("lambda_hat",))
    return evaluate_point(params, forms)


# --------------------------------------------------------------------------- accumulating checks


@dataclass
class Check:
    """One claim of the paper, as tested, with its tally and worst counter-example."""

    key: str
    claim: str
    test: str
    conditions: str
    tested: int = 0
    holds: int = 0
    worst_margin: float = float("inf")
    counterexample: dict[str, Any] | None = None
    outside_tested: int = 0
    outside_holds: int = 0
    skipped: int = 0
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: str = ""
    kind: Literal["universal", "existential"] = "universal"

    def add(self, margin: float, example: dict[str, Any], *, in_conditions: bool = True) -> None:
        """Record one test; the claim holds at the point iff ``margin > 0``."""
        ok = margin > 0
        if not in_conditions:
            self.outside_tested += 1
            self.outside_holds += int(ok)
            return
        self.tested += 1
        self.holds += int(ok)
        if not ok and margin < self.worst_margin:
            self.worst_margin = margin
            self.counterexample = example

    @property
    def fails(self) -> int:
        """Points (within the conditions) where the claim fails."""
        return self.tested - self.holds

    @property
    def verdict(self) -> str:
        """``holds``, ``fails`` or ``untested``."""
        if self.kind == "existential":
            return "holds" if self.holds > 0 else ("fails" if self.tested else "untested")
        if self.tested == 0:
            return "untested"
        return "holds" if self.fails == 0 else "fails"

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        out: dict[str, Any] = {
            "id": self.key,
            "claim": self.claim,
            "test": self.test,
            "conditions": self.conditions,
            "verdict": self.verdict,
            "tested": self.tested,
            "holds": self.holds,
            "fails": self.fails,
            "counterexample": self.counterexample,
            "outside_conditions": {"tested": self.outside_tested, "holds": self.outside_holds},
            "skipped": self.skipped,
        }
        if self.examples:
            out["examples"] = self.examples
        if self.notes:
            out["notes"] = self.notes
        return out


def _pdict(params: DuopolyParams) -> dict[str, float]:
    keys = (
        "a",
        "b1",
        "b2",
        "alpha",
        "lambda_d",
        "lambda_c",
        "phi1",
        "phi2",
        "phi3",
        "gamma",
        "theta",
    )
    out = {k: getattr(params, k) for k in keys}
    if params.volume_costs:
        out.update({k: getattr(params, k) for k in ("c", "lambda_hat", "delta1", "delta2")})
    return out


def _ex(point: PointData, **numbers: Any) -> dict[str, Any]:
    assert point.nash is not None
    return {
        "params": _pdict(point.params),
        "s_nash": point.nash.s,
        "t_nash": point.nash.t,
        **numbers,
    }


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
    d_own = (
        stage2_prices(s_i, t_i + h, s_j, t_j, params, forms)[0]
        - stage2_prices(s_i, t_i - h, s_j, t_j, params, forms)[0]
    ) / (2 * h)
    d_other = (
        stage2_prices(s_i, t_i, s_j, t_j + k, params, forms)[0]
        - stage2_prices(s_i, t_i, s_j, t_j - k, params, forms)[0]
    ) / (2 * k)
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


def _check_p1(points: list[PointData], forms: FunctionalForms) -> list[Check]:
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
            _ex(pt, profile=grid[k].tolist(), dp_i_dt_i=float(d_own[k])),
        )
        abar = p.lambda_d * np.minimum(si, sj) + p.b2 / (2 * p.b1)
        inside = p.alpha < abar - 1e-12
        for mask, flag in ((inside, True), (~inside, False)):
            if mask.any():
                idx = np.flatnonzero(mask)
                m = idx[int(np.argmin(d_other[idx]))]
                b.add(
                    float(d_other[m]) - STATICS_TOL,
                    _ex(
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
                worst_ex = _ex(
                    pt, s_j=s_other, s_c=s_c, min_step_increase=up, min_step_decrease=down
                )
        c.add(worst, worst_ex)
    return [a, b, c]


def _check_p2(points: list[PointData]) -> list[Check]:
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
        c1.add(min(jac[0, 0], jac[1, 0]) - STATICS_TOL, _ex(pt, **slopes))
        c2.add(min(jac[0, 1], jac[1, 1]) - STATICS_TOL, _ex(pt, **slopes), in_conditions=a1)
        cr = pt.cross
        cross = {
            "d2Pi_i/ds_i ds_j": float(cr[0, 0]),
            "d2Pi_i/ds_i dt_j": float(cr[0, 1]),
            "d2Pi_i/dt_i ds_j": float(cr[1, 0]),
            "d2Pi_i/dt_i dt_j": float(cr[1, 1]),
        }
        c3.add(min(cr[0, 1], cr[1, 0]) - CROSS_TOL, _ex(pt, **cross), in_conditions=a1)
        c4.add(min(cr[0, 0], cr[1, 1]) - CROSS_TOL, _ex(pt, **cross), in_conditions=a1)
    c3.notes = (
        "Richardson second differences, accurate to ~1e-7; a cross partial within 1e-6 of zero "
        f"is not positive. max |d2Pi_i/ds_i dt_j| over all valid points = {zero_cross:.1e}: at "
        "an interior equilibrium dPi_i/ds_i = 2 b1 p_i dp_i/ds_i and dp_i/ds_i does not depend "
        "on t_j (eq. 22), so this cross partial is exactly 0, not positive; the reaction-slope "
        "reading (ds_i/dt_j > 0, dt_i/ds_j > 0) is tested in P2(i)-(ii)"
    )
    return [c1, c2, c3, c4]


def _statics_check(
    key: str,
    claim: str,
    conditions: str,
    points: list[PointData],
    wanted: dict[str, int],
    in_cond: Callable[[PointData], bool] = lambda pt: True,
) -> Check:
    """Signs of comparative statics; ``wanted[p] = +1`` means ds*/dp > 0 and dt*/dp > 0."""
    parts = [
        f"{'' if sign > 0 else '-'}ds*/d{name} > {STATICS_TOL:g} and "
        f"{'' if sign > 0 else '-'}dt*/d{name} > {STATICS_TOL:g}"
        for name, sign in wanted.items()
    ]
    check = Check(
        key,
        claim,
        "central differences of the symmetric equilibrium (step 1e-4 relative, Newton "
        "re-solves): " + "; ".join(parts),
        conditions,
    )
    for pt in points:
        if not pt.valid:
            continue
        if any(name not in pt.statics for name in wanted):
            check.skipped += 1
            continue
        margin = min(
            sign * pt.statics[name][k] - STATICS_TOL
            for name, sign in wanted.items()
            for k in (0, 1)
        )
        numbers = {f"ds*/d{n}": pt.statics[n][0] for n in wanted}
        numbers.update({f"dt*/d{n}": pt.statics[n][1] for n in wanted})
        check.add(margin, _ex(pt, **numbers), in_conditions=in_cond(pt))
    return check


def _check_p5(points: list[PointData]) -> list[Check]:
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
                _ex(pt, welfare_nash=nash_w, welfare_no_sharing=w0, t_no_sharing=pt.no_sharing.t),
            )
        else:
            c1.skipped += 1
        p, t = pt.params, pt.nash.t
        w_fixed = float(welfare(0.0, t, 0.0, t, p))
        c1b.add(
            nash_w - w_fixed - LEVEL_TOL,
            _ex(pt, welfare_nash=nash_w, welfare_zero_s_same_t=w_fixed),
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
            _ex(pt, **nums),
            in_conditions=a1 and interior,
        )
        c3.add(
            min(jp.s - pt.nash.s, jp.t - pt.nash.t) - LEVEL_TOL,
            _ex(pt, **nums),
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


def _check_p6(points: list[PointData]) -> list[Check]:
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
            _ex(pt, **nums),
            in_conditions=a1,
        )
        gain = min(o.profit[0], o.profit[1]) - pt.nash.outcome.profit[0]
        c2.add(gain - LEVEL_TOL, _ex(pt, **nums), in_conditions=a1)
    for c in (c1, c2):
        c.notes = (
            "'skipped': no Stackelberg optimum (leader payoff unbounded), or neither the "
            "leader's KKT residual nor the ascent-slope certificate verifies its optimum"
        )
    return [c1, c2]


def _check_p7(points: list[PointData], forms: FunctionalForms) -> list[Check]:
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
                    check.examples.setdefault("positive", _ex(pt, derivative=d, ratio=ratio))
                elif d < -STATICS_TOL:
                    counts[name][1] += 1
                    check.examples.setdefault("negative", _ex(pt, derivative=d, ratio=ratio))
        else:
            c_s.skipped += 1
            c_t.skipped += 1
        try:
            base = nash_equilibrium(p.replace(lambda_hat=0.0), forms, iterate=False)
            c2.add(base.s - pt.nash.s - LEVEL_TOL, _ex(pt, s_without_spillover=base.s))
        except SharingError:
            c2.skipped += 1
        key = tuple(v for k, v in sorted(p.as_dict().items()) if k != "lambda_hat")
        lines.setdefault(key, []).append((p.lambda_hat, float(jac[0, 0]), pt))
    for check, name in ((c_s, "s"), (c_t, "t")):
        pos, neg = counts[name]
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
    for line in lines.values():
        if len(line) < 2:
            continue
        line.sort(key=lambda z: z[0])
        lo, hi = line[0], line[-1]
        margin = min(lo[1], -hi[1]) - STATICS_TOL
        c3.add(
            margin,
            _ex(
                hi[2],
                lambda_hat_small=lo[0],
                slope_small=lo[1],
                lambda_hat_large=hi[0],
                slope_large=hi[1],
            ),
        )
    c3.notes = (
        f"ds_i/dt_j < 0 at {negative_cross} valid points (the cross slope in investment does "
        "turn negative with lambda_hat, as the appendix's d2p_i/ds_i dt_j < 0 suggests)"
    )
    return [c_s, c_t, c2, c3]


# --------------------------------------------------------------------------- driver


@dataclass(frozen=True)
class PropositionReport:
    """The outcome of :func:`check_propositions`."""

    grid: str
    n_points: int
    filters: dict[str, int]
    n_volume_points: int
    volume_filters: dict[str, int]
    checks: tuple[Check, ...]
    runtime_s: float

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        return {
            "grid": self.grid,
            "base_grid": {"points": self.n_points, "filters": self.filters},
            "volume_grid": {"points": self.n_volume_points, "filters": self.volume_filters},
            "checks": [c.as_dict() for c in self.checks],
            "runtime_s": self.runtime_s,
        }


def _tally(points: list[PointData]) -> dict[str, int]:
    out: dict[str, int] = {"valid": sum(pt.valid for pt in points)}
    for pt in points:
        if not pt.valid:
            reason = pt.reason.split(" (")[0]
            out[reason] = out.get(reason, 0) + 1
    return out


def check_propositions(
    grid: GridName = "full",
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> PropositionReport:
    """Check Propositions 1-7 over the base grid and the section-4 grid.

    Parameters
    ----------
    grid : {"small", "full"}
        Grid size.
    forms : FunctionalForms
        Functional forms (the claims are checked for these); with ``jobs > 1``
        they must be picklable (module-level functions).
    progress : callable ``(done, total) -> None``, optional
        Called after each grid point.
    jobs : int
        Worker processes for the grid points (1: in this process).

    Returns
    -------
    PropositionReport

    Raises
    ------
    InputError
        For an unknown grid name or ``jobs < 1``.
    """
    if jobs < 1:
        raise InputError(f"need jobs >= 1 (got {jobs})")
    start = time.perf_counter()
    base = parameter_grid(grid)
    vol = volume_grid(grid)
    tasks = [(p, forms, False) for p in base] + [(p, forms, True) for p in vol]
    results: list[PointData] = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for point in pool.map(_evaluate_task, tasks, chunksize=8):
                results.append(point)
                if progress is not None:
                    progress(len(results), len(tasks))
    else:
        for task in tasks:
            results.append(_evaluate_task(task))
            if progress is not None:
                progress(len(results), len(tasks))
    points, vpoints = results[: len(base)], results[len(base) :]

    def a1(pt: PointData) -> bool:
        return pt.assumption1

    checks: list[Check] = []
    checks += _check_p1(points, forms)
    checks += _check_p2(points)
    checks.append(
        _statics_check(
            "P3(i)",
            "Less loyalty (higher b1) lowers sharing and investment: ds/db1 < 0, dt/db1 < 0.",
            "none",
            points,
            {"b1": -1},
        )
    )
    checks.append(
        _statics_check(
            "P3(ii)",
            "If alpha <= alpha_bar, more substitutability (higher b2) raises sharing and "
            "investment: ds/db2 > 0, dt/db2 > 0.",
            "Assumption 1 at the equilibrium",
            points,
            {"b2": 1},
            a1,
        )
    )
    checks.append(
        _statics_check(
            "P4(i)",
            "Sharing and investment increase with firm size (demand intercept a).",
            "none",
            points,
            {"a": 1},
        )
    )
    checks.append(
        _statics_check(
            "P4(ii)",
            "Sharing and investment increase with the demand and cost spillovers: "
            "ds/dlambda_d, ds/dlambda_c, dt/dlambda_d, dt/dlambda_c > 0.",
            "none",
            points,
            {"lambda_d": 1, "lambda_c": 1},
        )
    )
    checks.append(
        _statics_check(
            "P4(iii)",
            "A bigger alpha discourages sharing and investment: ds/dalpha < 0, dt/dalpha < 0.",
            "none",
            points,
            {"alpha": -1},
        )
    )
    checks += _check_p5(points)
    checks += _check_p6(points)
    checks += _check_p7(vpoints, forms)
    return PropositionReport(
        grid=grid,
        n_points=len(base),
        filters=_tally(points),
        n_volume_points=len(vol),
        volume_filters=_tally(vpoints),
        checks=tuple(checks),
        runtime_s=time.perf_counter() - start,
    )


__all__ = [
    "Check",
    "PointData",
    "PropositionReport",
    "alpha_bar",
    "check_propositions",
    "evaluate_point",
    "parameter_grid",
    "volume_grid",
]
