"""Named unilateral deviations from a PESIM round, measured on chain.

:func:`measure_deviations` answers, for one instance and one honest message
profile (by default the model's equilibrium, Theorem 2), the question "does
any participant gain by sending something else?" with the chain's own
numbers: for each participant ``i`` and each named deviation it runs the
round on a snapshot, with every other participant sending its honest
message and ``i`` sending the deviation (or nothing), settles it, reads the
outcome and the transfers from the events, and compares ``i``'s payoff with
the honest round's.  The chain is reverted after each run.

Payoff
------
The mechanism's utility, eq. (1), with the outcome binding (the members
invest the agreed ``x_hat``, which auditing checks off chain)::

    u_i = -g_i(x_hat_chain) - transfer_i / W,    g_i = f_i + c_i x_i,

where ``transfer_i`` is what ``i`` actually paid (``TaxSettled.transfer_wei``,
after the collateral cap) and ``W`` the round's wei per unit.  Each row also
carries the *tax-only* reading, ``transfer_gain_wei = transfer_honest -
transfer_deviation`` (exact, in wei): what the deviation is worth if
``x_hat`` is not invested.  PESIM disciplines a participant's investment
proposal only through ``g_i(x_hat)``, so in the tax-only reading deviations
do pay; this is why ``x_hat`` must be binding (``docs/pesim_onchain.md``).

Tolerance
---------
A deviation *pays* when its gain exceeds ``tolerance + 2 / W`` units.  The
``2 / W`` is THE rounding: each of the two settlements compared is strictly
less than 1 wei from its exact value.  ``tolerance`` (default
:data:`GAIN_TOLERANCE`, 1e-9 units) covers the fixed point of the messages
(prices and investments are quantised at 1e-12, which moves a utility by
about 1e-12 per unit of outcome, :func:`sharing.chain.pesim_equilibrium.quantisation_bound_wei`)
and the float evaluation of ``g_i`` (about 1e-16 relative); it is a
thousand times both, and a billionth of a unit is far below any gain worth
a transaction.

Deviations (``kinds``)
----------------------
==================== ==========================================================
``honest``           the honest message itself (gain exactly 0: the control)
``price-zero``       ``pi_i = 0``, ``x_i = honest x_i +- step`` in every
                     coordinate, one row per sign pattern (``"price-zero +-+"``;
                     all ``2^N`` patterns up to ``max_sign_patterns``, else
                     all-plus, all-minus and each single flip of those)
``below-zero``       ``pi_i = 0`` and ``x_i`` pushing ``x_hat_k`` to
                     ``-step / N``, one row per coordinate ``k``
``free-ride``        honest prices, zero investment proposed for itself
                     (``x_i[i] = 0``)
``free-ride-to-zero`` honest prices, ``x_i[i] = -S_{-i,i}`` so that
                     ``x_hat_i = 0`` (needs a negative proposal when the
                     others propose that ``i`` invests)
``silent``           no message: the contract's default message applies
                     (a fresh round, settled after the message window)
``best-response``    the analytic best response for ``N >= 3``: ``pi_i = 0``
                     (its own price only enters its own penalty) and ``x_i``
                     reaching ``argmin g_i(y) + l_i^T y`` over the outcomes
                     it can reach, ``l_i = pi_{i+1} - pi_{i+2}`` as sent
                     (:func:`sharing.chain.pesim_equilibrium.best_reachable_outcome`)
``walk-away``        ``pi_i = 0`` and ``x_i`` raising the coordinate with the
                     largest positive ``l_ij`` until ``i``'s tax is above
                     twice its collateral: ``i`` defaults and pays only the
                     collateral (pays iff the collateral is below
                     :func:`sharing.chain.pesim_equilibrium.minimum_collateral`)
==================== ==========================================================

A deviating message equal to the honest one (or to an earlier row's) is
skipped.  A message the contract refuses gives a row with ``refused`` set
to the revert reason and no payoff: it cannot be played.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing import pesim_fixed as fx
from sharing.chain.pesim import DEFAULT_DESIGN, Design, OnChainSettlement, PesimSystem
from sharing.chain.pesim_equilibrium import (
    best_reachable_outcome,
    fixed_equilibrium_messages,
    recommended_collateral,
)
from sharing.errors import InputError, RevertError
from sharing.models.ids_game import IDSGame
from sharing.models.pesim import deviation_bound, equilibrium_messages, lindahl_prices

#: Default tolerance on a gain, in utility units (see the module notes).
GAIN_TOLERANCE = 1e-9

HONEST = "honest"
PRICE_ZERO = "price-zero"
BELOW_ZERO = "below-zero"
FREE_RIDE = "free-ride"
FREE_RIDE_TO_ZERO = "free-ride-to-zero"
SILENT = "silent"
BEST_RESPONSE = "best-response"
WALK_AWAY = "walk-away"
#: Every deviation kind, in the order rows are produced.
DEVIATION_KINDS = (
    HONEST, PRICE_ZERO, BELOW_ZERO, FREE_RIDE, FREE_RIDE_TO_ZERO, SILENT, BEST_RESPONSE, WALK_AWAY,
)


@dataclass(frozen=True)
class DeviationRow:
    """One participant's payoff under one named deviation, against its honest payoff.

    Attributes
    ----------
    name
        The deviation, e.g. ``"price-zero +-+"`` or ``"below-zero 1"``.
    kind
        Its family (one of :data:`DEVIATION_KINDS`).
    index
        The deviating participant (round order).
    message
        The message it sent; ``None`` for ``silent``.
    payoff_honest
        ``-g_i(x_hat) - transfer_i / W`` in the honest round, in units.
    payoff_deviation
        The same in the deviation's round; ``None`` if the message was refused.
    gain
        ``payoff_deviation - payoff_honest``, in units (``None`` if refused).
    gain_wei
        The gain in wei: ``transfer_honest - transfer_deviation`` (exact)
        plus ``round(W * (g_i(x_hat_honest) - g_i(x_hat_deviation)))``.
    transfer_gain_wei
        Tax-only reading: ``transfer_honest - transfer_deviation``, exact.
    x_hat
        The deviation round's outcome, exactly (``None`` if refused).
    shortfall_wei
        The deviation round's shortfall (``None`` if refused).
    refused
        The contract's revert reason if the message was refused, else ``None``.
    tolerance
        Gains up to this many units do not count (``tolerance + 2 / W``).
    pays
        ``gain > tolerance``.
    """

    name: str
    kind: str
    index: int
    message: fx.FixedMessage | None
    payoff_honest: float
    payoff_deviation: float | None
    gain: float | None
    gain_wei: int | None
    transfer_gain_wei: int | None
    x_hat: tuple[Fraction, ...] | None
    shortfall_wei: int | None
    refused: str | None
    tolerance: float
    pays: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly row (wei as integers, the outcome as floats)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "index": self.index,
            "message": None if self.message is None else {
                "pi": list(self.message.pi), "x": list(self.message.x)},
            "payoff_honest": self.payoff_honest,
            "payoff_deviation": self.payoff_deviation,
            "gain": self.gain,
            "gain_wei": self.gain_wei,
            "transfer_gain_wei": self.transfer_gain_wei,
            "x_hat": None if self.x_hat is None else [float(v) for v in self.x_hat],
            "shortfall_wei": self.shortfall_wei,
            "refused": self.refused,
            "tolerance": self.tolerance,
            "pays": self.pays,
        }


def gain_tolerance(wei_per_unit: int, tolerance: float = GAIN_TOLERANCE) -> float:
    """Gains up to this many units do not pay: ``tolerance`` plus 2 wei of rounding."""
    return tolerance + 2.0 / wei_per_unit


def sign_patterns(n: int, max_patterns: int = 16) -> list[tuple[int, ...]]:
    """The sign patterns of the ``price-zero`` rows.

    All ``2^n`` patterns (``+`` first) when ``2^n <= max_patterns``, else
    all-plus, all-minus and every single flip of each (``2n + 2`` distinct
    patterns for ``n >= 3``), without repeats.
    """
    if 2**n <= max_patterns:
        return list(itertools.product((1, -1), repeat=n))
    plus, minus = (1,) * n, (-1,) * n
    out = [plus, minus]
    for k in range(n):
        out.append(plus[:k] + (-1,) + plus[k + 1:])
        out.append(minus[:k] + (1,) + minus[k + 1:])
    return list(dict.fromkeys(out))


def payoff(game: IDSGame, i: int, result: OnChainSettlement, wei_per_unit: int) -> float:
    """``-g_i(x_hat) - transfer_i / W``: user ``i``'s utility in a settled round, in units."""
    return -_cost(game, i, result) - result.transfers[i] / wei_per_unit


