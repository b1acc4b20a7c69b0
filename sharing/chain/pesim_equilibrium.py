"""PESIM's equilibrium on chain: from the model to fixed-point messages, and back.

The mechanism of Naghizadeh & Liu (docs/models.md, "Interdependent
security and PESIM") for an :class:`~sharing.models.ids_game.IDSGame`, as
:class:`~sharing.chain.pesim.PesimSystem` plays it:

* the round's terms from the model: the equilibrium messages (Theorem 2) in
  fixed point (:func:`fixed_equilibrium_messages`), the collateral below
  which defaulting on a tax pays (:func:`minimum_collateral`,
  :func:`recommended_collateral`), and how far quantisation may move a tax
  (:func:`quantisation_bound_wei`);
* deviations found off chain, with scipy: a user's best reachable outcome
  at its Lindahl price (:func:`best_reachable_outcome`) and candidate
  deviating messages the contract accepts (:func:`deviation_candidates`,
  :func:`best_deviation`), and a user's utility read from a settlement
  (:func:`onchain_utility`);
* :func:`equilibrium_round`: the model's equilibrium messages go on chain,
  the chain's ``x_hat`` and taxes are compared with ``x*`` and
  ``l_i^T x*`` (eq. (12)), and each participant's best deviation found off
  chain is replayed on a snapshot to check that its utility (private risk
  and cost, plus the on-chain tax) does not rise (eq. (5)).  The CLI
  ``sharing pesim onchain`` and the tests share it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from sharing import pesim_fixed as fx
from sharing.chain.pesim import DEFAULT_DESIGN, Design, OnChainSettlement, PesimSystem
from sharing.errors import InputError
from sharing.models.ids_game import IDSGame, as_rng, social_optimum
from sharing.models.pesim import (
    MessageProfile,
    best_response_value,
    deviation_bound,
    equilibrium_messages,
    lindahl_prices,
    prices_from_messages,
    utilities,
)

# ---------------------------------------------------------- the round's terms


def fixed_equilibrium_messages(profile: MessageProfile) -> list[fx.FixedMessage]:
    """The model's equilibrium messages (Theorem 2, eqs. (23)-(24)) in fixed point."""
    return fx.encode_profile(profile.pi, profile.x)


def minimum_collateral(game: IDSGame, wei_per_unit: int) -> int:
    """The smallest collateral at which defaulting on a tax never pays, in wei.

    A participant's transfer is at least ``min(t_i, C)``: a payer pays its
    tax or its whole collateral ``C``, and a receiver's pro-rata share of a
    shortfall only lowers what it receives.  Whoever defaults therefore
    gets at most ``-C - g_i(x_hat) <= -C`` (``g_i >= 0`` because
    ``x_hat >= 0``, which the contract enforces), against
    ``u_i* = -(g_i(x*) + l_i^T x*)`` at equilibrium.  So
    ``C >= max_i (g_i(x*) + l_i^T x*)`` (and ``C >= max_i l_i^T x*``, implied,
    so that the equilibrium itself has no shortfall) is exactly what makes
    the ``walk-away`` deviation of :mod:`sharing.chain.pesim_deviations`
    not pay.  The contract cannot check it (it does not know the game):
    governance must, and :func:`recommended_collateral` is at least twice
    this.

    Returns
    -------
    int
        ``ceil(wei_per_unit * max(0, max_i (g_i(x*) + l_i^T x*)))``, at least 1 wei.
    """
    opt = social_optimum(game)
    tax = lindahl_prices(game, opt).equilibrium_taxes()
    need = max(game.user_cost(i, opt.x) + float(tax[i]) for i in range(game.n))
    return max(1, math.ceil(Fraction(need) * wei_per_unit))


