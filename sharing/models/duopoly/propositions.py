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

The checks live beside this driver: the grids and what is solved at each
point in :mod:`~sharing.models.duopoly.grid`, the tally of one claim in
:mod:`~sharing.models.duopoly.check`, Propositions 1-2 in
:mod:`~sharing.models.duopoly.claims_market`, Propositions 3-4 (signs of the
comparative statics) here, Propositions 5-7 in
:mod:`~sharing.models.duopoly.claims_regimes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sharing.errors import InputError
from sharing.models.duopoly.assumptions import alpha_bar
from sharing.models.duopoly.check import STATICS_TOL, Check, example
from sharing.models.duopoly.claims_market import check_prices, check_reactions
from sharing.models.duopoly.claims_regimes import (
    check_sequential,
    check_volume_costs,
    check_welfare,
)
from sharing.models.duopoly.grid import (
    GridName,
    PointData,
    evaluate_point,
    evaluate_task,
    parameter_grid,
    volume_grid,
)
from sharing.models.duopoly.params import DEFAULT_FORMS, DuopolyParams, FunctionalForms

# --------------------------------------------------------------------------- Propositions 3-4


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
        check.add(margin, example(pt, **numbers), in_conditions=in_cond(pt))
    return check


def check_statics(points: list[PointData]) -> list[Check]:
    """Propositions 3-4: signs of the equilibrium's comparative statics."""

    def a1(pt: PointData) -> bool:
        return pt.assumption1

    return [
        _statics_check(
            "P3(i)",
            "Less loyalty (higher b1) lowers sharing and investment: ds/db1 < 0, dt/db1 < 0.",
            "none",
            points,
            {"b1": -1},
        ),
        _statics_check(
            "P3(ii)",
            "If alpha <= alpha_bar, more substitutability (higher b2) raises sharing and "
            "investment: ds/db2 > 0, dt/db2 > 0.",
            "Assumption 1 at the equilibrium",
            points,
            {"b2": 1},
            a1,
        ),
        _statics_check(
            "P4(i)",
            "Sharing and investment increase with firm size (demand intercept a).",
            "none",
            points,
            {"a": 1},
        ),
        _statics_check(
            "P4(ii)",
            "Sharing and investment increase with the demand and cost spillovers: "
            "ds/dlambda_d, ds/dlambda_c, dt/dlambda_d, dt/dlambda_c > 0.",
            "none",
            points,
            {"lambda_d": 1, "lambda_c": 1},
        ),
        _statics_check(
            "P4(iii)",
            "A bigger alpha discourages sharing and investment: ds/dalpha < 0, dt/dalpha < 0.",
            "none",
            points,
            {"alpha": -1},
        ),
    ]


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


def _evaluate_grid(
    tasks: list[tuple[DuopolyParams, FunctionalForms, bool]],
    jobs: int,
    progress: Callable[[int, int], None] | None,
) -> list[PointData]:
    """Evaluate every grid point, in this process or spread over ``jobs`` processes."""
    results: list[PointData] = []
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for point in pool.map(evaluate_task, tasks, chunksize=8):
                results.append(point)
                if progress is not None:
                    progress(len(results), len(tasks))
    else:
        for task in tasks:
            results.append(evaluate_task(task))
            if progress is not None:
                progress(len(results), len(tasks))
    return results


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
    results = _evaluate_grid(tasks, jobs, progress)
    points, vpoints = results[: len(base)], results[len(base) :]
    checks: list[Check] = []
    checks += check_prices(points, forms)
    checks += check_reactions(points)
    checks += check_statics(points)
    checks += check_welfare(points)
    checks += check_sequential(points)
    checks += check_volume_costs(vpoints, forms)
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
