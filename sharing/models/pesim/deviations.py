"""Unilateral deviations from a PESIM message profile (eq. (5), Theorems 1-2).

A user's best deviation is searched numerically over its whole message, or
computed exactly by the reduction of :func:`best_response_value` (for ``N >=
3``: its own price proposal only enters its penalty, so it picks the outcome
it likes best at its quoted Lindahl price).  Outcomes are kept feasible and
bounded (:func:`deviation_bound`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.ids_game import IDSGame, WeightedEffortRisk
from sharing.models.numerics import FloatArray, RandomState, as_rng
from sharing.models.pesim.messages import MessageProfile, prices_from_messages
from sharing.models.pesim.minimize import bounded_minimum
from sharing.models.pesim.taxation import tax_terms, utilities


def deviation_bound(game: IDSGame, x_hat: npt.ArrayLike) -> float:
    """Box ``[0, B]^N`` of outcomes searched by the deviation checks.

    ``B = 2 max(1, max_j x_hat_j, max_i f_i(0)/c_i)``: twice the largest of
    the current outcome and the bound of Proposition 1 on useful investments.
    The paper's message space is unbounded; at exact equilibrium prices the
    bound changes nothing (every user's priced problem is bounded below),
    but at approximate prices a tiny negative quoted price for someone
    else's investment (``l_ij = -1e-11``) could be exploited without limit
    and an unbounded search would report an infinite gain.
    """
    xh = np.asarray(x_hat, dtype=np.float64)
    zero = np.zeros(game.n)
    prop1 = max(game.risk.user_value(i, zero) / game.costs[i] for i in range(game.n))
    return 2.0 * max(1.0, float(np.max(xh, initial=0.0)), float(prop1))


def best_response_value(
    game: IDSGame, i: int, price: npt.ArrayLike, bound: float | None = None
) -> tuple[float, FloatArray]:
    """``min_{0 <= y <= B} g_i(y) + price^T y``: user ``i``'s best outcome at a Lindahl price.

    For ``N >= 3`` this is exactly user ``i``'s best deviation in PESIM: it
    sets ``pi_i = 0`` (its own price proposal only enters its penalty term,
    which is non-negative) and picks ``x_i`` to reach any outcome
    ``x_hat = y``; its tax is then ``price^T y`` minus a term it cannot
    influence.

    Exponential risks ``exp(-w_i^T y)`` are solved exactly: with
    ``a = c_i e_i + price``, coordinates with ``a_j <= 0`` go to the bound,
    the others are filled in increasing order of ``a_j / w_ij`` (a fractional
    knapsack: the cheapest protection first) until the marginal protection
    ``exp(-w_i^T y)`` falls to the ratio.  Without a bound and with ``a >= 0``
    this is ``r (1 - ln r)`` for ``r = min_j a_j / w_ij < 1`` (``1`` if
    ``r >= 1``).  Other risks: bounded truncated Newton (scipy TNC) on the box.

    Parameters
    ----------
    game, i
        The instance and the user.
    price
        Its Lindahl price ``l_i``.
    bound
        ``B`` (default: unbounded; ``inf`` is returned for unbounded problems).

    Returns
    -------
    value, y
        The optimal value and a minimiser.
    """
    p = np.asarray(price, dtype=np.float64)
    n = game.n
    risk = game.risk
    big = math.inf if bound is None else float(bound)
    if isinstance(risk, WeightedEffortRisk):
        a = p.copy()
        a[i] += game.costs[i]
        w = risk.weights[i]
        y = np.zeros(n)
        free_gain = (a < 0) | ((a == 0) & (w > 0))
        if np.any(free_gain) and math.isinf(big):
            return -math.inf, y
        y[free_gain] = big
        u0 = float(w[free_gain] @ y[free_gain]) if np.any(free_gain) else 0.0
        const = float(a[free_gain] @ y[free_gain]) if np.any(free_gain) else 0.0
        cand = np.flatnonzero(~free_gain & (w > 0))
        order = cand[np.argsort(a[cand] / w[cand], kind="stable")]
        u = u0
        cost = const
        for j in order:
            r = a[j] / w[j]
            if math.exp(-u) <= r:
                break
            need = -math.log(r) - u  # protection at which exp(-u) = r
            cap = w[j] * big
            take = min(need, cap)
            y[j] = take / w[j]
            u += take
            cost += a[j] * y[j]
            if take < cap:
                break
        return math.exp(-u) + cost, y

    def fun(y: FloatArray) -> float:
        return game.user_cost(i, y) + float(p @ y)

    def grad(y: FloatArray) -> FloatArray:
        return game.user_cost_gradient(i, y) + p

    if math.isinf(big) and np.any(p + game.costs[i] * (np.arange(n) == i) < 0):
        # a negative effective price on a coordinate that also lowers the risk: unbounded
        return -math.inf, np.zeros(n)
    upper = None if math.isinf(big) else big
    y = bounded_minimum(
        lambda v: (fun(v), grad(v)), np.zeros(n), [(0.0, upper)] * n, 200 * (n + 10)
    )
    return fun(y), y


@dataclass(frozen=True)
class DeviationReport:
    """Best unilateral deviation gains found against a message profile (eq. (5)).

    Attributes
    ----------
    max_gain
        ``max_i (u_i(best deviation) - u_i(profile))`` over the checked users.
    gains
        Per checked user.
    users_checked
        The users examined.
    method
        ``"numeric"`` (multi-start bounded search over ``(pi_i, x_i)``), ``"analytic"``
        (the exact reduction of :func:`best_response_value`) or both.
    n_starts
        Starts per user for the numeric search.
    """

    max_gain: float
    gains: dict[int, float]
    users_checked: list[int]
    method: str
    n_starts: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        worst = max(self.gains, key=lambda k: self.gains[k]) if self.gains else None
        return {
            "method": self.method,
            "users_checked": len(self.users_checked),
            "starts_per_user": self.n_starts,
            "max_gain": self.max_gain,
            "worst_user": worst,
        }


def _user_cost_and_grad(
    game: IDSGame, messages: MessageProfile, i: int
) -> tuple[Callable[[FloatArray], tuple[float, FloatArray]], FloatArray]:
    """User ``i``'s cost ``g_i(x_hat) + t_i`` as a function of its own message ``(pi_i, x_i)``."""
    n = game.n
    pi, x = messages.pi, messages.x
    i1, i2 = (i + 1) % n, (i + 2) % n
    s_others = x.sum(axis=0) - x[i]

    def f(v: FloatArray) -> tuple[float, FloatArray]:
        p_i, x_i = v[:n], v[n:]
        x_hat = (x_i + s_others) / n
        pi_i2 = p_i if i2 == i else pi[i2]
        x_i2 = x_i if i2 == i else x[i2]
        d = pi[i1] - pi_i2
        dx = x_i - x[i1]
        dx1 = x[i1] - x_i2
        cost = (
            game.user_cost(i, x_hat)
            + float(d @ x_hat)
            + float(p_i @ (dx * dx))
            - float(pi[i1] @ (dx1 * dx1))
        )
        g_x = (game.user_cost_gradient(i, x_hat) + d) / n + 2.0 * p_i * dx
        g_p = dx * dx
        if i2 == i and n > 1:  # N = 2: own message in the price and balancing terms
            g_p = g_p - x_hat
            g_x = g_x + 2.0 * pi[i1] * dx1
        return cost, np.concatenate([g_p, g_x])

    return f, s_others


def deviation_check(
    game: IDSGame,
    messages: MessageProfile,
    *,
    users: Sequence[int] | None = None,
    method: Literal["numeric", "analytic"] = "numeric",
    n_starts: int = 4,
    random_state: RandomState = None,
) -> DeviationReport:
    """Search each user's best unilateral deviation from ``messages`` (Theorems 1-2, eq. (28)).

    ``numeric``: for each user, a bounded truncated-Newton search (scipy
    TNC) over its whole message
    ``(pi_i >= 0, x_i)`` with the outcome kept feasible and finite
    (``0 <= x_hat <= B``, :func:`deviation_bound`), from the current
    message, from the analytic best response and from ``n_starts - 2``
    random perturbations.  ``analytic``: the exact reduction of
    :func:`best_response_value` (valid for ``N >= 3``), one convex problem per
    user, solved exactly for exponential risks; cheap enough for every user
    of a large instance.

    Parameters
    ----------
    game
        The instance.
    messages
        The profile to test (e.g. :func:`equilibrium_messages`).
    users
        Users to examine (default: all).
    method
        ``"numeric"`` or ``"analytic"``.
    n_starts
        Starts per user (numeric).
    random_state
        Seed or Generator for the random starts.

    Returns
    -------
    DeviationReport
        ``max_gain`` of the order of rounding at equilibrium messages;
        positive otherwise.
    """
    n = game.n
    if messages.n != n:
        raise InputError(f"messages are for {messages.n} users, the game has {n}")
    if n < 2:
        raise InputError("a mechanism needs at least two users")
    checked = list(range(n)) if users is None else [int(u) for u in users]
    for u in checked:
        if not 0 <= u < n:
            raise InputError(f"user {u} out of range 0..{n - 1}")
    rng = as_rng(random_state)
    gains: dict[int, float] = {}
    base_u = utilities(game, messages.pi, messages.x)
    bound = deviation_bound(game, messages.outcome())
    if method == "analytic":
        if n < 3:
            raise InputError("the analytic deviation check needs N >= 3 (see module notes)")
        tx = tax_terms(messages.pi, messages.x)
        d_all = prices_from_messages(messages.pi)
        for i in checked:
            value, _ = best_response_value(game, i, d_all[i], bound)
            best_cost = value - float(tx[2][i])
            gains[i] = float(-best_cost - base_u[i])
        return DeviationReport(max(gains.values()), gains, checked, "analytic", 0)
    if method != "numeric":
        raise InputError(f"unknown deviation method {method!r}")
    d_all = prices_from_messages(messages.pi)
    for i in checked:
        f, s_others = _user_cost_and_grad(game, messages, i)
        cap = 1e3 * (1.0 + float(np.max(messages.pi)))
        lo_x, hi_x = -s_others, n * bound - s_others
        bounds = [(0.0, cap)] * n + list(zip(lo_x.tolist(), hi_x.tolist(), strict=True))
        starts = [np.concatenate([messages.pi[i], np.clip(messages.x[i], lo_x, hi_x)])]
        if n >= 3:
            _, y = best_response_value(game, i, d_all[i], bound)
            starts.append(np.concatenate([np.zeros(n), np.clip(n * y - s_others, lo_x, hi_x)]))
        scale_x = 1.0 + float(np.max(np.abs(messages.x)))
        while len(starts) < max(n_starts, 1):
            p0 = messages.pi[i] * rng.uniform(0.0, 2.0, n)
            x0 = np.clip(messages.x[i] + rng.normal(0.0, 0.5 * scale_x, n), lo_x, hi_x)
            starts.append(np.concatenate([p0, x0]))
        best = math.inf
        for v0 in starts:
            v = bounded_minimum(f, v0, bounds, max(500, 20 * (2 * n + 10)))
            best = min(best, f(v)[0], f(v0)[0])
        gains[i] = float(-best - base_u[i])
    return DeviationReport(max(gains.values()), gains, checked, "numeric", max(n_starts, 1))
