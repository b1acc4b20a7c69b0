"""Fixed-point PESIM messages and the one rounding rule of the on-chain settlement.

``contracts/pesim_math.vy`` settles PESIM (Naghizadeh & Liu, eqs. (6)-(7))
on integer messages; this module is its Python mirror, function for
function, and the only place where the encoding and the rounding are
written down on the Python side.

Encoding
--------
A price ``pi`` travels as the integer ``round(pi * PI_SCALE)`` and an
investment ``x`` as ``round(x * X_SCALE)`` (nearest, ties to even), with
``PI_SCALE = X_SCALE = 10**12``.  A round values one utility unit of the
model (the unit of ``f_i``, ``c_i x_i`` and ``t_i`` in eq. (1)) at
``wei_per_unit`` wei, ``10**18`` (one ether) by default.

Exact taxes
-----------
The tax of participant ``i`` on the integer profile ``(P, X)`` is eq. (7)
on the rationals ``P / PI_SCALE`` and ``X / X_SCALE``, times
``wei_per_unit``: a rational with denominator dividing
``N * PI_SCALE * X_SCALE**2``.  :func:`exact_taxes_wei` computes it with the
model's own exact arithmetic (:func:`sharing.models.pesim.taxes_exact`), so
the chain is checked against the model, not against a second copy of its
own integer formula.

THE rounding rule (:func:`apportion`)
-------------------------------------
Floor every exact value; the residual ``total - sum(floors)`` is an
integer in ``[0, N)``; give one unit each to the ``residual`` values with
the largest fractional parts, ties to the lower index (the largest
remainder method).  For taxes ``total = 0`` (budget balance), so the
rounded taxes sum to exactly zero and each is strictly less than one wei
from its exact value.  The same rule shares a collateral shortfall among
the receivers (:func:`transfers`).

Non-submitters, shortfalls, malformed messages
----------------------------------------------
A participant that sent no message is given ``pi = 0`` and ``x`` = the mean
of the submitted ``x`` truncated toward zero (:func:`default_x`).  A payer
whose tax exceeds its collateral pays its whole collateral and the receivers
share the shortfall pro rata (:func:`transfers`).  Messages with a wrong
length, a negative price, a negative investment or a coordinate beyond
``MAX_PI`` / ``MAX_ABS_X`` are refused (:func:`check_message`).

Investments are never negative
------------------------------
Every accepted ``x_i`` lies in ``[0, MAX_ABS_X]``, so the outcome
``x_hat = (1/N) sum_i x_i`` and the default message are ``>= 0`` for every
profile.  Theorem 1's argument compares a deviator's outcome with ``x*``,
the minimiser of ``g_i(y) + l_i^T y`` over ``y >= 0`` only; with
``x_hat_k < 0`` allowed, a participant facing a positive Lindahl price
``l_ik`` lowered its tax by driving ``x_hat_k`` below zero and gained
(``docs/pesim_onchain.md``, "the price-zero attack").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from sharing.errors import InputError, Revert

#: Fixed-point scale of investments (``x = X / X_SCALE``).
X_SCALE = 10**12
#: Fixed-point scale of prices (``pi = P / PI_SCALE``).
PI_SCALE = 10**12
#: Participants per round.
MIN_N = 2
MAX_N = 32
#: Bounds on the integer messages (``0 <= X <= MAX_ABS_X``, ``0 <= P <= MAX_PI``); with them
#: no intermediate of the contract exceeds 2**254.
MAX_ABS_X = 2**60
MAX_PI = 2**60
#: Largest wei value of one utility unit.
MAX_WEI_PER_UNIT = 10**18
#: Default wei value of one utility unit (one ether).
DEFAULT_WEI_PER_UNIT = 10**18
#: Largest collateral per participant, in wei.
MAX_COLLATERAL_WEI = 2**96

Number = int | float | Fraction | str


# --------------------------------------------------------------------------- encoding


def to_fixed(value: Number, scale: int) -> int:
    """Encode a real number as the nearest integer multiple of ``1/scale`` (ties to even).

    Floats are converted exactly from their binary value first, so the
    result does not depend on how the float prints.

    Raises
    ------
    InputError
        If the value is not finite.
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"cannot encode {value!r} in fixed point")
    return round(Fraction(value) * scale)


