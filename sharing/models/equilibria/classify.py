"""The class of a 2x2 game from each player's payoff ordering (prisoner's dilemma, stag hunt...).

The taxonomy Simmons (section B.4) uses to call the sharing game a "stag
hunt"; strategy 0 is C (share, cooperate), 1 is D (withhold).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sharing.errors import InputError
from sharing.models.equilibria.bimatrix import check_game, payoff_scale

#: Game classes returned by :func:`classify_2x2`.
PRISONERS_DILEMMA = "prisoners-dilemma"
STAG_HUNT = "stag-hunt"
HARMONY = "harmony"
CHICKEN = "chicken"
OTHER = "other"
GAME_CLASSES = (PRISONERS_DILEMMA, STAG_HUNT, HARMONY, CHICKEN, OTHER)


@dataclass(frozen=True)
class Orderings:
    """The four payoffs of one player of a 2x2 game, strategy 0 = C, 1 = D.

    ``reward`` (C against C), ``sucker`` (C against D), ``temptation`` (D against
    C), ``punishment`` (D against D): the R, S, T, P of the prisoner's dilemma
    literature.
    """

    reward: float
    sucker: float
    temptation: float
    punishment: float


def orderings_2x2(row: Any, col: Any) -> tuple[Orderings, Orderings]:
    """R, S, T, P of each player of a 2x2 game (row player first)."""
    a, b = check_game(row, col)
    if a.shape != (2, 2):
        raise InputError(f"orderings need a 2x2 game, got shape {a.shape}")
    return (
        Orderings(float(a[0, 0]), float(a[0, 1]), float(a[1, 0]), float(a[1, 1])),
        Orderings(float(b[0, 0]), float(b[1, 0]), float(b[0, 1]), float(b[1, 1])),
    )


def classify_player(o: Orderings, tol: float = 0.0) -> str:
    """Class of one player's payoff ordering (see :func:`classify_2x2`)."""

    def gt(p: float, q: float) -> bool:
        return p - q > tol

    def ge(p: float, q: float) -> bool:
        return p - q >= -tol

    r, s, t, p = o.reward, o.sucker, o.temptation, o.punishment
    if gt(t, r) and gt(r, p) and gt(p, s):
        return PRISONERS_DILEMMA
    if gt(r, t) and ge(t, p) and gt(p, s):
        return STAG_HUNT
    if gt(t, r) and gt(r, s) and gt(s, p):
        return CHICKEN
    if gt(r, t) and gt(s, p) and gt(r, s):
        return HARMONY
    return OTHER


@dataclass(frozen=True)
class Classification:
    """Class of a 2x2 game, with the per-player classes it is made of."""

    label: str
    per_player: tuple[str, str]
    orderings: tuple[Orderings, Orderings] | None
    reason: str


def classify_2x2(row: Any, col: Any, tol: float = 1e-12) -> Classification:
    """Classify a 2x2 game by the strict payoff ordering of each player.

    With R (mutual C), S (C against D), T (D against C), P (mutual D) for a
    player, strategy 0 being C:

    - ``prisoners-dilemma``: T > R > P > S  (D strictly dominant, mutual C better
      than mutual D);
    - ``stag-hunt``: R > T >= P > S  (C is the best reply to C, D to D; T = P is
      allowed because the gated pool makes it exact: a withholder reads nothing
      whether or not the other shares; Skyrms 2004, cited by Simmons);
    - ``chicken``: T > R > S > P  (best reply is the opposite action);
    - ``harmony``: R > T, S > P and R > S  (C strictly dominant and mutual C the
      player's best outcome);
    - ``other``: anything else.

    The game gets a class only when *both* players have it (the orderings are
    per player, so asymmetric games qualify); otherwise ``other``, with the
    per-player classes kept in ``per_player``.  Differences within ``tol``
    (relative to the payoff range) count as ties.  Games that are not 2x2 are
    ``other``.
    """
    a, b = check_game(row, col)
    if a.shape != (2, 2):
        return Classification(OTHER, (OTHER, OTHER), None, f"not a 2x2 game (shape {a.shape})")
    eps = tol * payoff_scale(a, b)
    o_row, o_col = orderings_2x2(a, b)
    classes = (classify_player(o_row, eps), classify_player(o_col, eps))
    if classes[0] == classes[1]:
        label = classes[0]
        reason = f"both players' payoff orderings are {label}"
    else:
        label = OTHER
        reason = f"row player is {classes[0]}, column player is {classes[1]}"
    return Classification(label, classes, (o_row, o_col), reason)
