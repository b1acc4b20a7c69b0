"""Security information sharing in a duopoly (Gal-Or & Ghose, ISR 16(2), 2005).

Two firms choose how much security information to share, ``s_i`` in [0, 1],
and how much to invest in security technology, ``t_i >= 0``; then they compete
in prices (Bertrand) with differentiated products.  This package solves the
model of docs/models.md ("The duopoly") numerically, for any cost and leakage
functions, one concept per module:

* :mod:`~.params`: the parameters and the replaceable functional forms;
* :mod:`~.market`: the market primitives: demand shift ``B_i`` (eq. 3),
  second-stage prices (eq. 21), reduced-form profit (eq. 4), welfare (eq. 9)
  and consumer surplus;
* :mod:`~.maximize` and :mod:`~.reaction`: maximisers over boxes, a
  firm's best response and the slopes of its reaction function;
* :mod:`~.kkt_scan` and :mod:`~.equilibrium`: the Bertrand-Nash equilibrium
  of the first stage (section 2.1, FOCs 5-6), with *every* symmetric KKT
  point located by a scan, each checked against a global best response,
  second-order conditions, the best-response Jacobian and best-response
  iteration from symmetric and asymmetric starts; :mod:`~.statics` its
  comparative statics;
* :mod:`~.regimes`: the Nash market, the joint-profit ISA and the social
  planner (section 2.2, eqs. 9-14);
* :mod:`~.sequential`: the sequential game (section 3, eqs. 15-16): a leader
  commits to (s, t), the follower best-responds;
* the volume-related costs of section 4 (eqs. 17-18), in :mod:`~.market`:
  unit cost ``F_i = (c - lambda_hat t_j s_j) delta(t_i)``; with ``c =
  lambda_hat = 0`` the base model is recovered exactly;
* :mod:`~.subsidy`: the subsidy/tax scheme of Appendix B (eqs. 34-36);
* :mod:`~.assumptions`: the paper's Assumptions 1-2 at a profile;
* :mod:`~.model`: :class:`Duopoly`, every regime of one market at once;
* :mod:`~.propositions`: Propositions 1-7 checked over parameter grids.

Conventions: a *payoff* is a function ``(s_own, t_own, s_other, t_other)`` of
numpy-broadcastable arguments; the game is symmetric, firm j's payoff is the
same function with the roles swapped.  Derivatives are central finite
differences (:mod:`sharing.models.numerics`), so user-supplied forms must be
smooth and defined a little outside the box ``[0, 1] x [0, inf)``.

This module re-exports what the rest of the repository calls; everything
else is reachable through its module.
"""

from sharing.models.duopoly.equilibrium import NashResult
from sharing.models.duopoly.market import (
    Outcome,
    consumer_surplus,
    demand_shift,
    outcome,
    profit,
    profit_payoff,
    spec_symmetric_welfare,
    stage2_prices,
    unit_cost,
    welfare,
)
from sharing.models.duopoly.maximize import maximize_box
from sharing.models.duopoly.model import Duopoly, DuopolySolution
from sharing.models.duopoly.params import DuopolyParams, FunctionalForms, Num
from sharing.models.duopoly.propositions import PropositionReport, check_propositions
from sharing.models.duopoly.reaction import (
    best_response,
    best_response_jacobian,
    local_best_response,
    own_derivatives,
)
from sharing.models.duopoly.regimes import (
    RegimeResult,
    joint_profit_optimum,
    nash_equilibrium,
    social_optimum,
)
from sharing.models.duopoly.sequential import SequentialResult, sequential_equilibrium
from sharing.models.duopoly.statics import equilibrium_sensitivity, refine_symmetric_equilibrium
from sharing.models.duopoly.subsidy import (
    SubsidyResult,
    appendix_b_subsidy,
    product_consumer_surplus,
    subsidy_scheme,
)

__all__ = [
    "Duopoly",
    "DuopolySolution",
    "DuopolyParams",
    "FunctionalForms",
    "NashResult",
    "Num",
    "Outcome",
    "PropositionReport",
    "RegimeResult",
    "SequentialResult",
    "SubsidyResult",
    "appendix_b_subsidy",
    "best_response",
    "best_response_jacobian",
    "check_propositions",
    "consumer_surplus",
    "demand_shift",
    "equilibrium_sensitivity",
    "joint_profit_optimum",
    "local_best_response",
    "maximize_box",
    "nash_equilibrium",
    "outcome",
    "own_derivatives",
    "product_consumer_surplus",
    "profit",
    "profit_payoff",
    "refine_symmetric_equilibrium",
    "sequential_equilibrium",
    "social_optimum",
    "spec_symmetric_welfare",
    "stage2_prices",
    "subsidy_scheme",
    "unit_cost",
    "welfare",
]