@dataclass(frozen=True)
class FixedMessage:
    """One participant's PESIM message ``m_i = (pi_i, x_i)`` in fixed point.

    Attributes
    ----------
    pi
        ``round(pi_i * PI_SCALE)``, one entry per participant.
    x
        ``round(x_i * X_SCALE)``, one entry per participant.
    """

    pi: tuple[int, ...]
    x: tuple[int, ...]

    @classmethod
    def from_real(cls, pi: Sequence[Number], x: Sequence[Number]) -> FixedMessage:
        """Encode real-valued proposals (see :func:`to_fixed`)."""
        return cls(
            tuple(to_fixed(v, PI_SCALE) for v in pi), tuple(to_fixed(v, X_SCALE) for v in x)
        )

    @property
    def n(self) -> int:
        """Length of the proposals."""
        return len(self.pi)

    def digest(self) -> bytes:
        """``keccak256(abi_encode(pi, x))``: the commitment the contract keeps."""
        return message_digest(self.pi, self.x)

    def real(self) -> tuple[list[Fraction], list[Fraction]]:
        """The exact rationals the integers stand for."""
        return [Fraction(p, PI_SCALE) for p in self.pi], [Fraction(v, X_SCALE) for v in self.x]


def message_digest(pi: Sequence[int], x: Sequence[int]) -> bytes:
    """``keccak256(abi_encode(int256[] pi, int256[] x))``, as ``PesimSettlement`` hashes it."""
    return bytes(keccak(encode(["int256[]", "int256[]"], [list(pi), list(x)])))


def encode_profile(pi: Any, x: Any) -> list[FixedMessage]:
    """Encode an ``(N, N)`` profile (row ``i`` is user ``i``'s message) in fixed point."""
    rows_pi = [list(r) for r in pi]
    rows_x = [list(r) for r in x]
    if len(rows_pi) != len(rows_x):
        raise InputError("price and investment proposals have different numbers of rows")
    return [FixedMessage.from_real(p, q) for p, q in zip(rows_pi, rows_x, strict=True)]


def check_message(message: FixedMessage, n: int) -> None:
    """Refuse what ``PesimSettlement.submit`` refuses, with the same reasons.

    The rule, coordinate by coordinate in this order: ``pi[k] >= 0``,
    ``pi[k] <= MAX_PI``, ``x[k] >= 0`` (so that ``x_hat >= 0`` for every
    profile, see the module notes), ``x[k] <= MAX_ABS_X``.

    Raises
    ------
    InputError
        Wrong length, negative price, price above ``MAX_PI``, negative
        investment or investment above ``MAX_ABS_X``; the message names the
        contract's reason.
    """
    if len(message.pi) != n or len(message.x) != n:
        raise InputError(f"{Revert.WRONG_MESSAGE_LENGTH} (need {n} entries)")
    for k, (p, v) in enumerate(zip(message.pi, message.x, strict=True)):
        if p < 0:
            raise InputError(f"{Revert.NEGATIVE_PRICE} (pi[{k}] = {p})")
        if p > MAX_PI:
            raise InputError(f"{Revert.PRICE_OUT_OF_RANGE} (pi[{k}] = {p} > {MAX_PI})")
        if v < 0:
            raise InputError(f"{Revert.NEGATIVE_INVESTMENT} (x[{k}] = {v})")
        if v > MAX_ABS_X:
            raise InputError(f"{Revert.INVESTMENT_OUT_OF_RANGE} (x[{k}] = {v} > {MAX_ABS_X})")


