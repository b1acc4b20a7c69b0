"""How a firm bot decides, each round, whether to share (docs/simulation.md).

Every rule sees only what a real member could see: the mechanism's public
parameters (reward schedule and pool rule, read from the chain), the public
history of who shared, and the payoffs firms realised. The sharing gain a
rule predicts is that of the sharing game (Simmons B.4; docs/models.md, "The sharing game"),
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
    initial_share : float
        Probability that an adaptive firm shares in the first round (the
        population's starting point, which decides a coordination game).
    payoffs : list of numpy.ndarray
        Each firm's realised payoff in each past round (measured on chain).
    """

    knowledge: FloatArray
    risk: FloatArray
    reward: FloatArray
    pool_open: bool
    beta: float = 1.0
    initial_share: float = 0.5
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
    def _start(ctx: Context, rng: np.random.Generator) -> bool:
        """First-round action of the adaptive rules: share with ``ctx.initial_share``."""
        return bool(rng.random() < ctx.initial_share)


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
            return self._start(ctx, rng)
        last = ctx.actions[-1]
        g = ctx.gain(i, last.astype(np.float64))
        return bool(last[i]) if abs(g) < 1e-12 else g > 0


class FictitiousPlay(Strategy):
    """Best response to each other firm's empirical sharing frequency (Laplace prior)."""

    name = "fictitious-play"

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        if not ctx.actions:
            return self._start(ctx, rng)
        history = np.array(ctx.actions, dtype=np.float64)
        beliefs = (1.0 + history.sum(axis=0)) / (2.0 + len(history))
        g = ctx.gain(i, beliefs)
        return bool(ctx.actions[-1][i]) if abs(g) < 1e-12 else g > 0


class Imitation(Strategy):
    """Pairwise imitation with experimentation (the replicator dynamic, finite form).

    Firm ``i`` samples a peer ``j`` of its own type (same knowledge and
    risk: comparing a critical-infrastructure firm's payoff with a small
    business's says nothing about what either did); if ``j`` earned more
    last round, ``i`` copies ``j``'s action with probability proportional to
    the payoff difference, normalised by the largest difference among peers.
    With probability ``mutation`` it instead tries the other action: pure
    imitation can never leave a population where everyone acts alike,
    whatever the incentives, so a little experimentation is what lets the
    dynamic tell a dominant strategy from a coordination trap.
    """

    name = "imitation"

    def __init__(self, mutation: float = 0.05) -> None:
        if not 0.0 <= mutation <= 1.0:
            raise InputError(f"mutation must be in [0, 1], got {mutation}")
        self.mutation = mutation

    @override
    def decide(self, i: int, ctx: Context, rng: np.random.Generator) -> bool:
        if not ctx.actions:
            return self._start(ctx, rng)
        last_a, last_u = ctx.actions[-1], ctx.payoffs[-1]
        if rng.random() < self.mutation:
            return not bool(last_a[i])
        same = (ctx.knowledge == ctx.knowledge[i]) & (ctx.risk == ctx.risk[i])
        peers = np.flatnonzero(same)
        if len(peers) < 2:
            peers = np.arange(len(last_a))
        others = peers[peers != i]
        j = int(others[rng.integers(len(others))])
        spread = float(last_u[peers].max() - last_u[peers].min())
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