def _cost(game: IDSGame, i: int, result: OnChainSettlement) -> float:
    x_hat = np.array([float(v) for v in result.x_hat])
    with np.errstate(over="ignore"):
        return float(game.user_cost(i, x_hat))


@dataclass(frozen=True)
class _Plan:
    """One deviation to run: its name, family and message (``None``: silent)."""

    name: str
    kind: str
    message: fx.FixedMessage | None


def _lindahl_quoted(honest: Sequence[fx.FixedMessage], i: int) -> npt.NDArray[np.float64]:
    """``l_i = pi_{i+1} - pi_{i+2}`` as the messages quote it, with ``pi_i = 0`` (N = 2)."""
    n = len(honest)
    rows = [list(m.pi) for m in honest]
    rows[i] = [0] * n
    a, b = rows[(i + 1) % n], rows[(i + 2) % n]
    return np.array([(p - q) / fx.PI_SCALE for p, q in zip(a, b, strict=True)])


def _plans(
    game: IDSGame,
    honest: Sequence[fx.FixedMessage],
    i: int,
    kinds: Sequence[str],
    *,
    step: float,
    max_sign_patterns: int,
    collateral_wei: int,
    wei_per_unit: int,
) -> Iterator[_Plan]:
    """The deviations of participant ``i``, in the order of ``kinds``."""
    n = len(honest)
    mine = honest[i]
    x_i = list(mine.x)
    others = [sum(m.x[k] for j, m in enumerate(honest) if j != i) for k in range(n)]
    d = fx.to_fixed(step, fx.X_SCALE)
    zeros = (0,) * n
    cap = fx.MAX_ABS_X
    for kind in kinds:
        if kind == HONEST:
            yield _Plan(HONEST, HONEST, mine)
        elif kind == PRICE_ZERO:
            for signs in sign_patterns(n, max_sign_patterns):
                label = "".join("+" if s > 0 else "-" for s in signs)
                moved = tuple(v + s * d for v, s in zip(x_i, signs, strict=True))
                yield _Plan(f"{PRICE_ZERO} {label}", PRICE_ZERO, fx.FixedMessage(zeros, moved))
        elif kind == BELOW_ZERO:
            for k in range(n):
                below = _with(x_i, k, -others[k] - d)
                yield _Plan(f"{BELOW_ZERO} {k}", BELOW_ZERO, fx.FixedMessage(zeros, below))
        elif kind == FREE_RIDE:
            yield _Plan(FREE_RIDE, FREE_RIDE, fx.FixedMessage(mine.pi, _with(x_i, i, 0)))
        elif kind == FREE_RIDE_TO_ZERO:
            yield _Plan(FREE_RIDE_TO_ZERO, FREE_RIDE_TO_ZERO,
                        fx.FixedMessage(mine.pi, _with(x_i, i, -others[i])))
        elif kind == SILENT:
            yield _Plan(SILENT, SILENT, None)
        elif kind == BEST_RESPONSE:
            price = _lindahl_quoted(honest, i)
            floor = np.array(others, dtype=np.float64) / (n * fx.X_SCALE)
            x_hat = (np.array(others, dtype=np.float64) + np.array(x_i)) / (n * fx.X_SCALE)
            y = best_reachable_outcome(game, i, price, floor, deviation_bound(game, x_hat),
                                       current=x_hat)
            reach = tuple(min(max(round(n * v * fx.X_SCALE) - s, 0), cap)
                          for v, s in zip(y.tolist(), others, strict=True))
            yield _Plan(BEST_RESPONSE, BEST_RESPONSE, fx.FixedMessage(zeros, reach))
        elif kind == WALK_AWAY:
            price = _lindahl_quoted(honest, i)
            j = int(np.argmax(price))
            if price[j] <= 0:
                continue  # no coordinate raises i's tax: it cannot walk away
            # raise x_hat_j until l_ij dx_hat_j alone exceeds twice the collateral plus the tax
            honest_tax = abs(float(np.dot(price, np.array(others) + np.array(x_i)))) / (
                n * fx.X_SCALE)
            need = 2.0 * collateral_wei / wei_per_unit + honest_tax + step
            raised = min(x_i[j] + fx.to_fixed(n * need / float(price[j]), fx.X_SCALE), cap)
            yield _Plan(WALK_AWAY, WALK_AWAY, fx.FixedMessage(zeros, _with(x_i, j, raised)))
        else:
            raise InputError(
                f"unknown deviation kind {kind!r}; known: {', '.join(DEVIATION_KINDS)}")