# --------------------------------------------------------------------------- the rounding rule


def floor_div(a: int, b: int) -> tuple[int, int]:
    """``pesim_math._floor_div``: quotient toward minus infinity, remainder in ``[0, b)``."""
    if b <= 0:
        raise ValueError("the denominator must be positive")
    return a // b, a % b


def apportion(values: Sequence[Fraction], total: int) -> list[int]:
    """THE rounding rule (``pesim_math._apportion``): integers summing to ``total``.

    Floor every value, then give one unit each to the ``total - sum(floors)``
    values with the largest fractional parts, ties to the lower index.
    Each result is strictly less than 1 from its exact value.

    Parameters
    ----------
    values
        Exact rationals whose sum is the integer ``total``.
    total
        Their sum.

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        If the values do not sum to ``total``.

    Examples
    --------
    >>> apportion([Fraction(1, 3), Fraction(1, 3), Fraction(-2, 3)], 0)
    [1, 0, -1]
    """
    if sum(values, Fraction(0)) != total:
        raise ValueError("apportion: the values do not sum to the total")
    floors = [math.floor(v) for v in values]
    rems = [v - f for v, f in zip(values, floors, strict=True)]
    residual = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-rems[i], i))
    out = list(floors)
    for i in order[:residual]:
        out[i] += 1
    return out


def apportion_int(nums: Sequence[int], den: int, total: int) -> list[int]:
    """:func:`apportion` of ``nums[i] / den``: the contract's signature, for the harness tests."""
    return apportion([Fraction(v, den) for v in nums], total)


# --------------------------------------------------------------------------- the settlement


def default_x(xs: Sequence[Sequence[int] | None], n: int) -> list[int]:
    """``pesim_math._default_x``: the proposal a silent participant is given.

    The coordinate-wise mean of the submitted ``x`` truncated toward zero
    (the EVM's signed division), or zeros if nobody submitted.
    """
    rows = [r for r in xs if r is not None]
    if not rows:
        return [0] * n
    out = []
    for k in range(n):
        s = sum(r[k] for r in rows)
        q = abs(s) // len(rows)
        out.append(q if s >= 0 else -q)
    return out


def complete_profile(
    messages: Sequence[FixedMessage | None],
) -> tuple[list[list[int]], list[list[int]], int]:
    """Fill the gaps of non-submitters with the default message ``(0, default_x)``.

    Returns
    -------
    pi, x, submitted
        The complete ``(N, N)`` integer profile and the bitmap of submitters.
    """
    n = len(messages)
    for m in messages:
        if m is not None:
            check_message(m, n)
    dx = default_x([None if m is None else list(m.x) for m in messages], n)
    pi = [[0] * n if m is None else list(m.pi) for m in messages]
    x = [list(dx) if m is None else list(m.x) for m in messages]
    submitted = sum(1 << i for i, m in enumerate(messages) if m is not None)
    return pi, x, submitted


def exact_taxes_wei(
    pi: Sequence[Sequence[int]], x: Sequence[Sequence[int]], wei_per_unit: int
) -> list[Fraction]:
    """Exact PESIM taxes in wei of an integer profile, by the model's eq. (7).

    ``wei_per_unit * taxes_exact(P / PI_SCALE, X / X_SCALE)`` with
    :func:`sharing.models.pesim.taxes_exact`; they sum to exactly zero.
    """
    from sharing.models.pesim import taxes_exact

    real_pi = [[Fraction(v, PI_SCALE) for v in row] for row in pi]
    real_x = [[Fraction(v, X_SCALE) for v in row] for row in x]
    return [wei_per_unit * t for t in taxes_exact(real_pi, real_x)]


def round_taxes(exact: Sequence[Fraction]) -> list[int]:
    """Taxes in wei by THE rounding rule: :func:`apportion` with total zero."""
    return apportion(exact, 0)


