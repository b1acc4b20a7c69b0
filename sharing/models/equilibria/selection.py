"""Selection among pure equilibria: Harsanyi-Selten risk dominance and payoff dominance."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sharing.models.equilibria.bimatrix import check_game, payoff_scale


@dataclass(frozen=True)
class Selection:
    """Equilibrium selection among the pure equilibria of a game.

    Attributes
    ----------
    risk_dominant, payoff_dominant : tuple of int or None
        The selected pure profile, or None when no equilibrium is selected.
    nash_products : dict
        For each compared pair ``"(i,j) vs (k,l)"``: the products of deviation
        losses of the first and the second equilibrium.
    notes : tuple of str
        Why something was or was not selected.
    """

    risk_dominant: tuple[int, int] | None
    payoff_dominant: tuple[int, int] | None
    nash_products: dict[str, tuple[float, float]]
    notes: tuple[str, ...]


def select_equilibrium(
    row: Any, col: Any, profiles: Sequence[tuple[int, int]], tol: float = 1e-12
) -> Selection:
    """Risk dominance and payoff dominance among pure equilibria.

    Risk dominance (Harsanyi and Selten 1988): for pure equilibria e = (i, j) and
    f = (k, l) with i != k and j != l, e risk-dominates f when the product of
    the deviation losses at e, ``(A[i,j]-A[k,j]) * (B[i,j]-B[i,l])``, strictly
    exceeds that at f, ``(A[k,l]-A[i,l]) * (B[k,l]-B[k,j])`` - the Nash products
    of the 2x2 game spanned by the two equilibria.  Pairs sharing a strategy are
    not comparable this way.  The risk-dominant equilibrium risk-dominates every
    other pure equilibrium it is comparable with, and at least one if there are
    several.  Payoff dominance: strictly better for both players than every
    other pure equilibrium.  A unique pure equilibrium is selected by both
    (vacuously).
    """
    a, b = check_game(row, col)
    eps = tol * payoff_scale(a, b)
    profiles = list(dict.fromkeys(profiles))
    notes: list[str] = []
    products: dict[str, tuple[float, float]] = {}
    if not profiles:
        return Selection(None, None, {}, ("no pure equilibrium",))
    if len(profiles) == 1:
        notes.append("only one pure equilibrium: selected by both criteria vacuously")
        return Selection(profiles[0], profiles[0], {}, tuple(notes))

    beats: dict[tuple[int, int], set[tuple[int, int]]] = {p: set() for p in profiles}
    comparable: dict[tuple[int, int], set[tuple[int, int]]] = {p: set() for p in profiles}
    for e, f in itertools.combinations(profiles, 2):
        (i, j), (k, m) = e, f
        if i == k or j == m:
            notes.append(f"{e} and {f} share a strategy: not comparable by risk dominance")
            continue
        pe = float((a[i, j] - a[k, j]) * (b[i, j] - b[i, m]))
        pf = float((a[k, m] - a[i, m]) * (b[k, m] - b[k, j]))
        products[f"{e} vs {f}"] = (pe, pf)
        comparable[e].add(f)
        comparable[f].add(e)
        if pe > pf + eps * eps:
            beats[e].add(f)
        elif pf > pe + eps * eps:
            beats[f].add(e)
        else:
            notes.append(f"{e} and {f} have equal Nash products: neither risk-dominates")
    risk = [p for p in profiles if beats[p] and beats[p] == comparable[p]]
    risk_dominant = risk[0] if len(risk) == 1 else None
    if risk_dominant is None:
        notes.append("no pure equilibrium risk-dominates all the others")

    pay = [
        p
        for p in profiles
        if all(a[p] > a[q] + eps and b[p] > b[q] + eps for q in profiles if q != p)
    ]
    payoff_dominant = pay[0] if pay else None
    if payoff_dominant is None:
        notes.append("no pure equilibrium is strictly better for both players than the others")
    return Selection(risk_dominant, payoff_dominant, products, tuple(notes))
