"""Numerics shared by the models: finite differences, checked vectors, random generators.

Every model differentiates its payoffs numerically somewhere; the formulas
live here once, with their step rules, so that a derivative means the same
thing in every model and its accuracy is tested in one place
(``tests/unit/models/test_numerics.py``).

Steps are *relative*: ``relative_step(x, rel) = rel * (1 + |x|)``, except in
:func:`orthant_gradient`, whose rule ``rel * max(1, |x|)`` is the IDS game's.
The default relative steps balance rounding and truncation error for smooth
functions evaluated to about ``1e-16`` relative accuracy:

* :data:`FIRST_ORDER_STEP` (``1e-5``, about ``eps^(1/3)``): central first differences;
* :data:`SECOND_ORDER_STEP` (``1e-4``, about ``eps^(1/4)``): central second differences;
* :data:`RICHARDSON_STEP` (``1e-3``): second differences with steps ``h`` and
  ``2 h`` combined by Richardson extrapolation, which cancels the ``h^2``
  truncation error and so affords a larger step.

The formulas are kept exactly as the models first wrote them (operation for
operation), so that results stay bit-identical across the models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError

FloatArray = npt.NDArray[np.float64]
#: What seeds a random generator: an int, a Generator, or None (fresh entropy).
RandomState = int | np.random.Generator | None

#: Relative step of first-order central differences (noise and truncation balance).
FIRST_ORDER_STEP = 1e-5
#: Relative step of second-order central differences.
SECOND_ORDER_STEP = 1e-4
#: Relative step of Richardson-extrapolated second differences.
RICHARDSON_STEP = 1e-3


# --------------------------------------------------------------------------- inputs


def as_float_vector(x: npt.ArrayLike, n: int, what: str) -> FloatArray:
    """Return ``x`` as a finite float vector of shape ``(n,)``.

    Raises
    ------
    InputError
        If the shape is not ``(n,)`` or an entry is not finite (``what`` names
        the argument in the message).
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.shape != (n,):
        raise InputError(f"{what} must have shape ({n},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{what} must be finite")
    return arr


