"""Every Nash equilibrium of a bimatrix game, found three ways, verified and cross-checked.

Three independent algorithms are run on the same game - support enumeration,
nashpy's vertex enumeration and nashpy's Lemke-Howson started from *every*
initial dropped label - and their outputs are verified against the
best-response conditions, deduplicated within a tolerance and compared.  Support
enumeration is nashpy's algorithm with tolerant sign tests: nashpy's own
``support_enumeration`` compares floats exactly and drops mixed equilibria on
round-off, so it is also run, but only as a reported diagnostic.  A degenerate game
(a mixed strategy with more pure best responses than the size of its support,
which includes every game with tied payoffs) is never an error: it is flagged,
with a message saying why, because the algorithms' guarantees (an odd number of
isolated equilibria, agreement of the enumerations) only hold for
nondegenerate games.  Where two found equilibria are exchangeable the game has
a continuum of equilibria and the listed ones are extreme points only.

Conventions: ``A`` holds the row player's payoffs, ``B`` the column player's;
in a 2x2 sharing game strategy 0 is C (share, cooperate) and 1 is D (withhold).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sharing.errors import InputError
from sharing.models.equilibria.algorithms import (
    ALL_METHODS,
    LEMKE_HOWSON,
    NASHPY_SUPPORT_ENUMERATION,
    SUPPORT_ENUMERATION,
    VERTEX_ENUMERATION,
    lemke_howson_all_labels,
    nashpy_support_enumeration,
    support_enumeration,
    vertex_enumeration,
)
from sharing.models.equilibria.bimatrix import (
    DEFAULT_TOL,
    check_game,
    is_nash,
    pure_nash_equilibria,
)
from sharing.models.equilibria.degeneracy import degeneracy_witness
from sharing.models.numerics import FloatArray

#: Largest strategy count per player for which the exhaustive solvers are run.
MAX_STRATEGIES = 10


@dataclass(frozen=True)
class Equilibrium:
    """One Nash equilibrium ``(row, col)`` with its expected payoffs.

    Attributes
    ----------
    row, col : numpy.ndarray
        Mixed strategies (probability vectors).
    payoffs : tuple of float
        ``(x A y, x B y)``.
    methods : tuple of str
        The algorithms that found it (subset of :data:`METHODS`, plus ``"pure"``
        for the elementary cell-by-cell check).
    """

    row: FloatArray
    col: FloatArray
    payoffs: tuple[float, float]
    methods: tuple[str, ...]

    @property
    def is_pure(self) -> bool:
        """Both strategies put probability one on a single action."""
        return bool(np.max(self.row) == 1.0 and np.max(self.col) == 1.0)

    @property
    def profile(self) -> tuple[int, int] | None:
        """The pure profile ``(i, j)``, or None for a mixed equilibrium."""
        if not self.is_pure:
            return None
        return int(np.argmax(self.row)), int(np.argmax(self.col))

    def label(self, names: tuple[Sequence[str], Sequence[str]] | None = None) -> str:
        """``"(C,C)"``-style name for a pure equilibrium, ``"mixed"`` otherwise."""
        return profile_label(self.profile, names) if self.is_pure else "mixed"


def profile_label(
    profile: tuple[int, int] | None, names: tuple[Sequence[str], Sequence[str]] | None = None
) -> str:
    """Name a pure profile: ``(C,D)`` with sharing-game names, else ``(r0,c1)``."""
    if profile is None:
        return "none"
    i, j = profile
    if names is None:
        return f"(r{i},c{j})"
    return f"({names[0][i]},{names[1][j]})"


#: Strategy names of the sharing game: index 0 = C (share), 1 = D (withhold).
SHARING_NAMES: tuple[tuple[str, str], tuple[str, str]] = (("C", "D"), ("C", "D"))


@dataclass(frozen=True)
class EquilibriumSet:
    """All equilibria found, and how far they can be trusted.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        Verified, deduplicated; pure ones first.
    degenerate : bool
        True if the game is degenerate (structural witness), a solver warned or
        failed, the methods disagree, or there is a continuum of equilibria.
    continuum : bool
        Two found equilibria are exchangeable, so infinitely many equilibria
        exist (the listed ones are extreme points of a convex set of them).
    methods_agree : bool
        Support and vertex enumeration found the same set, Lemke-Howson found
        only members of it, and the pure ones match the cell-by-cell check.
    messages : tuple of str
        One line per finding (warnings, failures, disagreements, witnesses).
    counts : dict
        Number of distinct verified equilibria found by each method.
    """

    equilibria: tuple[Equilibrium, ...]
    degenerate: bool
    continuum: bool
    methods_agree: bool
    messages: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pure_profiles(self) -> list[tuple[int, int]]:
        """Pure equilibria as ``(i, j)`` profiles."""
        return [e.profile for e in self.equilibria if e.profile is not None]

    @property
    def n_mixed(self) -> int:
        """Number of (properly) mixed equilibria listed."""
        return sum(1 for e in self.equilibria if not e.is_pure)


def _snap(v: FloatArray, eps: float) -> FloatArray:
    """Clip round-off, renormalise, and make near-pure strategies exactly pure."""
    v = np.where(np.abs(v) <= eps, 0.0, v)
    v = np.clip(v, 0.0, None)
    total = v.sum()
    if total > 0:
        v = v / total
    if v.max() >= 1 - eps:
        pure = np.zeros_like(v)
        pure[int(np.argmax(v))] = 1.0
        return pure
    return v


def solve_bimatrix(row: Any, col: Any, tol: float = DEFAULT_TOL) -> EquilibriumSet:
    """Find, verify and cross-check every Nash equilibrium of a bimatrix game.

    Parameters
    ----------
    row, col : array_like
        Payoff matrices of the row and column players (same shape m x n).
    tol : float
        Tolerance relative to the payoff range, for verification and deduplication.

    Returns
    -------
    EquilibriumSet

    Raises
    ------
    InputError
        If the matrices are malformed or larger than :data:`MAX_STRATEGIES`.

    Examples
    --------
    >>> result = solve_bimatrix([[3, 0], [2, 2]], [[3, 2], [0, 2]])  # a stag hunt
    >>> [e.label(SHARING_NAMES) for e in result.equilibria]
    ['(C,C)', '(D,D)', 'mixed']
    """
    a, b = check_game(row, col)
    if max(a.shape) > MAX_STRATEGIES:
        raise InputError(
            f"game of shape {a.shape} is too large for exhaustive enumeration "
            f"(at most {MAX_STRATEGIES} strategies per player)"
        )
    messages: list[str] = []
    found = _Found(a, b, tol, messages)
    diagnostics, single = _run_methods(found, messages)
    agree = _cross_check(found, single, messages, diagnostics)
    continuum = _exchangeable(found, messages)
    witness = degeneracy_witness(a, b, tol)
    if witness is not None:
        messages.append(f"degenerate game: {witness}")
    n_found = len(found.pairs)
    if n_found % 2 == 0:
        messages.append(f"even number ({n_found}) of equilibria found")
    # An output that fails verification is discarded but does not by itself make
    # the game degenerate: nashpy's vertex labels use np.isclose (rtol 1e-5), so a
    # nearly tied but nondegenerate game can yield a spurious pair.
    solver_trouble = any("failed:" in m or "warning:" in m for m in messages)
    messages.extend(diagnostics)  # nashpy's raw support enumeration: informative only
    degenerate = bool(
        witness is not None or continuum or not agree or solver_trouble or n_found % 2 == 0
    )
    equilibria = [
        Equilibrium(
            row=x,
            col=y,
            payoffs=(float(x @ a @ y), float(x @ b @ y)),
            methods=tuple(m for m in ALL_METHODS if m in methods),
        )
        for x, y, methods in found.pairs
    ]
    equilibria.sort(key=lambda e: (not e.is_pure, e.profile or (0, 0), tuple(-e.row)))
    counts = {name: len(set(idx)) for name, idx in found.per_method.items()}
    return EquilibriumSet(
        equilibria=tuple(equilibria),
        degenerate=degenerate,
        continuum=continuum,
        methods_agree=agree,
        messages=tuple(dict.fromkeys(messages)),
        counts=counts,
    )


class _Found:
    """Verified, deduplicated equilibria, and which methods found each.

    A candidate pair is snapped (round-off clipped, near-pure made pure),
    verified against the best-response conditions and merged with a pair
    already found within ``max(1e-7, 100 tol)``; a pair that fails
    verification is discarded with a message.
    """

    def __init__(self, a: FloatArray, b: FloatArray, tol: float, messages: list[str]) -> None:
        self.a, self.b, self.tol = a, b, tol
        self.dedup = max(1e-7, 100 * tol)
        self.messages = messages
        self.pairs: list[tuple[FloatArray, FloatArray, set[str]]] = []
        self.per_method: dict[str, list[int]] = {name: [] for name in ALL_METHODS}

    def add(self, x: FloatArray, y: FloatArray, method: str) -> None:
        """Record that ``method`` returned ``(x, y)``."""
        x, y = _snap(x, 1e-9), _snap(y, 1e-9)
        if not is_nash(self.a, self.b, x, y, self.tol):
            self.messages.append(
                f"{method} returned a pair that is not an equilibrium (numerical tolerance "
                "or degeneracy); discarded"
            )
            return
        for idx, (fx, fy, methods) in enumerate(self.pairs):
            if np.max(np.abs(fx - x)) <= self.dedup and np.max(np.abs(fy - y)) <= self.dedup:
                methods.add(method)
                if idx not in self.per_method[method]:
                    self.per_method[method].append(idx)
                return
        self.pairs.append((x, y, {method}))
        self.per_method[method].append(len(self.pairs) - 1)


def _run_methods(found: _Found, messages: list[str]) -> tuple[list[str], bool]:
    """Run every algorithm and the cell-by-cell pure check into ``found``.

    Returns nashpy's raw support enumeration's notes (diagnostics, reported
    last) and whether a player has a single strategy.
    """
    a, b, tol = found.a, found.b, found.tol
    se_pairs, se_notes = support_enumeration(a, b, tol)
    messages.extend(f"{SUPPORT_ENUMERATION}: {n}" for n in se_notes)
    for x, y in se_pairs:
        found.add(x, y, SUPPORT_ENUMERATION)
    raw_pairs, raw_notes = nashpy_support_enumeration(a, b)
    diagnostics = [f"{NASHPY_SUPPORT_ENUMERATION}: {n}" for n in raw_notes]
    for x, y in raw_pairs:
        found.add(x, y, NASHPY_SUPPORT_ENUMERATION)
    # With a single strategy for a player the polytope methods do not apply
    # (qhull needs dimension 2; nashpy's Lemke-Howson never ends) and the game is
    # solved by the other player's best responses alone.
    single = min(a.shape) == 1
    if single:
        messages.append(
            "a player has a single strategy: vertex enumeration and Lemke-Howson not run"
        )
    else:
        ve_pairs, ve_notes = vertex_enumeration(a, b)
        messages.extend(f"{VERTEX_ENUMERATION}: {n}" for n in ve_notes)
        for x, y in ve_pairs:
            found.add(x, y, VERTEX_ENUMERATION)
        lh_runs, lh_notes = lemke_howson_all_labels(a, b)
        messages.extend(f"{LEMKE_HOWSON}: {n}" for n in lh_notes)
        for _label, x, y in lh_runs:
            found.add(x, y, LEMKE_HOWSON)
    for i, j in pure_nash_equilibria(a, b, tol):
        x, y = np.zeros(a.shape[0]), np.zeros(a.shape[1])
        x[i], y[j] = 1.0, 1.0
        found.add(x, y, "pure")
    return diagnostics, single


def _cross_check(found: _Found, single: bool, messages: list[str], diagnostics: list[str]) -> bool:
    """Whether the methods agree; every disagreement is said in ``messages``.

    Support and vertex enumeration must find the same set, Lemke-Howson only
    members of it, and the pure ones must match the cell-by-cell check.
    """
    per_method = found.per_method
    se = set(per_method[SUPPORT_ENUMERATION])
    ve = set(per_method[VERTEX_ENUMERATION])
    lh = set(per_method[LEMKE_HOWSON])
    pure_cells = set(per_method["pure"])
    pure_found = {k for k, (x, y, _) in enumerate(found.pairs) if x.max() == 1.0 and y.max() == 1.0}
    if single:
        ve = se
    agree = se == ve and lh <= se and pure_cells == pure_found & se
    if se != ve:
        messages.append(
            f"support enumeration found {len(se)} equilibria, vertex enumeration {len(ve)}, "
            f"{len(se & ve)} in common"
        )
    if not lh <= se | ve:
        messages.append("Lemke-Howson found an equilibrium that neither enumeration found")
    if pure_cells != pure_found & se:
        messages.append("the cell-by-cell pure equilibria differ from the enumerated ones")
    raw = set(per_method[NASHPY_SUPPORT_ENUMERATION])
    if raw != se:
        diagnostics.append(
            f"nashpy's own support_enumeration (exact float tests) found {len(raw)} "
            f"equilibria, the tolerant one {len(se)}"
        )
    return agree


def _exchangeable(found: _Found, messages: list[str]) -> bool:
    """Whether two found equilibria are exchangeable (then there is a continuum of them)."""
    a, b, tol = found.a, found.b, found.tol
    for (x1, y1, _), (x2, y2, _) in itertools.combinations(found.pairs, 2):
        if is_nash(a, b, x1, y2, tol) and is_nash(a, b, x2, y1, tol):
            messages.append(
                "two equilibria are exchangeable: there is a continuum of equilibria "
                "(listed ones are extreme points)"
            )
            return True
    return False
