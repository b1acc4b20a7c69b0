"""PESIM end to end: what ``sharing pesim solve`` and ``sharing pesim exchange`` report.

:func:`solve` runs an instance through the whole chain (Nash equilibrium,
social optimum, Price of Anarchy, Lindahl prices, equilibrium messages,
taxes, deviation checks, optionally the message exchange);
:func:`exchange_report` times a message exchange and checks its messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sharing.models.ids_game import (
    IDSGame,
    NashEquilibrium,
    SocialOptimum,
    nash_equilibrium,
    price_of_anarchy,
    social_optimum,
)
from sharing.models.numerics import FloatArray, RandomState, as_rng
from sharing.models.pesim.deviations import DeviationReport, deviation_check
from sharing.models.pesim.exchange import ExchangeResult, message_exchange
from sharing.models.pesim.lindahl import LindahlPrices, equilibrium_messages, lindahl_prices
from sharing.models.pesim.messages import MessageProfile
from sharing.models.pesim.taxation import taxes, utilities


@dataclass(frozen=True)
class PesimSolution:
    """Everything ``sharing pesim solve`` reports for one instance."""

    game: IDSGame
    nash: NashEquilibrium
    optimum: SocialOptimum
    price_of_anarchy: float
    lindahl: LindahlPrices
    messages: MessageProfile
    taxes: FloatArray
    budget_surplus: float
    utilities: FloatArray
    deviation: list[DeviationReport]
    exchange: ExchangeResult | None
    timings: dict[str, float]

    @property
    def max_deviation_gain(self) -> float:
        """Largest unilateral gain found by any of the deviation checks."""
        return max(d.max_gain for d in self.deviation)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly report (the schema of ``sharing pesim solve --json``)."""
        out: dict[str, Any] = {
            "instance": self.game.describe(),
            "nash": self.nash.x.tolist(),
            "optimum": self.optimum.x.tolist(),
            "social_cost": {"nash": self.nash.social_cost, "optimum": self.optimum.social_cost},
            "price_of_anarchy": self.price_of_anarchy,
            "nash_unique": self.nash.unique,
            "kkt_multipliers": self.optimum.multipliers.tolist(),
            "lindahl_prices": self.lindahl.prices.tolist(),
            "taxes": self.taxes.tolist(),
            "equilibrium_taxes_l_dot_x": self.lindahl.equilibrium_taxes().tolist(),
            "budget_surplus": self.budget_surplus,
            "utilities": self.utilities.tolist(),
            "messages": self.messages.as_list(),
            "outcome": self.messages.outcome().tolist(),
            "max_deviation_gain": self.max_deviation_gain,
            "deviation_check": [d.as_dict() for d in self.deviation],
            "solver": {
                "nash": {
                    "method": self.nash.method,
                    "iterations": self.nash.iterations,
                    "residual": self.nash.residual,
                },
                "optimum": {
                    "method": self.optimum.method,
                    "iterations": self.optimum.iterations,
                    "kkt_residual": self.optimum.kkt_residual,
                },
            },
            "timings_s": self.timings,
        }
        if self.exchange is not None:
            out["exchange"] = self.exchange.as_dict()
        return out


def solve(
    game: IDSGame,
    *,
    numeric_users: int | None = None,
    n_starts: int = 3,
    exchange: bool = False,
    random_state: RandomState = 0,
) -> PesimSolution:
    """Solve an instance end to end: NE, ``x*``, PoA, Lindahl prices, messages, taxes, checks.

    Parameters
    ----------
    game
        The instance.
    numeric_users
        How many users get the (costly) numeric deviation search; default all
        users up to ``N = 12`` and a random sample of 8 beyond.  The analytic
        check (exact reduction, closed form for exponential risks) always
        covers every user when ``N >= 3``.
    n_starts
        Starts per user of the numeric search.
    exchange
        Also run :func:`message_exchange` and report its convergence.
    random_state
        Seed for the sample of users and the random starts.

    Returns
    -------
    PesimSolution
    """
    rng = as_rng(random_state)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ne = nash_equilibrium(game)
    timings["nash"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    opt = social_optimum(game, x0=ne.x)
    timings["optimum"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lp = lindahl_prices(game, opt)
    msgs = equilibrium_messages(lp)
    tx = taxes(msgs.pi, msgs.x)
    surplus = float(np.sum(tx))
    util = utilities(game, msgs.pi, msgs.x)
    timings["mechanism"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    reports = []
    n = game.n
    if n >= 3:
        reports.append(deviation_check(game, msgs, method="analytic"))
    k = numeric_users if numeric_users is not None else (n if n <= 12 else 8)
    k = max(0, min(k, n))
    if k > 0:
        users = sorted(int(u) for u in rng.choice(n, size=k, replace=False))
        reports.append(
            deviation_check(game, msgs, users=users, n_starts=n_starts, random_state=rng)
        )
    timings["deviation_check"] = time.perf_counter() - t0
    ex = None
    if exchange:
        t0 = time.perf_counter()
        ex = message_exchange(game, optimum=opt)
        timings["exchange"] = time.perf_counter() - t0
    return PesimSolution(
        game=game,
        nash=ne,
        optimum=opt,
        price_of_anarchy=price_of_anarchy(game, ne, opt),
        lindahl=lp,
        messages=msgs,
        taxes=tx,
        budget_surplus=surplus,
        utilities=util,
        deviation=reports,
        exchange=ex,
        timings=timings,
    )


@dataclass(frozen=True)
class ExchangeReport:
    """Everything ``sharing pesim exchange`` reports: one message exchange, timed and checked.

    Attributes
    ----------
    result
        The exchange (:func:`~sharing.models.pesim.exchange.message_exchange`).
    max_deviation_gain
        The analytic deviation check of its final messages (``None`` for
        ``N < 3``, where the check does not apply).
    time_s
        Seconds spent on the social optimum (the reference) and the exchange.
    """

    result: ExchangeResult
    max_deviation_gain: float | None
    time_s: float

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the schema of ``sharing pesim exchange --json``)."""
        out = self.result.as_dict()
        out["max_deviation_gain"] = self.max_deviation_gain
        out["time_s"] = self.time_s
        out["messages"] = self.result.messages.as_list()
        out["lindahl_prices"] = self.result.prices.tolist()
        out["outcome"] = self.result.messages.outcome().tolist()
        return out


def exchange_report(
    game: IDSGame,
    *,
    method: Literal["gradient", "admm"] = "gradient",
    tol: float = 1e-9,
    max_iter: int = 20000,
    rho: float | None = None,
) -> ExchangeReport:
    """Run :func:`~sharing.models.pesim.exchange.message_exchange` from anarchy, timed.

    The social optimum is solved first as the reference of
    ``distance_to_optimum``; the final messages are then checked for
    profitable deviations (analytically, for ``N >= 3``).
    """
    start = time.perf_counter()
    opt = social_optimum(game)
    result = message_exchange(game, method=method, tol=tol, max_iter=max_iter, rho=rho, optimum=opt)
    elapsed = time.perf_counter() - start
    gain = None
    if game.n >= 3:
        gain = deviation_check(game, result.messages, method="analytic").max_gain
    return ExchangeReport(result, gain, elapsed)
