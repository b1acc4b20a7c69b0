"""The reward formula, to the wei, exactly as ``contracts/reward_math.vy`` computes it.

Rounding rule (the only one, shared with the contract): every formula is
evaluated in unbounded integers and divided once, at the end, rounding
down. ``reward = base * class * severity * scope * price // 10_000**4`` and
``decayed = max(min, price * decay // 10_000)``. Each function here (with
:func:`sharing.standards.cvss.severity_band`) mirrors one internal function
of ``reward_math.vy``; the tests compare them with the
contract on random inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sharing.errors import InputError
from sharing.standards.categories import NUM_CATEGORIES
from sharing.standards.cvss import severity_band

BPS = 10_000
BPS4 = BPS**4

TIERS = ("critical", "core", "small")
CLASSES = ("root", "specific")
SCOPES = ("single", "sector", "cross-sector")
BANDS = ("none", "low", "medium", "high", "critical")
#: Categories the contract accepts (the ATT&CK tactics of ``sharing.standards.stix``).
MAX_CATEGORIES = NUM_CATEGORIES


@dataclass(frozen=True)
class RewardSchedule:
    """The governance-set reward tables (wei and basis points)."""

    base_wei: tuple[int, int, int] = (5 * 10**17, 3 * 10**17, 2 * 10**17)
    class_bps: tuple[int, int] = (15_000, 10_000)
    severity_bps: tuple[int, int, int, int, int] = (0, 2_500, 5_000, 10_000, 20_000)
    scope_bps: tuple[int, int, int] = (10_000, 15_000, 20_000)


@dataclass(frozen=True)
class PriceRule:
    """The dynamic price-index rule (basis points; recovery per epoch)."""

    base_bps: int = 10_000
    min_bps: int = 5_000
    max_bps: int = 20_000
    decay_bps: int = 9_000
    recovery_bps: int = 500


#: The schedule and price rule ``AisAlliance`` is deployed with.
DEFAULT_SCHEDULE = RewardSchedule()
DEFAULT_PRICE_RULE = PriceRule()


def median(values: Sequence[int]) -> int:
    """Median; for an even count the floor of the two middle values' mean (``_median``)."""
    if not values:
        raise InputError("median of no votes")
    s = sorted(values)
    n = len(s)
    if n % 2:
        return s[n // 2]
    return (s[n // 2 - 1] + s[n // 2]) // 2


def reward(base_wei: int, class_bps: int, severity_bps: int, scope_bps: int, price_bps: int) -> int:
    """``base * class * severity * scope * price // 10_000**4`` (``_reward``)."""
    return base_wei * class_bps * severity_bps * scope_bps * price_bps // BPS4


def current_price(
    stored_bps: int, stored_epoch_plus_one: int, now_epoch: int, rule: PriceRule
) -> int:
    """A category's index now: linear recovery since its last fall, clamped (``_current_price``)."""
    p = rule.base_bps
    if stored_epoch_plus_one != 0:
        elapsed = min(now_epoch - (stored_epoch_plus_one - 1), rule.max_bps)
        p = stored_bps + rule.recovery_bps * elapsed
    return max(rule.min_bps, min(p, rule.max_bps))


def decayed_price(price_bps: int, rule: PriceRule) -> int:
    """The index after one more verified report (``_decayed_price``)."""
    return max(rule.min_bps, price_bps * rule.decay_bps // BPS)


def quote(
    tier: int,
    claimed_class: int,
    score_x10: int,
    scope: int,
    price_bps: int | None = None,
    schedule: RewardSchedule = DEFAULT_SCHEDULE,
    rule: PriceRule = DEFAULT_PRICE_RULE,
) -> int:
    """The reward in wei that ``AisAlliance.finalise`` pays for these attributes.

    Parameters
    ----------
    tier : int
        0 critical infrastructure, 1 core business, 2 small business.
    claimed_class : int
        0 root vulnerability, 1 specific.
    score_x10 : int
        The median CVSS base score of the valid votes, times ten (0..100).
    scope : int
        0 single organisation, 1 sector-wide, 2 cross-sector.
    price_bps : int, optional
        The category's price index at finalisation; an untouched category's
        starting index (``rule.base_bps``) by default.
    schedule, rule
        The reward tables and price rule in force.

    Returns
    -------
    int
        The reward in wei, identical to the contract's.

    Raises
    ------
    InputError
        If an argument is outside the contract's domain.
    """
    if not 0 <= tier < len(TIERS):
        raise InputError(f"tier must be 0..2 ({', '.join(TIERS)}), got {tier}")
    if not 0 <= claimed_class < len(CLASSES):
        raise InputError(f"class must be 0 (root) or 1 (specific), got {claimed_class}")
    if not 0 <= scope < len(SCOPES):
        raise InputError(f"scope must be 0..2 ({', '.join(SCOPES)}), got {scope}")
    price = rule.base_bps if price_bps is None else price_bps
    if price < 0:
        raise InputError(f"price index must be non-negative, got {price}")
    return reward(
        schedule.base_wei[tier],
        schedule.class_bps[claimed_class],
        schedule.severity_bps[severity_band(score_x10)],
        schedule.scope_bps[scope],
        price,
    )
