"""Everything computed about one bimatrix game: equilibria, class and selection.

:func:`analyse_game` solves a game (:func:`~.solve.solve_bimatrix`), classifies
it when it is 2x2 (:func:`~.classify.classify_2x2`) and selects among its pure
equilibria (:func:`~.selection.select_equilibrium`); the result is what
``sharing game solve`` prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sharing.models.equilibria.classify import Classification, classify_2x2
from sharing.models.equilibria.selection import select_equilibrium
from sharing.models.equilibria.solve import (
    SHARING_NAMES,
    EquilibriumSet,
    profile_label,
    solve_bimatrix,
)
from sharing.models.numerics import FloatArray


def strategy_names(shape: tuple[int, ...]) -> tuple[Sequence[str], Sequence[str]] | None:
    """C and D for a 2x2 game (the sharing game's names), None (``r<i>``, ``c<j>``) otherwise."""
    return SHARING_NAMES if shape == (2, 2) else None


@dataclass(frozen=True)
class GameReport:
    """A 2x2 game with everything computed about it."""

    row: FloatArray
    col: FloatArray
    equilibria: EquilibriumSet
    classification: Classification
    risk_dominant: str | None
    payoff_dominant: str | None
    selection_notes: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels of every equilibrium listed, e.g. ``("(C,C)", "(D,D)", "mixed")``."""
        names = strategy_names(self.row.shape)
        return tuple(e.label(names) for e in self.equilibria.equilibria)

    @property
    def pure_labels(self) -> tuple[str, ...]:
        """Labels of the pure equilibria, e.g. ``("(C,C)", "(D,D)")``."""
        names = strategy_names(self.row.shape)
        return tuple(e.label(names) for e in self.equilibria.equilibria if e.is_pure)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the schema of ``sharing game solve --json``)."""
        res = self.equilibria
        names = strategy_names(self.row.shape)
        cls = self.classification
        return {
            "row": self.row.tolist(),
            "col": self.col.tolist(),
            "equilibria": [
                {
                    "row": e.row.tolist(),
                    "col": e.col.tolist(),
                    "payoffs": list(e.payoffs),
                    "pure": e.is_pure,
                    "label": e.label(names),
                    "found_by": list(e.methods),
                }
                for e in res.equilibria
            ],
            "classification": cls.label,
            "classification_detail": {"per_player": list(cls.per_player), "reason": cls.reason},
            "risk_dominant": self.risk_dominant,
            "payoff_dominant": self.payoff_dominant,
            "selection_notes": list(self.selection_notes),
            "degenerate": res.degenerate,
            "continuum": res.continuum,
            "methods_agree": res.methods_agree,
            "found_by_method": res.counts,
            "messages": list(res.messages),
        }


def analyse_game(row: Any, col: Any) -> GameReport:
    """Solve, classify and select for a bimatrix game (any shape; classes for 2x2 only).

    In a 2x2 game the strategies are named C and D (index 0 and 1), as in the
    sharing game; otherwise ``r<i>`` and ``c<j>``.
    """
    result = solve_bimatrix(row, col)
    a, b = np.asarray(row, dtype=np.float64), np.asarray(col, dtype=np.float64)
    sel = select_equilibrium(a, b, result.pure_profiles)
    names = strategy_names(a.shape)
    return GameReport(
        row=a,
        col=b,
        equilibria=result,
        classification=classify_2x2(a, b),
        risk_dominant=profile_label(sel.risk_dominant, names) if sel.risk_dominant else None,
        payoff_dominant=profile_label(sel.payoff_dominant, names) if sel.payoff_dominant else None,
        selection_notes=sel.notes,
    )
