"""The N-firm sharing game measured on chain: is all-share an equilibrium, and the only one.

Every profile is one round played on its own snapshot (docs/simulation.md,
"The whole alliance"). Payoffs are measured in wei from what the chain did
in that round - the wei credited or owed to each firm, which indicators were
verified, who may read the pool - and the model's parameters, each converted
once by :func:`wei` (``round(units * unit_wei)``):

    payoff_i = K_i + [access_i] * sum(beta K_j : j != i verified) + reward_i - [shared_i] r_i

1. **All-share is an equilibrium** when no firm gains by withholding while
   every other firm shares: the all-share profile, and for each firm the
   profile where it alone withholds.
2. **Uniqueness** by the best-response cascade from all-withhold: at each
   step every firm that does not share and strictly gains by sharing (the
   others as they are) joins; all-share is the unique equilibrium when the
   cascade ends at all-share. The game is supermodular (a firm's gain from
   sharing never falls when others share), so this cascade ends at the
   smallest equilibrium (the argument of :mod:`sharing.models.sharing_game`).
3. **The model** (:mod:`sharing.models.sharing_game`) is evaluated on the same
   parameters in wei, where its arithmetic is exact for these magnitudes,
   and compared firm by firm.

**Firms of one tier share a measurement** because the contract treats them
alike: with the regimes' neutral multipliers and price index, a verified
indicator is paid ``base_wei[tier]`` whatever its class, severity, scope and
category; the access rule reads only the firm's own verified indicators (or
the open pool flag); the simulated panel has no affiliation, so every firm's
indicator is judged by the same seats; and knowledge and risk are per tier.
So two firms of one tier making the same move in the same profile are paid
the same. This is checked, not assumed: in every measured profile, all firms
of a tier with the same action must measure the same payoff, else the tier
is measured firm by firm.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from sharing.models.sharing_game import (
    GATED,
    OPEN,
    cooperation_is_equilibrium,
    cooperation_is_unique,
    sharing_gain,
)
from sharing.simulation.engine import Alliance, BoolArray, RoundResult
from sharing.simulation.regimes import TIERS, Regime
from sharing.simulation.result import AllianceGame

#: Gains are whole wei on both sides; half a wei separates a tie from a gain.
TIE_WEI = 0.5
#: Largest chain-to-model difference counted as agreement: one wei (the floor of a reward).
TOLERANCE_WEI = 1


def wei(units: float, unit_wei: int) -> int:
    """A payoff term in wei: each term rounded once, so equal terms cancel exactly."""
    return round(units * unit_wei)


@dataclass
class _Weights:
    """The model's per-firm parameters in wei."""

    knowledge: np.ndarray  # object arrays of Python ints: exact sums
    pooled: np.ndarray  # beta * K_j, what firm j adds to a reader's payoff
    risk: np.ndarray
    reward: np.ndarray  # what the chain pays a verified indicator of the firm's tier


