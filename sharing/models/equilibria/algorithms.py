"""The equilibrium-finding algorithms, each run on its own: enumerations and Lemke-Howson.

Support enumeration with tolerant sign tests, nashpy's own support
enumeration (a diagnostic), nashpy's vertex enumeration and Lemke-Howson from
one or every initial dropped label.  Each returns the pairs it found and its
warnings and failures as messages: a degenerate game is reported, never a
crash.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterable

import nashpy as nash
import numpy as np
from nashpy.linalg import create_col_tableau, create_row_tableau

from sharing.errors import SolverError
from sharing.models.equilibria.bimatrix import DEFAULT_TOL, is_nash, positive_payoffs
from sharing.models.numerics import FloatArray

#: Names of the three algorithms, as they appear in ``Equilibrium.methods``.
SUPPORT_ENUMERATION = "support_enumeration"
NASHPY_SUPPORT_ENUMERATION = "nashpy_support_enumeration"
VERTEX_ENUMERATION = "vertex_enumeration"
LEMKE_HOWSON = "lemke_howson"
METHODS = (SUPPORT_ENUMERATION, VERTEX_ENUMERATION, LEMKE_HOWSON)
#: Every tag that can appear in ``Equilibrium.methods``: the three cross-checked
#: methods, the cell-by-cell pure check, and nashpy's raw support enumeration.
ALL_METHODS = (*METHODS, "pure", NASHPY_SUPPORT_ENUMERATION)

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
    game = nash.Game(positive_payoffs(a), positive_payoffs(b))
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
    game = nash.Game(positive_payoffs(a), positive_payoffs(b))
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
    col_tableau = create_col_tableau(positive_payoffs(a), True)
    row_tableau = create_row_tableau(positive_payoffs(b), True)
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
