"""Individual rationality of PESIM (Section V): is a user better off inside than alone.

The user's utility at the mechanism's equilibrium is compared with its
utility when it stays out and the others run the mechanism among themselves;
the paper's closed form, eq. (16), is evaluated beside it with its premises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from sharing.errors import InputError
from sharing.models.ids_game import (
    IDSGame,
    SocialOptimum,
    TotalEffortRisk,
    coalition_optimum,
    social_optimum,
)
from sharing.models.numerics import FloatArray
from sharing.models.pesim.lindahl import equilibrium_messages, lindahl_prices
from sharing.models.pesim.taxation import taxes


def closed_form_16(c1: float, n: int) -> float:
    """The paper's eq. (16): ``u_IN - u_OUT = (c_1/N) ((N-1)(1 - ln c_1) - ln N)``.

    Derived in Section V for total effort under the premises listed by
    :func:`closed_form_16_conditions`.  Note that whenever those premises
    hold (``c_1 < 1``), ``(N-1)(1 - ln c_1) > N - 1 >= ln N``, so (16) is
    positive: the printed conclusion "IR fails for ``c_1 >= e``" lies outside
    the range where (16) was derived.
    """
    return (c1 / n) * ((n - 1) * (1.0 - math.log(c1)) - math.log(n))


def closed_form_16_conditions(game: IDSGame, user: int) -> dict[str, bool]:
    """The premises of eq. (16) for ``user`` (the paper's user 1).

    * ``total_effort``: every ``f_i = exp(-sum_j x_j)``;
    * ``unique_cheapest``: ``c_user < c_j`` for all other ``j`` (the paper
      orders ``c_1 < c_2 < ... < c_N``), so the user carries all of ``x*``;
    * ``loner_invests``: ``c_user < 1``, so that ``exp(-x_hat_1) = c_1`` has
      a positive root ``x_hat_1 = -ln c_1`` (the paper's "latter case");
    * ``coalition_adds_nothing``: ``c_2 >= (N-1) c_1``, so that after the
      loner's ``-ln c_1`` the coalition's optimal top-up
      ``max(ln((N-1)/c_2) - x_1, 0)`` is zero (the paper's ``x_hat_j = 0``);
    * ``all_effort_beats_free_riding``: ``c_1 (1 - ln c_1) <= min(1, c_2/(N-1))``,
      the loner's cost when carrying all the effort is at most its cost when
      it free-rides on the coalition.
    """
    c = game.costs
    n = game.n
    cu = float(c[user])
    others = np.delete(c, user)
    c2 = float(others.min()) if others.size else math.inf
    conds = {
        "total_effort": isinstance(game.risk, TotalEffortRisk),
        "unique_cheapest": bool(others.size > 0 and cu < c2),
        "loner_invests": cu < 1.0,
        "coalition_adds_nothing": bool(c2 >= (n - 1) * cu),
        "all_effort_beats_free_riding": bool(
            cu < 1.0 and cu * (1.0 - math.log(cu)) <= min(1.0, c2 / max(n - 1, 1))
        ),
    }
    return conds


@dataclass(frozen=True)
class ParticipationReport:
    """Individual rationality of PESIM for one user (Section V).

    Attributes
    ----------
    user
        The user contemplating staying out.
    utility_in
        ``-g_u(x*) - l_u^T x*``: its utility at the mechanism's equilibrium.
    utility_out
        ``-g_u(x_hat)`` at the loner outcome (see :func:`participation`).
    tax_in
        Its equilibrium tax ``l_u^T x*`` (negative: a subsidy).
    loner_effort
        Its effort as a loner.
    outside_profile
        The loner outcome (loner effort and the coalition's response).
    closed_form_16
        Eq. (16) evaluated at ``c_u``, ``N`` (reported whatever its premises).
    closed_form_conditions
        The premises of eq. (16).
    """

    user: int
    utility_in: float
    utility_out: float
    tax_in: float
    loner_effort: float
    outside_profile: FloatArray
    closed_form_16: float
    closed_form_conditions: dict[str, bool]
    tolerance: float = 1e-9

    @property
    def difference(self) -> float:
        """``u_IN - u_OUT`` (eq. (16)'s left-hand side)."""
        return self.utility_in - self.utility_out

    @property
    def individually_rational(self) -> bool:
        """``True`` when participating is at least as good as staying out."""
        return self.difference >= -self.tolerance

    @property
    def closed_form_applies(self) -> bool:
        """``True`` when every premise of eq. (16) holds."""
        return all(self.closed_form_conditions.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly report."""
        return {
            "user": self.user,
            "utility_in": self.utility_in,
            "utility_out": self.utility_out,
            "difference": self.difference,
            "individually_rational": self.individually_rational,
            "tax_in": self.tax_in,
            "loner_effort": self.loner_effort,
            "outside_profile": self.outside_profile.tolist(),
            "closed_form_16": self.closed_form_16,
            "closed_form_applies": self.closed_form_applies,
            "closed_form_conditions": self.closed_form_conditions,
            "closed_form_error": (
                self.closed_form_16 - self.difference if self.closed_form_applies else None
            ),
        }


def participation(
    game: IDSGame,
    user: int,
    *,
    optimum: SocialOptimum | None = None,
    grid: int = 41,
    tol: float = 1e-9,
) -> ParticipationReport:
    """Compare a user's utility in PESIM with its utility as a loner (Section V).

    Our reading of Section V.  *In*: all N users play PESIM's equilibrium, the
    outcome is ``x*`` and the user pays ``l_u^T x*`` (eq. (12)).  *Out*: the
    user refuses to participate and pays no tax; the other ``N-1`` users keep
    running the mechanism among themselves, which implements *their* social
    optimum ``min sum_{j != u} g_j`` given the loner's effort (the paper:
    "the remaining N-1 users choose their strategies assuming user 1 exerts an
    effort of x_1"); the loner anticipates that response (the paper's
    ``x_hat_1 = argmin_{x_1} exp(-x_1 - max{-ln(c_2/(N-1)) - x_1, 0}) + c_1 x_1``,
    a sequential game with the loner as leader).  So

        u_OUT = -min_{e >= 0} g_u(e, X_{-u}(e)),   X_{-u}(e) = coalition optimum,

    computed by a grid on ``[0, f_u(0)/c_u]`` (the loner never goes beyond:
    ``g_u >= c_u e`` and staying at 0 costs at most ``f_u(0)``) refined by
    bounded Brent around the best grid point.

    Parameters
    ----------
    game
        Any instance with ``N >= 2``.
    user
        The user considering staying out (0-based).
    optimum
        Precomputed social optimum.
    grid
        Grid points of the loner's effort.
    tol
        Tolerance of the individual-rationality verdict.

    Returns
    -------
    ParticipationReport
    """
    n = game.n
    if n < 2:
        raise InputError("participation needs at least two users")
    if not 0 <= user < n:
        raise InputError(f"user {user} out of range 0..{n - 1}")
    opt = optimum if optimum is not None else social_optimum(game)
    lp = lindahl_prices(game, opt)
    msgs = equilibrium_messages(lp)
    tax_in = float(taxes(msgs.pi, msgs.x)[user])
    u_in = -game.user_cost(user, opt.x) - tax_in

    def loner_cost(e: float) -> float:
        return game.user_cost(user, coalition_optimum(game, user, e))

    upper = game.risk.user_value(user, np.zeros(n)) / game.costs[user]
    es = np.linspace(0.0, upper, max(grid, 3))
    vals = np.array([loner_cost(float(e)) for e in es])
    k = int(np.argmin(vals))
    best_e, best_v = float(es[k]), float(vals[k])
    lo, hi = float(es[max(k - 1, 0)]), float(es[min(k + 1, es.size - 1)])
    if hi > lo:
        res = optimize.minimize_scalar(
            loner_cost, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
        )
        if float(res.fun) < best_v:
            best_e, best_v = float(res.x), float(res.fun)
    outside = coalition_optimum(game, user, best_e)
    return ParticipationReport(
        user=user,
        utility_in=u_in,
        utility_out=-best_v,
        tax_in=tax_in,
        loner_effort=best_e,
        outside_profile=outside,
        closed_form_16=closed_form_16(float(game.costs[user]), n),
        closed_form_conditions=closed_form_16_conditions(game, user),
        tolerance=tol,
    )