def x_sum(x: Sequence[Sequence[int]]) -> list[int]:
    """``S_k = sum_i X_ik``, which ``RoundSettled`` logs (``x_hat = S / (N X_SCALE)``)."""
    n = len(x)
    return [sum(row[k] for row in x) for k in range(n)]


def x_hat(x: Sequence[Sequence[int]]) -> list[Fraction]:
    """The outcome ``x_hat = (1/N) sum_i x_i`` of eq. (6), exactly, in model units."""
    n = len(x)
    return [Fraction(s, n * X_SCALE) for s in x_sum(x)]


def transfers(taxes: Sequence[int], collateral: int) -> tuple[list[int], int]:
    """``pesim_math._transfers``: what each participant actually pays (+) or receives (-).

    A payer pays ``min(tax, collateral)``.  If some tax exceeds the
    collateral the receivers share what was paid in proportion to what the
    mechanism owes them, rounded by :func:`apportion`; the transfers sum to
    zero exactly.

    Returns
    -------
    transfers, shortfall
        Per participant, and the wei the mechanism could not collect.
    """
    out: list[int] = []
    paid = owed = shortfall = 0
    for t in taxes:
        if t > collateral:
            out.append(collateral)
            paid += collateral
            shortfall += t - collateral
        else:
            out.append(t)
            if t > 0:
                paid += t
            else:
                owed -= t
    if shortfall == 0:
        return out, 0
    shares = apportion([Fraction(-t * paid, owed) if t < 0 else Fraction(0) for t in taxes], paid)
    for i, t in enumerate(taxes):
        if t < 0:
            out[i] = -shares[i]
    return out, shortfall


@dataclass(frozen=True)
class Settlement:
    """What a PESIM round settles to: the Python prediction of ``PesimSettlement``.

    Attributes
    ----------
    pi, x
        The complete integer profile (defaults filled in).
    submitted
        Bitmap of the participants that sent a message.
    exact_taxes
        Exact rational taxes in wei.
    taxes
        Rounded taxes in wei (sum zero).
    transfers
        What each participant pays (+) or receives (-) after the collateral cap.
    credits
        ``collateral - transfer``: what each can withdraw.
    x_sum
        ``S_k = sum_i X_ik``.
    shortfall
        Wei the mechanism could not collect.
    """

    pi: list[list[int]]
    x: list[list[int]]
    submitted: int
    exact_taxes: list[Fraction]
    taxes: list[int]
    transfers: list[int]
    credits: list[int]
    x_sum: list[int]
    shortfall: int

    @property
    def x_hat(self) -> list[Fraction]:
        """The outcome of eq. (6) in model units."""
        n = len(self.x_sum)
        return [Fraction(s, n * X_SCALE) for s in self.x_sum]


def settle(
    messages: Sequence[FixedMessage | None], wei_per_unit: int, collateral: int
) -> Settlement:
    """Predict a round's settlement: defaults, exact taxes, THE rounding, the collateral cap.

    Parameters
    ----------
    messages
        One entry per participant in round order; ``None`` for a participant
        that sent nothing.
    wei_per_unit
        Wei per utility unit of the round.
    collateral
        Collateral per participant, in wei.

    Raises
    ------
    InputError
        On a malformed message or a round size outside ``[MIN_N, MAX_N]``.
    """
    n = len(messages)
    if not MIN_N <= n <= MAX_N:
        raise InputError(f"a round has {MIN_N}..{MAX_N} participants, got {n}")
    pi, x, submitted = complete_profile(messages)
    exact = exact_taxes_wei(pi, x, wei_per_unit)
    taxes = round_taxes(exact)
    moved, shortfall = transfers(taxes, collateral)
    return Settlement(
        pi=pi,
        x=x,
        submitted=submitted,
        exact_taxes=exact,
        taxes=taxes,
        transfers=moved,
        credits=[collateral - m for m in moved],
        x_sum=x_sum(x),
        shortfall=shortfall,
    )
