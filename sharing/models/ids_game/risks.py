"""Risk models of the IDS game: the functions ``f_i(x)`` every user's cost is built on.

Users' risks are positive, decreasing in every investment and convex
(Assumptions 1-2 of Naghizadeh & Liu).  :class:`TotalEffortRisk` and
:class:`WeightedEffortRisk` are exponential and analytic;
:class:`ConvexRisk` wraps user-supplied callables, differentiates them by
finite differences that never leave ``x >= 0`` when no derivatives are
given, and checks the assumptions numerically at sample points.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.numerics import (
    FloatArray,
    RandomState,
    as_rng,
    orthant_difference,
    orthant_gradient,
)

VectorFn = Callable[[FloatArray], Any]


class RiskModel(ABC):
    """Security risk functions ``f_1, ..., f_N`` of the IDS game (Section II).

    Subclasses give the vector of risks, its Jacobian and the Hessian of one
    user's risk.  Rows of the Jacobian are the users: ``J[i, j] = df_i/dx_j``.
    """

    #: short name used by the CLI and the JSON reports
    name: str = "risk"

    @property
    @abstractmethod
    def n(self) -> int:
        """Number of users."""

    @abstractmethod
    def values(self, x: FloatArray) -> FloatArray:
        """Return ``(f_1(x), ..., f_N(x))``."""

    @abstractmethod
    def jacobian(self, x: FloatArray) -> FloatArray:
        """Return the ``(N, N)`` Jacobian ``J[i, j] = df_i/dx_j`` at ``x``."""

    @abstractmethod
    def hessian(self, i: int, x: FloatArray) -> FloatArray:
        """Return the ``(N, N)`` Hessian of ``f_i`` at ``x``."""

    def user_value(self, i: int, x: FloatArray) -> float:
        """Return ``f_i(x)``."""
        return float(self.values(x)[i])

    def user_gradient(self, i: int, x: FloatArray) -> FloatArray:
        """Return ``grad f_i(x)`` (row ``i`` of the Jacobian)."""
        return np.asarray(self.jacobian(x)[i], dtype=np.float64)

    def partial(self, i: int, j: int, x: FloatArray) -> float:
        """Return ``df_i/dx_j`` at ``x``."""
        return float(self.user_gradient(i, x)[j])

    def sum_hessian(self, x: FloatArray) -> FloatArray:
        """Return the Hessian of ``sum_i f_i`` at ``x``."""
        return np.sum([self.hessian(i, x) for i in range(self.n)], axis=0)

    def describe(self) -> dict[str, Any]:
        """Return a JSON-friendly description of the model."""
        return {"risk": self.name, "n": self.n}


class WeightedEffortRisk(RiskModel):
    """Weighted-effort risk ``f_i(x) = exp(-sum_j w_ij x_j)``.

    Parameters
    ----------
    weights
        ``(N, N)`` non-negative matrix; ``w_ij`` is how much user ``j``'s
        investment protects user ``i``.  Non-negativity is Assumption 1
        (risks decrease in every ``x_j``); the exponential makes every
        ``f_i`` convex (Assumption 2, not strictly: see the module notes).

    Raises
    ------
    InputError
        If ``weights`` is not a finite, square, non-negative matrix.
    """

    name = "weighted"

    def __init__(self, weights: npt.ArrayLike) -> None:
        w = np.array(weights, dtype=np.float64)
        if w.ndim != 2 or w.shape[0] != w.shape[1] or w.shape[0] == 0:
            raise InputError(f"weights must be a non-empty square matrix, got shape {w.shape}")
        if not np.all(np.isfinite(w)):
            raise InputError("weights must be finite")
        if np.any(w < 0):
            i, j = np.argwhere(w < 0)[0]
            raise InputError(
                f"weights must be non-negative (Assumption 1: risk decreases in every "
                f"investment), got w[{i}][{j}] = {w[i, j]:g}"
            )
        w.setflags(write=False)
        self.weights: FloatArray = w

    @property
    def n(self) -> int:
        """Number of users."""
        return int(self.weights.shape[0])

    def values(self, x: FloatArray) -> FloatArray:
        """Return ``exp(-W x)``."""
        return np.exp(-(self.weights @ x))

    def jacobian(self, x: FloatArray) -> FloatArray:
        """Return ``-diag(f) W``."""
        return -self.values(x)[:, None] * self.weights

    def hessian(self, i: int, x: FloatArray) -> FloatArray:
        """Return ``f_i(x) w_i w_i^T``."""
        w = self.weights[i]
        return self.user_value(i, x) * np.outer(w, w)

    def user_value(self, i: int, x: FloatArray) -> float:
        """Return ``f_i(x)`` in O(N)."""
        return float(np.exp(-(self.weights[i] @ x)))

    def user_gradient(self, i: int, x: FloatArray) -> FloatArray:
        """Return ``-f_i(x) w_i`` in O(N)."""
        return -self.user_value(i, x) * self.weights[i]

    def sum_hessian(self, x: FloatArray) -> FloatArray:
        """Return ``W^T diag(f) W``."""
        s = self.values(x)
        return np.asarray(self.weights.T @ (s[:, None] * self.weights))

    def describe(self) -> dict[str, Any]:
        """Return the model name, size and weights."""
        return {"risk": self.name, "n": self.n, "weights": self.weights.tolist()}


class TotalEffortRisk(WeightedEffortRisk):
    """Total-effort risk ``f_i(x) = exp(-sum_j x_j)`` for every user (Sections III, V).

    A :class:`WeightedEffortRisk` with all weights one, solved in closed form
    by :func:`total_effort_closed_form`.
    """

    name = "total-effort"

    def __init__(self, n: int) -> None:
        if n < 1:
            raise InputError(f"the number of users must be positive, got {n}")
        super().__init__(np.ones((n, n)))

    def describe(self) -> dict[str, Any]:
        """Return the model name and size."""
        return {"risk": self.name, "n": self.n}


class ConvexRisk(RiskModel):
    """A user-supplied convex risk model.

    Parameters
    ----------
    n
        Number of users.
    f
        Either one callable ``x -> (f_1(x), ..., f_N(x))`` or a sequence of
        ``N`` callables ``x -> f_i(x)``.
    grad
        Optional: one callable ``x -> J`` (the ``(N, N)`` Jacobian) or ``N``
        callables ``x -> grad f_i(x)``.  Central finite differences otherwise.
    hess
        Optional: ``N`` callables ``x -> Hessian of f_i`` (``(N, N)``) or one
        callable ``x -> (N, N, N)`` array.  Finite differences of the gradient
        otherwise.
    name
        Label used in reports.
    validate
        Check Assumptions 1-2 at sample points (see :meth:`validate`).
    n_samples, box, random_state
        Sample ``n_samples`` points in ``[0, box]^N`` (at several scales, and
        the origin) for the validation.
    step
        Relative finite-difference step.

    Raises
    ------
    InputError
        If the callables do not return the right shapes, or the risk is not
        positive, decreasing and convex at the sample points.
    """

    def __init__(
        self,
        n: int,
        f: VectorFn | Sequence[VectorFn],
        grad: VectorFn | Sequence[VectorFn] | None = None,
        hess: VectorFn | Sequence[VectorFn] | None = None,
        *,
        name: str = "custom",
        validate: bool = True,
        n_samples: int = 16,
        box: float = 4.0,
        random_state: RandomState = 0,
        step: float = 1e-6,
    ) -> None:
        if n < 1:
            raise InputError(f"the number of users must be positive, got {n}")
        self._n = int(n)
        self.name = name
        self._step = step
        self._f = self._vectorise(f, "f")
        self._grad = None if grad is None else self._vectorise(grad, "grad")
        self._hess_list: list[VectorFn] | None = None
        self._hess_all: VectorFn | None = None
        if hess is not None:
            if callable(hess):
                self._hess_all = hess
            else:
                hl = list(hess)
                if len(hl) != n:
                    raise InputError(f"hess must hold {n} callables, got {len(hl)}")
                self._hess_list = hl
        if validate:
            self.validate(n_samples=n_samples, box=box, random_state=random_state)

    def _vectorise(self, fn: VectorFn | Sequence[VectorFn], what: str) -> VectorFn:
        if callable(fn):
            return fn
        fns = list(fn)
        if len(fns) != self._n:
            raise InputError(f"{what} must be one callable or {self._n} callables, got {len(fns)}")
        return lambda x: np.array([np.asarray(g(x), dtype=np.float64) for g in fns])

    @property
    def n(self) -> int:
        """Number of users."""
        return self._n

    def values(self, x: FloatArray) -> FloatArray:
        """Return ``(f_1(x), ..., f_N(x))``."""
        try:
            v = np.asarray(self._f(np.asarray(x, dtype=np.float64)), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"risk function {self.name!r} failed: {exc}") from exc
        if v.shape != (self._n,):
            raise InputError(
                f"risk function {self.name!r} must return {self._n} values, got shape {v.shape}"
            )
        return v

    def jacobian(self, x: FloatArray) -> FloatArray:
        """Return the Jacobian (analytic if given, else finite differences)."""
        if self._grad is not None:
            j = np.asarray(self._grad(np.asarray(x, dtype=np.float64)), dtype=np.float64)
            if j.shape != (self._n, self._n):
                raise InputError(f"grad must return an ({self._n}, {self._n}) array, got {j.shape}")
            return j
        return orthant_gradient(self.values, np.asarray(x, dtype=np.float64), self._step)

    def partial(self, i: int, j: int, x: FloatArray) -> float:
        """Return ``df_i/dx_j`` (analytic if given, else a two-point difference)."""
        x = np.asarray(x, dtype=np.float64)
        if self._grad is not None:
            return float(self.jacobian(x)[i, j])

        def shifted(d: float) -> float:
            y = x.copy()
            y[j] = x[j] + d
            return float(self.values(y)[i])

        h = self._step * max(1.0, abs(x[j]))
        return float(orthant_difference(shifted, float(x[j]), h))

    def hessian(self, i: int, x: FloatArray) -> FloatArray:
        """Return the Hessian of ``f_i`` (analytic if given, else finite differences)."""
        x = np.asarray(x, dtype=np.float64)
        if self._hess_list is not None:
            h = np.asarray(self._hess_list[i](x), dtype=np.float64)
        elif self._hess_all is not None:
            h = np.asarray(self._hess_all(x), dtype=np.float64)[i]
        elif self._grad is not None:
            h = orthant_gradient(lambda y: self.jacobian(y)[i], x, self._step)
        else:
            h = orthant_gradient(
                lambda y: orthant_gradient(lambda z: self.values(z)[i : i + 1], y, 1e-4)[0], x, 1e-4
            )
        if h.shape != (self._n, self._n):
            raise InputError(f"Hessian of user {i} must be ({self._n}, {self._n}), got {h.shape}")
        return 0.5 * (h + h.T)

    def validate(
        self, *, n_samples: int = 16, box: float = 4.0, random_state: RandomState = 0
    ) -> None:
        """Check Assumptions 1-2 of the paper numerically at sample points.

        Positivity (``f_i > 0``), monotonicity (``df_i/dx_j <= 0``) and
        convexity (Hessian eigenvalues ``>= 0`` up to finite-difference noise,
        and the midpoint inequality on random pairs of points).

        Raises
        ------
        InputError
            At the first violation, naming the user and the point.
        """
        rng = as_rng(random_state)
        n = self._n
        scales = np.geomspace(0.01, 1.0, max(n_samples, 1))
        points = [np.zeros(n)] + [box * s * rng.random(n) for s in scales]
        for x in points:
            v = self.values(x)
            if not np.all(np.isfinite(v)) or np.any(v <= 0):
                i = int(np.argmax(~np.isfinite(v) | (v <= 0)))
                raise InputError(
                    f"risk of user {i} must be positive and finite (Assumption 1), "
                    f"got {v[i]:g} at x={np.round(x, 4).tolist()}"
                )
            jac = self.jacobian(x)
            tol_j = 1e-6 * (1.0 + np.abs(v))[:, None]
            if np.any(jac > tol_j):
                i, j = np.argwhere(jac > tol_j)[0]
                raise InputError(
                    f"risk of user {i} must decrease in every investment (Assumption 1), "
                    f"df_{i}/dx_{j} = {jac[i, j]:g} at x={np.round(x, 4).tolist()}"
                )
            for i in range(n):
                h = self.hessian(i, x)
                lam = float(np.linalg.eigvalsh(h)[0])
                scale = 1.0 + float(np.max(np.abs(h)))
                tol_h = (1e-7 if (self._hess_list or self._hess_all) else 1e-4) * scale
                if lam < -tol_h:
                    raise InputError(
                        f"risk of user {i} is not convex (Assumption 2): Hessian eigenvalue "
                        f"{lam:.4g} at x={np.round(x, 4).tolist()}"
                    )
        for a, b in zip(points[:-1], points[1:], strict=True):
            fa, fb, fm = self.values(a), self.values(b), self.values(0.5 * (a + b))
            gap = fm - 0.5 * (fa + fb)
            tol_m = 1e-10 * (1.0 + np.abs(fa) + np.abs(fb))
            if np.any(gap > tol_m):
                i = int(np.argmax(gap - tol_m))
                raise InputError(
                    f"risk of user {i} is not convex (Assumption 2): midpoint excess "
                    f"{gap[i]:.4g} between x={np.round(a, 4).tolist()} and "
                    f"y={np.round(b, 4).tolist()}"
                )
