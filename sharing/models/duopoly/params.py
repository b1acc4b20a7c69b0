"""The duopoly's parameters, value types and replaceable functional forms.

:class:`DuopolyParams` holds the numbers of Gal-Or & Ghose's model (eqs. 1-3
and section 4), :class:`FunctionalForms` the investment cost, leakage cost
and section 4's volume cost multiplier; every model function takes both.
The model is described in docs/models.md ("The duopoly").
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from sharing.errors import InputError

#: A float or an array of floats; every model function broadcasts.
Num: TypeAlias = Any
#: Payoff of the firm under consideration: ``(s_own, t_own, s_other, t_other) -> value``.
Payoff = Callable[[Num, Num, Num, Num], Num]
#: Objective of a symmetric regime (joint profit, welfare): ``(s, t) -> value``.
SymmetricObjective = Callable[[Num, Num], Num]
#: How the consumer surplus is split between the products in Appendix B.
SurplusReading = Literal["ray", "partial"]


@dataclass(frozen=True)
class DuopolyParams:
    """Parameters of the duopoly (Gal-Or & Ghose eqs. 1-3 and section 4).

    The model is described in docs/models.md ("The duopoly").

    Parameters
    ----------
    a : float
        Demand intercept ("firm size"), ``a > 0``.
    b1, b2 : float
        Own- and cross-price slopes of demand (eq. 1), ``0 <= b2 < b1``.
    alpha : float
        Demand loss from the competitor's investment (eq. 3), ``0 <= alpha < 1``.
    lambda_d : float
        Demand spillover of the competitor's shared investment, in [-1, 1] (the
        paper uses the unit interval and discusses negative values).
    lambda_c : float
        Cost spillover, ``y_j = lambda_c t_j s_j``, in [0, 1].
    phi1, phi2, phi3 : float
        Leakage cost ``g_i = phi1 s_i^2 - phi2 s_j^2 - phi3 s_i s_j`` (eq. 2),
        ``phi2, phi3 >= 0`` and ``phi1 > phi2 + phi3``.
    gamma, theta : float
        Investment cost ``f_i = gamma/2 t_i^2 (1 - theta y_j / (1 + y_j))``,
        ``gamma > 0``, ``0 <= theta < 1``.
    c, lambda_hat : float
        Section 4: unit cost ``F_i = (c - lambda_hat t_j s_j) delta(t_i)``, both
        ``>= 0``; ``c = lambda_hat = 0`` (default) is the base model.
    delta1, delta2 : float
        Default ``delta(t) = 1 + delta1 t + delta2 t^2 / 2`` (``delta' > 0``,
        ``delta'' > 0`` as section 4 assumes), both ``>= 0``.

    Raises
    ------
    InputError
        If a value is not finite or violates the paper's assumptions.

    Examples
    --------
    >>> DuopolyParams().b2
    0.5
    >>> DuopolyParams(b2=1.0)
    Traceback (most recent call last):
    ...
    sharing.errors.InputError: need 0 <= b2 < b1 (got b1=1.0, b2=1.0)
    """

    a: float = 10.0
    b1: float = 1.0
    b2: float = 0.5
    alpha: float = 0.1
    lambda_d: float = 0.6
    lambda_c: float = 0.5
    phi1: float = 3.0
    phi2: float = 0.5
    phi3: float = 0.5
    gamma: float = 20.0
    theta: float = 0.5
    c: float = 0.0
    lambda_hat: float = 0.0
    delta1: float = 0.1
    delta2: float = 0.1

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"{f.name} must be a number (got {value!r})")
            if not math.isfinite(float(value)):
                raise InputError(f"{f.name} must be finite (got {value!r})")
            object.__setattr__(self, f.name, float(value))
        if self.a <= 0:
            raise InputError(f"need a > 0 (got a={self.a})")
        if self.b1 <= 0:
            raise InputError(f"need b1 > 0 (got b1={self.b1})")
        if not 0 <= self.b2 < self.b1:
            raise InputError(f"need 0 <= b2 < b1 (got b1={self.b1}, b2={self.b2})")
        if not 0 <= self.alpha < 1:
            raise InputError(f"need 0 <= alpha < 1 (got alpha={self.alpha})")
        if not -1 <= self.lambda_d <= 1:
            raise InputError(f"need -1 <= lambda_d <= 1 (got lambda_d={self.lambda_d})")
        if not 0 <= self.lambda_c <= 1:
            raise InputError(f"need 0 <= lambda_c <= 1 (got lambda_c={self.lambda_c})")
        if self.phi2 < 0 or self.phi3 < 0:
            raise InputError(f"need phi2, phi3 >= 0 (got phi2={self.phi2}, phi3={self.phi3})")
        if not self.phi1 > self.phi2 + self.phi3:
            raise InputError(
                f"need phi1 > phi2 + phi3 (got phi1={self.phi1}, phi2+phi3={self.phi2 + self.phi3})"
            )
        if self.gamma <= 0:
            raise InputError(f"need gamma > 0 (got gamma={self.gamma})")
        if not 0 <= self.theta < 1:
            raise InputError(f"need 0 <= theta < 1 (got theta={self.theta})")
        for name in ("c", "lambda_hat", "delta1", "delta2"):
            if getattr(self, name) < 0:
                raise InputError(f"need {name} >= 0 (got {name}={getattr(self, name)})")

    def replace(self, **changes: float) -> DuopolyParams:
        """Return a copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, float]:
        """Return the parameters as a plain dictionary."""
        return dataclasses.asdict(self)

    @property
    def volume_costs(self) -> bool:
        """Whether section 4's volume-related unit cost is switched on."""
        return self.c != 0.0 or self.lambda_hat != 0.0