def as_rng(random_state: RandomState) -> np.random.Generator:
    """Return a numpy Generator from an int seed, a Generator or None."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


# --------------------------------------------------------------------------- first derivatives


def relative_step(x: float, rel: float) -> float:
    """Step ``rel * (1 + |x|)``: relative for large ``|x|``, absolute near zero."""
    return rel * (1.0 + abs(x))


def central_difference(fun: Callable[[Any], Any], x: Any, h: Any) -> Any:
    """``(fun(x + h) - fun(x - h)) / (2 h)``, elementwise for numpy arguments.

    The one-variable building block: ``fun`` may close over the other
    arguments of a model function, and ``x`` and ``h`` may be arrays (one
    derivative per entry, as in a vectorised grid scan).
    """
    return (fun(x + h) - fun(x - h)) / (2.0 * h)


def central_gradient(
    fun: Callable[[FloatArray], Any],
    x: FloatArray,
    rel: float = FIRST_ORDER_STEP,
    coords: Sequence[int] | None = None,
) -> FloatArray:
    """Central-difference derivatives of ``fun`` with respect to ``x[k]``, ``k`` in ``coords``.

    Step ``relative_step(x[k], rel)`` per coordinate.  For a scalar ``fun``
    this is the gradient (shape ``(len(coords),)``); for a vector-valued one
    the Jacobian, one column per coordinate (shape ``fun(x).shape +
    (len(coords),)``).  ``coords`` defaults to every coordinate.
    """
    ks = range(x.size) if coords is None else coords
    cols = []
    for k in ks:
        h = relative_step(float(x[k]), rel)
        e = np.zeros_like(x)
        e[k] = h
        cols.append(np.asarray((fun(x + e) - fun(x - e)) / (2.0 * h), dtype=np.float64))
    return np.stack(cols, axis=-1)


def richardson_gradient(
    fun: Callable[[FloatArray], float], x: FloatArray, rel: float = SECOND_ORDER_STEP
) -> FloatArray:
    """Gradient by central differences with steps ``h`` and ``2 h``, Richardson-extrapolated.

    Independent of the stencil a solver uses (:func:`central_gradient`), so it
    measures that solver's residuals honestly; the ``h^2`` error cancels.
    """
    g = np.empty_like(x)
    for k in range(x.size):
        h = relative_step(float(x[k]), rel)
        e = np.zeros_like(x)
        e[k] = h
        d1 = (fun(x + e) - fun(x - e)) / (2.0 * h)
        d2 = (fun(x + 2.0 * e) - fun(x - 2.0 * e)) / (4.0 * h)
        g[k] = (4.0 * d1 - d2) / 3.0
    return g


def forward_jacobian(
    fun: Callable[[FloatArray], FloatArray], x: FloatArray, rel: float = SECOND_ORDER_STEP
) -> FloatArray:
    """Jacobian of a vector function by forward differences, one column per coordinate.

    Used to differentiate an analytic gradient once more (a Hessian) at the
    cost of ``n + 1`` evaluations.
    """
    f0 = fun(x)
    cols = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = relative_step(float(x[k]), rel)
        cols.append((fun(x + e) - f0) / e[k])
    return np.column_stack(cols)


# --------------------------------------------------------------------------- second derivatives


def central_hessian(
    fun: Callable[[FloatArray], float], x: FloatArray, steps: FloatArray
) -> FloatArray:
    """Hessian by central second differences with the step ``steps[k]`` per coordinate.

    Diagonal: ``(f(x + h e_k) - 2 f(x) + f(x - h e_k)) / h^2``; off-diagonal:
    the four-point cross difference.  Symmetric by construction.
    """
    n = x.size
    out = np.empty((n, n))
    f0 = fun(x)
    for k in range(n):
        ek = np.zeros(n)
        ek[k] = steps[k]
        out[k, k] = (fun(x + ek) - 2.0 * f0 + fun(x - ek)) / steps[k] ** 2
        for m in range(k + 1, n):
            em = np.zeros(n)
            em[m] = steps[m]
            out[k, m] = out[m, k] = (
                fun(x + ek + em) - fun(x + ek - em) - fun(x - ek + em) + fun(x - ek - em)
            ) / (4.0 * steps[k] * steps[m])
    return out


def richardson_hessian(
    fun: Callable[[FloatArray], float], x: FloatArray, steps: FloatArray
) -> FloatArray:
    """Second differences with steps ``h`` and ``2 h`` combined by Richardson extrapolation.

    The ``h^2`` truncation error cancels; with ``h ~ 1e-3`` the result is
    accurate to about ``1e-16 |fun| / h^2``, i.e. ~1e-8 for values of order 10-100.
    """
    return np.asarray(
        (4.0 * central_hessian(fun, x, steps) - central_hessian(fun, x, 2.0 * steps)) / 3.0
    )


# --------------------------------------------------------------------------- on the orthant x >= 0


def orthant_difference(
    shifted: Callable[[float], Any], t: float, h: float, value: Any = None
) -> Any:
    """Derivative at ``t`` of ``u -> shifted(u - t)`` that never evaluates below zero.

    ``shifted(d)`` is the function at ``t + d``.  Central difference
    ``(shifted(h) - shifted(-h)) / (2 h)`` when ``t - h >= 0``; otherwise the
    second-order forward difference ``(-3 f(t) + 4 f(t + h) - f(t + 2 h)) /
    (2 h)``, which stays in ``x >= 0`` where a risk function may be undefined.
    ``value`` is ``f(t)`` if already known (else ``shifted(0.0)`` is called).
    """
    if t - h >= 0.0:
        return (shifted(h) - shifted(-h)) / (2.0 * h)
    f_t = shifted(0.0) if value is None else value
    return (-3.0 * f_t + 4.0 * shifted(h) - shifted(2.0 * h)) / (2.0 * h)


def orthant_gradient(fun: Callable[[FloatArray], Any], x: FloatArray, rel: float) -> FloatArray:
    """Finite-difference derivative of a (vector) function, one-sided at the ``x >= 0`` boundary.

    Step ``rel * max(1, |x_j|)`` per coordinate, :func:`orthant_difference`
    per column; the result has shape ``fun(x).shape + (n,)``.
    """
    f0 = np.asarray(fun(x), dtype=np.float64)
    cols = []
    for j in range(x.size):
        h = rel * max(1.0, abs(x[j]))

        def shifted(d: float, j: int = j) -> Any:
            e = np.zeros_like(x)
            e[j] = d
            return np.asarray(fun(x + e))

        d = orthant_difference(shifted, float(x[j]), h, f0)
        cols.append(np.asarray(d, dtype=np.float64))
    return np.stack(cols, axis=-1)


__all__ = [
    "FIRST_ORDER_STEP",
    "FloatArray",
    "RICHARDSON_STEP",
    "RandomState",
    "SECOND_ORDER_STEP",
    "as_float_vector",
    "as_rng",
    "central_difference",
    "central_gradient",
    "central_hessian",
    "forward_jacobian",
    "orthant_difference",
    "orthant_gradient",
    "richardson_gradient",
    "richardson_hessian",
]