def _with(x: Sequence[int], k: int, value: int) -> tuple[int, ...]:
    """``x`` with coordinate ``k`` set to ``value``."""
    return tuple(value if j == k else v for j, v in enumerate(x))


def measure_deviations(
    system: PesimSystem,
    game: IDSGame,
    participants: Sequence[str],
    *,
    honest: Sequence[fx.FixedMessage] | None = None,
    kinds: Sequence[str] = DEVIATION_KINDS,
    users: Sequence[int] | None = None,
    collateral_wei: int | None = None,
    wei_per_unit: int = fx.DEFAULT_WEI_PER_UNIT,
    design: Design = DEFAULT_DESIGN,
    step: float = 1.0,
    max_sign_patterns: int = 16,
    tolerance: float = GAIN_TOLERANCE,
) -> list[DeviationRow]:
    """Measure named unilateral deviations of each participant on chain.

    Opens one round among ``participants`` on ``system``, registers
    everyone, settles the honest profile on a snapshot, then for each
    participant in ``users`` and each deviation of ``kinds`` (see the module
    notes) settles the round with that participant deviating and everyone
    else honest, each on its own snapshot.  ``silent`` runs last, each in a
    fresh round (it needs the message window to close).  Everything is
    reverted: the chain keeps no round, no balance and no message of the
    audit (an RPC node's clock may have moved forward).

    Works on the embedded chain and on any JSON-RPC node with snapshots
    (anvil): the driver's :class:`~sharing.chain.pesim.PesimSystem` hides the
    difference.

    Parameters
    ----------
    system
        A deployed :class:`~sharing.chain.pesim.PesimSystem`; its governance
        opens the round.
    game
        The instance whose ``g_i`` values the outcomes (``2 <= N <= 32``).
    participants
        One funded account per user, in cyclic order.
    honest
        The honest messages, one per user (default: the model's equilibrium
        messages, Theorem 2, in fixed point).  Each must be accepted by the
        contract.
    kinds
        Which deviation families to run (default: all of :data:`DEVIATION_KINDS`).
    users
        Which participants deviate (default: all).
    collateral_wei
        Collateral per participant (default:
        :func:`~sharing.chain.pesim_equilibrium.recommended_collateral`).
    wei_per_unit, design
        Round terms.
    step
        The move of ``price-zero`` and ``below-zero``, in investment units.
    max_sign_patterns
        Run every sign pattern of ``price-zero`` while ``2^N`` is at most this.
    tolerance
        Gains up to ``tolerance + 2 / W`` units do not pay (module notes).

    Returns
    -------
    list of DeviationRow
        Ordered by participant, then as ``kinds`` lists them (``silent``
        rows included in that order).

    Raises
    ------
    InputError
        Sizes that do not match, an honest message the contract would
        refuse, an unknown kind or user, a round size outside ``2..32``.
    """
    n = game.n
    if len(participants) != n:
        raise InputError(f"{n} users need {n} accounts, got {len(participants)}")
    if not fx.MIN_N <= n <= fx.MAX_N:
        raise InputError(f"PESIM on chain takes {fx.MIN_N}..{fx.MAX_N} users, got {n}")
    unknown = [k for k in kinds if k not in DEVIATION_KINDS]
    if unknown:
        raise InputError(f"unknown deviation kinds {unknown}; known: {', '.join(DEVIATION_KINDS)}")
    if honest is None:
        honest = fixed_equilibrium_messages(equilibrium_messages(lindahl_prices(game)))
    honest = list(honest)
    if len(honest) != n:
        raise InputError(f"{n} users need {n} honest messages, got {len(honest)}")
    for m in honest:
        fx.check_message(m, n)
    who = list(range(n)) if users is None else list(users)
    if any(not 0 <= i < n for i in who):
        raise InputError(f"users must be in 0..{n - 1}, got {who}")
    collateral = collateral_wei if collateral_wei is not None else recommended_collateral(
        game, wei_per_unit)
    tol = gain_tolerance(wei_per_unit, tolerance)
    chain = system.chain
    plans = {
        i: _dedupe(honest[i], list(_plans(
            game, honest, i, kinds, step=step, max_sign_patterns=max_sign_patterns,
            collateral_wei=collateral, wei_per_unit=wei_per_unit)))
        for i in who
    }
    outcomes: dict[tuple[int, str], OnChainSettlement | str] = {}
    start = chain.snapshot()
    try:
        rid = system.open_round(participants, collateral, wei_per_unit, design)
        system.register_all(rid)
        snap = chain.snapshot()
        base = system.submit_and_settle(rid, honest)
        chain.revert(snap)
        for i in who:
            snap = chain.snapshot()
            try:
                for j, (p, m) in enumerate(zip(participants, honest, strict=True)):
                    if j != i:
                        system.submit(rid, p, m)
                for plan in plans[i]:
                    if plan.message is None:
                        continue
                    trial = chain.snapshot()
                    try:
                        outcomes[i, plan.name] = _deviate(system, rid, participants, honest, i,
                                                          plan.message)
                    finally:
                        chain.revert(trial)
            finally:
                chain.revert(snap)
        for i in who:  # silent last: closing the message window moves an RPC node's clock for good
            for plan in plans[i]:
                if plan.message is None:
                    trial = chain.snapshot()
                    try:
                        outcomes[i, plan.name] = system.run_round(
                            participants, [None if j == i else m for j, m in enumerate(honest)],
                            collateral, wei_per_unit, design)
                    finally:
                        chain.revert(trial)
    finally:
        chain.revert(start)
    rows = []
    for i in who:
        u0 = payoff(game, i, base, wei_per_unit)
        for plan in plans[i]:
            rows.append(_row(game, i, plan, base, outcomes[i, plan.name], u0, wei_per_unit, tol))
    return rows