class NFirmGame:
    """Measures one regime's N-firm game on an alliance configured for it."""

    def __init__(self, alliance: Alliance, regime: Regime, seed: int) -> None:
        self.alliance = alliance
        self.regime = regime
        self.seed = seed
        u = alliance.unit_wei
        firms = alliance.firms
        beta = alliance.params.beta
        self.n = len(firms)
        self.tiers = [f.tier for f in firms]
        self.w = _Weights(
            knowledge=np.array([wei(f.knowledge, u) for f in firms], dtype=object),
            pooled=np.array([wei(beta * f.knowledge, u) for f in firms], dtype=object),
            risk=np.array([wei(f.risk, u) for f in firms], dtype=object),
            reward=np.array([regime.schedule(u).base_wei[f.tier] for f in firms], dtype=object),
        )
        self.profiles = 0

    # ------------------------------------------------------------------ chain

    def measure(self, shares: BoolArray) -> list[int]:
        """Every firm's payoff in wei at ``shares``, one round on its own snapshot."""
        a = self.alliance
        snap = a.chain.snapshot()
        try:
            with _bare_rounds(a):
                res = a.play_round(shares, seed=self.seed * 1_000_003 + self.profiles)
        finally:
            a.chain.revert(snap)
        self.profiles += 1
        return self.payoffs(res)

    def payoffs(self, res: RoundResult) -> list[int]:
        """Payoffs in wei from what the chain did in a round (verified, access, wei paid)."""
        w = self.w
        pooled = sum((int(w.pooled[j]) for j in range(self.n) if res.verified[j]), 0)
        out = []
        for i in range(self.n):
            readable = pooled - (int(w.pooled[i]) if res.verified[i] else 0)
            out.append(
                int(w.knowledge[i])
                + (readable if res.access[i] else 0)
                + int(res.reward_wei[i])
                - (int(w.risk[i]) if res.shared[i] else 0)
            )
        return out

    def _groups(self, members: list[int]) -> list[list[int]]:
        """``members`` by tier, in first-seen order."""
        groups: dict[int, list[int]] = {}
        for i in members:
            groups.setdefault(self.tiers[i], []).append(i)
        return list(groups.values())

    def _alike(self, payoff: list[int], group: list[int]) -> bool:
        """Whether every firm of ``group`` measured the same payoff (same tier, same action)."""
        return len({payoff[i] for i in group}) <= 1

    def gains_from(self, shares: BoolArray, movers: list[int]) -> tuple[dict[int, int], bool]:
        """Each mover's gain (wei) from switching its action, the others as in ``shares``.

        One firm per tier is measured when the base profile shows its tier
        alike; otherwise every firm of that tier is. Returns the gains and
        whether any tier had to be measured firm by firm.
        """
        base = self.measure(shares)
        gains: dict[int, int] = {}
        split = False
        for group in self._groups(movers):
            measured = group[:1] if self._alike(base, group) else group
            split |= len(measured) > 1
            for i in measured:
                moved = shares.copy()
                moved[i] = not moved[i]
                gains[i] = self.measure(moved)[i] - base[i]
            if len(measured) == 1:
                for j in group[1:]:
                    gains[j] = gains[measured[0]]
        return gains, split

    # ------------------------------------------------------------------ model

    def model_gain(self, shares: BoolArray) -> np.ndarray:
        """The model's gain of sharing over withholding, per firm, in wei."""
        w = self.w
        return sharing_gain(
            shares,
            w.pooled.astype(np.float64),  # beta folded into the knowledge others read
            w.risk.astype(np.float64),
            w.reward.astype(np.float64),
            self._pool(),
            1.0,
        )

    def _pool(self) -> str:
        return OPEN if self.regime.pool_open else GATED

    def _model_cascade(self) -> list[int]:
        s = np.zeros(self.n, dtype=bool)
        steps = []
        for _ in range(self.n + 1):
            joins = ~s & (self.model_gain(s) > TIE_WEI)
            if not joins.any():
                break
            s = s | joins
            steps.append(int(s.sum()))
        return steps

    # ------------------------------------------------------------------ game

    def solve(self) -> AllianceGame:
        """Measure the game on chain and set it beside the model's."""
        n, u = self.n, self.alliance.unit_wei
        everyone = list(range(n))
        all_share = np.ones(n, dtype=bool)
        # 1. from all-share, each firm's gain of withholding
        deviation, split = self.gains_from(all_share, everyone)
        dev = [deviation[i] for i in everyone]
        model_dev = [-float(g) for g in self.model_gain(all_share)]
        diffs = [abs(d - m) for d, m in zip(dev, model_dev, strict=True)]
        # 2. the cascade from all-withhold, on chain and in the model
        s = np.zeros(n, dtype=bool)
        cascade: list[int] = []
        while not s.all():
            out = [i for i in everyone if not s[i]]
            gains, more = self.gains_from(s, out)
            split |= more
            model = self.model_gain(s)
            diffs += [abs(gains[i] - float(model[i])) for i in out]
            joins = [i for i in out if gains[i] > TIE_WEI]
            if not joins:
                break
            s[joins] = True
            cascade.append(int(s.sum()))
        w = self.w
        model_args = (
            w.pooled.astype(np.float64),
            w.risk.astype(np.float64),
            w.reward.astype(np.float64),
            self._pool(),
            1.0,
        )
        model_eq = cooperation_is_equilibrium(*model_args, tol=TIE_WEI)
        model_unique = cooperation_is_unique(*model_args, tol=TIE_WEI)
        model_cascade = self._model_cascade()
        best = max(dev)
        is_eq = best <= TIE_WEI
        unique = bool(s.all())
        max_diff = max(diffs, default=0.0)
        by_tier = {TIERS[self.tiers[g[0]]]: dev[g[0]] / u for g in self._groups(everyone)}
        return AllianceGame(
            firms=n,
            all_share_is_equilibrium=is_eq,
            best_deviation_gain=best / u,
            unique=unique,
            cascade=cascade,
            model_all_share_is_equilibrium=model_eq,
            model_unique=model_unique,
            agree=(
                is_eq == model_eq
                and unique == model_unique
                and cascade == model_cascade
                and max_diff <= TOLERANCE_WEI
            ),
            max_difference=max_diff / u,
            profiles_measured=self.profiles,
            deviation_gain=[d / u for d in dev],
            model_deviation_gain=[m / u for m in model_dev],
            deviation_gain_by_tier=by_tier,
            model_cascade=model_cascade,
            tolerance=TOLERANCE_WEI / u,
            grouping="firm" if split else "tier",
        )


@contextmanager
def _bare_rounds(alliance: Alliance) -> Iterator[None]:
    """Rounds of the share/withhold game alone: no junk, no pool store, no PESIM settlement.

    Junk is the colluders' move (the deviation audit and the dynamics measure
    it); the pool store's reads are checked against the access rule in the
    2x2 game; the PESIM utility does not depend on sharing, so it cancels in
    every gain.
    """
    saved = alliance.junk_rate, alliance.pool, alliance.pesim
    alliance.junk_rate, alliance.pool, alliance.pesim = 0.0, None, None
    try:
        yield
    finally:
        alliance.junk_rate, alliance.pool, alliance.pesim = saved


def measure_alliance_game(alliance: Alliance, regime: Regime, seed: int) -> AllianceGame:
    """The N-firm game of ``regime`` on ``alliance`` (configured for it), beside the model's."""
    return NFirmGame(alliance, regime, seed).solve()