def recommended_collateral(game: IDSGame, wei_per_unit: int, margin: float = 2.0) -> int:
    """A collateral that makes defaulting on a tax never pay, in wei.

    A participant whose tax exceeds its collateral ``C`` loses ``C`` and
    still bears its cost ``g_i(x_hat) >= 0`` (for ``x_hat >= 0``), so its
    utility is at most ``-C``; at equilibrium it gets
    ``-(g_i(x*) + l_i^T x*)``.  Any ``C >= max_i (g_i(x*) + max(l_i^T x*, 0))``
    therefore removes the incentive to deviate into a default (it is at
    least :func:`minimum_collateral`); we take ``margin`` times that,
    rounded up to 1/100 of a unit.
    """
    opt = social_optimum(game)
    lp = lindahl_prices(game, opt)
    tax = lp.equilibrium_taxes()
    need = max(game.user_cost(i, opt.x) + max(float(tax[i]), 0.0) for i in range(game.n))
    hundredths = max(1, math.ceil(margin * need * 100))
    return min(hundredths * wei_per_unit // 100 or 1, fx.MAX_COLLATERAL_WEI)


def quantisation_bound_wei(
    lindahl: npt.NDArray[np.float64], x_star: npt.NDArray[np.float64], wei_per_unit: int
) -> list[int]:
    """How far the exact tax of the fixed-point messages may sit from ``W l_i^T x*``.

    ``P`` is rounded to the nearest ``1/PI_SCALE`` and ``X`` to the nearest
    ``1/X_SCALE``, so the Lindahl price the messages carry is off by at most
    ``1/PI_SCALE`` per coordinate and ``x*`` by ``1/(2 X_SCALE)``:
    ``|dt_i| <= W (||x*||_1 / PI_SCALE + ||l_i||_1 / (2 X_SCALE) + N / (PI_SCALE X_SCALE))``,
    plus the float error of the model's own ``l_i^T x*`` (16 digits), plus
    one wei of rounding.
    """
    n = x_star.size
    out = []
    for row in lindahl:
        b = wei_per_unit * (
            float(np.abs(x_star).sum()) / fx.PI_SCALE
            + float(np.abs(row).sum()) / (2 * fx.X_SCALE)
            + n / (fx.PI_SCALE * fx.X_SCALE)
            + 1e-15 * (1.0 + float(np.abs(row) @ np.abs(x_star)))
        )
        out.append(math.ceil(b) + 1)
    return out


# ------------------------------------------------- deviations found off chain


@dataclass(frozen=True)
class Deviation:
    """A unilateral deviation of user ``index`` from a message profile.

    Attributes
    ----------
    label
        How it was found: ``"analytic"``, ``"free-ride"`` or ``"numeric"``.
    pi, x
        The deviating message ``(pi_i, x_i)`` in model units.
    model_gain
        ``u_i(deviation) - u_i(profile)`` in the model (eq. (5)), floating point.
    """

    index: int
    label: str
    pi: npt.NDArray[np.float64]
    x: npt.NDArray[np.float64]
    model_gain: float

    def fixed(self) -> fx.FixedMessage:
        """The message in fixed point."""
        return fx.FixedMessage.from_real(self.pi.tolist(), self.x.tolist())


def best_reachable_outcome(
    game: IDSGame,
    i: int,
    price: npt.ArrayLike,
    floor: npt.ArrayLike,
    bound: float,
    current: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """User ``i``'s best outcome at a Lindahl price among those it can reach.

    ``argmin g_i(y) + price^T y`` over ``floor <= y <= max(bound, floor)``.
    With the others' proposals summing to ``S_{-i}``, a proposal
    ``x_i >= 0`` (all the contract accepts) reaches exactly the outcomes
    ``y >= floor = S_{-i} / N``.  The unconstrained best outcome
    (:func:`sharing.models.pesim.best_response_value`, over ``0 <= y <= B``)
    is used when it is reachable, which is the case at an equilibrium
    (``y = x* >= (N-1)/N x*``); otherwise the box problem is solved by
    L-BFGS-B from its projection.

    The minimiser need not be unique (weighted effort at an equilibrium:
    every coordinate that carries effort has the same price per unit of
    protection).  If ``current`` (the outcome of the current messages) is
    reachable and as good to 1e-9 (relative; the fixed point of the messages
    moves values by about 1e-12 per unit of outcome), it is returned: moving
    along a flat face gains nothing in the model, but on chain it makes the
    next user's penalty grow and may trigger a collateral shortfall that the
    model does not see.
    """
    p = np.asarray(price, dtype=np.float64)
    lo = np.maximum(np.asarray(floor, dtype=np.float64), 0.0)
    hi = np.maximum(float(bound), lo)

    def value(v: npt.NDArray[np.float64]) -> float:
        return game.user_cost(i, v) + float(p @ v)

    def fun(v: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        return value(v), np.asarray(game.user_cost_gradient(i, v) + p, dtype=np.float64)

    _, y = best_response_value(game, i, p, bound=float(bound))
    y = np.asarray(y, dtype=np.float64)
    if not np.all(y >= lo):
        res = optimize.minimize(fun, np.clip(y, lo, hi), jac=True, method="L-BFGS-B",
                                bounds=list(zip(lo.tolist(), hi.tolist(), strict=True)),
                                options={"maxiter": 1000, "ftol": 1e-15, "gtol": 1e-12})
        y = np.clip(np.asarray(res.x, dtype=np.float64), lo, hi)
    if current is not None:
        h = np.asarray(current, dtype=np.float64)
        best = value(y)
        if np.all(h >= lo) and np.all(h <= hi) and value(h) <= best + 1e-9 * (1.0 + abs(best)):
            return h.copy()
    return y


def deviation_candidates(
    game: IDSGame, msgs: MessageProfile, i: int, *, n_starts: int = 3, random_state: Any = 0
) -> list[Deviation]:
    """Candidate deviations of user ``i`` found off chain, each with its model gain.

    The model reports deviation *gains* (:func:`sharing.models.pesim.deviation_check`)
    but not the deviating messages, which the chain needs; this adapter
    rebuilds them.  Every candidate is a message the contract accepts: its
    investment proposal ``x_i`` is ``>= 0`` (so ``x_hat >= 0``).

    * ``analytic`` (N >= 3): ``pi_i = 0`` and ``x_i`` chosen so that
      ``x_hat`` is user ``i``'s best reachable outcome at its Lindahl price
      (:func:`best_reachable_outcome`, exact for N >= 3);
    * ``free-ride``: keep ``pi_i``, propose zero investment for itself
      (``x_i[i] = 0``, the lowest the contract accepts);
    * ``numeric`` (N <= 8): L-BFGS-B on the model's utility (eq. (1)) over
      ``(pi_i, x_i)``, ``pi_i >= 0``, ``x_i >= 0``, from the current
      message, the analytic one and ``n_starts`` random perturbations.

    Outcomes stay in the model's search box ``x_hat <= B``
    (:func:`sharing.models.pesim.deviation_bound`) and prices below ten
    times the largest proposed price (at N = 2 the gain is unbounded: see
    the model's notes).

    Candidates equal to the current message in fixed point are dropped:
    they are not deviations.
    """
    n = game.n
    rng = as_rng(random_state)
    base = float(utilities(game, msgs.pi, msgs.x)[i])
    others = msgs.x.sum(axis=0) - msgs.x[i]
    current = fx.FixedMessage.from_real(msgs.pi[i].tolist(), msgs.x[i].tolist())
    raw: list[tuple[str, npt.NDArray[np.float64], npt.NDArray[np.float64]]] = []
    box = deviation_bound(game, msgs.outcome())
    if n >= 3:
        y = best_reachable_outcome(game, i, prices_from_messages(msgs.pi)[i], others / n, box,
                                   current=msgs.outcome())
        raw.append(("analytic", np.zeros(n), np.maximum(n * y - others, 0.0)))
    free = msgs.x[i].copy()
    free[i] = 0.0
    raw.append(("free-ride", msgs.pi[i].copy(), free))
    if n <= 8:
        cap = 10.0 * (1.0 + float(np.max(msgs.pi)))
        bounds = [(0.0, cap)] * n + [(0.0, max(n * box - float(s), 0.0)) for s in others]

        def cost(v: npt.NDArray[np.float64]) -> float:
            pi = msgs.pi.copy()
            x = msgs.x.copy()
            pi[i], x[i] = v[:n], v[n:]
            return float(-utilities(game, pi, x)[i])

        starts = [np.concatenate([msgs.pi[i], msgs.x[i]])]
        starts += [np.concatenate([p, q]) for label, p, q in raw if label == "analytic"]
        scale = 1.0 + float(np.max(np.abs(msgs.x)))
        for _ in range(max(n_starts, 0)):
            starts.append(np.concatenate([
                msgs.pi[i] * rng.uniform(0.0, 2.0, n),
                np.maximum(msgs.x[i] + rng.normal(0.0, 0.5 * scale, n), 0.0),
            ]))
        for v0 in starts:
            res = optimize.minimize(cost, v0, method="L-BFGS-B", bounds=bounds,
                                    options={"maxiter": 500})
            raw.append(("numeric", np.asarray(res.x[:n]), np.asarray(res.x[n:])))
    out = []
    for label, p, q in raw:
        p = np.clip(p, 0.0, None)
        q = np.clip(q, 0.0, None)
        dev = msgs.replace(i, p, q)
        d = Deviation(i, label, p, q, float(utilities(game, dev.pi, dev.x)[i]) - base)
        if d.fixed() != current:
            out.append(d)
    return out


def best_deviation(
    game: IDSGame, msgs: MessageProfile, i: int, *, n_starts: int = 3, random_state: Any = 0
) -> Deviation:
    """User ``i``'s best unilateral deviation found off chain (largest model gain, eq. (5))."""
    cands = deviation_candidates(game, msgs, i, n_starts=n_starts, random_state=random_state)
    return max(cands, key=lambda d: d.model_gain)


def onchain_utility(game: IDSGame, i: int, result: OnChainSettlement, wei_per_unit: int) -> float:
    """User ``i``'s utility from the chain, eq. (1): ``u_i = -(f_i(x_hat) + c_i x_hat_i) - t_i``.

    ``x_hat`` is the chain's outcome and ``t_i`` what the participant actually paid (its
    transfer), in utility units.
    """
    x_hat = np.array([float(v) for v in result.x_hat])
    return -game.user_cost(i, x_hat) - result.transfers[i] / wei_per_unit


# ------------------------------------------------------ the equilibrium round


@dataclass(frozen=True)
class ParticipantReport:
    """One participant of :func:`equilibrium_round`.

    Attributes
    ----------
    index, account, cost
        Who.
    model_tax
        ``l_i^T x*`` from the model, in utility units (float).
    model_tax_wei
        ``wei_per_unit * l_i^T x*`` rounded to an integer.
    fixed_point_tax_wei
        The exact tax of the fixed-point equilibrium messages, in wei
        (``l_i^T x*`` with the ``l_i`` and ``x*`` the messages carry).
    tax_wei
        The on-chain tax.
    deviation_gain
        On-chain utility with the best deviation found off chain minus the
        on-chain utility at equilibrium, in utility units.
    deviation_gain_offchain
        The same gain as the model predicts it (floating point).
    """

    index: int
    account: str
    cost: float
    model_tax: float
    model_tax_wei: int
    fixed_point_tax_wei: Fraction
    tax_wei: int
    deviation_gain: float
    deviation_gain_offchain: float

    @property
    def difference_wei(self) -> int:
        """On-chain minus model tax, in wei."""
        return self.tax_wei - self.model_tax_wei

    @property
    def rounding_wei(self) -> Fraction:
        """On-chain minus the exact tax of the messages sent: THE rounding, below 1 wei."""
        return self.tax_wei - self.fixed_point_tax_wei


@dataclass(frozen=True)
class EquilibriumRoundReport:
    """Result of :func:`equilibrium_round` (the schema of ``sharing pesim onchain --json``)."""

    game: IDSGame
    design: Design
    wei_per_unit: int
    collateral_wei: int
    x_star: list[float]
    x_hat: list[Fraction]
    participants: list[ParticipantReport]
    settlement: OnChainSettlement
    quantisation_bound_wei: list[int]
    deviation_tolerance: float
    chain_kind: str
    contract: str

    @property
    def taxes_wei(self) -> list[int]:
        """On-chain taxes in wei."""
        return [p.tax_wei for p in self.participants]

    @property
    def max_deviation_gain(self) -> float:
        """Largest on-chain gain of any participant's best deviation."""
        return max(p.deviation_gain for p in self.participants)

    @property
    def x_hat_error(self) -> float:
        """``max_k |x_hat_k - x*_k|`` (on-chain outcome against the model's optimum)."""
        return max(abs(float(h) - s) for h, s in zip(self.x_hat, self.x_star, strict=True))

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly report."""
        return {
            "instance": self.game.describe(),
            "chain": self.chain_kind,
            "contract": self.contract,
            "design": self.design.name.lower(),
            "wei_per_unit": self.wei_per_unit,
            "collateral_wei": self.collateral_wei,
            "fixed_point": {"x_scale": fx.X_SCALE, "pi_scale": fx.PI_SCALE},
            "participants": [
                {
                    "index": p.index,
                    "account": p.account,
                    "cost": p.cost,
                    "model_tax": p.model_tax,
                    "model_tax_wei": p.model_tax_wei,
                    "tax_wei": p.tax_wei,
                    "difference_wei": p.difference_wei,
                    "quantisation_bound_wei": b,
                    "fixed_point_tax_wei": str(p.fixed_point_tax_wei),
                    "rounding_wei": str(p.rounding_wei),
                    "deviation_gain": p.deviation_gain,
                    "deviation_gain_offchain": p.deviation_gain_offchain,
                    "deviation_ok": (None if math.isnan(p.deviation_gain)
                                     else p.deviation_gain <= self.deviation_tolerance),
                }
                for p, b in zip(self.participants, self.quantisation_bound_wei, strict=True)
            ],
            "x_star": self.x_star,
            "x_hat": [float(v) for v in self.x_hat],
            "x_hat_exact": [str(v) for v in self.x_hat],
            "x_hat_error": self.x_hat_error,
            "taxes_wei": self.taxes_wei,
            "model_taxes": [p.model_tax for p in self.participants],
            "model_taxes_wei": [p.model_tax_wei for p in self.participants],
            "sum_taxes_wei": sum(self.taxes_wei),
            "shortfall_wei": self.settlement.shortfall,
            "settle_gas": self.settlement.gas_used,
            "max_deviation_gain": self.max_deviation_gain,
            "deviation_tolerance": self.deviation_tolerance,
        }


def equilibrium_round(
    system: PesimSystem,
    game: IDSGame,
    participants: Sequence[str],
    *,
    design: Design = DEFAULT_DESIGN,
    wei_per_unit: int = fx.DEFAULT_WEI_PER_UNIT,
    collateral_wei: int | None = None,
    deviations: bool = True,
    n_starts: int = 3,
    random_state: Any = 0,
    tolerance: float = 1e-8,
) -> EquilibriumRoundReport:
    """Settle PESIM's equilibrium on chain and check it against the model.

    1. Model: ``x*`` (problem (2)), Lindahl prices ``l_i`` (eqs. (20)-(21)),
       equilibrium messages (Theorem 2), encoded in fixed point.
    2. Chain: open a round and register everyone.
    3. For each participant in turn (if ``deviations``), on a snapshot:
       submit the others' equilibrium messages and its best deviation found
       off chain, settle, record its on-chain utility, revert.
    4. Settle the equilibrium round for real and compare: ``x_hat`` with
       ``x*``, taxes with ``l_i^T x*``, each deviation's on-chain utility
       with the equilibrium's.

    Parameters
    ----------
    system
        A deployed :class:`PesimSystem`.
    game
        The instance (``2 <= N <= 32``).
    participants
        One account per user, in cyclic order.
    design, wei_per_unit, collateral_wei
        Round terms (collateral default: :func:`recommended_collateral`;
        below :func:`minimum_collateral` defaulting on the tax pays, and the
        round is refused).
    deviations
        Run the on-chain deviation test.
    n_starts, random_state
        Numeric deviation search.
    tolerance
        Gains up to this (utility units) count as "no gain": the fixed point
        moves utilities by ~1e-12.
    """
    n = game.n
    if len(participants) != n:
        raise InputError(f"{n} users need {n} accounts, got {len(participants)}")
    if not fx.MIN_N <= n <= fx.MAX_N:
        raise InputError(f"PESIM on chain takes {fx.MIN_N}..{fx.MAX_N} users, got {n}")
    opt = social_optimum(game)
    lp = lindahl_prices(game, opt)
    msgs = equilibrium_messages(lp)
    fixed = fixed_equilibrium_messages(msgs)
    collateral = collateral_wei or recommended_collateral(game, wei_per_unit)
    floor = minimum_collateral(game, wei_per_unit)
    if collateral < floor:
        raise InputError(
            f"collateral {collateral} wei is below the minimum {floor} wei "
            "(max_i g_i(x*) + l_i^T x*): a participant would gain by defaulting on its tax"
        )

    rid = system.open_round(participants, collateral, wei_per_unit, design)
    system.register_all(rid)
    u_dev: list[float] = []
    gains_off: list[float] = []
    if deviations:
        for i in range(n):
            best = best_deviation(game, msgs, i, n_starts=n_starts, random_state=random_state)
            dev = list(fixed)
            dev[i] = best.fixed()
            snap = system.chain.snapshot()
            try:
                out = system.submit_and_settle(rid, dev)
                u_dev.append(onchain_utility(game, i, out, wei_per_unit))
            finally:
                system.chain.revert(snap)
            gains_off.append(best.model_gain)
    result = system.submit_and_settle(rid, fixed)
    if deviations:
        gains = [u_dev[i] - onchain_utility(game, i, result, wei_per_unit) for i in range(n)]
    else:
        gains = gains_off = [math.nan] * n

    pi_int = [list(m.pi) for m in fixed]
    x_int = [list(m.x) for m in fixed]
    exact = fx.exact_taxes_wei(pi_int, x_int, wei_per_unit)
    model = lp.equilibrium_taxes()
    rows = [
        ParticipantReport(
            index=i,
            account=str(participants[i]),
            cost=float(game.costs[i]),
            model_tax=float(model[i]),
            model_tax_wei=round(float(model[i]) * wei_per_unit),
            fixed_point_tax_wei=exact[i],
            tax_wei=result.taxes[i],
            deviation_gain=gains[i],
            deviation_gain_offchain=gains_off[i],
        )
        for i in range(n)
    ]
    return EquilibriumRoundReport(
        game=game,
        design=design,
        wei_per_unit=wei_per_unit,
        collateral_wei=collateral,
        x_star=[float(v) for v in opt.x],
        x_hat=result.x_hat,
        participants=rows,
        settlement=result,
        quantisation_bound_wei=quantisation_bound_wei(lp.prices, opt.x, wei_per_unit),
        deviation_tolerance=tolerance,
        chain_kind=system.chain.kind,
        contract=system.address,
    )
