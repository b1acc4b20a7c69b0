"""Linear complementarity for the weighted-effort Nash equilibrium: Lemke's algorithm.

The weighted-effort equilibrium solves ``w = M z + q >= 0, z >= 0, w.z = 0``;
:func:`lemke` is the fall-back when best-response iteration does not
converge, :func:`polish_lcp` restores full precision on the support, and
:func:`is_p_matrix_sufficient` tests a sufficient condition for uniqueness.
"""

from __future__ import annotations

import numpy as np

from sharing.errors import SolverError
from sharing.models.numerics import FloatArray


def is_p_matrix_sufficient(w: FloatArray) -> bool:
    """Sufficient test that ``W`` is a P-matrix, so the weighted-effort equilibrium is unique.

    Strict diagonal dominance with a positive diagonal, or a positive definite
    symmetric part.
    """
    d = np.diag(w)
    if np.all(d > 0) and np.all(d > np.sum(np.abs(w), axis=1) - d):
        return True
    sym = 0.5 * (w + w.T)
    try:
        np.linalg.cholesky(sym)
    except np.linalg.LinAlgError:
        return False
    return True


def _pivot(tab: FloatArray, r: int, c: int) -> None:
    tab[r] /= tab[r, c]
    col = tab[:, c].copy()
    col[r] = 0.0
    tab -= np.outer(col, tab[r])


def lemke(m: FloatArray, q: FloatArray, max_pivots: int) -> tuple[FloatArray, int]:
    """Lemke's complementary pivoting for ``w = M z + q >= 0, z >= 0, w.z = 0``.

    For the weighted-effort game ``M = W`` is non-negative with a positive
    diagonal, hence strictly copositive, and Lemke's algorithm cannot end on
    a secondary ray (Cottle, Pang & Stone, Thm. 4.4.13), so it finds an
    equilibrium whenever it terminates.
    """
    n = q.size
    if np.all(q >= 0):
        return np.zeros(n), 0
    tab = np.zeros((n, 2 * n + 2))
    tab[:, :n] = np.eye(n)
    tab[:, n : 2 * n] = -m
    tab[:, 2 * n] = -1.0
    tab[:, -1] = q
    basis = list(range(n))
    z0 = 2 * n
    r = int(np.argmin(q))
    _pivot(tab, r, z0)
    leaving = basis[r]
    basis[r] = z0
    for pivots in range(1, max_pivots + 1):
        entering = leaving + n if leaving < n else leaving - n
        col = tab[:, entering]
        pos = col > 1e-12
        if not np.any(pos):
            raise SolverError("Lemke's algorithm ended on a ray: no equilibrium found")
        ratios = np.full(n, np.inf)
        ratios[pos] = tab[pos, -1] / col[pos]
        rmin = float(ratios.min())
        cands = np.flatnonzero(ratios <= rmin + 1e-12 * (1.0 + abs(rmin)))
        r = next((int(k) for k in cands if basis[k] == z0), int(cands[0]))
        _pivot(tab, r, entering)
        leaving = basis[r]
        basis[r] = entering
        if leaving == z0:
            z = np.zeros(n)
            for row, var in enumerate(basis):
                if n <= var < 2 * n:
                    z[var - n] = max(0.0, tab[row, -1])
            return z, pivots
    raise SolverError(f"Lemke's algorithm did not terminate in {max_pivots} pivots")


def polish_lcp(w: FloatArray, b: FloatArray, x: FloatArray) -> FloatArray:
    """Re-solve ``W_SS x_S = b_S`` on the support ``S`` for full precision."""
    s = x > 1e-12
    if not np.any(s):
        return np.zeros_like(x)
    try:
        xs = np.linalg.solve(w[np.ix_(s, s)], b[s])
    except np.linalg.LinAlgError:
        return x
    if np.any(xs < 0):
        return x
    out = np.zeros_like(x)
    out[s] = xs
    return out
