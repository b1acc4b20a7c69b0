"""Panel bots: how appointed panellists vote (docs/rules.md, docs/simulation.md).

Four behaviours: honest (the true CVSS score and scope), noisy (the score
with a Gaussian error), lazy (sometimes absent), and colluding (approves its
allies' junk with a top score, honest otherwise). A panellist that is not
colluding votes invalid when the declared terms (category, class, semantic
key) do not match the content: the commitment binds them, the panel
confirms them. Every panellist present votes: the contract decides before
the window closes only when a side has the indicator's quorum and every
eligible seat has voted (so the first voters cannot fix the medians), and a
colluding minority never reaches the quorum alone because it is a strict
majority of the seats eligible for that indicator, fixed at its reveal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sharing.chain.ais import Status, ballot_quorum, decided_status
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
    #: Whether the declared category, class and semantic key match the content.
    terms_true: bool = True


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
        if not sub.genuine or not sub.terms_true:
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

    Every eligible panellist (all but the submitter: the bots' panel has no
    affiliations) has voted and a side has decided under the indicator's
    quorum (:func:`sharing.chain.ais.ballot_quorum` of the eligible seats and
    governance's ``quorum``); otherwise the indicator waits for the window.
    """
    voters = sum(bot.address != sub.submitter for bot in panel)
    valid = sum(v.valid for _, v in cast)
    q = ballot_quorum(voters, quorum, len(panel))
    return len(cast) == voters and decided_status(valid, len(cast) - valid, q) != Status.PENDING
