"""One claim of the paper as the software tests it: its tally and worst counter-example.

A :class:`Check` accumulates margins over grid points (the claim holds at a
point iff its margin is positive) and keeps the worst counter-example, with
the point's parameters and equilibrium (:func:`example`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sharing.models.duopoly.grid import PointData
from sharing.models.duopoly.params import DuopolyParams

#: A derivative (comparative statics, reaction slope, price slope) is strictly signed beyond this.
STATICS_TOL = 1e-9
#: Strictness for comparisons of levels (s, t, welfare, profit).
LEVEL_TOL = 1e-7
#: A second cross-partial of profit is strictly signed beyond this (accuracy ~1e-8).
CROSS_TOL = 1e-6


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


def example(point: PointData, **numbers: Any) -> dict[str, Any]:
    """A counter-example record: the point's parameters, its equilibrium and ``numbers``."""
    assert point.nash is not None
    return {
        "params": _pdict(point.params),
        "s_nash": point.nash.s,
        "t_nash": point.nash.t,
        **numbers,
    }
