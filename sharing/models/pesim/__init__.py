"""PESIM: the Positive Externality Security Investment Mechanism of Naghizadeh & Liu.

Every user ``i`` sends a message ``m_i = (pi_i, x_i)``: a price proposal
``pi_i in R^N_+`` and an investment proposal ``x_i in R^N``.  The regulator
sets (eqs. (6)-(7)), with indices modulo ``N``,

    x_hat = (1/N) sum_i x_i
    t_i   = (pi_{i+1} - pi_{i+2})^T x_hat
            + (x_i - x_{i+1})^T diag(pi_i) (x_i - x_{i+1})
            - (x_{i+1} - x_{i+2})^T diag(pi_{i+1}) (x_{i+1} - x_{i+2}),

and user ``i`` gets ``u_i = -(f_i(x_hat) + c_i x_hat_i) - t_i`` (eq. (1)).

Conventions (0-based users ``0..N-1``; user ``i+1`` means ``(i+1) mod N``):

* **Lindahl prices**, eqs. (20)-(21): ``l_i = -grad g_i(x*) + lambda_i`` with
  ``lambda_i >= 0``, ``lambda_i . x* = 0`` and ``sum_i lambda_i = mu =
  grad G(x*)`` (the KKT multiplier of problem (2)).  This is the paper's sign
  and agrees with docs/models.md ("Interdependent security and PESIM"):
  ``x*`` then solves user ``i``'s own problem
  ``min_{x >= 0} g_i(x) + l_i^T x`` (eq. (19)/(22)), and ``sum_i l_i = 0``.
  The split of ``mu`` among the users is not unique; we use the equal split
  ``lambda_i = mu / N`` unless told otherwise.  The equilibrium tax
  ``t_i = l_i^T x* = -grad g_i(x*)^T x*`` does not depend on the split
  (``lambda_i`` vanishes where ``x*`` is positive).
* **Equilibrium messages**, eqs. (23)-(24): ``x_i = x*`` and
  ``pi_{i+1} - pi_{i+2} = l_i``.  These N vector equations fix the ``pi_k``
  up to one common vector ``a``: ``pi_k = a - P_k`` with partial sums
  ``P_0 = 0``, ``P_{k+1} = P_k + l_{k-1}`` (the cycle closes because
  ``sum_i l_i = 0``).  Any ``a >= max_k P_k`` (componentwise) makes every
  ``pi_k >= 0``; ``a`` is the *free constant*.  It changes no tax at the
  equilibrium (the price differences are fixed and the quadratic terms vanish
  when all ``x_i`` agree), only how hard a disagreement is penalised off the
  equilibrium.  We take ``a = max_k P_k + margin``.
* **Deviations** must keep the outcome feasible, ``x_hat >= 0`` (problem (2)
  and eq. (25) restrict ``x >= 0``); otherwise a user facing a positive
  ``lambda_ij`` would profit from a negative ``x_hat_j``.
* **N >= 3.**  The paper does not say it, but its argument (10)-(11) needs
  ``i+2 != i``: with ``N = 2`` user ``i``'s own proposal enters its Lindahl
  price ``pi_{i+1} - pi_{i+2} = pi_{i+1} - pi_i`` and raising ``pi_i`` lowers
  its tax without bound.  :func:`deviation_check` shows it numerically.
* **Individual rationality** (Section V, :func:`participation`).  Eq. (16)
  is right under its premises (total effort, a unique cheapest user with
  ``c_1 < 1`` who, as a loner, carries all the effort), but there it is
  always positive; the printed conclusion "IR fails for ``c_1 >= e``" lies
  outside them (the loner's effort ``-ln c_1`` would be negative).  Computed
  directly, IR can hold with ``c_1 = 3 > e`` (costs 3, 4, 4.5, 5, 6:
  ``u_IN - u_OUT = +0.094`` where (16) gives ``-1.20``) and fails with
  ``c_1 = 0.5 < e`` (costs 0.5, 0.6, 0.7: ``-0.165`` where (16) gives
  ``+0.381``): what breaks IR is free-riding on a cheap second user.

Modules: :mod:`~.messages` (message profiles), :mod:`~.taxation` (the taxes
of eq. (7), in floats, exact rationals and integers), :mod:`~.lindahl`
(Lindahl prices and equilibrium messages), :mod:`~.deviations` (the
deviation checks), :mod:`~.rationality` (Section V), :mod:`~.exchange` (the
message exchange), :mod:`~.solution` (everything at once, as the CLI
reports it).  This module re-exports what the rest of the repository calls.
"""

from sharing.models.pesim.deviations import (
    DeviationReport,
    best_response_value,
    deviation_bound,
    deviation_check,
)
from sharing.models.pesim.exchange import ExchangeResult, message_exchange
from sharing.models.pesim.lindahl import (
    LindahlPrices,
    equilibrium_messages,
    equilibrium_messages_exact,
    lindahl_prices,
    lindahl_residual,
)
from sharing.models.pesim.messages import MessageProfile, outcome, prices_from_messages
from sharing.models.pesim.rationality import (
    ParticipationReport,
    closed_form_16,
    closed_form_16_conditions,
    participation,
)
from sharing.models.pesim.solution import ExchangeReport, PesimSolution, exchange_report, solve
from sharing.models.pesim.taxation import (
    budget_surplus,
    budget_surplus_exact,
    tax_terms,
    taxes,
    taxes_exact,
    taxes_scaled,
    utilities,
)

__all__ = [
    "DeviationReport",
    "ExchangeReport",
    "ExchangeResult",
    "LindahlPrices",
    "MessageProfile",
    "ParticipationReport",
    "PesimSolution",
    "best_response_value",
    "budget_surplus",
    "budget_surplus_exact",
    "closed_form_16",
    "closed_form_16_conditions",
    "deviation_bound",
    "deviation_check",
    "equilibrium_messages",
    "equilibrium_messages_exact",
    "exchange_report",
    "lindahl_prices",
    "lindahl_residual",
    "message_exchange",
    "outcome",
    "participation",
    "prices_from_messages",
    "solve",
    "tax_terms",
    "taxes",
    "taxes_exact",
    "taxes_scaled",
    "utilities",
]
