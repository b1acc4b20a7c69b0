"""How a firm bot decides, each round, whether to share (SPEC 6).

Every rule sees only what a real member could see: the mechanism's public
parameters (reward schedule and pool rule, read from the chain), the public
history of who shared, and the payoffs firms realised. The sharing gain a
rule predicts is that of the sharing game (Simmons B.4, SPEC 5.1),
:func:`sharing.models.sharing_game.sharing_gain`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from typing_extensions import override

from sharing.errors import InputError
from sharing.models.sharing_game import GATED, OPEN, sharing_gain

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class Context:
    """What firm ``i`` knows when it decides.

    Attributes
    ----------
    knowledge, risk, reward : numpy.ndarray
        Per firm, in payoff units; ``reward`` is what the on-chain schedule
        pays a verified indicator of that firm.
    pool_open : bool
        The on-chain pool rule.
    beta : float
        Absorption of the others' knowledge.
    actions : list of numpy.ndarray
        Who shared in each past round.
    payoffs : list of numpy.ndarray
        Each firm's realised payoff in each past round (measured on chain).
    """

    knowledge: FloatArray
    risk: FloatArray
    reward: FloatArray
    pool_open: bool
    beta: float = 1.0
    actions: list[BoolArray] = field(default_factory=list)
    payoffs: list[FloatArray] = field(default_factory=list)

    def gain(self, i: int, others: FloatArray) -> float:
        """Expected gain of sharing over withholding for firm ``i``.

        ``others`` is the probability (or indicator) that each other firm
        shares; the gain is linear in it, so beliefs can be plugged in.
        """
        pool = OPEN if self.pool_open else GATED
        probe = np.zeros(len(self.knowledge), dtype=bool)
        base = sharing_gain(probe, self.knowledge, self.risk, self.reward, pool, self.beta)[i]
        if pool == OPEN:
            return float(base)
        weights = np.array(others, dtype=np.float64)
        weights[i] = 0.0
        return float(base + self.beta * float(weights @ self.knowledge))


class Strategy:
    """A decision rule; subclasses implement :meth:`decide`."""

    name = "strategy"

    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        """Return True to share this round."""
        raise NotImplementedError

    @staticmethod
    def _start(rng: np.random.Generator) -> bool:
        """First-round action of the adaptive rules: a fair coin (seeded)."""
        return bool(rng.random() < 0.5)


class AlwaysShare(Strategy):
    """Shares every round."""

    name = "always"

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        return True


class NeverShare(Strategy):
    """Never shares: the free rider."""

    name = "never"

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        return False


class BestResponse(Strategy):
    """Best response to last round's sharers; keeps its action when indifferent."""

    name = "best-response"

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        if not ctx.actions:
            return self._start(rng)
        last = ctx.actions[-1]
        g = ctx.gain(i, last.astype(np.float64))
        return bool(last[i]) if abs(g) < 1e-12 else g > 0


class FictitiousPlay(Strategy):
    """Best response to each other firm's empirical sharing frequency (Laplace prior)."""

    name = "fictitious-play"

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        if not ctx.actions:
            return self._start(rng)
        history = np.array(ctx.actions, dtype=np.float64)
        beliefs = (1.0 + history.sum(axis=0)) / (2.0 + len(history))
        g = ctx.gain(i, beliefs)
        return bool(ctx.actions[-1][i]) if abs(g) < 1e-12 else g > 0


class Imitation(Strategy):
    """Pairwise imitation (the replicator dynamic's finite-population form).

    Firm ``i`` samples another firm ``j``; if ``j`` earned more last round,
    ``i`` copies ``j``'s action with probability proportional to the payoff
    difference (normalised by the largest difference seen that round).
    """

    name = "imitation"

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        if not ctx.actions:
            return self._start(rng)
        last_a, last_u = ctx.actions[-1], ctx.payoffs[-1]
        n = len(last_a)
        j = int(rng.integers(n - 1))
        j = j + 1 if j >= i else j
        spread = float(last_u.max() - last_u.min())
        diff = float(last_u[j] - last_u[i])
        if diff > 0 and spread > 0 and rng.random() < diff / spread:
            return bool(last_a[j])
        return bool(last_a[i])


STRATEGIES: dict[str, type[Strategy]] = {
    s.name: s for s in (AlwaysShare, NeverShare, BestResponse, FictitiousPlay, Imitation)
}
#: The adaptive rules, whose outcome is not known in advance.
ADAPTIVE = ("best-response", "fictitious-play", "imitation")


def strategy(name: str) -> Strategy:
    """A strategy by name; a clear error for an unknown one."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        raise InputError(
            f"unknown strategy {name!r}: choose from {', '.join(STRATEGIES)}"
        ) from None


def cooperation_rate(actions: Sequence[BoolArray]) -> list[float]:
    """Share of firms sharing, per round."""
    return [float(np.mean(a)) for a in actions]
