"""The paper's Assumptions 1 and 2, evaluated at a profile."""

from __future__ import annotations

from typing import Any

from sharing.models.duopoly.market import stage2_prices
from sharing.models.duopoly.params import DEFAULT_FORMS, DuopolyParams, FunctionalForms
from sharing.models.numerics import FIRST_ORDER_STEP, central_difference


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
    h = FIRST_ORDER_STEP * (1.0 + abs(s_i))
    return float(
        central_difference(lambda u: stage2_prices(u, t_i, s_j, t_j, params, forms)[0], s_i, h)
    )


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
