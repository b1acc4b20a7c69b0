"""The simulation's result as typed objects: what :func:`~sharing.simulation.run.simulate` returns.

The report and the CLI read these by attribute, so a renamed field fails
at once (mypy, or an ``AttributeError``) instead of silently printing a
default. :meth:`SimulationResult.as_dict` is the one place that produces the
JSON of ``sharing simulate --json``; :meth:`SimulationResult.from_dict` reads
that JSON back, so a saved result can be re-rendered without a chain.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

Matrix = list[list[float]]


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium of a 2x2 game: each firm's mixed strategy (P(share), P(withhold))."""

    row: list[float]
    col: list[float]
    payoffs: list[float]


@dataclass(frozen=True)
class AllianceGame:
    """The N-firm game of one regime, measured on chain, beside the model's (docs/simulation.md).

    Gains are in payoff units (one unit is ``unit_wei`` wei). A deviation
    gain is what a firm gains by withholding when every other firm shares:
    all-share is an equilibrium when no firm's gain is positive.
    """

    firms: int
    all_share_is_equilibrium: bool
    best_deviation_gain: float
    unique: bool
    #: Number of sharers after each step of the best-response cascade from all-withhold.
    cascade: list[int]
    model_all_share_is_equilibrium: bool
    model_unique: bool
    agree: bool
    max_difference: float
    profiles_measured: int
    #: Deviation gain of each firm (withhold against all-share), on chain and in the model.
    deviation_gain: list[float] = field(default_factory=list)
    model_deviation_gain: list[float] = field(default_factory=list)
    #: Deviation gain per tier name (every firm of a tier gains the same on chain).
    deviation_gain_by_tier: dict[str, float] = field(default_factory=dict)
    #: The model's cascade, sharers after each step.
    model_cascade: list[int] = field(default_factory=list)
    #: Largest chain-to-model difference that still counts as agreement, payoff units.
    tolerance: float = 0.0
    #: How firms were grouped into measurements ("tier": one firm measured per tier).
    grouping: str = "tier"


@dataclass(frozen=True)
class RegimeResult:
    """One regime: the 2x2 game, the N-firm dynamics and, if measured, the N-firm game."""

    description: str
    reward_per_tier: list[float]
    reward_wei_per_tier: list[int]
    pool_open: bool
    empirical_matrix: list[Matrix]
    model_matrix: list[Matrix]
    max_difference: float
    matrices_agree: bool
    equilibria: list[Equilibrium]
    model_equilibria: list[Equilibrium]
    cooperation_unique: bool
    model_cooperation_unique: bool
    agree: bool
    pool_reads: int
    pool_mismatches: int
    cooperation_rate: list[float]
    final_cooperation: float
    rewards_wei: dict[str, int]
    rewards_wei_total: int
    rewards_wei_by_tier: dict[str, int]
    payoff_by_tier: dict[str, list[float]]
    junk_submitted: int
    junk_verified: int
    expired: int
    transactions: int
    strategy: str
    cooperation_by_strategy: dict[str, list[float]]
    final_cooperation_by_strategy: dict[str, float]
    alliance: AllianceGame | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegimeResult:
        """A regime read back from its JSON."""
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        for key in ("equilibria", "model_equilibria"):
            values[key] = [Equilibrium(**e) for e in data[key]]
        alliance = data.get("alliance")
        values["alliance"] = AllianceGame(**alliance) if alliance else None
        return cls(**values)


@dataclass(frozen=True)
class ChainFacts:
    """Which chain the run used and how fast it went."""

    kind: str
    chain_id: int
    transactions: int
    seconds: float
    tx_per_s: float


@dataclass(frozen=True)
class RunRecord:
    """The configuration a result was produced with (what makes it reproducible)."""

    firms: int
    rounds: int
    strategies: list[str]
    initial_share: float
    seed: int
    knowledge: list[float]
    risk: list[float]
    beta: float
    panel: list[str]
    unit_wei: int
    tiers: list[int]
    pair: list[int]


@dataclass
class SimulationResult:
    """Everything a run measured; ``as_dict`` is the JSON of ``sharing simulate --json``."""

    config: RunRecord
    regimes: dict[str, RegimeResult]
    agree: bool
    chain: ChainFacts
    #: Path of the HTML report, when one was written.
    report: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data (a regime without an N-firm game has no key)."""
        out: dict[str, Any] = {
            "config": asdict(self.config),
            "regimes": {},
            "agree": self.agree,
            "chain": asdict(self.chain),
        }
        for name, regime in self.regimes.items():
            data = asdict(regime)
            if regime.alliance is None:
                data.pop("alliance")
            out["regimes"][name] = data
        if self.report is not None:
            out["report"] = self.report
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimulationResult:
        """A result read back from ``as_dict``'s JSON (to re-render a saved run)."""
        return cls(
            config=RunRecord(**data["config"]),
            regimes={n: RegimeResult.from_dict(r) for n, r in data["regimes"].items()},
            agree=bool(data["agree"]),
            chain=ChainFacts(**data["chain"]),
            report=data.get("report"),
        )
