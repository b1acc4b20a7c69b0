"""The interdependent security (IDS) game of Naghizadeh & Liu.

N users choose security investments ``x_i >= 0`` at unit cost ``c_i > 0``;
user ``i`` bears a risk ``f_i(x)`` that is positive, decreasing in every
``x_j`` and convex (Assumptions 1-2), so its cost is, eq. (1),

    g_i(x) = f_i(x) + c_i x_i .

This module solves the *unregulated* game (``t_i = 0``):

* the Nash equilibrium, eq. (3): every user minimises ``g_i`` over its own
  ``x_i >= 0``;
* the social optimum ``x*`` of problem (2): minimise ``G(x) = sum_i g_i(x)``
  over ``x >= 0``, with the KKT multipliers ``mu = grad G(x*) >= 0``,
  ``mu . x* = 0``, from which :mod:`sharing.models.pesim` builds the Lindahl
  prices of eq. (20)-(21);
* the Price of Anarchy ``rho = G(x_nash) / G(x*)``, eq. (4).

Risk models
-----------
:class:`TotalEffortRisk`
    ``f_i(x) = exp(-sum_j x_j)`` for every user (Section III and V).  Nash
    equilibrium and optimum in closed form (:func:`total_effort_closed_form`).
:class:`WeightedEffortRisk`
    ``f_i(x) = exp(-sum_j w_ij x_j)`` with ``w_ij >= 0``.  The Nash
    equilibrium is a linear complementarity problem (best-response iteration,
    Lemke's algorithm as fall-back); the optimum uses a projected Newton
    method with the analytic Hessian ``W^T diag(f) W``.
:class:`ConvexRisk`
    Any user-supplied risk given as callables; gradient and Hessian optional
    (finite differences otherwise).  Assumptions 1-2 are checked numerically
    at sample points and violations raise :class:`~sharing.errors.InputError`.

A note on Assumption 2: the paper asks for *strictly* convex ``f_i``, but its
own total-effort example ``exp(-sum_j x_j)`` is only convex (it is constant
along directions with ``sum_j x_j`` fixed).  Nothing here needs strictness:
KKT conditions are sufficient for convex problems; when ``x*`` is not unique
(ties in the cheapest cost, rank-deficient weights) any optimum is returned
and the social cost is still unique.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize

from sharing.errors import InputError, SolverError

FloatArray = npt.NDArray[np.float64]
RandomState = int | np.random.Generator | None
VectorFn = Callable[[FloatArray], Any]

__all__ = [
    "ConvexRisk",
    "FloatArray",
    "IDSGame",
    "NashEquilibrium",
    "RandomState",
    "RiskModel",
    "SocialOptimum",
    "TotalEffortRisk",
    "WeightedEffortRisk",
    "as_rng",
    "coalition_optimum",
    "nash_equilibrium",
    "parse_costs",
    "parse_instance",
    "parse_weights",
    "price_of_anarchy",
    "random_instance",
    "social_optimum",
    "total_effort_closed_form",
    "total_effort_price_of_anarchy",
]

_RISK_NAMES = ("total-effort", "weighted")


def as_rng(random_state: RandomState) -> np.random.Generator:
    """Return a numpy Generator from an int seed, a Generator or None."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def _as_vector(x: npt.ArrayLike, n: int, what: str) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.shape != (n,):
        raise InputError(f"{what} must have shape ({n},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{what} must be finite")
    return arr


# --------------------------------------------------------------------------- risks


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


