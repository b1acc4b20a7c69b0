"""The incentive regimes the simulation compares (docs/simulation.md), as on-chain configurations.

A regime is a reward per tier (in payoff units) and a pool rule. Rewards
come from the sharing game's mechanism design
(:mod:`sharing.models.sharing_game`): the smallest per-tier (tiered) or
common (flat) reward that makes sharing beat its risk for every tier, i.e.
``R_t > r_t``, which makes sharing strictly dominant whatever the others do
and whatever the pool rule.

On chain, the class, severity and scope multipliers and the price index are
neutral (1.0x) in these experiments, so that a verified indicator of tier
``t`` is paid exactly ``floor(R_t * unit_wei)`` wei and the chain's game
can be compared with the model's to the wei. The rounding rule is that of
:func:`sharing.quote.reward` (one floor division).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sharing.errors import InputError
from sharing.models.sharing_game import OPEN, design_per_tier, design_uniform
from sharing.quote import PriceRule, RewardSchedule

#: One payoff unit of the model, in wei.
UNIT_WEI = 10**17
#: Tier names, in the contract's order.
TIERS = ("critical", "core", "small")

NEUTRAL_PRICE = PriceRule(
    base_bps=10_000, min_bps=10_000, max_bps=10_000, decay_bps=10_000, recovery_bps=0
)

REGIME_NAMES = ("open", "gated", "flat", "tiered", "tiered-pesim")


@dataclass(frozen=True)
class TierParams:
    """Knowledge and sharing risk of each tier, in payoff units."""

    knowledge: tuple[float, float, float] = (3.0, 2.0, 1.0)
    risk: tuple[float, float, float] = (0.5, 0.4, 0.3)
    beta: float = 1.0
    #: Unit cost of security investment per tier, for the PESIM regime (docs/models.md).
    security_cost: tuple[float, float, float] = (0.2, 0.3, 0.5)

    def __post_init__(self) -> None:
        if len(self.knowledge) != 3 or len(self.risk) != 3:
            raise InputError("tier parameters need three values (critical, core, small)")
        if min(self.knowledge) < 0 or min(self.risk) < 0 or self.beta < 0:
            raise InputError("knowledge, risk and beta must be non-negative")
        if len(self.security_cost) != 3 or min(self.security_cost) <= 0:
            raise InputError("security costs need three positive values (critical, core, small)")


@dataclass(frozen=True)
class Regime:
    """One incentive regime.

    Attributes
    ----------
    name : str
        open, gated, flat or tiered.
    pool_open : bool
        Whether every member reads the pool.
    reward : tuple of float
        Reward per tier (critical, core, small) in payoff units.
    description : str
        One line for tables.
    pesim : bool
        Whether the firms also settle PESIM security-investment taxes each
        round (regime 5).
    """

    name: str
    pool_open: bool
    reward: tuple[float, float, float]
    description: str
    pesim: bool = False

    def schedule(self, unit_wei: int = UNIT_WEI) -> RewardSchedule:
        """The on-chain reward tables of this regime (neutral multipliers)."""
        base = tuple(int(np.floor(r * unit_wei)) for r in self.reward)
        if not base[0] >= base[1] >= base[2]:
            raise InputError(
                f"regime {self.name}: rewards per tier {self.reward} are not non-increasing "
                "from critical to small business, which the contract's hard bounds require"
            )
        return RewardSchedule(
            base_wei=base,  # type: ignore[arg-type]
            class_bps=(10_000, 10_000),
            severity_bps=(10_000,) * 5,
            scope_bps=(10_000,) * 3,
        )

    def paid(self, tier: int, unit_wei: int = UNIT_WEI) -> float:
        """The reward the chain pays a verified indicator of ``tier``, in payoff units."""
        return self.schedule(unit_wei).base_wei[tier] / unit_wei


def build_regimes(params: TierParams) -> dict[str, Regime]:
    """The four regimes for these tier parameters."""
    k, r = list(params.knowledge), list(params.risk)
    tiered = design_per_tier(k, r, list(TIERS), pool=OPEN, beta=params.beta)
    flat = design_uniform(k, r, pool=OPEN, beta=params.beta)
    levels = [float(tiered.recommended_levels[t]) for t in TIERS]
    tier_reward = (levels[0], levels[1], levels[2])
    flat_reward = float(flat.recommended[0])
    return {
        "open": Regime("open", True, (0.0, 0.0, 0.0), "no incentive, open pool"),
        "gated": Regime("gated", False, (0.0, 0.0, 0.0), "no incentive, gated pool"),
        "flat": Regime("flat", False, (flat_reward,) * 3, "flat reward, gated pool"),
        "tiered": Regime("tiered", False, tier_reward, "tiered reward, gated pool"),
        "tiered-pesim": Regime(
            "tiered-pesim", False, tier_reward, "tiered reward + PESIM taxes, gated pool", True
        ),
    }
