"""The interdependent security (IDS) game of Naghizadeh & Liu.

N users choose security investments ``x_i >= 0`` at unit cost ``c_i > 0``;
user ``i`` bears a risk ``f_i(x)`` that is positive, decreasing in every
``x_j`` and convex (Assumptions 1-2), so its cost is, eq. (1),

    g_i(x) = f_i(x) + c_i x_i .

This package solves the *unregulated* game (``t_i = 0``), described in
docs/models.md ("Interdependent security and PESIM"):

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

Modules: :mod:`~.risks` (the risk models), :mod:`~.game` (the game, its
costs, the total-effort closed forms), :mod:`~.nash` and :mod:`~.lcp` (the
Nash equilibrium), :mod:`~.optimum` and :mod:`~.orthant` (the social
optimum, a coalition's optimum, the Price of Anarchy), :mod:`~.instances`
(random and parsed instances).  This module re-exports what the rest of the
repository calls.
"""

from sharing.models.ids_game.game import (
    IDSGame,
    total_effort_closed_form,
    total_effort_price_of_anarchy,
)
from sharing.models.ids_game.instances import (
    parse_costs,
    parse_instance,
    parse_weights,
    random_instance,
)
from sharing.models.ids_game.nash import NashEquilibrium, nash_equilibrium
from sharing.models.ids_game.optimum import (
    SocialOptimum,
    coalition_optimum,
    price_of_anarchy,
    social_optimum,
)
from sharing.models.ids_game.risks import (
    ConvexRisk,
    RiskModel,
    TotalEffortRisk,
    WeightedEffortRisk,
)
from sharing.models.numerics import FloatArray, RandomState, as_rng

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