def _fd_gradient(fun: Callable[[FloatArray], Any], x: FloatArray, step: float) -> FloatArray:
    """Finite-difference derivative of a (vector) function; one-sided at the x >= 0 boundary."""
    f0 = np.asarray(fun(x), dtype=np.float64)
    cols = []
    for j in range(x.size):
        h = step * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        if x[j] - h >= 0.0:
            d = (np.asarray(fun(x + e)) - np.asarray(fun(x - e))) / (2.0 * h)
        else:  # second-order forward difference, stays in the orthant
            d = (-3.0 * f0 + 4.0 * np.asarray(fun(x + e)) - np.asarray(fun(x + 2.0 * e))) / (
                2.0 * h
            )
        cols.append(np.asarray(d, dtype=np.float64))
    return np.stack(cols, axis=-1)


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
        return _fd_gradient(self.values, np.asarray(x, dtype=np.float64), self._step)

    def partial(self, i: int, j: int, x: FloatArray) -> float:
        """Return ``df_i/dx_j`` (analytic if given, else a two-point difference)."""
        x = np.asarray(x, dtype=np.float64)
        if self._grad is not None:
            return float(self.jacobian(x)[i, j])

        def f_i(t: float) -> float:
            y = x.copy()
            y[j] = t
            return float(self.values(y)[i])

        h = self._step * max(1.0, abs(x[j]))
        if x[j] - h >= 0.0:
            return (f_i(x[j] + h) - f_i(x[j] - h)) / (2.0 * h)
        return (-3.0 * f_i(x[j]) + 4.0 * f_i(x[j] + h) - f_i(x[j] + 2.0 * h)) / (2.0 * h)

    def hessian(self, i: int, x: FloatArray) -> FloatArray:
        """Return the Hessian of ``f_i`` (analytic if given, else finite differences)."""
        x = np.asarray(x, dtype=np.float64)
        if self._hess_list is not None:
            h = np.asarray(self._hess_list[i](x), dtype=np.float64)
        elif self._hess_all is not None:
            h = np.asarray(self._hess_all(x), dtype=np.float64)[i]
        elif self._grad is not None:
            h = _fd_gradient(lambda y: self.jacobian(y)[i], x, self._step)
        else:
            h = _fd_gradient(
                lambda y: _fd_gradient(lambda z: self.values(z)[i : i + 1], y, 1e-4)[0], x, 1e-4
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


# --------------------------------------------------------------------------- game


@dataclass(frozen=True, init=False, eq=False)
class IDSGame:
    """An IDS game: risks ``f_i`` and unit costs ``c_i`` (Section II).

    Parameters
    ----------
    risk
        The risk model, one of :class:`TotalEffortRisk`,
        :class:`WeightedEffortRisk`, :class:`ConvexRisk`.
    costs
        Unit investment costs ``c_i > 0``, shape ``(N,)``.

    Raises
    ------
    InputError
        If a cost is not positive and finite or the sizes differ.

    Examples
    --------
    >>> game = IDSGame(TotalEffortRisk(3), [0.2, 0.3, 0.5])
    >>> round(price_of_anarchy(game), 4)
    1.2431
    """

    risk: RiskModel
    costs: FloatArray = field(repr=False)

    def __init__(self, risk: RiskModel, costs: npt.ArrayLike) -> None:
        if not isinstance(risk, RiskModel):
            raise InputError(f"risk must be a RiskModel, got {type(risk).__name__}")
        try:
            c = np.array(costs, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InputError(f"costs must be numbers: {exc}") from exc
        if c.size != risk.n:
            raise InputError(
                f"{c.size} costs given for {risk.n} users (weights are {risk.n}x{risk.n})"
            )
        if not np.all(np.isfinite(c)):
            raise InputError("costs must be finite")
        if np.any(c <= 0):
            i = int(np.argmax(c <= 0))
            raise InputError(f"costs must be positive (c_i > 0, Section II), got c[{i}] = {c[i]:g}")
        c.setflags(write=False)
        object.__setattr__(self, "risk", risk)
        object.__setattr__(self, "costs", c)

    @property
    def n(self) -> int:
        """Number of users."""
        return self.risk.n

    def user_costs(self, x: npt.ArrayLike) -> FloatArray:
        """Return ``g_i(x) = f_i(x) + c_i x_i`` for every user, eq. (1)."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.risk.values(x) + self.costs * x)

    def user_cost(self, i: int, x: npt.ArrayLike) -> float:
        """Return ``g_i(x)``."""
        x = np.asarray(x, dtype=np.float64)
        return self.risk.user_value(i, x) + float(self.costs[i] * x[i])

    def user_cost_gradient(self, i: int, x: npt.ArrayLike) -> FloatArray:
        """Return ``grad g_i(x) = grad f_i(x) + c_i e_i``."""
        x = np.asarray(x, dtype=np.float64)
        g = self.risk.user_gradient(i, x).copy()
        g[i] += self.costs[i]
        return g

    def cost_jacobian(self, x: npt.ArrayLike) -> FloatArray:
        """Return the ``(N, N)`` matrix whose row ``i`` is ``grad g_i(x)``."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.risk.jacobian(x) + np.diag(self.costs))

    def social_cost(self, x: npt.ArrayLike) -> float:
        """Return ``G(x) = sum_i g_i(x)``, the objective of problem (2)."""
        return float(np.sum(self.user_costs(x)))

    def social_gradient(self, x: npt.ArrayLike) -> FloatArray:
        """Return ``grad G(x)``."""
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.risk.jacobian(x).sum(axis=0) + self.costs)

    def social_hessian(self, x: npt.ArrayLike) -> FloatArray:
        """Return the Hessian of ``G`` (the costs are linear)."""
        return self.risk.sum_hessian(np.asarray(x, dtype=np.float64))

    def nash_residual(self, x: npt.ArrayLike) -> float:
        """Natural residual ``max_i |x_i - max(0, x_i - dg_i/dx_i)|`` of the NE conditions (3)."""
        x = np.asarray(x, dtype=np.float64)
        own = np.array([self.risk.partial(i, i, x) for i in range(self.n)]) + self.costs
        return float(np.max(np.abs(x - np.maximum(0.0, x - own))))

    def kkt_residual(self, x: npt.ArrayLike) -> float:
        """Natural residual ``max_j |x_j - max(0, x_j - dG/dx_j)|`` of problem (2)."""
        x = np.asarray(x, dtype=np.float64)
        g = self.social_gradient(x)
        return float(np.max(np.abs(x - np.maximum(0.0, x - g))))

    def describe(self) -> dict[str, Any]:
        """Return a JSON-friendly description of the instance."""
        return {**self.risk.describe(), "costs": self.costs.tolist()}


# --------------------------------------------------------------------------- closed forms


def total_effort_closed_form(costs: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Nash equilibrium and social optimum of the total-effort game (Section III).

    With ``f_i(x) = exp(-S)``, ``S = sum_j x_j``, user ``i`` invests at the
    Nash equilibrium only if ``-exp(-S) + c_i = 0``, so only the cheapest user
    (cost ``c_min``) invests, up to ``S_nash = max(0, -ln c_min)``.  The
    social problem (2) has ``dG/dx_j = -N exp(-S) + c_j``, so again only the
    cheapest user invests, up to ``S* = max(0, ln(N / c_min))``
    (``exp(-x_1*) = c_1 / N`` in Section V).  With ties the effort goes to the
    first cheapest user (any split among the tied users is also an
    equilibrium / optimum with the same social cost).

    Parameters
    ----------
    costs
        Unit costs ``c_i > 0``.

    Returns
    -------
    x_nash, x_opt
        The two investment profiles.
    """
    c = np.asarray(costs, dtype=np.float64)
    n = c.size
    k = int(np.argmin(c))
    x_nash = np.zeros(n)
    x_opt = np.zeros(n)
    x_nash[k] = max(0.0, -math.log(c[k]))
    x_opt[k] = max(0.0, math.log(n / c[k]))
    return x_nash, x_opt


def total_effort_price_of_anarchy(n: int, c_min: float) -> float:
    """Closed-form PoA of the total-effort game, from Section III.

    ``rho = (N e^{-S_nash} + c S_nash) / (N e^{-S*} + c S*)`` with the
    efforts of :func:`total_effort_closed_form`; it depends only on ``N``
    and the cheapest cost ``c``: ``(N - ln c) / (1 + ln N - ln c)`` for
    ``c < 1``, ``N / (c (1 + ln(N/c)))`` for ``1 <= c < N`` and ``1`` for
    ``c >= N``.
    """
    if n < 1 or not c_min > 0:
        raise InputError("need n >= 1 and a positive cost")
    s_nash = max(0.0, -math.log(c_min))
    s_opt = max(0.0, math.log(n / c_min))
    return (n * math.exp(-s_nash) + c_min * s_nash) / (n * math.exp(-s_opt) + c_min * s_opt)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NashEquilibrium:
    """A pure Nash equilibrium of the unregulated IDS game, eq. (3).

    Attributes
    ----------
    x
        Investments.
    social_cost
        ``G(x)``.
    residual
        Natural residual of the equilibrium conditions.
    method
        ``"closed-form"``, ``"best-response"``, ``"lemke"`` or
        ``"best-response+complementarity"``.
    iterations
        Sweeps or pivots used.
    unique
        ``True`` when a sufficient condition for uniqueness holds (the
        weight matrix is a P-matrix by diagonal dominance or a positive
        definite symmetric part; total effort with a unique cheapest user),
        ``None`` when unknown.  With several equilibria the PoA of eq. (4)
        is a max over them; we report ``rho`` at the computed one.
    """

    x: FloatArray
    social_cost: float
    residual: float
    method: str
    iterations: int
    unique: bool | None


@dataclass(frozen=True)
class SocialOptimum:
    """The social optimum ``x*`` of problem (2) with its KKT multipliers.

    Attributes
    ----------
    x
        Optimal investments (coordinates below ``1e-13`` snapped to zero).
    social_cost
        ``G(x*)``.
    multipliers
        ``mu = grad G(x*)`` on the zero coordinates and ``0`` elsewhere:
        ``mu >= 0``, ``mu . x* = 0`` (the aggregate of the ``lambda_i`` of
        eq. (20)).
    kkt_residual
        Natural residual of the KKT conditions.
    method, iterations
        How it was found.
    """

    x: FloatArray
    social_cost: float
    multipliers: FloatArray
    kkt_residual: float
    method: str
    iterations: int


# --------------------------------------------------------------------------- Nash equilibrium


def _is_p_matrix_sufficient(w: FloatArray) -> bool:
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


def _lemke(m: FloatArray, q: FloatArray, max_pivots: int) -> tuple[FloatArray, int]:
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


def _polish_lcp(w: FloatArray, b: FloatArray, x: FloatArray) -> FloatArray:
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


def _weighted_nash(
    game: IDSGame, risk: WeightedEffortRisk, tol: float, max_iter: int, method: str
) -> NashEquilibrium:
    w = risk.weights
    c = game.costs
    n = game.n
    d = np.diag(w)
    active = d > 0
    # NE conditions: x_i >= 0, (W x)_i >= b_i = ln(w_ii / c_i), complementary.
    b = np.full(n, -np.inf)
    b[active] = np.log(d[active] / c[active])
    idx = np.flatnonzero(active)
    wa = w[np.ix_(idx, idx)]
    ba = b[idx]
    xa = np.zeros(idx.size)
    used = "best-response"
    iters = 0
    converged = False
    if method in ("auto", "best-response"):
        # Gauss-Seidel best responses: x_i <- max(0, (b_i - sum_{j != i} w_ij x_j) / w_ii).
        for sweep in range(1, max_iter + 1):
            change = 0.0
            for k in range(idx.size):
                new = max(0.0, (ba[k] - (wa[k] @ xa - wa[k, k] * xa[k])) / wa[k, k])
                change = max(change, abs(new - xa[k]))
                xa[k] = new
            iters = sweep
            if change <= 1e-14 * (1.0 + float(np.max(xa, initial=0.0))):
                converged = True
                break
        if not converged and method == "best-response":
            raise SolverError(
                f"Nash equilibrium: best-response iteration did not converge in {max_iter} "
                f"sweeps (last change {change:.3g}); try method='lemke'"
            )
    if not converged:
        xa, iters = _lemke(wa, -ba, max_pivots=max(max_iter, 4 * idx.size + 10))
        used = "lemke"
    xa = _polish_lcp(wa, ba, xa)
    x = np.zeros(n)
    x[idx] = xa
    res = game.nash_residual(x)
    if res > tol:
        raise SolverError(f"Nash equilibrium: residual {res:.3g} above tolerance {tol:.3g}")
    unique = bool(np.all(active) and _is_p_matrix_sufficient(w)) or None
    return NashEquilibrium(x, game.social_cost(x), res, used, iters, unique)


def _own_best_response(game: IDSGame, i: int, x: FloatArray) -> float:
    """Minimise ``g_i`` over ``x_i >= 0`` given ``x_{-i}`` (a convex 1-D problem)."""

    def deriv(t: float) -> float:
        y = x.copy()
        y[i] = t
        return game.risk.partial(i, i, y) + float(game.costs[i])

    if deriv(0.0) >= 0.0:
        return 0.0
    # Proposition 1 (eqs. (17)-(18)): dg_i/dx_i > 0 at (f_i(0) + eps) / c_i.
    hi = (game.risk.user_value(i, np.zeros(game.n)) + 1.0) / game.costs[i]
    while deriv(hi) < 0.0:  # only if the risk breaks Assumption 1 between samples
        hi *= 2.0
        if hi > 1e12:
            raise SolverError(f"best response of user {i} is unbounded")
    return float(optimize.brentq(deriv, 0.0, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps))


def _generic_nash(
    game: IDSGame, tol: float, max_iter: int, x0: FloatArray | None
) -> NashEquilibrium:
    n = game.n
    x = np.zeros(n) if x0 is None else np.maximum(np.asarray(x0, dtype=np.float64), 0.0)
    change = np.inf
    for sweep in range(1, max_iter + 1):
        change = 0.0
        for i in range(n):
            new = _own_best_response(game, i, x)
            change = max(change, abs(new - x[i]))
            x[i] = new
        if change <= 1e-9 * (1.0 + float(np.max(x))):
            res = game.nash_residual(x)
            if res <= tol:
                return NashEquilibrium(x, game.social_cost(x), res, "best-response", sweep, None)
    # Fall back on the complementarity form: Fischer-Burmeister equation for (x_i, dg_i/dx_i).

    def fb(y: FloatArray) -> FloatArray:
        y = np.maximum(y, 0.0)
        g = np.array([game.risk.partial(i, i, y) for i in range(n)]) + game.costs
        return np.asarray(y + g - np.sqrt(y * y + g * g))

    sol = optimize.least_squares(fb, x, xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=200 * n)
    y = np.maximum(sol.x, 0.0)
    res = game.nash_residual(y)
    if res > tol:
        raise SolverError(
            f"Nash equilibrium: best-response iteration did not converge in {max_iter} sweeps "
            f"(last change {change:.3g}) and the complementarity solver stopped at residual "
            f"{res:.3g} > {tol:.3g}"
        )
    return NashEquilibrium(
        y, game.social_cost(y), res, "best-response+complementarity", max_iter, None
    )


def nash_equilibrium(
    game: IDSGame,
    *,
    tol: float = 1e-9,
    max_iter: int = 500,
    method: Literal["auto", "best-response", "lemke"] = "auto",
    x0: npt.ArrayLike | None = None,
) -> NashEquilibrium:
    """Pure Nash equilibrium of the unregulated IDS game, eq. (3) (exists by Proposition 1).

    Total effort: closed form (Section III).  Weighted effort: the NE is the
    linear complementarity problem ``x >= 0, W x - b >= 0, x.(W x - b) = 0``
    with ``b_i = ln(w_ii / c_i)``; solved by Gauss-Seidel best responses and,
    if they do not converge in ``max_iter`` sweeps, by Lemke's algorithm.
    A user-supplied risk: best-response iteration (each a 1-D convex problem
    bracketed by Proposition 1), then a Fischer-Burmeister complementarity
    solve as fall-back.

    Parameters
    ----------
    game
        The instance.
    tol
        Accepted natural residual of the equilibrium conditions.
    max_iter
        Best-response sweeps (also bounds Lemke's pivots).
    method
        For weighted effort: ``"auto"``, ``"best-response"`` or ``"lemke"``.
    x0
        Starting point of the best-response iteration (custom risks).

    Returns
    -------
    NashEquilibrium

    Raises
    ------
    SolverError
        If no method reaches ``tol``.
    """
    risk = game.risk
    if isinstance(risk, TotalEffortRisk):
        x, _ = total_effort_closed_form(game.costs)
        res = game.nash_residual(x)
        unique = bool(np.sum(game.costs == game.costs.min()) == 1 or x.sum() == 0)
        return NashEquilibrium(x, game.social_cost(x), res, "closed-form", 0, unique)
    if isinstance(risk, WeightedEffortRisk):
        return _weighted_nash(game, risk, tol, max_iter, method)
    return _generic_nash(game, tol, max_iter, None if x0 is None else np.asarray(x0, float))


# --------------------------------------------------------------------------- social optimum


def _kkt_res(x: FloatArray, g: FloatArray) -> float:
    return float(np.max(np.abs(x - np.maximum(0.0, x - g)), initial=0.0))


def _projected_newton(
    fun: Callable[[FloatArray], float],
    grad: Callable[[FloatArray], FloatArray],
    hess: Callable[[FloatArray], FloatArray],
    x: FloatArray,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, int, bool]:
    """Bertsekas' projected Newton method for a smooth convex function on ``x >= 0``.

    Epsilon-active coordinates (at zero with a positive gradient) take a
    projected gradient step, the others a (slightly regularised) Newton
    step; Armijo search along the projection arc.  Returns the point, the
    iterations and whether the KKT residual reached ``tol``.
    """
    n = x.size
    x = np.maximum(x, 0.0)
    for k in range(max_iter):
        g = grad(x)
        r = _kkt_res(x, g)
        if r <= 0.01 * tol:
            return x, k, True
        eps = min(1e-6, r)
        act = (x <= eps) & (g > 0)
        free = ~act
        d = np.zeros(n)
        d[act] = -g[act]
        if np.any(free):
            h = hess(x)[np.ix_(free, free)]
            h = h + (1e-14 * (1.0 + float(np.trace(h)))) * np.eye(int(free.sum()))
            try:
                d[free] = -np.linalg.solve(h, g[free])
            except np.linalg.LinAlgError:
                d[free] = -np.linalg.lstsq(h, g[free], rcond=None)[0]
        f0 = fun(x)
        t = 1.0
        for _ls in range(80):
            xn = np.maximum(x + t * d, 0.0)
            if fun(xn) <= f0 + 1e-4 * float(g @ (xn - x)) + 1e-15 * abs(f0):
                break
            t *= 0.5
        else:  # no decrease left: rounding level, or a bad direction
            return x, k, r <= tol
        x = xn
    return x, max_iter, _kkt_res(x, grad(x)) <= tol


def _minimise_orthant(
    fun: Callable[[FloatArray], float],
    grad: Callable[[FloatArray], FloatArray],
    hess: Callable[[FloatArray], FloatArray] | None,
    x0: FloatArray,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, int, str]:
    """Minimise a smooth convex function over ``x >= 0``.

    Projected Newton (:func:`_projected_newton`) when a Hessian is available;
    otherwise, or if it stalls, scipy's truncated Newton ``TNC`` with bounds,
    polished by projected Newton.  (scipy's L-BFGS-B is avoided: its BLAS
    calls made it 10-200 times slower on a loaded machine with threaded
    OpenBLAS.)
    """
    x = np.maximum(np.asarray(x0, dtype=np.float64), 0.0)
    iters = 0
    if hess is not None:
        x, iters, ok = _projected_newton(fun, grad, hess, x, tol, max_iter)
        if ok:
            return x, iters, "projected-newton"
    res = optimize.minimize(
        fun,
        x,
        jac=grad,
        method="TNC",
        bounds=[(0.0, None)] * x.size,
        options={"maxfun": max(max_iter, 1), "gtol": 0.01 * tol, "ftol": 0.0, "xtol": 0.0},
    )
    x = np.maximum(np.asarray(res.x, dtype=np.float64), 0.0)
    iters += int(res.nit)
    method = "tnc"
    if hess is not None:
        x, k, _ = _projected_newton(fun, grad, hess, x, tol, max_iter)
        iters += k
        method = "projected-newton+tnc"
    return x, iters, method


def _optimum_result(
    game: IDSGame, x: FloatArray, method: str, iters: int, tol: float
) -> SocialOptimum:
    x = np.where(x < 1e-13, 0.0, x)
    g = game.social_gradient(x)
    r = _kkt_res(x, g)
    if r > tol:
        raise SolverError(
            f"social optimum: KKT residual {r:.3g} above tolerance {tol:.3g} after {iters} "
            f"iterations ({method})"
        )
    mu = np.where(x > 0, 0.0, np.maximum(g, 0.0))
    return SocialOptimum(x, game.social_cost(x), mu, r, method, iters)


def social_optimum(
    game: IDSGame, *, tol: float = 1e-9, max_iter: int = 2000, x0: npt.ArrayLike | None = None
) -> SocialOptimum:
    """Social optimum ``x*`` of problem (2), ``min_{x >= 0} G(x)``, with KKT multipliers.

    Total effort: closed form.  Otherwise a projected Newton method with the
    analytic gradient and Hessian (weighted effort: ``W^T diag(f) W``; custom
    risks: given or finite differences), with scipy's TNC as fall-back.

    Parameters
    ----------
    game
        The instance.
    tol
        Accepted natural KKT residual (absolute; the gradients are of the
        order of the costs).
    max_iter
        Iteration budget of each stage.
    x0
        Starting point (default: the Nash equilibrium for weighted effort,
        zero otherwise).

    Returns
    -------
    SocialOptimum

    Raises
    ------
    SolverError
        If the KKT residual stays above ``tol``.
    """
    if isinstance(game.risk, TotalEffortRisk):
        _, x = total_effort_closed_form(game.costs)
        return _optimum_result(game, x, "closed-form", 0, tol)
    if x0 is not None:
        start = np.asarray(x0, dtype=np.float64)
    else:
        start = np.zeros(game.n)
    x, iters, method = _minimise_orthant(
        game.social_cost, game.social_gradient, game.social_hessian, start, tol, max_iter
    )
    return _optimum_result(game, x, method, iters, tol)


def coalition_optimum(
    game: IDSGame, outsider: int, effort: float, *, tol: float = 1e-9, max_iter: int = 2000
) -> FloatArray:
    """Social optimum of the ``N-1`` users other than ``outsider`` given its effort.

    This is the response of the participating coalition in Section V: it
    minimises ``sum_{j != outsider} g_j(x)`` over ``x_{-outsider} >= 0`` with
    ``x_outsider = effort`` fixed.

    Returns
    -------
    FloatArray
        The full profile ``x`` (with ``x[outsider] = effort``).
    """
    n = game.n
    others = np.array([j for j in range(n) if j != outsider], dtype=int)
    c = game.costs
    full = np.zeros(n)
    full[outsider] = effort
    if others.size == 0:
        return full
    risk = game.risk
    if isinstance(risk, TotalEffortRisk):
        k = others[int(np.argmin(c[others]))]
        full[k] = max(0.0, math.log((n - 1) / c[k]) - effort)
        return full
    if isinstance(risk, WeightedEffortRisk):
        w = risk.weights[np.ix_(others, others)]
        off = risk.weights[others, outsider] * effort
        co = c[others]

        def fun(y: FloatArray) -> float:
            return float(np.sum(np.exp(-(w @ y) - off)) + co @ y)

        def grad(y: FloatArray) -> FloatArray:
            return np.asarray(-(w.T @ np.exp(-(w @ y) - off)) + co)

        def hess(y: FloatArray) -> FloatArray:
            s = np.exp(-(w @ y) - off)
            return np.asarray(w.T @ (s[:, None] * w))

    else:

        def embed(y: FloatArray) -> FloatArray:
            z = full.copy()
            z[others] = y
            return z

        def fun(y: FloatArray) -> float:
            z = embed(y)
            return float(np.sum(risk.values(z)[others]) + c[others] @ y)

        def grad(y: FloatArray) -> FloatArray:
            z = embed(y)
            return np.asarray(risk.jacobian(z)[others][:, others].sum(axis=0) + c[others])

        def hess(y: FloatArray) -> FloatArray:
            z = embed(y)
            h = np.sum([risk.hessian(int(j), z) for j in others], axis=0)
            return np.asarray(h[np.ix_(others, others)])

    y, iters, method = _minimise_orthant(fun, grad, hess, np.zeros(others.size), tol, max_iter)
    y = np.where(y < 1e-13, 0.0, y)
    r = _kkt_res(y, grad(y))
    if r > tol:
        raise SolverError(
            f"coalition optimum without user {outsider}: KKT residual {r:.3g} > {tol:.3g} "
            f"({method}, {iters} iterations)"
        )
    full[others] = y
    return full


def price_of_anarchy(
    game: IDSGame,
    nash: NashEquilibrium | None = None,
    optimum: SocialOptimum | None = None,
) -> float:
    """Price of Anarchy ``rho(x_nash) = G(x_nash) / G(x*)``, eq. (4).

    With several Nash equilibria eq. (4) takes the worst; this is ``rho`` at
    the computed equilibrium (see :attr:`NashEquilibrium.unique`).
    """
    ne = nash if nash is not None else nash_equilibrium(game)
    opt = optimum if optimum is not None else social_optimum(game)
    return ne.social_cost / opt.social_cost


# --------------------------------------------------------------------------- instances


def random_instance(
    n: int,
    *,
    risk: str = "weighted",
    spillover: float = 0.5,
    cost_range: tuple[float, float] = (0.05, 0.95),
    random_state: RandomState = None,
) -> IDSGame:
    """Random IDS instance for experiments and the N = 200 timing.

    Weighted effort: ``w_ii = 1`` and off-diagonal ``w_ij ~ U(0, 2 s / (N-1))``
    with ``s = spillover``, so that a user's total protection from the others
    is ``s`` on average and at most ``2 s``; with ``s < 0.5`` ``W`` is strictly
    diagonally dominant (a P-matrix: the NE is unique).  Costs are uniform on
    ``cost_range``.

    Parameters
    ----------
    n
        Number of users.
    risk
        ``"weighted"`` or ``"total-effort"``.
    spillover
        Mean total weight of the other users' investments.
    cost_range
        Bounds of the uniform costs.
    random_state
        Seed or Generator.
    """
    if n < 1:
        raise InputError(f"the number of users must be positive, got {n}")
    lo, hi = cost_range
    if not 0 < lo <= hi:
        raise InputError(f"cost range must satisfy 0 < low <= high, got {cost_range}")
    rng = as_rng(random_state)
    costs = rng.uniform(lo, hi, size=n)
    if risk == "total-effort":
        return IDSGame(TotalEffortRisk(n), costs)
    if risk != "weighted":
        raise InputError(f"unknown random risk {risk!r}; use 'weighted' or 'total-effort'")
    if spillover < 0:
        raise InputError("spillover must be non-negative")
    w = rng.uniform(0.0, 2.0 * spillover / max(n - 1, 1), size=(n, n))
    np.fill_diagonal(w, 1.0)
    return IDSGame(WeightedEffortRisk(w), costs)


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _parse_number(token: str, what: str) -> float:
    if not re.fullmatch(_NUM, token.strip()):
        raise InputError(f"{what}: {token.strip()!r} is not a number")
    return float(token)


def parse_costs(text: str | Sequence[float]) -> FloatArray:
    """Parse ``"0.2,0.3,0.5"`` (commas and/or spaces) into a cost vector."""
    if isinstance(text, str):
        tokens = [t for t in re.split(r"[,\s]+", text.strip()) if t]
        if not tokens:
            raise InputError("costs: give at least one cost, e.g. --costs 0.2,0.3,0.5")
        return np.array([_parse_number(t, "costs") for t in tokens])
    return np.asarray(text, dtype=np.float64)


def parse_weights(text: str | Sequence[Sequence[float]]) -> FloatArray:
    """Parse ``"1 0.4; 0.3 1.2"`` (rows separated by ``;``) into a weight matrix."""
    if not isinstance(text, str):
        return np.asarray(text, dtype=np.float64)
    rows = [r for r in text.strip().split(";") if r.strip()]
    parsed = [
        [_parse_number(t, "weights") for t in re.split(r"[,\s]+", r.strip()) if t] for r in rows
    ]
    if not parsed:
        raise InputError("weights: give rows separated by ';', e.g. \"1 0.4; 0.3 1.2\"")
    lengths = {len(r) for r in parsed}
    if len(lengths) != 1:
        raise InputError(f"weights: rows have different lengths {sorted(lengths)}")
    return np.array(parsed)


def _load_user_risk(spec: str, n: int) -> RiskModel:
    target, _, attr = spec.rpartition(":")
    if not target or not attr:
        raise InputError(f"custom risk must be 'module:name' or 'file.py:name', got {spec!r}")
    try:
        if target.endswith(".py"):
            path = Path(target)
            if not path.is_file():
                raise InputError(f"custom risk file {target!r} not found")
            mod_spec = importlib.util.spec_from_file_location(f"_sharing_risk_{path.stem}", path)
            if mod_spec is None or mod_spec.loader is None:
                raise InputError(f"cannot load {target!r}")
            module = importlib.util.module_from_spec(mod_spec)
            mod_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
        obj = getattr(module, attr)
    except InputError:
        raise
    except (ImportError, AttributeError, SyntaxError, OSError) as exc:
        raise InputError(f"cannot load custom risk {spec!r}: {exc}") from exc
    if isinstance(obj, RiskModel):
        if obj.n != n:
            raise InputError(f"custom risk {spec!r} has {obj.n} users but {n} costs were given")
        return obj
    if callable(obj):
        return ConvexRisk(n, obj, name=spec)
    raise InputError(f"custom risk {spec!r} is neither a RiskModel nor a callable")


def parse_instance(
    risk: str = "total-effort",
    costs: str | Sequence[float] | None = None,
    weights: str | Sequence[Sequence[float]] | None = None,
    *,
    random_n: int | None = None,
    seed: int | None = None,
    spillover: float = 0.5,
) -> IDSGame:
    """Build an :class:`IDSGame` from command-line style options.

    Parameters
    ----------
    risk
        ``"total-effort"``, ``"weighted"``, or a user risk ``"module:name"`` /
        ``"path/file.py:name"`` naming a :class:`RiskModel` or a callable
        ``x -> (f_1(x), ..., f_N(x))`` (checked for Assumptions 1-2).
    costs
        ``"0.2,0.3,0.5"`` or a sequence.  Optional with ``random_n``.
    weights
        ``"1 0.4; 0.3 1.2"`` (weighted risk only).
    random_n, seed, spillover
        Generate a random instance of ``random_n`` users
        (:func:`random_instance`); given ``costs`` replace the random ones.

    Raises
    ------
    InputError
        Unknown risk, bad numbers, shape mismatch, non-positive cost,
        non-convex custom risk.
    """
    if random_n is not None:
        if random_n < 1:
            raise InputError(f"--random must be a positive number of users, got {random_n}")
        if risk not in _RISK_NAMES:
            raise InputError(f"--random works with 'weighted' or 'total-effort', not {risk!r}")
        if weights is not None:
            raise InputError("--random generates the weights; do not pass --weights")
        game = random_instance(random_n, risk=risk, spillover=spillover, random_state=seed)
        if costs is not None:
            return IDSGame(game.risk, parse_costs(costs))
        return game
    if costs is None:
        raise InputError("give --costs (e.g. --costs 0.2,0.3,0.5) or --random N")
    c = parse_costs(costs)
    if risk == "total-effort":
        if weights is not None:
            raise InputError("--weights only applies to --risk weighted")
        return IDSGame(TotalEffortRisk(c.size), c)
    if risk == "weighted":
        if weights is None:
            raise InputError('--risk weighted needs --weights, e.g. "1 0.4; 0.3 1.2"')
        w = parse_weights(weights)
        if w.shape != (c.size, c.size):
            raise InputError(
                f"weights must be {c.size}x{c.size} for {c.size} costs, got "
                f"{w.shape[0]}x{w.shape[1] if w.ndim == 2 else 0}"
            )
        return IDSGame(WeightedEffortRisk(w), c)
    if ":" in risk:
        return IDSGame(_load_user_risk(risk, c.size), c)
    raise InputError(
        f"unknown risk {risk!r}: use 'total-effort', 'weighted' or a custom 'module:name'"
    )
