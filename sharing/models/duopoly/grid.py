"""The parameter grids of the proposition checks, and what is solved at each point.

Deterministic factorial designs over the base model (:func:`parameter_grid`)
and section 4's model with volume-related costs (:func:`volume_grid`).  At
each point :func:`evaluate_point` solves the Nash equilibrium and filters the
point: it is *valid* only if the equilibrium exists, is the unique symmetric
one found, passes the global deviation check and the second-order and
stability tests, is interior with positive margins and satisfies
Assumption 2.  A valid point then gets its comparative statics, cross
partials and the other regimes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from sharing.errors import InputError, SharingError
from sharing.models.duopoly.assumptions import assumption_report
from sharing.models.duopoly.equilibrium import NashResult
from sharing.models.duopoly.market import profit_payoff
from sharing.models.duopoly.params import DEFAULT_FORMS, DuopolyParams, FunctionalForms
from sharing.models.duopoly.reaction import own_derivatives
from sharing.models.duopoly.regimes import (
    RegimeResult,
    joint_profit_optimum,
    nash_equilibrium,
    social_optimum,
)
from sharing.models.duopoly.sequential import SequentialResult, sequential_equilibrium
from sharing.models.duopoly.statics import equilibrium_sensitivity

GridName = Literal["small", "full"]

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


def evaluate_task(task: tuple[DuopolyParams, FunctionalForms, bool]) -> PointData:
    """Evaluate one grid point (base model, or section 4 when the flag is set)."""
    params, forms, volume = task
    if volume:
        return evaluate_point(params, forms, regimes=False, statics=("lambda_hat",))
    return evaluate_point(params, forms)
