"""Panel bots: how appointed panellists vote (SPEC 2.4, SPEC 6).

Four behaviours: honest (the true CVSS score and scope), noisy (the score
with a Gaussian error), lazy (sometimes absent), and colluding (approves its
allies' junk with a top score, honest otherwise). Every panellist present
votes: the contract decides before the window closes only when a side has
the quorum and every seat that may vote has voted (so the first voters
cannot fix the medians), and a colluding minority can never reach the
quorum alone because the contract keeps the quorum a strict majority.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sharing.errors import InputError

KINDS = ("honest", "noisy", "lazy", "colluding")


@dataclass(frozen=True)
class Submission:
    """An indicator as the panel sees it: its truth is what honest voters report."""

    content_hash: bytes
    submitter: str
    genuine: bool
    score_x10: int
    scope: int


@dataclass(frozen=True)
class Vote:
    """One panellist's ballot."""

    valid: bool
    score_x10: int
    scope: int


@dataclass
class PanelBot:
    """A panellist and its behaviour.

    Attributes
    ----------
    address : str
        Its account.
    kind : str
        honest, noisy, lazy or colluding.
    noise_x10 : float
        Standard deviation of a noisy panellist's score error (score x10 units).
    absence : float
        Probability a lazy panellist skips an indicator.
    allies : set of str
        Firms whose junk a colluding panellist approves.
    """

    address: str
    kind: str = "honest"
    noise_x10: float = 8.0
    absence: float = 0.3
    allies: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(
                f"unknown panellist kind {self.kind!r}: choose from {', '.join(KINDS)}"
            )

    def vote(self, sub: Submission, rng: np.random.Generator) -> Vote | None:
        """The ballot for ``sub``, or None if absent."""
        if self.kind == "lazy" and rng.random() < self.absence:
            return None
        if self.kind == "colluding" and sub.submitter in self.allies:
            return Vote(True, 100, 2)
        if not sub.genuine:
            return Vote(False, 0, 0)
        score = sub.score_x10
        if self.kind == "noisy":
            score = int(np.clip(round(score + rng.normal(0.0, self.noise_x10)), 0, 100))
        return Vote(True, score, sub.scope)


def ballots(
    panel: list[PanelBot], sub: Submission, rng: np.random.Generator
) -> list[tuple[PanelBot, Vote]]:
    """Votes cast on ``sub``, in random order: every panellist that may vote and is present."""
    cast: list[tuple[PanelBot, Vote]] = []
    for k in rng.permutation(len(panel)):
        bot = panel[int(k)]
        if bot.address == sub.submitter:
            continue
        v = bot.vote(sub, rng)
        if v is not None:
            cast.append((bot, v))
    return cast


def decided_early(
    panel: list[PanelBot], sub: Submission, cast: list[tuple[PanelBot, Vote]], quorum: int
) -> bool:
    """Whether the contract finalises ``sub`` before its window closes (``can_finalise``).

    A side has ``quorum`` votes and every panellist that may vote (all but
    the submitter) has voted; otherwise the indicator waits for the window.
    """
    valid = sum(v.valid for _, v in cast)
    voters = sum(bot.address != sub.submitter for bot in panel)
    return max(valid, len(cast) - valid) >= quorum and len(cast) == voters