# --------------------------------------------------------------------------- functional forms

CostFn = Callable[[Num, Num, DuopolyParams], Num]
LeakageFn = Callable[[Num, Num, DuopolyParams], Num]
DeltaFn = Callable[[Num, DuopolyParams], Num]


def default_cost(t_own: Num, y_other: Num, params: DuopolyParams) -> Num:
    """Investment cost ``f_i(t_i, y_j) = gamma/2 t_i^2 (1 - theta y_j / (1 + y_j))``.

    The form of docs/models.md ("The duopoly").

    Satisfies the paper's section-2 conditions: ``f_t(0, y) = 0``, ``f_tt > 0``,
    ``f_y < 0`` and ``f_ty < 0`` for ``t > 0``, ``theta > 0``.
    """
    return 0.5 * params.gamma * t_own * t_own * (1.0 - params.theta * y_other / (1.0 + y_other))


def default_leakage(s_own: Num, s_other: Num, params: DuopolyParams) -> Num:
    """Leakage cost ``g_i = phi1 s_i^2 - phi2 s_j^2 - phi3 s_i s_j`` (eq. 2)."""
    return (
        params.phi1 * s_own * s_own
        - params.phi2 * s_other * s_other
        - params.phi3 * s_own * s_other
    )


def default_delta(t_own: Num, params: DuopolyParams) -> Num:
    """Section 4's volume cost multiplier ``delta(t) = 1 + delta1 t + delta2 t^2 / 2``."""
    return 1.0 + params.delta1 * t_own + 0.5 * params.delta2 * t_own * t_own


@dataclass(frozen=True)
class FunctionalForms:
    """The replaceable functions of the model.

    Each callable must broadcast over numpy arrays and be smooth.

    Parameters
    ----------
    cost : callable ``(t_own, y_other, params) -> f``
        Investment cost ``f^i(t_i, y_j)``, ``y_j = lambda_c t_j s_j``.
    leakage : callable ``(s_own, s_other, params) -> g``
        Leakage cost ``g^i(s_i, s_j)``.
    delta : callable ``(t_own, params) -> delta``
        Section 4's volume cost multiplier ``delta(t_i)`` (used when
        ``params.c`` or ``params.lambda_hat`` is non-zero).
    """

    cost: CostFn = default_cost
    leakage: LeakageFn = default_leakage
    delta: DeltaFn = default_delta


DEFAULT_FORMS = FunctionalForms()
