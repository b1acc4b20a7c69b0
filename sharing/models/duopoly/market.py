"""The market of the duopoly: demand, second-stage prices, profit, surplus and welfare.

Everything a first-stage profile ``(s1, t1, s2, t2)`` implies once firms
compete in prices: the demand shift ``B_i`` (eq. 3), the Bertrand prices
(eq. 21), the reduced-form profit (eq. 4), consumer surplus and welfare
(eq. 9).  All functions broadcast over numpy arrays.

Welfare (our reading of eq. 9, reconciled with docs/models.md, "The duopoly")
-----------------------------------------------------------------------------
The paper writes ``SW = 2 int_0^{q*} F(q, q) dq - 2 f`` where ``F`` is the
inverse demand on the symmetric diagonal and ``q*`` the quantity at the
Bertrand prices of the second stage (the planner sets s and t, never prices).
``F(q, q) = (a + B - q) / (b1 - b2)``, which is the formula of docs/models.md.
The integral is the consumers' gross utility of Appendix A's quadratic utility
``U(q1, q2)`` along the diagonal, so ``SW = CS + Pi_1 + Pi_2``: consumer
surplus plus profits, with no production cost but the security investment.
For asymmetric profiles (sequential game, deviations) we use the same
utility, ``U(q) = q' M^-1 A - q' M^-1 q / 2`` with ``M = [[b1, -b2], [-b2,
b1]]`` and ``A_i = a + B_i``, which equals the formula of docs/models.md on
the diagonal (checked in the tests).  With the section-4 unit costs the
variable cost ``F_i q_i`` is subtracted too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sharing.models.duopoly.params import DEFAULT_FORMS, DuopolyParams, FunctionalForms, Num, Payoff


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
    with ``F = 0`` this is the formula of docs/models.md ("The duopoly").
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


def surplus_parts(
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

    On the diagonal this is the ``2 int_0^{q*} (a + B - q)/(b1 - b2) dq - 2 f`` of
    docs/models.md ("The duopoly").
    """
    x = surplus_parts(s1, t1, s2, t2, params, forms)
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
    x = surplus_parts(s1, t1, s2, t2, params, forms)
    return x["gross"] - x["p1"] * x["q1"] - x["p2"] * x["q2"]


def spec_symmetric_welfare(
    s: Num, t: Num, params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS
) -> Num:
    """The closed form ``SW = 2 int_0^{q*} (a + B - q)/(b1 - b2) dq - 2 f`` (base model).

    The formula of docs/models.md ("The duopoly"); the function keeps its
    historical name.

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
    x = surplus_parts(s1, t1, s2, t2, params, forms)
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


def profit_payoff(params: DuopolyParams, forms: FunctionalForms = DEFAULT_FORMS) -> Payoff:
    """Firm i's reduced-form profit as a payoff function of ``(s_i, t_i, s_j, t_j)``."""

    def payoff(s_i: Num, t_i: Num, s_j: Num, t_j: Num) -> Num:
        return profit(s_i, t_i, s_j, t_j, params, forms)

    return payoff