def _dedupe(mine: fx.FixedMessage, plans: list[_Plan]) -> list[_Plan]:
    """Drop plans repeating the honest message (but ``honest`` itself) or an earlier plan's."""
    seen: set[fx.FixedMessage | None] = set()
    out = []
    for p in plans:
        if p.message in seen or (p.kind != HONEST and p.message == mine):
            continue
        seen.add(p.message)
        out.append(p)
    return out


def _deviate(
    system: PesimSystem,
    rid: int,
    participants: Sequence[str],
    honest: Sequence[fx.FixedMessage],
    i: int,
    message: fx.FixedMessage,
) -> OnChainSettlement | str:
    """Participant ``i`` sends ``message`` (the others have sent theirs) and the round settles.

    Returns the settlement, or the contract's revert reason if it refused the message.
    """
    try:
        system.submit(rid, participants[i], message)
    except RevertError as exc:
        return exc.reason
    profile = [message if j == i else m for j, m in enumerate(honest)]
    return system.settle(rid, messages=profile)


def _row(
    game: IDSGame,
    i: int,
    plan: _Plan,
    base: OnChainSettlement,
    out: OnChainSettlement | str,
    u0: float,
    wei_per_unit: int,
    tol: float,
) -> DeviationRow:
    if isinstance(out, str):
        return DeviationRow(plan.name, plan.kind, i, plan.message, u0, None, None, None, None,
                            None, None, out, tol, False)
    transfer_gain = base.transfers[i] - out.transfers[i]
    cost_gain = _cost(game, i, base) - _cost(game, i, out)
    gain = transfer_gain / wei_per_unit + cost_gain
    gain_wei = transfer_gain + round(Fraction(cost_gain) * wei_per_unit) if math.isfinite(
        cost_gain) else None
    return DeviationRow(
        name=plan.name,
        kind=plan.kind,
        index=i,
        message=plan.message,
        payoff_honest=u0,
        payoff_deviation=payoff(game, i, out, wei_per_unit),
        gain=gain,
        gain_wei=gain_wei,
        transfer_gain_wei=transfer_gain,
        x_hat=tuple(out.x_hat),
        shortfall_wei=out.shortfall,
        refused=None,
        tolerance=tol,
        pays=gain > tol,
    )
