"""A local minimiser of a smooth function on a box, as the PESIM searches need it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize

from sharing.models.numerics import FloatArray


def bounded_minimum(
    fun_grad: Callable[[FloatArray], tuple[float, FloatArray]],
    x0: FloatArray,
    bounds: Sequence[tuple[float | None, float | None]],
    maxfun: int,
) -> FloatArray:
    """Local minimiser of a smooth function on a box.

    scipy's truncated Newton (TNC) up to 40 variables, L-BFGS-B beyond.  On
    small problems L-BFGS-B's per-iteration BLAS calls ran 10-200 times
    slower on a loaded machine with threaded OpenBLAS; on large ones TNC can
    stall until ``maxfun`` on the bilinear price terms of a deviation, while
    L-BFGS-B stops in a few dozen iterations.
    """
    if x0.size <= 40:
        res = optimize.minimize(
            fun_grad,
            x0,
            jac=True,
            method="TNC",
            bounds=list(bounds),
            options={"maxfun": maxfun, "gtol": 1e-12},
        )
    else:
        res = optimize.minimize(
            fun_grad,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=list(bounds),
            options={"maxfun": maxfun, "maxiter": maxfun, "ftol": 1e-15, "gtol": 1e-11},
        )
    lo = np.array([-np.inf if b[0] is None else b[0] for b in bounds])
    hi = np.array([np.inf if b[1] is None else b[1] for b in bounds])
    return np.clip(np.asarray(res.x, dtype=np.float64), lo, hi)
