"""The duopoly with fixed parameters and forms: one object, every regime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sharing.errors import SharingError, SolverError
from sharing.models.duopoly.assumptions import assumption_report
from sharing.models.duopoly.equilibrium import NashResult
from sharing.models.duopoly.market import Outcome, outcome, profit, profit_payoff
from sharing.models.duopoly.params import (
    DEFAULT_FORMS,
    DuopolyParams,
    FunctionalForms,
    Num,
    SurplusReading,
)
from sharing.models.duopoly.reaction import BestResponse, best_response
from sharing.models.duopoly.regimes import (
    RegimeResult,
    joint_profit_optimum,
    nash_equilibrium,
    social_optimum,
)
from sharing.models.duopoly.sequential import SequentialResult, sequential_equilibrium
from sharing.models.duopoly.subsidy import SubsidyResult, subsidy_scheme


class Duopoly:
    """The Gal-Or & Ghose duopoly with fixed parameters and forms: a thin facade.

    Examples
    --------
    >>> model = Duopoly(DuopolyParams(a=10.0))
    >>> sw, ne = model.social_planner(), model.nash(iterate=False)
    >>> sw.outcome.welfare > ne.outcome.welfare
    True
    """

    def __init__(
        self, params: DuopolyParams | None = None, forms: FunctionalForms | None = None
    ) -> None:
        self.params = params if params is not None else DuopolyParams()
        self.forms = forms if forms is not None else DEFAULT_FORMS

    def profit(self, s_i: Num, t_i: Num, s_j: Num, t_j: Num) -> Num:
        """Firm i's reduced-form profit (eq. 4)."""
        return profit(s_i, t_i, s_j, t_j, self.params, self.forms)

    def outcome(self, s1: float, t1: float, s2: float, t2: float) -> Outcome:
        """Market outcome at a first-stage profile."""
        return outcome(s1, t1, s2, t2, self.params, self.forms)

    def best_response(self, s_other: float, t_other: float) -> BestResponse:
        """Global best response in ``(s, t)`` to the competitor's choice."""
        return best_response(profit_payoff(self.params, self.forms), s_other, t_other)

    def nash(self, *, iterate: bool = True) -> NashResult:
        """Symmetric Bertrand-Nash equilibrium."""
        return nash_equilibrium(self.params, self.forms, iterate=iterate)

    def no_sharing(self, *, iterate: bool = False) -> NashResult:
        """Bertrand-Nash equilibrium when sharing is impossible (``s = 0``)."""
        return nash_equilibrium(self.params, self.forms, iterate=iterate, s_bounds=(0.0, 0.0))

    def joint_profit(self) -> RegimeResult:
        """Joint-profit ISA optimum."""
        return joint_profit_optimum(self.params, self.forms)

    def social_planner(self) -> RegimeResult:
        """Social planner's optimum."""
        return social_optimum(self.params, self.forms)

    def sequential(
        self, *, nash: NashResult | None = None, global_search: bool = True
    ) -> SequentialResult:
        """Stackelberg equilibrium (leader commits first)."""
        return sequential_equilibrium(
            self.params, self.forms, nash=nash, global_search=global_search
        )

    def subsidy(
        self, *, reading: SurplusReading = "ray", social: RegimeResult | None = None
    ) -> SubsidyResult:
        """Appendix B's scheme, solved."""
        return subsidy_scheme(self.params, self.forms, reading=reading, social=social)

    def solve(self) -> dict[str, Any]:
        """Every regime at once, as plain data (what ``sharing duopoly solve`` prints).

        A regime whose optimum does not exist (e.g. welfare unbounded in ``t``)
        is reported as ``{"error": message}``; the Nash equilibrium is required.

        Raises
        ------
        SolverError
            If the market has no symmetric Nash equilibrium.
        """
        nash = self.nash(iterate=True)
        out: dict[str, Any] = {
            "params": self.params.as_dict(),
            "model": "section 4 (volume-related costs)" if self.params.volume_costs else "base",
            "nash": nash.as_dict(),
        }

        def attempt(key: str, fn: Callable[[], dict[str, Any]]) -> None:
            try:
                out[key] = fn()
            except SharingError as exc:
                out[key] = {"error": str(exc)}

        attempt("joint_profit", lambda: self.joint_profit().as_dict())
        social: list[RegimeResult] = []

        def planner() -> dict[str, Any]:
            social.append(self.social_planner())
            return social[0].as_dict()

        attempt("social_welfare", planner)
        attempt("sequential", lambda: self.sequential(nash=nash).as_dict())
        attempt("no_sharing", lambda: self.no_sharing().outcome.symmetric_dict())

        def subsidy() -> dict[str, Any]:
            if not social:
                raise SolverError("no social optimum, so no Appendix B tax")
            sub = self.subsidy(social=social[0]).as_dict()
            alt = subsidy_scheme(
                self.params, self.forms, reading="partial", social=social[0], iterate=False
            )
            sub["alternative_reading"] = alt.as_dict()
            return sub

        attempt("subsidy", subsidy)
        out["assumptions"] = assumption_report(self.params, nash.s, nash.t, self.forms)
        return out
