"""Security information sharing in a duopoly (Gal-Or & Ghose, ISR 16(2), 2005).

Two firms choose how much security information to share, ``s_i`` in [0, 1],
and how much to invest in security technology, ``t_i >= 0``; then they compete
in prices (Bertrand) with differentiated products.  This module solves the
model of SPEC section 5.3 numerically, for any cost and leakage functions:

* the market primitives: demand shift ``B_i`` (eq. 3), second-stage prices
  (eq. 21), reduced-form profit (eq. 4), welfare (eq. 9) and consumer surplus;
* the Bertrand-Nash equilibrium of the first stage (section 2.1, FOCs 5-6),
  with *every* symmetric KKT point located by a scan, each checked against a
  global best response, second-order conditions, the best-response Jacobian
  and best-response iteration from symmetric and asymmetric starts;
* the joint-profit ISA and the social planner (section 2.2, eqs. 9-14);
* the sequential game (section 3, eqs. 15-16): a leader commits to (s, t),
  the follower best-responds;
* the volume-related costs of section 4 (eqs. 17-18): unit cost
  ``F_i = (c - lambda_hat t_j s_j) delta(t_i)``; with ``c = lambda_hat = 0``
  the base model is recovered exactly;
* the subsidy/tax scheme of Appendix B (eqs. 34-36).

Welfare (our reading of eq. 9, reconciled with SPEC)
---------------------------------------------------
The paper writes ``SW = 2 int_0^{q*} F(q, q) dq - 2 f`` where ``F`` is the
inverse demand on the symmetric diagonal and ``q*`` the quantity at the
Bertrand prices of the second stage (the planner sets s and t, never prices).
``F(q, q) = (a + B - q) / (b1 - b2)``, which is SPEC's formula.  The integral
is the consumers' gross utility of Appendix A's quadratic utility
``U(q1, q2)`` along the diagonal, so ``SW = CS + Pi_1 + Pi_2``: consumer
surplus plus profits, with no production cost but the security investment.
For asymmetric profiles (sequential game, deviations) we use the same
utility, ``U(q) = q' M^-1 A - q' M^-1 q / 2`` with ``M = [[b1, -b2], [-b2,
b1]]`` and ``A_i = a + B_i``, which equals SPEC's formula on the diagonal
(checked in the tests).  With the section-4 unit costs the variable cost
``F_i q_i`` is subtracted too.

Appendix B (our reading)
------------------------
Firm i receives ``S_i = CS_i + TS_j`` (consumer surplus of product i plus total
surplus of product j, eq. 35) and pays the fixed tax ``T = S_i`` evaluated at
the social optimum (eq. 36).  Eq. (35) is garbled in the source (a double
integral of an inverse demand minus a revenue); we implement two readings of
"the consumer surplus generated from product i":

* ``"ray"`` (default): ``CS_i = int_0^1 F_i(tau q) q_i d tau - p_i q_i``, the
  product-i part of the line integral of eq. (9), so ``CS_1 + CS_2 = CS``;
* ``"partial"``: ``CS_i = int_0^{q_i} F_i(x, q_j) dx - p_i q_i``, the area
  under product i's inverse demand holding ``q_j`` fixed; the two then add up
  to ``CS`` minus the cross term ``b2 q1 q2 / (b1^2 - b2^2)``.

The scheme's result is *computed*, never assumed: :func:`subsidy_scheme`
solves the subsidised game and reports its equilibrium, its distance to the
social optimum and the net cost.

Conventions: a *payoff* is a function ``(s_own, t_own, s_other, t_other)`` of
numpy-broadcastable arguments; the game is symmetric, firm j's payoff is the
same function with the roles swapped.  Derivatives are central finite
differences, so user-supplied forms must be smooth and defined a little
outside the box ``[0, 1] x [0, inf)``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import optimize

from sharing.errors import InputError, SharingError, SolverError

FloatArray = npt.NDArray[np.float64]
#: A float or an array of floats; every model function broadcasts.
Num: TypeAlias = Any
#: Payoff of the firm under consideration: ``(s_own, t_own, s_other, t_other) -> value``.
Payoff = Callable[[Num, Num, Num, Num], Num]
#: Objective of a symmetric regime (joint profit, welfare): ``(s, t) -> value``.
SymmetricObjective = Callable[[Num, Num], Num]
#: How the consumer surplus is split between the products in Appendix B.
SurplusReading = Literal["ray", "partial"]

#: Relative step of first-order central differences (about eps^(1/3): noise and truncation balance).
_H1 = 1e-5
#: Relative step of second-order central differences.
_H2 = 1e-4
#: Relative step of Richardson-extrapolated second differences.
_RICH = 1e-3
#: Relative tolerance on a deviation gain below which a profile is a best response.
DEVIATION_TOL = 1e-8


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class DuopolyParams:
    """Parameters of the duopoly (SPEC 5.3; Gal-Or & Ghose eqs. 1-3 and section 4).

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
    """Investment cost ``f_i(t_i, y_j) = gamma/2 t_i^2 (1 - theta y_j / (1 + y_j))`` (SPEC 5.3).

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


# --------------------------------------------------------------------------- market primitives


def demand_shift(
    s_i: Num,
    t_i: Num,
    s_j: Num,
    t_j: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> Num:
    """Demand shift ``B_i = t_i - alpha t_j + lambda_d t_j s_j - g^i(s_i, s_j)`` (eq. 3)."""
    return t_i - params.alpha * t_j + params.lambda_d * t_j * s_j - forms.leakage(s_i, s_j, params)


def unit_cost(
    t_i: Num, s_j: Num, t_j: Num, params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS
) -> Num:
    """Section 4's unit cost ``F_i = (c - lambda_hat t_j s_j) delta(t_i)``; zero in the base model.

    The spillover cannot push the unit cost below zero: ``c - lambda_hat t_j s_j``
    is floored at 0 (the paper leaves this implicit).
    """
    if not params.volume_costs:
        return 0.0 * t_i
    return np.maximum(params.c - params.lambda_hat * t_j * s_j, 0.0) * forms.delta(t_i, params)


def stage2_prices(
    s_i: Num,
    t_i: Num,
    s_j: Num,
    t_j: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> tuple[Num, Num]:
    """Second-stage Bertrand prices ``(p_i, p_j)`` (eq. 21; section 4's version with unit costs).

    ``p_i = (2 b1 (a + B_i) + b2 (a + B_j) + 2 b1^2 F_i + b1 b2 F_j) / (4 b1^2 - b2^2)``;
    with ``F = 0`` this is SPEC's formula.
    """
    b1, b2 = params.b1, params.b2
    big_a_i = params.a + demand_shift(s_i, t_i, s_j, t_j, params, forms)
    big_a_j = params.a + demand_shift(s_j, t_j, s_i, t_i, params, forms)
    f_i = unit_cost(t_i, s_j, t_j, params, forms)
    f_j = unit_cost(t_j, s_i, t_i, params, forms)
    den = 4.0 * b1 * b1 - b2 * b2
    p_i = (2.0 * b1 * (big_a_i + b1 * f_i) + b2 * (big_a_j + b1 * f_j)) / den
    p_j = (2.0 * b1 * (big_a_j + b1 * f_j) + b2 * (big_a_i + b1 * f_i)) / den
    return p_i, p_j


def profit(
    s_i: Num,
    t_i: Num,
    s_j: Num,
    t_j: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> Num:
    """Reduced-form first-stage profit ``Pi_i = b1 (p_i - F_i)^2 - f^i(t_i, y_j)`` (eq. 4).

    The margin is floored at zero: the reduced form holds while ``q_i = b1 (p_i -
    F_i) >= 0``; a firm whose Bertrand quantity would be negative sells nothing.

    Examples
    --------
    >>> p = DuopolyParams()
    >>> round(float(profit(0.0, 0.0, 0.0, 0.0, p)), 6)  # b1 (a / (2 b1 - b2))^2
    44.444444
    """
    p_i, _ = stage2_prices(s_i, t_i, s_j, t_j, params, forms)
    margin = np.maximum(p_i - unit_cost(t_i, s_j, t_j, params, forms), 0.0)
    return params.b1 * margin * margin - forms.cost(t_i, params.lambda_c * t_j * s_j, params)


@dataclass(frozen=True)
class Outcome:
    """Market outcome of a first-stage profile ``(s1, t1, s2, t2)``; per-firm pairs.

    ``welfare`` is eq. (9) generalised to asymmetric profiles (module docstring);
    ``consumer_surplus`` is ``U(q) - p . q``.
    """

    s: tuple[float, float]
    t: tuple[float, float]
    price: tuple[float, float]
    quantity: tuple[float, float]
    unit_cost: tuple[float, float]
    profit: tuple[float, float]
    consumer_surplus: float
    welfare: float

    def firm(self, k: int) -> dict[str, float]:
        """Firm ``k``'s numbers as a dictionary."""
        return {
            "s": self.s[k],
            "t": self.t[k],
            "price": self.price[k],
            "quantity": self.quantity[k],
            "profit": self.profit[k],
        }

    def symmetric_dict(self) -> dict[str, float]:
        """Per-firm numbers of firm 1 plus total welfare (for symmetric regimes)."""
        out = self.firm(0)
        out["consumer_surplus"] = self.consumer_surplus
        out["welfare"] = self.welfare
        if any(u != 0.0 for u in self.unit_cost):
            out["unit_cost"] = self.unit_cost[0]
        return out


def _surplus_parts(
    s1: Num, t1: Num, s2: Num, t2: Num, params: DuopolyParams, forms: FunctionalForms
) -> dict[str, Num]:
    """Prices, quantities, intercepts and gross utility of a profile (vectorised)."""
    b1, b2 = params.b1, params.b2
    p1, p2 = stage2_prices(s1, t1, s2, t2, params, forms)
    f1 = unit_cost(t1, s2, t2, params, forms)
    f2 = unit_cost(t2, s1, t1, params, forms)
    q1 = b1 * np.maximum(p1 - f1, 0.0)
    q2 = b1 * np.maximum(p2 - f2, 0.0)
    a1 = params.a + demand_shift(s1, t1, s2, t2, params, forms)
    a2 = params.a + demand_shift(s2, t2, s1, t1, params, forms)
    det = b1 * b1 - b2 * b2
    # M^-1 A and M^-1 q with M^-1 = [[b1, b2], [b2, b1]] / (b1^2 - b2^2).
    ma1, ma2 = (b1 * a1 + b2 * a2) / det, (b2 * a1 + b1 * a2) / det
    mq1, mq2 = (b1 * q1 + b2 * q2) / det, (b2 * q1 + b1 * q2) / det
    gross = q1 * ma1 + q2 * ma2 - 0.5 * (q1 * mq1 + q2 * mq2)
    cost1 = forms.cost(t1, params.lambda_c * t2 * s2, params)
    cost2 = forms.cost(t2, params.lambda_c * t1 * s1, params)
    return {
        "p1": p1,
        "p2": p2,
        "q1": q1,
        "q2": q2,
        "f1": f1,
        "f2": f2,
        "ma1": ma1,
        "ma2": ma2,
        "mq1": mq1,
        "mq2": mq2,
        "gross": gross,
        "cost1": cost1,
        "cost2": cost2,
        "det": det,
    }


def welfare(
    s1: Num,
    t1: Num,
    s2: Num,
    t2: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> Num:
    """Social welfare: gross utility minus variable and investment costs (eq. 9 generalised).

    On the diagonal this is SPEC's ``2 int_0^{q*} (a + B - q)/(b1 - b2) dq - 2 f``.
    """
    x = _surplus_parts(s1, t1, s2, t2, params, forms)
    return x["gross"] - x["f1"] * x["q1"] - x["f2"] * x["q2"] - x["cost1"] - x["cost2"]


def consumer_surplus(
    s1: Num,
    t1: Num,
    s2: Num,
    t2: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> Num:
    """Consumer surplus ``U(q) - p1 q1 - p2 q2`` at the second-stage prices."""
    x = _surplus_parts(s1, t1, s2, t2, params, forms)
    return x["gross"] - x["p1"] * x["q1"] - x["p2"] * x["q2"]


def spec_symmetric_welfare(
    s: Num, t: Num, params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS
) -> Num:
    """SPEC's closed form ``SW = 2 int_0^{q*} (a + B - q)/(b1 - b2) dq - 2 f`` (base model).

    ``q* = b1 p*`` with ``p* = (a + B) / (2 b1 - b2)`` and ``B = B_i(s, t, s, t)``.
    Kept literal, as an independent check of :func:`welfare`.
    """
    big_a = params.a + demand_shift(s, t, s, t, params, forms)
    q = params.b1 * big_a / (2.0 * params.b1 - params.b2)
    integral = (big_a * q - 0.5 * q * q) / (params.b1 - params.b2)
    return 2.0 * integral - 2.0 * forms.cost(t, params.lambda_c * t * s, params)


def outcome(
    s1: float,
    t1: float,
    s2: float,
    t2: float,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> Outcome:
    """Evaluate every market quantity at the first-stage profile ``(s1, t1, s2, t2)``."""
    x = _surplus_parts(s1, t1, s2, t2, params, forms)
    pi1 = profit(s1, t1, s2, t2, params, forms)
    pi2 = profit(s2, t2, s1, t1, params, forms)
    cs = x["gross"] - x["p1"] * x["q1"] - x["p2"] * x["q2"]
    return Outcome(
        s=(float(s1), float(s2)),
        t=(float(t1), float(t2)),
        price=(float(x["p1"]), float(x["p2"])),
        quantity=(float(x["q1"]), float(x["q2"])),
        unit_cost=(float(x["f1"]), float(x["f2"])),
        profit=(float(pi1), float(pi2)),
        consumer_surplus=float(cs),
        welfare=float(cs + pi1 + pi2),
    )


def product_consumer_surplus(
    s1: Num,
    t1: Num,
    s2: Num,
    t2: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    reading: SurplusReading = "ray",
) -> tuple[Num, Num]:
    """Consumer surplus generated by each product, ``(CS_1, CS_2)`` (Appendix B, eq. 35).

    Parameters
    ----------
    s1, t1, s2, t2 : float or array
        First-stage profile.
    params : DuopolyParams
        Model parameters.
    forms : FunctionalForms
        Functional forms.
    reading : {"ray", "partial"}
        ``"ray"``: ``CS_i = int_0^1 F_i(tau q) q_i dtau - p_i q_i`` (sums to CS);
        ``"partial"``: ``CS_i = int_0^{q_i} F_i(x, q_j) dx - p_i q_i``.
    """
    x = _surplus_parts(s1, t1, s2, t2, params, forms)
    q1, q2 = x["q1"], x["q2"]
    if reading == "ray":
        cs1 = q1 * (x["ma1"] - 0.5 * x["mq1"]) - x["p1"] * q1
        cs2 = q2 * (x["ma2"] - 0.5 * x["mq2"]) - x["p2"] * q2
    elif reading == "partial":
        m_own, m_cross = params.b1 / x["det"], params.b2 / x["det"]
        cs1 = x["ma1"] * q1 - 0.5 * m_own * q1 * q1 - m_cross * q1 * q2 - x["p1"] * q1
        cs2 = x["ma2"] * q2 - 0.5 * m_own * q2 * q2 - m_cross * q1 * q2 - x["p2"] * q2
    else:
        raise InputError(f"unknown consumer-surplus reading {reading!r}; use 'ray' or 'partial'")
    return cs1, cs2


def appendix_b_subsidy(
    s_i: Num,
    t_i: Num,
    s_j: Num,
    t_j: Num,
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    reading: SurplusReading = "ray",
) -> Num:
    """Subsidy to firm i, ``CS_i + TS_j`` with ``TS_j = CS_j + Pi_j`` (Appendix B, eq. 35)."""
    cs_i, cs_j = product_consumer_surplus(s_i, t_i, s_j, t_j, params, forms, reading)
    return cs_i + cs_j + profit(s_j, t_j, s_i, t_i, params, forms)


# --------------------------------------------------------------------------- payoffs


def profit_payoff(params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS) -> Payoff:
    """Firm i's reduced-form profit as a payoff function of ``(s_i, t_i, s_j, t_j)``."""

    def payoff(s_i: Num, t_i: Num, s_j: Num, t_j: Num) -> Num:
        return profit(s_i, t_i, s_j, t_j, params, forms)

    return payoff


def subsidised_payoff(
    params: DuopolyParams,
    tax: float,
    forms: FunctionalForms = DEFAULT_FORMS,
    reading: SurplusReading = "ray",
) -> Payoff:
    """Firm i's objective under Appendix B: ``Pi_i + S_i - T``."""

    def payoff(s_i: Num, t_i: Num, s_j: Num, t_j: Num) -> Num:
        return (
            profit(s_i, t_i, s_j, t_j, params, forms)
            + appendix_b_subsidy(s_i, t_i, s_j, t_j, params, forms, reading)
            - tax
        )

    return payoff


# --------------------------------------------------------------------------- numerical kernels


def _step(x: float, rel: float) -> float:
    return rel * (1.0 + abs(x))


def _grad(fun: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    g = np.empty_like(x)
    for k in range(x.size):
        h = _step(float(x[k]), _H1)
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (fun(x + e) - fun(x - e)) / (2.0 * h)
    return g


def _grad_richardson(fun: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    """Gradient by central differences with steps h and 2h, Richardson-extrapolated.

    Independent of the stencil the solvers use, so it measures residuals honestly.
    """
    g = np.empty_like(x)
    for k in range(x.size):
        h = _step(float(x[k]), _H2)
        e = np.zeros_like(x)
        e[k] = h
        d1 = (fun(x + e) - fun(x - e)) / (2.0 * h)
        d2 = (fun(x + 2.0 * e) - fun(x - 2.0 * e)) / (4.0 * h)
        g[k] = (4.0 * d1 - d2) / 3.0
    return g


def _hessian(fun: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    n = x.size
    hs = [_step(float(v), _H2) for v in x]
    hess = np.empty((n, n))
    f0 = fun(x)
    for k in range(n):
        ek = np.zeros(n)
        ek[k] = hs[k]
        hess[k, k] = (fun(x + ek) - 2.0 * f0 + fun(x - ek)) / hs[k] ** 2
        for m in range(k + 1, n):
            em = np.zeros(n)
            em[m] = hs[m]
            val = (fun(x + ek + em) - fun(x + ek - em) - fun(x - ek + em) + fun(x - ek - em)) / (
                4.0 * hs[k] * hs[m]
            )
            hess[k, m] = hess[m, k] = val
    return hess


def _hessian_richardson(
    fun: Callable[[FloatArray], float], x: FloatArray, steps: FloatArray
) -> FloatArray:
    """Second differences with steps ``h`` and ``2 h`` combined by Richardson extrapolation.

    The ``h^2`` truncation error cancels; with ``h ~ 1e-3`` the result is
    accurate to about ``1e-16 |fun| / h^2``, i.e. ~1e-8 for profits of order 10-100.
    """

    def second(h: FloatArray) -> FloatArray:
        n = x.size
        out = np.empty((n, n))
        f0 = fun(x)
        for k in range(n):
            ek = np.zeros(n)
            ek[k] = h[k]
            out[k, k] = (fun(x + ek) - 2.0 * f0 + fun(x - ek)) / h[k] ** 2
            for m in range(k + 1, n):
                em = np.zeros(n)
                em[m] = h[m]
                out[k, m] = out[m, k] = (
                    fun(x + ek + em) - fun(x + ek - em) - fun(x - ek + em) + fun(x - ek - em)
                ) / (4.0 * h[k] * h[m])
        return out

    return np.asarray((4.0 * second(steps) - second(2.0 * steps)) / 3.0)


def _active_set(
    x: FloatArray, g: FloatArray, lo: FloatArray, hi: FloatArray
) -> npt.NDArray[np.bool_]:
    """Boolean mask of bound-constrained coordinates whose gradient pushes outwards."""
    at_lo = (x <= lo + 1e-12) & (g <= 0)
    at_hi = (x >= hi - 1e-12) & (g >= 0)
    return np.asarray(at_lo | at_hi, dtype=bool)


def kkt_residual(g: FloatArray, x: FloatArray, lo: FloatArray, hi: FloatArray) -> float:
    """Natural residual ``|x - clip(x + g)|_inf`` of a box-constrained maximisation (0 at KKT)."""
    return float(np.max(np.abs(x - np.clip(x + g, lo, hi))))


def maximize_box(
    fun: Callable[[FloatArray], float],
    x0: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    *,
    gtol: float = 1e-9,
    max_iter: int = 200,
    grad: Callable[[FloatArray], FloatArray] | None = None,
) -> tuple[FloatArray, float, float]:
    """Maximise a smooth function over a box by projected Newton steps (local).

    Newton steps on the free coordinates (Hessian shifted to be negative
    definite when it is not), projected on the box, with a backtracking line
    search.  ``grad`` replaces the central-difference gradient (the Hessian is
    then its forward difference).

    Returns
    -------
    x, value, residual
        The local maximiser, the value and its KKT residual (gradient on the
        free coordinates, scaled by ``1 + |value|``).
    """
    gradient = grad if grad is not None else (lambda z: _grad(fun, z))

    def hessian(z: FloatArray) -> FloatArray:
        if grad is None:
            return _hessian(fun, z)
        g0 = grad(z)
        cols = []
        for k in range(z.size):
            e = np.zeros_like(z)
            e[k] = _step(float(z[k]), _H2)
            cols.append((grad(z + e) - g0) / e[k])
        h = np.column_stack(cols)
        return np.asarray(0.5 * (h + h.T))

    x = np.clip(np.asarray(x0, dtype=float), lo, hi)
    fx = fun(x)
    res = math.inf
    trusted = 0
    for _ in range(max_iter):
        g = gradient(x)
        free = ~_active_set(x, g, lo, hi)
        res = float(np.max(np.abs(g[free]))) if free.any() else 0.0
        if res <= gtol * (1.0 + abs(fx)):
            break
        hess = hessian(x)[np.ix_(free, free)]
        eig_max = float(np.max(np.linalg.eigvalsh(hess)))
        if eig_max >= -1e-12:
            hess = hess - (eig_max + 1e-6 * (1.0 + float(np.max(np.abs(hess))))) * np.eye(
                hess.shape[0]
            )
        d = np.zeros_like(x)
        d[free] = -np.linalg.solve(hess, g[free])
        if float(g @ d) < 1e-11 * (1.0 + abs(fx)):
            # The predicted gain is below the noise of ``fun``: trust a few Newton steps.
            trusted += 1
            x_new = np.clip(x + d, lo, hi)
            if trusted > 3 or float(np.max(np.abs(x_new - x))) <= 1e-15 * (
                1.0 + float(np.max(np.abs(x)))
            ):
                break
            x, fx = x_new, fun(x_new)
            continue
        step = 1.0
        improved = False
        while step > 1e-14:
            x_new = np.clip(x + step * d, lo, hi)
            f_new = fun(x_new)
            if f_new >= fx:
                improved = True
                break
            step *= 0.5
        if not improved or float(np.max(np.abs(x_new - x))) <= 1e-15 * (
            1.0 + float(np.max(np.abs(x)))
        ):
            break
        x, fx = x_new, f_new
    g = gradient(x)
    free = ~_active_set(x, g, lo, hi)
    res = float(np.max(np.abs(g[free]))) if free.any() else 0.0
    return x, float(fx), res / (1.0 + abs(fx))


def _grid_starts(values: FloatArray, k: int, sep: int) -> list[tuple[int, int]]:
    """Indices of up to ``k`` best grid points at least ``sep`` cells apart."""
    order = np.argsort(values, axis=None)[::-1]
    picked: list[tuple[int, int]] = []
    for flat in order:
        i, j = np.unravel_index(int(flat), values.shape)
        if all(abs(int(i) - a) > sep or abs(int(j) - b) > sep for a, b in picked):
            picked.append((int(i), int(j)))
            if len(picked) == k:
                break
    return picked


def maximize_2d(
    fun: SymmetricObjective,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    *,
    t_scale: float = 1.0,
    n_s: int = 41,
    n_t: int = 81,
    starts: int = 3,
    extra_starts: tuple[tuple[float, float], ...] = (),
) -> tuple[float, float, float, float]:
    """Globally maximise ``fun(s, t)`` over ``[s_lo, s_hi] x [0, inf)``.

    A vectorised grid search (the t range doubles until the grid maximum is
    interior in t), then :func:`maximize_box` from the best separated grid
    points and from ``extra_starts``.

    Returns
    -------
    s, t, value, residual

    Raises
    ------
    SolverError
        If the maximum runs away in ``t`` (objective unbounded) or is not finite.
    """
    s_lo, s_hi = s_bounds
    t_hi = max(float(t_scale), 1e-3)
    s_grid = np.array([s_lo]) if s_hi - s_lo < 1e-15 else np.linspace(s_lo, s_hi, n_s)
    for _ in range(60):
        t_grid = np.linspace(0.0, t_hi, n_t)
        ss, tt = np.meshgrid(s_grid, t_grid, indexing="ij")
        vals = np.asarray(fun(ss, tt), dtype=float)
        if not np.all(np.isfinite(vals)):
            raise SolverError("objective is not finite on the search grid")
        _, j = np.unravel_index(int(np.argmax(vals)), vals.shape)
        if j < n_t - 2:
            break
        t_hi *= 2.0
    else:
        raise SolverError("the optimum runs away in t: the objective looks unbounded in t")
    lo = np.array([s_lo, 0.0])
    hi = np.array([s_hi, 4.0 * t_hi])

    def f(x: FloatArray) -> float:
        return float(fun(float(x[0]), float(x[1])))

    candidates = [(float(s_grid[i]), float(t_grid[j])) for i, j in _grid_starts(vals, starts, 2)]
    candidates += [(min(max(a, s_lo), s_hi), max(b, 0.0)) for a, b in extra_starts]
    best: tuple[float, float, float, float] | None = None
    for s0, t0 in candidates:
        x, v, res = maximize_box(f, np.array([s0, t0]), lo, hi)
        if best is None or v > best[2]:
            best = (float(x[0]), float(x[1]), v, res)
    assert best is not None
    if best[1] >= hi[1] * (1 - 1e-9):
        raise SolverError("the optimum runs away in t: the objective looks unbounded in t")
    return best


# --------------------------------------------------------------------------- best responses


@dataclass(frozen=True)
class BestResponse:
    """A best response ``(s, t)`` of the firm under consideration, with its value."""

    s: float
    t: float
    value: float
    residual: float


def best_response(
    payoff: Payoff,
    s_other: float,
    t_other: float,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    t_scale: float | None = None,
    warm: tuple[float, float] | None = None,
) -> BestResponse:
    """Global best response to ``(s_other, t_other)``: ``argmax_{s, t} payoff(s, t, s_j, t_j)``.

    Grid search over the own box plus local polishing (see :func:`maximize_2d`),
    so corners (``s = 0``, ``s = 1``, ``t = 0``) are handled.
    """

    def own(s: Num, t: Num) -> Num:
        return payoff(s, t, s_other, t_other)

    scale = t_scale if t_scale is not None else max(1.0, 2.0 * t_other)
    extra = (warm,) if warm is not None else ()
    s, t, v, res = maximize_2d(own, s_bounds, t_scale=scale, extra_starts=extra)
    return BestResponse(s=s, t=t, value=v, residual=res)


def local_best_response(
    payoff: Payoff,
    s_other: float,
    t_other: float,
    warm: tuple[float, float],
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> BestResponse:
    """Best response by local polishing from ``warm`` only (fast; no global guarantee)."""

    def f(x: FloatArray) -> float:
        return float(payoff(float(x[0]), float(x[1]), s_other, t_other))

    lo = np.array([s_bounds[0], 0.0])
    hi = np.array([s_bounds[1], math.inf])
    x, v, res = maximize_box(f, np.array(warm, dtype=float), lo, hi)
    return BestResponse(s=float(x[0]), t=float(x[1]), value=v, residual=res)


def own_derivatives(
    payoff: Payoff, s_i: float, t_i: float, s_j: float, t_j: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gradient and Hessian of ``payoff`` in the own variables, and the cross block.

    Returns
    -------
    grad : (2,)
        ``(dPi_i/ds_i, dPi_i/dt_i)``.
    own_hessian : (2, 2)
        Second derivatives in ``(s_i, t_i)``.
    cross : (2, 2)
        ``cross[k, m] = d^2 Pi_i / d x_i[k] d x_j[m]`` with ``x = (s, t)``.
    """

    def f4(z: FloatArray) -> float:
        return float(payoff(float(z[0]), float(z[1]), float(z[2]), float(z[3])))

    z = np.array([s_i, t_i, s_j, t_j], dtype=float)
    g = _grad(f4, z)
    hess = _hessian_richardson(f4, z, _RICH * (1.0 + np.abs(z)))
    return g[:2], hess[:2, :2], hess[:2, 2:]


def best_response_jacobian(
    payoff: Payoff,
    s_i: float,
    t_i: float,
    s_j: float,
    t_j: float,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Slopes of the reaction functions ``d(s_i, t_i)/d(s_j, t_j)`` at a best response.

    Implicit function theorem on the own first-order conditions (eqs. 23-24 of
    the paper): ``J = -H_own^{-1} H_cross`` on the free coordinates; a
    coordinate at a bound (``s = 0``/``s = 1``/``t = 0`` with the gradient
    pointing out) has slope 0.

    Returns
    -------
    jacobian : (2, 2)
        Rows ``(s_i, t_i)``, columns ``(s_j, t_j)``.
    own_hessian : (2, 2)
    active : tuple of str
        Names of the binding bounds.
    """
    g, h_own, cross = own_derivatives(payoff, s_i, t_i, s_j, t_j)
    x = np.array([s_i, t_i])
    lo = np.array([s_bounds[0], 0.0])
    hi = np.array([s_bounds[1], math.inf])
    fixed_s = s_bounds[1] - s_bounds[0] < 1e-15
    active = _active_set(x, g, lo, hi)
    if fixed_s:
        active[0] = True
    names = []
    if active[0]:
        names.append("s fixed" if fixed_s else ("s=0" if s_i <= s_bounds[0] + 1e-12 else "s=1"))
    if active[1]:
        names.append("t=0")
    free = ~active
    jac = np.zeros((2, 2))
    if free.any():
        jac[free, :] = -np.linalg.solve(h_own[np.ix_(free, free)], cross[free, :])
    return jac, h_own, tuple(names)


# --------------------------------------------------------------------------- symmetric equilibria


@dataclass(frozen=True)
class EquilibriumPoint:
    """A symmetric KKT point ``s_1 = s_2 = s``, ``t_1 = t_2 = t`` of the first stage, diagnosed.

    Attributes
    ----------
    kkt_residual : float
        Natural residual of the own first-order conditions (eqs. 5-6) at the point.
    is_equilibrium : bool
        No unilateral deviation (global best response over the own box) gains more
        than ``DEVIATION_TOL * (1 + |payoff|)``.
    deviation_gain : float
        Best deviation payoff minus the payoff at the point.
    soc : bool
        The own Hessian restricted to the free coordinates is negative definite.
    br_jacobian : (2, 2) array
        Reaction-function slopes ``d(s_i, t_i)/d(s_j, t_j)``.
    spectral_radius : float
        Of ``br_jacobian``; below 1 the equilibrium is locally stable under
        best-response iteration.
    active : tuple of str
        Binding bounds (e.g. ``"s=0"``).
    """

    s: float
    t: float
    value: float
    kkt_residual: float
    is_equilibrium: bool
    deviation_gain: float
    soc: bool
    own_hessian: FloatArray = field(repr=False)
    br_jacobian: FloatArray = field(repr=False)
    spectral_radius: float
    active: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        return {
            "s": self.s,
            "t": self.t,
            "payoff": self.value,
            "kkt_residual": self.kkt_residual,
            "is_equilibrium": self.is_equilibrium,
            "deviation_gain": self.deviation_gain,
            "second_order_ok": self.soc,
            "own_hessian": self.own_hessian.tolist(),
            "best_response_slopes": {
                "ds_i/ds_j": float(self.br_jacobian[0, 0]),
                "ds_i/dt_j": float(self.br_jacobian[0, 1]),
                "dt_i/ds_j": float(self.br_jacobian[1, 0]),
                "dt_i/dt_j": float(self.br_jacobian[1, 1]),
            },
            "spectral_radius": self.spectral_radius,
            "active_bounds": list(self.active),
        }


def _sym_h(payoff: Payoff, s: Num, t: Num, which: int) -> Num:
    """Own partial derivative (``which`` 0: s, 1: t) at the symmetric profile (s, t, s, t)."""
    if which == 0:
        h = _H1 * (1.0 + np.abs(s))
        return (payoff(s + h, t, s, t) - payoff(s - h, t, s, t)) / (2.0 * h)
    h = _H1 * (1.0 + np.abs(t))
    return (payoff(s, t + h, s, t) - payoff(s, t - h, s, t)) / (2.0 * h)


def _symmetric_t_bound(payoff: Payoff, s_grid: FloatArray, t_scale: float) -> float:
    """A ``T`` with ``dPi_i/dt_i < 0`` at every symmetric profile ``(s, T)`` of the grid."""
    t_hi = max(t_scale, 1e-3)
    for _ in range(60):
        if np.all(np.asarray(_sym_h(payoff, s_grid, np.full_like(s_grid, t_hi), 1)) < 0):
            return 2.0 * t_hi
        t_hi *= 2.0
    raise SolverError("no symmetric equilibrium: marginal profit of investment stays positive")


def _t_roots(payoff: Payoff, s: float, row: FloatArray, t_grid: FloatArray) -> list[float]:
    """Roots in t of the symmetric t-FOC on one grid row, plus the corner t = 0 if KKT."""
    roots: list[float] = []
    if row[0] <= 0:
        roots.append(0.0)

    def h(t: float) -> float:
        return float(_sym_h(payoff, s, t, 1))

    for m in range(len(t_grid) - 1):
        lo_v, hi_v = row[m], row[m + 1]
        if lo_v == 0.0 and m > 0:
            roots.append(float(t_grid[m]))
        elif lo_v * hi_v < 0:
            roots.append(float(optimize.brentq(h, t_grid[m], t_grid[m + 1], xtol=1e-14)))
    return roots


def _t_on_branch(payoff: Payoff, s: float, guess: float, width: float) -> float:
    """Root of the symmetric t-FOC near ``guess`` (t = 0 if the corner is the only KKT point)."""

    def h(t: float) -> float:
        return float(_sym_h(payoff, s, t, 1))

    w = width
    for _ in range(30):
        lo, hi = max(0.0, guess - w), guess + w
        if h(lo) * h(hi) < 0:
            return float(optimize.brentq(h, lo, hi, xtol=1e-14))
        if lo == 0.0 and h(0.0) <= 0:
            return 0.0
        w *= 2.0
    raise SolverError(f"lost the investment branch at s={s}")


def symmetric_kkt_points(
    payoff: Payoff,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    t_scale: float = 1.0,
    n_s: int = 41,
    n_t: int = 161,
) -> list[tuple[float, float]]:
    """All symmetric KKT points of the own problem, found by a scan (up to grid resolution).

    For each ``s`` on a grid, the roots ``t(s)`` of the symmetric investment
    FOC (eq. 6) are bracketed on a ``t`` grid and refined (``t = 0`` is kept
    when the corner satisfies KKT); then the sharing FOC (eq. 5) along each
    branch, ``phi(s) = dPi_i/ds_i(s, t(s))``, is scanned for sign changes, and
    the corners ``s = s_lo`` (``phi <= 0``) and ``s = s_hi`` (``phi >= 0``) are
    tested.  Where the number of branches changes, a 2-D root finder is
    started from the grid points as a fallback.

    Returns
    -------
    list of (s, t)
        Distinct KKT points (not yet checked to be equilibria).
    """
    s_lo, s_hi = s_bounds
    fixed_s = s_hi - s_lo < 1e-15
    s_grid = np.array([s_lo]) if fixed_s else np.linspace(s_lo, s_hi, n_s)
    t_top = _symmetric_t_bound(payoff, s_grid, t_scale)
    t_grid = np.linspace(0.0, t_top, n_t)
    ss, tt = np.meshgrid(s_grid, t_grid, indexing="ij")
    h_t = np.asarray(_sym_h(payoff, ss, tt, 1), dtype=float)
    rows = [_t_roots(payoff, float(s_grid[k]), h_t[k], t_grid) for k in range(len(s_grid))]
    width = float(t_grid[1] - t_grid[0])
    found: list[tuple[float, float]] = []
    scale = 1.0 + float(np.max(np.abs(np.asarray(payoff(ss, tt, ss, tt)))))
    tol = 1e-9 * scale

    def phi(s: float, t: float) -> float:
        return float(_sym_h(payoff, s, t, 0))

    if fixed_s:
        return [(s_lo, t) for t in rows[0]]
    phis = [[phi(float(s_grid[k]), t) for t in rows[k]] for k in range(len(s_grid))]
    found += [(s_lo, t) for t, v in zip(rows[0], phis[0], strict=True) if v <= tol]
    found += [(s_hi, t) for t, v in zip(rows[-1], phis[-1], strict=True) if v >= -tol]
    for k in range(len(s_grid) - 1):
        sa, sb = float(s_grid[k]), float(s_grid[k + 1])
        if len(rows[k]) == len(rows[k + 1]):
            for r, (ta, tb) in enumerate(zip(rows[k], rows[k + 1], strict=True)):
                va, vb = phis[k][r], phis[k + 1][r]
                if va * vb >= 0 and not (vb == 0.0 and k + 1 < len(s_grid) - 1):
                    continue
                corner = ta == 0.0 and tb == 0.0

                def branch_phi(
                    s: float,
                    ta: float = ta,
                    tb: float = tb,
                    sa: float = sa,
                    sb: float = sb,
                    corner: bool = corner,
                ) -> float:
                    if corner:
                        return phi(s, 0.0)
                    guess = ta + (tb - ta) * (s - sa) / (sb - sa)
                    return phi(s, _t_on_branch(payoff, s, guess, width))

                s_root = float(optimize.brentq(branch_phi, sa, sb, xtol=1e-14))
                guess = ta + (tb - ta) * (s_root - sa) / (sb - sa)
                t_root = 0.0 if corner else _t_on_branch(payoff, s_root, guess, width)
                found.append((s_root, t_root))
        else:
            for s0, ts in ((sa, rows[k]), (sb, rows[k + 1])):
                for t0 in ts:
                    sol = optimize.root(
                        lambda z: [
                            phi(float(z[0]), float(z[1])),
                            float(_sym_h(payoff, float(z[0]), float(z[1]), 1)),
                        ],
                        [s0, t0],
                        method="hybr",
                        options={"xtol": 1e-13},
                    )
                    z = sol.x
                    if sol.success and s_lo < z[0] < s_hi and z[1] > 0:
                        found.append((float(z[0]), float(z[1])))
    distinct: list[tuple[float, float]] = []
    for s, t in found:
        if all(abs(s - a) > 1e-7 or abs(t - b) > 1e-7 * (1 + abs(b)) for a, b in distinct):
            distinct.append((s, t))
    return sorted(distinct)


def diagnose_symmetric_point(
    payoff: Payoff,
    s: float,
    t: float,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    global_check: bool = True,
) -> EquilibriumPoint:
    """Diagnose a symmetric profile: KKT residual, deviation gain, SOC, reaction slopes."""
    value = float(payoff(s, t, s, t))
    g = _grad_richardson(lambda x: float(payoff(float(x[0]), float(x[1]), s, t)), np.array([s, t]))
    lo = np.array([s_bounds[0], 0.0])
    hi = np.array([s_bounds[1], math.inf])
    if s_bounds[1] - s_bounds[0] < 1e-15:
        g = np.array([0.0, g[1]])
    res = kkt_residual(g / (1.0 + abs(value)), np.array([s, t]), lo, hi)
    jac, h_own, active = best_response_jacobian(payoff, s, t, s, t, s_bounds)
    free = [k for k, name in enumerate(("s", "t")) if not any(a.startswith(name) for a in active)]
    if free:
        eig = np.linalg.eigvalsh(h_own[np.ix_(free, free)])
        soc = bool(np.all(eig < 0))
    else:
        soc = True
    if global_check:
        br = best_response(payoff, s, t, s_bounds=s_bounds, t_scale=max(1.0, 2.0 * t), warm=(s, t))
        gain = br.value - value
    else:
        gain = 0.0
    rho = float(np.max(np.abs(np.linalg.eigvals(jac))))
    return EquilibriumPoint(
        s=s,
        t=t,
        value=value,
        kkt_residual=res,
        is_equilibrium=gain <= DEVIATION_TOL * (1.0 + abs(value)),
        deviation_gain=float(gain),
        soc=soc,
        own_hessian=h_own,
        br_jacobian=jac,
        spectral_radius=rho,
        active=active,
    )


@dataclass(frozen=True)
class IterationRun:
    """One run of simultaneous best-response iteration."""

    start: tuple[float, float, float, float]
    end: tuple[float, float, float, float]
    iterations: int
    converged: bool

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        return dataclasses.asdict(self)


def best_response_iteration(
    payoff: Payoff,
    start: tuple[float, float, float, float],
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    tol: float = 1e-9,
    max_iter: int = 200,
    t_scale: float = 1.0,
) -> IterationRun:
    """Simultaneous best-response iteration ``x_1 <- BR(x_2), x_2 <- BR(x_1)`` (global BRs).

    Stops when the profile moves less than ``tol`` (sup norm).
    """
    s1, t1, s2, t2 = start
    for it in range(1, max_iter + 1):
        br1 = best_response(
            payoff, s2, t2, s_bounds=s_bounds, t_scale=max(t_scale, 2 * t2), warm=(s1, t1)
        )
        br2 = best_response(
            payoff, s1, t1, s_bounds=s_bounds, t_scale=max(t_scale, 2 * t1), warm=(s2, t2)
        )
        new = (br1.s, br1.t, br2.s, br2.t)
        move = max(abs(a - b) for a, b in zip(new, (s1, t1, s2, t2), strict=True))
        s1, t1, s2, t2 = new
        if move < tol:
            return IterationRun(start, new, it, True)
    return IterationRun(start, (s1, t1, s2, t2), max_iter, False)


@dataclass(frozen=True)
class NashResult:
    """Symmetric Bertrand-Nash equilibrium of the first stage, with its diagnostics.

    Attributes
    ----------
    equilibrium : EquilibriumPoint
        The selected symmetric equilibrium (the most profitable if several).
    candidates : tuple of EquilibriumPoint
        Every symmetric KKT point found by the scan.
    n_equilibria : int
        How many candidates pass the global deviation check.
    iteration : tuple of IterationRun
        Best-response iteration runs from symmetric and asymmetric starts.
    stable : bool
        Spectral radius of the reaction slopes < 1 and every iteration run
        converged to the selected equilibrium.
    outcome : Outcome
        Prices, profits, welfare at the equilibrium.
    """

    equilibrium: EquilibriumPoint
    candidates: tuple[EquilibriumPoint, ...]
    n_equilibria: int
    iteration: tuple[IterationRun, ...]
    stable: bool
    outcome: Outcome

    @property
    def s(self) -> float:
        """Equilibrium sharing."""
        return self.equilibrium.s

    @property
    def t(self) -> float:
        """Equilibrium investment."""
        return self.equilibrium.t

    @property
    def unique(self) -> bool:
        """Exactly one symmetric equilibrium found."""
        return self.n_equilibria == 1

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view: the outcome plus the diagnostics."""
        out: dict[str, Any] = self.outcome.symmetric_dict()
        out.update(
            {
                "unique": self.unique,
                "n_symmetric_equilibria": self.n_equilibria,
                "stable": self.stable,
                "diagnostics": self.equilibrium.as_dict(),
                "other_kkt_points": [
                    c.as_dict() for c in self.candidates if c is not self.equilibrium
                ],
                "best_response_iteration": [r.as_dict() for r in self.iteration],
            }
        )
        return out


def symmetric_equilibrium(
    payoff: Payoff,
    outcome_fn: Callable[[float, float], Outcome],
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
    iterate: bool = True,
    t_scale: float = 1.0,
) -> NashResult:
    """Symmetric Nash equilibrium of a symmetric first-stage game with a given payoff.

    Parameters
    ----------
    payoff : Payoff
        Firm i's payoff.
    outcome_fn : callable ``(s, t) -> Outcome``
        Evaluates the market at the symmetric profile.
    s_bounds : (float, float)
        Sharing box (``(0, 0)`` forbids sharing).
    iterate : bool
        Run best-response iteration from four starts (slower) to test
        stability globally; otherwise stability is the local test only.
    t_scale : float
        Initial upper end of the investment scan (doubled as needed).

    Raises
    ------
    SolverError
        If no symmetric equilibrium is found.
    """
    points = symmetric_kkt_points(payoff, s_bounds=s_bounds, t_scale=t_scale)
    diagnosed = tuple(diagnose_symmetric_point(payoff, s, t, s_bounds=s_bounds) for s, t in points)
    equilibria = [d for d in diagnosed if d.is_equilibrium]
    if not equilibria:
        raise SolverError(
            "no symmetric Nash equilibrium found "
            f"({len(diagnosed)} symmetric KKT point(s), none a best response to itself)"
        )
    chosen = max(equilibria, key=lambda d: d.value)
    runs: list[IterationRun] = []
    if iterate:
        t_top = max(1.0, 2.0 * chosen.t)
        s_lo, s_hi = s_bounds
        starts = [
            (s_lo, 0.0, s_lo, 0.0),
            (s_hi, t_top, s_hi, t_top),
            (s_hi, t_top, s_lo, 0.0),
            (0.5 * (s_lo + s_hi), 0.25 * t_top, s_lo, t_top),
        ]
        runs = [
            best_response_iteration(payoff, st, s_bounds=s_bounds, t_scale=t_top) for st in starts
        ]
    tol = 1e-6
    reached = all(
        r.converged
        and max(abs(r.end[0] - chosen.s), abs(r.end[2] - chosen.s)) < tol
        and max(abs(r.end[1] - chosen.t), abs(r.end[3] - chosen.t)) < tol * (1 + chosen.t)
        for r in runs
    )
    return NashResult(
        equilibrium=chosen,
        candidates=diagnosed,
        n_equilibria=len(equilibria),
        iteration=tuple(runs),
        stable=bool(chosen.spectral_radius < 1.0 and reached),
        outcome=outcome_fn(chosen.s, chosen.t),
    )


def refine_symmetric_equilibrium(
    payoff: Payoff,
    s0: float,
    t0: float,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """Re-solve the symmetric FOCs near ``(s0, t0)``, keeping its active set.

    Newton's method on the FOCs (eqs. 5-6) of the free variables, iterated to
    the noise floor of the finite differences.

    Raises
    ------
    SolverError
        If Newton's method does not converge, or leaves the box.
    """
    s_lo, s_hi = s_bounds
    if t0 <= 0.0:
        raise SolverError("comparative statics at the corner t = 0 are not supported")
    s_fixed = abs(s0 - s_lo) < 1e-10 or abs(s0 - s_hi) < 1e-10 or s_hi - s_lo < 1e-15
    free = [1] if s_fixed else [0, 1]

    def foc(z: FloatArray) -> FloatArray:
        return np.array([float(_sym_h(payoff, float(z[0]), float(z[1]), k)) for k in free])

    z = np.array([s0, t0], dtype=float)
    scale = 1.0 + abs(float(payoff(s0, t0, s0, t0)))
    for _ in range(40):
        f0 = foc(z)
        jac = np.empty((len(free), len(free)))
        for col, k in enumerate(free):
            e = np.zeros(2)
            e[k] = _step(float(z[k]), _H2)
            jac[:, col] = (foc(z + e) - foc(z - e)) / (2.0 * e[k])
        dz = np.linalg.solve(jac, -f0)
        z[free] += dz
        if float(np.max(np.abs(dz))) <= 1e-11 * (1.0 + float(np.max(np.abs(z)))):
            break
    residual = float(np.max(np.abs(foc(z))))
    if not (residual <= 1e-7 * scale and z[1] > 0 and (s_fixed or s_lo < z[0] < s_hi)):
        raise SolverError(f"Newton re-solve failed near (s, t) = ({s0}, {t0})")
    return float(z[0]), float(z[1])


def equilibrium_sensitivity(
    params: DuopolyParams,
    name: str,
    s: float,
    t: float,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> tuple[float, float]:
    """Comparative statics ``(ds*/dp, dt*/dp)`` of a symmetric equilibrium in parameter ``name``.

    Implicit function theorem on the symmetric first-order conditions (the
    method of the paper's proofs of Propositions 3-4 and 7): with ``G(s, t; p) =
    (dPi_i/ds_i, dPi_i/dt_i)`` at ``(s, t, s, t)``, ``dz/dp = -(dG/dz)^{-1} dG/dp``,
    where moving ``z`` moves both firms.  Second derivatives are Richardson-
    extrapolated central differences.  A sharing level at a bound has ``ds* = 0``.

    Raises
    ------
    SolverError
        If ``name`` is not a parameter, the parameter is too close to the edge of
        its domain for the differences, or the Jacobian is singular.
    """
    if name not in {f.name for f in dataclasses.fields(params)}:
        raise SolverError(f"unknown parameter {name!r}")
    value = float(getattr(params, name))
    hp = _RICH * max(1.0, abs(value))
    cache: dict[float, DuopolyParams] = {value: params}

    def at(v: float) -> DuopolyParams:
        if v not in cache:
            try:
                cache[v] = params.replace(**{name: v})
            except InputError as exc:
                raise SolverError(f"{name}={value} is too close to the edge of its domain") from exc
        return cache[v]

    def f5(z: FloatArray) -> float:
        return float(
            profit(float(z[0]), float(z[1]), float(z[2]), float(z[3]), at(float(z[4])), forms)
        )

    z = np.array([s, t, s, t, value])
    steps = np.append(_RICH * (1.0 + np.abs(z[:4])), hp)
    hess = _hessian_richardson(f5, z, steps)
    # dG/dz with z = (s, t) moving both firms; rows: (s_i-FOC, t_i-FOC).
    jac = np.array(
        [
            [hess[0, 0] + hess[0, 2], hess[0, 1] + hess[0, 3]],
            [hess[1, 0] + hess[1, 2], hess[1, 1] + hess[1, 3]],
        ]
    )
    rhs = hess[:2, 4]
    s_fixed = (
        s_bounds[1] - s_bounds[0] < 1e-15
        or abs(s - s_bounds[0]) < 1e-10
        or abs(s - s_bounds[1]) < 1e-10
    )
    try:
        if s_fixed:
            return 0.0, float(-rhs[1] / jac[1, 1])
        d = np.linalg.solve(jac, -rhs)
    except (np.linalg.LinAlgError, ZeroDivisionError) as exc:
        raise SolverError("singular Jacobian of the equilibrium conditions") from exc
    return float(d[0]), float(d[1])


# --------------------------------------------------------------------------- regimes


@dataclass(frozen=True)
class RegimeResult:
    """Optimum of a symmetric cooperative regime (joint-profit ISA or social planner)."""

    name: str
    s: float
    t: float
    objective: float
    kkt_residual: float
    outcome: Outcome

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        out: dict[str, Any] = self.outcome.symmetric_dict()
        out["objective"] = self.objective
        out["kkt_residual"] = self.kkt_residual
        return out


def _symmetric_optimum(
    name: str,
    objective: SymmetricObjective,
    params: DuopolyParams,
    forms: FunctionalForms,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> RegimeResult:
    s, t, v, _ = maximize_2d(objective, s_bounds, t_scale=1.0, n_s=51, n_t=101)

    def f(x: FloatArray) -> float:
        return float(objective(float(x[0]), float(x[1])))

    g = _grad_richardson(f, np.array([s, t]))
    res = kkt_residual(
        g / (1 + abs(v)),
        np.array([s, t]),
        np.array([s_bounds[0], 0.0]),
        np.array([s_bounds[1], math.inf]),
    )
    return RegimeResult(name, s, t, v, res, outcome(s, t, s, t, params, forms))


def joint_profit_optimum(
    params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS
) -> RegimeResult:
    """Joint-profit ISA: symmetric ``(s, t)`` maximising ``Pi_1 + Pi_2`` (eqs. 13-14).

    Prices stay those of the second-stage Bertrand game: the ISA coordinates
    sharing and investment, never prices.
    """

    def obj(s: Num, t: Num) -> Num:
        return 2.0 * profit(s, t, s, t, params, forms)

    return _symmetric_optimum("joint_profit", obj, params, forms)


def social_optimum(params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS) -> RegimeResult:
    """Social planner: symmetric ``(s, t)`` maximising welfare (eq. 9) at Bertrand prices."""

    def obj(s: Num, t: Num) -> Num:
        return welfare(s, t, s, t, params, forms)

    return _symmetric_optimum("social_welfare", obj, params, forms)


def nash_equilibrium(
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    iterate: bool = True,
    s_bounds: tuple[float, float] = (0.0, 1.0),
) -> NashResult:
    """Symmetric Bertrand-Nash equilibrium of the first stage (section 2.1, FOCs 5-6).

    ``s_bounds=(0, 0)`` gives the no-sharing benchmark (firms choose ``t`` only).

    Examples
    --------
    >>> r = nash_equilibrium(DuopolyParams(), iterate=False)
    >>> 0 < r.s < 1 and r.t > 0 and r.unique
    True
    """

    def out(s: float, t: float) -> Outcome:
        return outcome(s, t, s, t, params, forms)

    return symmetric_equilibrium(
        profit_payoff(params, forms), out, s_bounds=s_bounds, iterate=iterate
    )


@dataclass(frozen=True)
class SequentialResult:
    """Sequential game (section 3): the leader commits to ``(s_L, t_L)``, the follower responds.

    Attributes
    ----------
    leader_residual : float
        KKT residual of the leader's reduced problem ``max Pi_L(x_L, BR(x_L))``
        (gradient-based; not meaningful where the follower's reaction has a kink,
        e.g. where the follower's sharing just reaches a bound).
    leader_max_ascent : float
        Largest slope ``(V(x + h d) - V(x)) / |h d|`` of the leader's reduced payoff
        over 8 directions ``d`` with ``h = 1e-3 (1 + |x|)``: a derivative-free
        certificate of local optimality (negative at a strict local maximum, kinks
        included; the step is large enough that curvature beats the ~1e-8 noise of
        the reduced payoff).
    follower_deviation_gain : float
        Gain of the follower's global best response over the reported one (~0).
    """

    outcome: Outcome
    leader_residual: float
    leader_max_ascent: float
    follower_deviation_gain: float
    global_search: bool

    @property
    def verified(self) -> bool:
        """Leader optimum certified: KKT residual < 1e-7, or no ascent direction (kinks)."""
        scale = 1.0 + abs(self.outcome.profit[0])
        return self.leader_residual < 1e-7 or self.leader_max_ascent <= 1e-9 * scale

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        o = self.outcome
        return {
            "leader": o.firm(0),
            "follower": o.firm(1),
            "consumer_surplus": o.consumer_surplus,
            "welfare": o.welfare,
            "leader_kkt_residual": self.leader_residual,
            "leader_max_ascent": self.leader_max_ascent,
            "leader_verified": self.verified,
            "follower_deviation_gain": self.follower_deviation_gain,
            "global_search": self.global_search,
        }


def sequential_equilibrium(
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    nash: NashResult | None = None,
    global_search: bool = True,
) -> SequentialResult:
    """Stackelberg equilibrium of the sequential game (section 3, FOCs 15-16).

    The leader maximises ``Pi_L(x_L, BR_F(x_L))``.  With ``global_search`` a
    grid of leader commitments is screened with global follower best
    responses first; the best is then polished locally (follower best
    responses warm-started); the follower's final response is checked globally.

    Raises
    ------
    SolverError
        If the leader's payoff is unbounded in its investment (the follower's
        reaction can make commitment to ever larger ``t`` pay even when the
        simultaneous game has an equilibrium).
    """
    payoff = profit_payoff(params, forms)
    if nash is None:
        nash = nash_equilibrium(params, forms, iterate=False)
    t_top = max(1.0, 3.0 * nash.t)
    starts: list[tuple[float, float, float, float]] = [(nash.s, nash.t, nash.s, nash.t)]
    if global_search:
        for s_l in np.linspace(0.0, 1.0, 11):
            for t_l in np.linspace(0.0, t_top, 11):
                br = best_response(payoff, float(s_l), float(t_l), t_scale=t_top)
                starts.append((float(s_l), float(t_l), br.s, br.t))
        starts.sort(key=lambda z: -float(payoff(z[0], z[1], z[2], z[3])))
        starts = starts[:3]
    warm: dict[str, tuple[float, float]] = {}

    def follower(x: FloatArray) -> BestResponse:
        br = local_best_response(payoff, float(x[0]), float(x[1]), warm["f"])
        warm["f"] = (br.s, br.t)
        return br

    def leader_value(x: FloatArray) -> float:
        br = follower(x)
        return float(payoff(float(x[0]), float(x[1]), br.s, br.t))

    def f4(z: FloatArray) -> float:
        return float(payoff(float(z[0]), float(z[1]), float(z[2]), float(z[3])))

    def leader_gradient(x: FloatArray) -> FloatArray:
        # Total derivative (eqs. 15-16): dPi_L/dx_L + (dx_F/dx_L)' dPi_L/dx_F, with the
        # follower's reaction slopes from the implicit function theorem.
        br = follower(x)
        g = _grad(f4, np.array([x[0], x[1], br.s, br.t]))
        jac, _, _ = best_response_jacobian(payoff, br.s, br.t, float(x[0]), float(x[1]))
        return np.asarray(g[:2] + jac.T @ g[2:])

    best: tuple[FloatArray, float, float] | None = None
    # A finite box: if the leader's optimum sits on its edge, its payoff is unbounded in t.
    lo, hi = np.array([0.0, 0.0]), np.array([1.0, 1e3 * (1.0 + t_top)])
    for s_l, t_l, s_f, t_f in starts:
        warm["f"] = (s_f, t_f)
        x, v, res = maximize_box(
            leader_value, np.array([s_l, t_l]), lo, hi, gtol=1e-9, grad=leader_gradient
        )
        if best is None or v > best[1]:
            best = (x, v, res)
            best_warm = warm["f"]
    assert best is not None
    warm["f"] = best_warm
    x = best[0]
    if x[1] >= hi[1] * (1.0 - 1e-9):
        raise SolverError("the leader's payoff looks unbounded in t (no Stackelberg optimum)")
    br = follower(x)
    glob = best_response(payoff, float(x[0]), float(x[1]), t_scale=t_top, warm=(br.s, br.t))
    gain = glob.value - br.value
    if gain > DEVIATION_TOL * (1 + abs(br.value)):
        br = glob
    value = float(payoff(float(x[0]), float(x[1]), br.s, br.t))
    ascent = -math.inf
    for ds, dt in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        step = np.array([ds * _step(float(x[0]), 1e-3), dt * _step(float(x[1]), 1e-3)])
        y = np.clip(x + step, lo, hi)
        size = float(np.linalg.norm(y - x))
        if size > 0:
            warm["f"] = (br.s, br.t)
            ascent = max(ascent, (leader_value(y) - value) / size)
    out = outcome(float(x[0]), float(x[1]), br.s, br.t, params, forms)
    return SequentialResult(out, best[2], float(ascent), float(gain), global_search)


@dataclass(frozen=True)
class SubsidyResult:
    """Appendix B's subsidy/tax scheme, solved.

    Attributes
    ----------
    reading : str
        How ``CS_i`` is read (module docstring).
    tax_per_firm : float
        ``T = S_i(s^SW, t^SW, s^SW, t^SW)`` (eq. 36).
    subsidy_per_firm : float
        ``S_i`` at the equilibrium of the subsidised game.
    net_cost : float
        ``S_1 + S_2 - 2 T`` at that equilibrium (the government's net outlay).
    equilibrium : NashResult
        Symmetric equilibrium of the game with payoffs ``Pi_i + S_i - T``.
    social : RegimeResult
        The symmetric social optimum.
    distance : float
        ``max(|s - s^SW|, |t - t^SW|)`` between the two.
    welfare_gap : float
        Welfare at the optimum minus welfare at the subsidised equilibrium.
    """

    reading: str
    tax_per_firm: float
    subsidy_per_firm: float
    net_cost: float
    equilibrium: NashResult
    social: RegimeResult
    distance: float
    welfare_gap: float

    @property
    def reaches_optimum(self) -> bool:
        """Equilibrium within 1e-6 of the social optimum and net cost within 1e-6 of 0."""
        scale = 1.0 + abs(self.tax_per_firm)
        return self.distance < 1e-6 and abs(self.net_cost) < 1e-6 * scale

    def as_dict(self) -> dict[str, Any]:
        """Plain-data view."""
        eq = self.equilibrium
        return {
            "reading": self.reading,
            "subsidy_per_firm": self.subsidy_per_firm,
            "tax_per_firm": self.tax_per_firm,
            "net_cost": self.net_cost,
            "equilibrium": {
                **eq.outcome.symmetric_dict(),
                "unique": eq.unique,
                "stable": eq.stable,
                "deviation_gain": eq.equilibrium.deviation_gain,
            },
            "social_optimum": {
                "s": self.social.s,
                "t": self.social.t,
                "welfare": self.social.outcome.welfare,
            },
            "distance_to_social_optimum": self.distance,
            "welfare_gap": self.welfare_gap,
            "reaches_social_optimum_at_zero_net_cost": self.reaches_optimum,
        }


def subsidy_scheme(
    params: DuopolyParams,
    forms: FunctionalForms = DEFAULT_FORMS,
    *,
    reading: SurplusReading = "ray",
    social: RegimeResult | None = None,
    iterate: bool = True,
) -> SubsidyResult:
    """Solve the market under Appendix B's subsidy ``S_i = CS_i + TS_j`` and tax ``T`` (eqs. 35-36).

    The equilibrium of the subsidised game is computed (scan, global deviation
    check, best-response iteration), not assumed.
    """
    if social is None:
        social = social_optimum(params, forms)
    tax = float(appendix_b_subsidy(social.s, social.t, social.s, social.t, params, forms, reading))
    payoff = subsidised_payoff(params, tax, forms, reading)

    def out(s: float, t: float) -> Outcome:
        return outcome(s, t, s, t, params, forms)

    eq = symmetric_equilibrium(payoff, out, iterate=iterate)
    sub = float(appendix_b_subsidy(eq.s, eq.t, eq.s, eq.t, params, forms, reading))
    return SubsidyResult(
        reading=reading,
        tax_per_firm=tax,
        subsidy_per_firm=sub,
        net_cost=2.0 * (sub - tax),
        equilibrium=eq,
        social=social,
        distance=max(abs(eq.s - social.s), abs(eq.t - social.t)),
        welfare_gap=social.outcome.welfare - eq.outcome.welfare,
    )


# --------------------------------------------------------------------------- assumptions


def alpha_bar(params: DuopolyParams, s1: float, s2: float) -> float:
    """Assumption 1's bound ``alpha_bar = lambda_d min(s1, s2) + b2 / (2 b1)``."""
    return params.lambda_d * min(s1, s2) + params.b2 / (2.0 * params.b1)


def price_slope_in_own_sharing(
    params: DuopolyParams,
    s_i: float,
    t_i: float,
    s_j: float,
    t_j: float,
    forms: FunctionalForms = DEFAULT_FORMS,
) -> float:
    """``dp_i/ds_i`` of the second-stage price (eq. 22), by central differences."""
    h = _H1 * (1.0 + abs(s_i))
    up = stage2_prices(s_i + h, t_i, s_j, t_j, params, forms)[0]
    dn = stage2_prices(s_i - h, t_i, s_j, t_j, params, forms)[0]
    return float((up - dn) / (2.0 * h))


def assumption_report(
    params: DuopolyParams, s: float, t: float, forms: FunctionalForms = DEFAULT_FORMS
) -> dict[str, Any]:
    """Assumptions 1 and 2 of the paper, evaluated at a symmetric profile ``(s, t)``.

    Assumption 1: ``alpha <= alpha_bar``.  Assumption 2: ``dp_i/ds_i > 0`` at
    ``s_i = s_j = 0`` and ``< 0`` at ``s_i = s_j = 1`` (with ``t_i = t_j = t``).
    """
    abar = alpha_bar(params, s, s)
    d0 = price_slope_in_own_sharing(params, 0.0, t, 0.0, t, forms)
    d1 = price_slope_in_own_sharing(params, 1.0, t, 1.0, t, forms)
    return {
        "alpha_bar": abar,
        "assumption1": bool(params.alpha <= abar),
        "dp_ds_at_0": d0,
        "dp_ds_at_1": d1,
        "assumption2": bool(d0 > 0 and d1 < 0),
    }


# --------------------------------------------------------------------------- thin class


class Duopoly:
    """The Gal-Or & Ghose duopoly with fixed parameters and forms: a thin facade.

    Examples
    --------
    >>> model = Duopoly(DuopolyParams(a=10.0))
    >>> sw, ne = model.social_planner(), model.nash(iterate=False)
    >>> sw.outcome.welfare > ne.outcome.welfare
    True
    """

    def __init__(
        self, params: DuopolyParams | None = None, forms: FunctionalForms | None = None
    ) -> None:
        self.params = params if params is not None else DuopolyParams()
        self.forms = forms if forms is not None else DEFAULT_FORMS

    def profit(self, s_i: Num, t_i: Num, s_j: Num, t_j: Num) -> Num:
        """Firm i's reduced-form profit (eq. 4)."""
        return profit(s_i, t_i, s_j, t_j, self.params, self.forms)

    def outcome(self, s1: float, t1: float, s2: float, t2: float) -> Outcome:
        """Market outcome at a first-stage profile."""
        return outcome(s1, t1, s2, t2, self.params, self.forms)

    def best_response(self, s_other: float, t_other: float) -> BestResponse:
        """Global best response in ``(s, t)`` to the competitor's choice."""
        return best_response(profit_payoff(self.params, self.forms), s_other, t_other)

    def nash(self, *, iterate: bool = True) -> NashResult:
        """Symmetric Bertrand-Nash equilibrium."""
        return nash_equilibrium(self.params, self.forms, iterate=iterate)

    def no_sharing(self, *, iterate: bool = False) -> NashResult:
        """Bertrand-Nash equilibrium when sharing is impossible (``s = 0``)."""
        return nash_equilibrium(self.params, self.forms, iterate=iterate, s_bounds=(0.0, 0.0))

    def joint_profit(self) -> RegimeResult:
        """Joint-profit ISA optimum."""
        return joint_profit_optimum(self.params, self.forms)

    def social_planner(self) -> RegimeResult:
        """Social planner's optimum."""
        return social_optimum(self.params, self.forms)

    def sequential(
        self, *, nash: NashResult | None = None, global_search: bool = True
    ) -> SequentialResult:
        """Stackelberg equilibrium (leader commits first)."""
        return sequential_equilibrium(
            self.params, self.forms, nash=nash, global_search=global_search
        )

    def subsidy(
        self, *, reading: SurplusReading = "ray", social: RegimeResult | None = None
    ) -> SubsidyResult:
        """Appendix B's scheme, solved."""
        return subsidy_scheme(self.params, self.forms, reading=reading, social=social)

    def solve(self) -> dict[str, Any]:
        """Every regime at once, as plain data (what ``sharing duopoly solve`` prints).

        A regime whose optimum does not exist (e.g. welfare unbounded in ``t``)
        is reported as ``{"error": message}``; the Nash equilibrium is required.

        Raises
        ------
        SolverError
            If the market has no symmetric Nash equilibrium.
        """
        nash = self.nash(iterate=True)
        out: dict[str, Any] = {
            "params": self.params.as_dict(),
            "model": "section 4 (volume-related costs)" if self.params.volume_costs else "base",
            "nash": nash.as_dict(),
        }

        def attempt(key: str, fn: Callable[[], dict[str, Any]]) -> None:
            try:
                out[key] = fn()
            except SharingError as exc:
                out[key] = {"error": str(exc)}

        attempt("joint_profit", lambda: self.joint_profit().as_dict())
        social: list[RegimeResult] = []

        def planner() -> dict[str, Any]:
            social.append(self.social_planner())
            return social[0].as_dict()

        attempt("social_welfare", planner)
        attempt("sequential", lambda: self.sequential(nash=nash).as_dict())
        attempt("no_sharing", lambda: self.no_sharing().outcome.symmetric_dict())

        def subsidy() -> dict[str, Any]:
            if not social:
                raise SolverError("no social optimum, so no Appendix B tax")
            sub = self.subsidy(social=social[0]).as_dict()
            alt = subsidy_scheme(
                self.params, self.forms, reading="partial", social=social[0], iterate=False
            )
            sub["alternative_reading"] = alt.as_dict()
            return sub

        attempt("subsidy", subsidy)
        out["assumptions"] = assumption_report(self.params, nash.s, nash.t, self.forms)
        return out
