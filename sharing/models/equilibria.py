"""Two-player bimatrix games: every Nash equilibrium, cross-checked, degeneracy reported.

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

The 2x2 helpers classify a game by the payoff orderings of each player (the
taxonomy used by Simmons, section B.4, to call the sharing game a "stag hunt")
and select among pure equilibria by Harsanyi-Selten risk dominance (product of
deviation losses) and payoff dominance.

Conventions: ``A`` holds the row player's payoffs, ``B`` the column player's;
in a 2x2 sharing game strategy 0 is C (share, cooperate) and 1 is D (withhold).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import nashpy as nash
import numpy as np
import numpy.typing as npt
from nashpy.linalg import create_col_tableau, create_row_tableau
from scipy.optimize import linprog

from sharing.errors import InputError, SolverError

FloatArray = npt.NDArray[np.float64]

#: Names of the three algorithms, as they appear in ``Equilibrium.methods``.
SUPPORT_ENUMERATION = "support_enumeration"
NASHPY_SUPPORT_ENUMERATION = "nashpy_support_enumeration"
VERTEX_ENUMERATION = "vertex_enumeration"
LEMKE_HOWSON = "lemke_howson"
METHODS = (SUPPORT_ENUMERATION, VERTEX_ENUMERATION, LEMKE_HOWSON)
#: Every tag that can appear in ``Equilibrium.methods``: the three cross-checked
#: methods, the cell-by-cell pure check, and nashpy's raw support enumeration.
_ALL_METHODS = (*METHODS, "pure", NASHPY_SUPPORT_ENUMERATION)

#: Game classes returned by :func:`classify_2x2`.
PRISONERS_DILEMMA = "prisoners-dilemma"
STAG_HUNT = "stag-hunt"
HARMONY = "harmony"
CHICKEN = "chicken"
OTHER = "other"
GAME_CLASSES = (PRISONERS_DILEMMA, STAG_HUNT, HARMONY, CHICKEN, OTHER)

#: Default absolute tolerance, applied to payoffs rescaled to the range [0, 1].
DEFAULT_TOL = 1e-9
#: Largest strategy count per player for which the exhaustive solvers are run.
MAX_STRATEGIES = 10
#: Above this many linear programs the structural degeneracy test is skipped.
_MAX_DEGENERACY_LPS = 4000


# --------------------------------------------------------------------------- input


def as_payoff_matrix(values: Any, name: str = "matrix") -> FloatArray:
    """Return ``values`` as a finite, non-empty 2-D float array.

    Parameters
    ----------
    values : array_like
        Nested sequences of numbers.
    name : str
        Used in the error message.

    Returns
    -------
    numpy.ndarray
        A float64 copy.

    Raises
    ------
    InputError
        If the rows are ragged, an entry is not a number, or a value is not finite.
    """
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not a rectangular matrix of numbers ({exc})") from None
    if arr.ndim != 2 or arr.size == 0:
        raise InputError(f"{name}: expected a non-empty 2-D matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: every payoff must be a finite number")
    return arr


def check_game(row: Any, col: Any) -> tuple[FloatArray, FloatArray]:
    """Validate a bimatrix game and return its two payoff matrices.

    Raises
    ------
    InputError
        If a matrix is malformed or the two shapes differ.
    """
    a = as_payoff_matrix(row, "row payoffs")
    b = as_payoff_matrix(col, "column payoffs")
    if a.shape != b.shape:
        raise InputError(f"row payoffs have shape {a.shape} but column payoffs {b.shape}")
    return a, b


def _scale(a: FloatArray, b: FloatArray) -> float:
    """Payoff range used to make tolerances relative (1 for constant games)."""
    spread = float(max(np.ptp(a), np.ptp(b)))
    return spread if spread > 0 else 1.0


def _positive(m: FloatArray) -> FloatArray:
    """Shift a payoff matrix to have minimum 1 (equilibria are invariant under it).

    nashpy's vertex enumeration needs bounded best-response polytopes, which a
    matrix with a zero row does not give.
    """
    return m - float(m.min()) + 1.0


# --------------------------------------------------------------------------- checks


def best_responses(
    payoff: FloatArray, opponent: FloatArray, tol: float = DEFAULT_TOL
) -> npt.NDArray[np.intp]:
    """Return the indices of the pure best responses to ``opponent`` (within ``tol``).

    ``payoff`` has the responding player's strategies as rows.
    """
    values = payoff @ opponent
    return np.flatnonzero(values >= values.max() - tol)


def is_nash(
    a: FloatArray, b: FloatArray, x: FloatArray, y: FloatArray, tol: float = DEFAULT_TOL
) -> bool:
    """Whether ``(x, y)`` is a Nash equilibrium of ``(A, B)`` within ``tol``.

    Every action played with probability above ``1e-9`` must be a best response
    within ``tol`` times the payoff range (so a game and its rescaling give the
    same answer).  Testing the support, not only the expected regret, rejects
    near-misses such as a dominated action played with probability 1e-6.
    """
    eps = tol * _scale(a, b)
    if x.shape != (a.shape[0],) or y.shape != (a.shape[1],):
        return False
    if np.any(x < -1e-9) or np.any(y < -1e-9):
        return False
    if abs(x.sum() - 1) > 1e-6 or abs(y.sum() - 1) > 1e-6:
        return False
    row_values = a @ y
    col_values = x @ b
    return bool(
        np.all(row_values[x > 1e-9] >= row_values.max() - eps)
        and np.all(col_values[y > 1e-9] >= col_values.max() - eps)
    )


def pure_nash_equilibria(
    a: FloatArray, b: FloatArray, tol: float = DEFAULT_TOL
) -> list[tuple[int, int]]:
    """All pure-strategy equilibria ``(i, j)``, found by checking every cell.

    Exact up to ``tol`` (relative to the payoff range) and independent of nashpy:
    used as a fourth, elementary cross-check.
    """
    eps = tol * _scale(a, b)
    col_best = a >= a.max(axis=0, keepdims=True) - eps
    row_best = b >= b.max(axis=1, keepdims=True) - eps
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(col_best & row_best), strict=True)]


# --------------------------------------------------------------------------- solvers

Pair = tuple[FloatArray, FloatArray]


def _one_line(message: str, limit: int = 160) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _collect(run: Callable[[], Iterable[Pair]]) -> tuple[list[Pair], list[str]]:
    """Run a nashpy generator, recording its warnings and any exception as messages."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pairs = [(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for x, y in run()]
        except Exception as exc:  # a degenerate game must be reported, never crash
            pairs = []
            messages.append(f"failed: {type(exc).__name__}: {_one_line(str(exc))}")
    # RuntimeWarnings are nashpy's (and numpy's) way of signalling degeneracy.
    messages.extend(
        f"warning: {_one_line(str(w.message))}"
        for w in caught
        if issubclass(w.category, RuntimeWarning)
    )
    return pairs, messages


