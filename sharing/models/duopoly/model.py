"""The duopoly with fixed parameters and forms: one object, every regime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

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

T = TypeVar("T")


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

    def solve(self) -> DuopolySolution:
        """Every regime at once (what ``sharing duopoly solve`` prints).

        A regime whose optimum does not exist (e.g. welfare unbounded in ``t``)
        is kept as its error message in :attr:`DuopolySolution.failures`; the
        Nash equilibrium is required.

        Raises
        ------
        SolverError
            If the market has no symmetric Nash equilibrium.
        """
        nash = self.nash(iterate=True)
        failures: dict[str, str] = {}

        def attempt(key: str, fn: Callable[[], T]) -> T | None:
            try:
                return fn()
            except SharingError as exc:
                failures[key] = str(exc)
                return None

        social = attempt("social_welfare", self.social_planner)

        def subsidy() -> tuple[SubsidyResult, SubsidyResult]:
            if social is None:
                raise SolverError("no social optimum, so no Appendix B tax")
            alternative = subsidy_scheme(
                self.params, self.forms, reading="partial", social=social, iterate=False
            )
            return self.subsidy(social=social), alternative

        subsidies = attempt("subsidy", subsidy)
        return DuopolySolution(
            params=self.params,
            nash=nash,
            joint_profit=attempt("joint_profit", self.joint_profit),
            social_welfare=social,
            sequential=attempt("sequential", lambda: self.sequential(nash=nash)),
            no_sharing=attempt("no_sharing", lambda: self.no_sharing().outcome),
            subsidy=subsidies[0] if subsidies else None,
            subsidy_alternative=subsidies[1] if subsidies else None,
            assumptions=assumption_report(self.params, nash.s, nash.t, self.forms),
            failures=failures,
        )


@dataclass(frozen=True)
class DuopolySolution:
    """Every regime of one market: the typed result of :meth:`Duopoly.solve`.

    A regime that could not be solved is ``None`` here and its error message
    is in ``failures`` under the regime's key; :meth:`as_dict` writes it as
    ``{"error": message}`` in that regime's place.
    """

    params: DuopolyParams
    nash: NashResult
    joint_profit: RegimeResult | None
    social_welfare: RegimeResult | None
    sequential: SequentialResult | None
    no_sharing: Outcome | None
    subsidy: SubsidyResult | None
    subsidy_alternative: SubsidyResult | None  # the "partial" reading of Appendix B
    assumptions: dict[str, Any]
    failures: dict[str, str]

    @property
    def model(self) -> str:
        """Which of the paper's models the parameters select."""
        return "section 4 (volume-related costs)" if self.params.volume_costs else "base"

    def as_dict(self) -> dict[str, Any]:
        """Plain data, as ``sharing duopoly solve --json`` prints it."""

        def block(key: str, value: Any) -> dict[str, Any]:
            if value is None:
                return {"error": self.failures[key]}
            if isinstance(value, Outcome):
                return dict(value.symmetric_dict())
            return dict(value.as_dict())

        subsidy = block("subsidy", self.subsidy)
        if self.subsidy_alternative is not None:
            subsidy["alternative_reading"] = self.subsidy_alternative.as_dict()
        return {
            "params": self.params.as_dict(),
            "model": self.model,
            "nash": self.nash.as_dict(),
            "joint_profit": block("joint_profit", self.joint_profit),
            "social_welfare": block("social_welfare", self.social_welfare),
            "sequential": block("sequential", self.sequential),
            "no_sharing": block("no_sharing", self.no_sharing),
            "subsidy": subsidy,
            "assumptions": self.assumptions,
        }
