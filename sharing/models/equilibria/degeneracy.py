"""Whether a bimatrix game is degenerate, and a witness saying why.

A game is nondegenerate when no mixed strategy with support of size k has
more than k pure best responses (von Stengel); the algorithms' guarantees
only hold for such games.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog

from sharing.models.equilibria.bimatrix import DEFAULT_TOL
from sharing.models.numerics import FloatArray

#: Above this many linear programs the structural degeneracy test is skipped.
_MAX_DEGENERACY_LPS = 4000


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