def nashpy_support_enumeration(a: FloatArray, b: FloatArray) -> tuple[list[Pair], list[str]]:
    """Equilibria by nashpy's own ``support_enumeration``, verbatim, plus its warnings.

    Kept as a diagnostic only: nashpy 0.0.43 tests signs and best responses with
    exact float comparisons, so it drops genuine mixed equilibria whose
    off-support probabilities round to -1e-17 (seen on about one random 3x3
    game in seven).  That is also what the Simmons paper ran.
    """
    game = nash.Game(_positive(a), _positive(b))
    return _collect(lambda: game.support_enumeration(non_degenerate=False, tol=1e-12))


def _indifference(m: FloatArray) -> FloatArray | None:
    """Mix over the columns of square ``m`` making every row equally good (None: singular)."""
    k = m.shape[0]
    system = np.zeros((k + 1, k + 1))
    system[:k, :k] = m
    system[:k, k] = -1.0
    system[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    try:
        sol = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(sol)) or np.linalg.cond(system) > 1e12:
        return None
    return sol[:k]


def support_enumeration(
    a: FloatArray, b: FloatArray, tol: float = DEFAULT_TOL
) -> tuple[list[Pair], list[str]]:
    """Equilibria by support enumeration over equal-size supports, with tolerant sign tests.

    The algorithm of nashpy's ``support_enumeration`` (Nisan et al. 2007,
    Algorithm 3.4: for each pair of supports of size k solve the indifference
    conditions, keep non-negative solutions that are best responses), with one
    difference: probabilities down to ``-tol`` count as zero, so round-off
    does not drop equilibria (see :func:`nashpy_support_enumeration`).  Exact
    for nondegenerate games; a singular system (no mix on those supports
    makes the opponent indifferent, or a continuum does) is skipped, and
    degeneracy is tested separately by :func:`degeneracy_witness`.
    """
    m, n = a.shape
    pairs: list[Pair] = []
    for k in range(1, min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.combinations(range(n), k):
                y_part = _indifference(a[np.ix_(rows, cols)])
                x_part = _indifference(b[np.ix_(rows, cols)].T)
                if y_part is None or x_part is None:
                    continue
                if np.any(y_part < -tol) or np.any(x_part < -tol):
                    continue
                x, y = np.zeros(m), np.zeros(n)
                x[list(rows)] = np.clip(x_part, 0.0, None)
                y[list(cols)] = np.clip(y_part, 0.0, None)
                x, y = x / x.sum(), y / y.sum()
                if is_nash(a, b, x, y, tol):
                    pairs.append((x, y))
    return pairs, []


def vertex_enumeration(a: FloatArray, b: FloatArray) -> tuple[list[Pair], list[str]]:
    """Equilibria by nashpy's vertex enumeration of the best-response polytopes."""
    game = nash.Game(_positive(a), _positive(b))
    return _collect(game.vertex_enumeration)


def lemke_howson(a: FloatArray, b: FloatArray, label: int, max_pivots: int | None = None) -> Pair:
    """Lemke-Howson from one initial dropped label, with nashpy's tableaux and a pivot cap.

    The pivoting loop of ``nashpy.lemke_howson`` (lexicographic integer
    pivoting), rewritten only to stop after ``max_pivots`` pivots: nashpy's
    own loop never ends on a game where a player has a single strategy.

    Raises
    ------
    SolverError
        If the path does not reach a fully labelled pair within the cap.
    """
    cap = max_pivots if max_pivots is not None else 50 * (sum(a.shape) + 1) ** 2
    col_tableau = create_col_tableau(_positive(a), True)
    row_tableau = create_row_tableau(_positive(b), True)
    if label in row_tableau.non_basic_variables:
        tableaux = itertools.cycle((row_tableau, col_tableau))
    else:
        tableaux = itertools.cycle((col_tableau, row_tableau))
    full_labels = col_tableau.labels
    entering = label
    for _ in range(cap):
        entering = next(tableaux).pivot_and_drop_label(entering)
        labelled = col_tableau.non_basic_variables | row_tableau.non_basic_variables
        if labelled == full_labels:
            x = row_tableau.to_strategy(col_tableau.non_basic_variables)
            y = col_tableau.to_strategy(row_tableau.non_basic_variables)
            return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    raise SolverError(f"Lemke-Howson from label {label} did not finish in {cap} pivots")


def lemke_howson_all_labels(
    a: FloatArray, b: FloatArray
) -> tuple[list[tuple[int, FloatArray, FloatArray]], list[str]]:
    """Run Lemke-Howson from every initial dropped label ``0 .. m+n-1``.

    Returns
    -------
    list of (label, x, y)
        The raw output of each run (possibly invalid on a degenerate game).
    list of str
        Warnings and failures, each prefixed by its label.
    """
    runs: list[tuple[int, FloatArray, FloatArray]] = []
    messages: list[str] = []
    for label in range(sum(a.shape)):

        def run(label: int = label) -> list[Pair]:
            return [lemke_howson(a, b, label)]

        pairs, notes = _collect(run)
        messages.extend(f"label {label}: {note}" for note in notes)
        runs.extend((label, x, y) for x, y in pairs)
    return runs, messages


# --------------------------------------------------------------------------- degeneracy


def _mixed_degeneracy_witness(
    m: FloatArray, tol: float
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Find a mixed strategy with support in I having |I|+1 pure best responses J.

    ``m`` is the *responder's* payoff with the mixing player's strategies as rows
    (``B`` for a row strategy, ``A.T`` for a column strategy), rescaled to [0, 1].
    Support size 1 is handled exactly; larger supports by an LP feasibility test.
    """
    n_mix, n_resp = m.shape
    for i in range(n_mix):
        if int(np.count_nonzero(m[i] >= m[i].max() - tol)) > 1:
            return (i,), tuple(int(j) for j in np.flatnonzero(m[i] >= m[i].max() - tol))
    for k in range(2, min(n_mix, n_resp - 1) + 1):
        for support in itertools.combinations(range(n_mix), k):
            for answers in itertools.combinations(range(n_resp), k + 1):
                if _lp_feasible(m, support, answers, tol):
                    return support, answers
    return None


def _lp_feasible(m: FloatArray, support: Sequence[int], answers: Sequence[int], tol: float) -> bool:
    """Test for an x on ``support`` that makes every column in ``answers`` a best response."""
    n_mix, n_resp = m.shape
    # variables: x (n_mix) then the value v
    a_eq = [np.append(m[:, j], -1.0) for j in answers]
    a_eq.append(np.append(np.ones(n_mix), 0.0))
    b_eq = np.append(np.zeros(len(answers)), 1.0)
    others = [j for j in range(n_resp) if j not in answers]
    a_ub = np.array([np.append(m[:, j], -1.0) for j in others]) if others else None
    b_ub = np.full(len(others), tol) if others else None
    bounds: list[tuple[float | None, float | None]] = [
        (0.0, 1.0) if i in support else (0.0, 0.0) for i in range(n_mix)
    ]
    bounds.append((None, None))
    res = linprog(
        np.zeros(n_mix + 1),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=np.array(a_eq),
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
    )
    return bool(res.status == 0)


def degeneracy_witness(a: FloatArray, b: FloatArray, tol: float = DEFAULT_TOL) -> str | None:
    """Say why ``(A, B)`` is degenerate, or return None if it is nondegenerate.

    A bimatrix game is nondegenerate when no mixed strategy with support of
    size k has more than k pure best responses (von Stengel, Handbook of Game
    Theory vol. 3, ch. 45, def. 3.2).  Support size 1 is checked exactly; larger
    supports with one LP per (support, k+1 answers) pair, skipped (and said so)
    when there would be more than a few thousand LPs.
    """
    lo_a, lo_b = float(a.min()), float(b.min())
    ra, rb = float(np.ptp(a)) or 1.0, float(np.ptp(b)) or 1.0
    na, nb = (a - lo_a) / ra, (b - lo_b) / rb
    m, n = a.shape
    count = sum(
        math.comb(p, k) * math.comb(q, k + 1)
        for p, q in ((m, n), (n, m))
        for k in range(2, min(p, q - 1) + 1)
    )
    if count > _MAX_DEGENERACY_LPS:
        for player, resp in (("row", nb), ("column", na.T)):
            for i in range(resp.shape[0]):
                if int(np.count_nonzero(resp[i] >= resp[i].max() - tol)) > 1:
                    return f"pure {player} strategy {i} has several pure best responses"
        return None
    witness = _mixed_degeneracy_witness(nb, tol)
    if witness is not None:
        support, answers = witness
        return (
            f"a row strategy on support {list(support)} has {len(answers)} pure best "
            f"responses {list(answers)}"
        )
    witness = _mixed_degeneracy_witness(na.T, tol)
    if witness is not None:
        support, answers = witness
        return (
            f"a column strategy on support {list(support)} has {len(answers)} pure best "
            f"responses {list(answers)}"
        )
    return None


# --------------------------------------------------------------------------- results


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
    dedup = max(1e-7, 100 * tol)
    messages: list[str] = []
    found: list[tuple[FloatArray, FloatArray, set[str]]] = []
    per_method: dict[str, list[int]] = {name: [] for name in _ALL_METHODS}

    def add(x: FloatArray, y: FloatArray, method: str) -> None:
        x, y = _snap(x, 1e-9), _snap(y, 1e-9)
        if not is_nash(a, b, x, y, tol):
            messages.append(
                f"{method} returned a pair that is not an equilibrium (numerical tolerance "
                "or degeneracy); discarded"
            )
            return
        for idx, (fx, fy, methods) in enumerate(found):
            if np.max(np.abs(fx - x)) <= dedup and np.max(np.abs(fy - y)) <= dedup:
                methods.add(method)
                if idx not in per_method[method]:
                    per_method[method].append(idx)
                return
        found.append((x, y, {method}))
        per_method[method].append(len(found) - 1)

    se_pairs, se_notes = support_enumeration(a, b, tol)
    messages.extend(f"{SUPPORT_ENUMERATION}: {n}" for n in se_notes)
    for x, y in se_pairs:
        add(x, y, SUPPORT_ENUMERATION)
    raw_pairs, raw_notes = nashpy_support_enumeration(a, b)
    diagnostics = [f"{NASHPY_SUPPORT_ENUMERATION}: {n}" for n in raw_notes]
    for x, y in raw_pairs:
        add(x, y, NASHPY_SUPPORT_ENUMERATION)
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
            add(x, y, VERTEX_ENUMERATION)
        lh_runs, lh_notes = lemke_howson_all_labels(a, b)
        messages.extend(f"{LEMKE_HOWSON}: {n}" for n in lh_notes)
        for _label, x, y in lh_runs:
            add(x, y, LEMKE_HOWSON)
    for i, j in pure_nash_equilibria(a, b, tol):
        x, y = np.zeros(a.shape[0]), np.zeros(a.shape[1])
        x[i], y[j] = 1.0, 1.0
        add(x, y, "pure")

    se = set(per_method[SUPPORT_ENUMERATION])
    ve = set(per_method[VERTEX_ENUMERATION])
    lh = set(per_method[LEMKE_HOWSON])
    pure_cells = set(per_method["pure"])
    pure_found = {k for k, (x, y, _) in enumerate(found) if x.max() == 1.0 and y.max() == 1.0}
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

    continuum = False
    for (x1, y1, _), (x2, y2, _) in itertools.combinations(found, 2):
        if is_nash(a, b, x1, y2, tol) and is_nash(a, b, x2, y1, tol):
            continuum = True
            messages.append(
                "two equilibria are exchangeable: there is a continuum of equilibria "
                "(listed ones are extreme points)"
            )
            break
    witness = degeneracy_witness(a, b, tol)
    if witness is not None:
        messages.append(f"degenerate game: {witness}")
    if len(found) % 2 == 0:
        messages.append(f"even number ({len(found)}) of equilibria found")
    # An output that fails verification is discarded but does not by itself make
    # the game degenerate: nashpy's vertex labels use np.isclose (rtol 1e-5), so a
    # nearly tied but nondegenerate game can yield a spurious pair.
    solver_trouble = any("failed:" in m or "warning:" in m for m in messages)
    messages.extend(diagnostics)  # nashpy's raw support enumeration: informative only
    degenerate = bool(
        witness is not None or continuum or not agree or solver_trouble or len(found) % 2 == 0
    )

    equilibria = []
    for x, y, methods in found:
        equilibria.append(
            Equilibrium(
                row=x,
                col=y,
                payoffs=(float(x @ a @ y), float(x @ b @ y)),
                methods=tuple(m for m in _ALL_METHODS if m in methods),
            )
        )
    equilibria.sort(key=lambda e: (not e.is_pure, e.profile or (0, 0), tuple(-e.row)))
    counts = {name: len(set(idx)) for name, idx in per_method.items()}
    return EquilibriumSet(
        equilibria=tuple(equilibria),
        degenerate=degenerate,
        continuum=continuum,
        methods_agree=agree,
        messages=tuple(dict.fromkeys(messages)),
        counts=counts,
    )


# --------------------------------------------------------------------------- 2x2 classes


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
    eps = tol * _scale(a, b)
    o_row, o_col = orderings_2x2(a, b)
    classes = (classify_player(o_row, eps), classify_player(o_col, eps))
    if classes[0] == classes[1]:
        label = classes[0]
        reason = f"both players' payoff orderings are {label}"
    else:
        label = OTHER
        reason = f"row player is {classes[0]}, column player is {classes[1]}"
    return Classification(label, classes, (o_row, o_col), reason)


# --------------------------------------------------------------------------- selection


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
    eps = tol * _scale(a, b)
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
