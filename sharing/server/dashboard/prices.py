"""A tactic's price index over time, exactly as the contract computes it at every moment.

The chain stores, per ATT&CK tactic, the index after its last verified
report and that report's epoch (``PriceIndexUpdated`` events tell each
one); between reports the index recovers linearly per epoch up to its cap
(``reward_math._current_price``, mirrored by
:func:`sharing.quote.current_price`). :func:`price_series` turns the
reports into the points of a step chart that is the contract's value at
every moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sharing.quote import PriceRule, current_price

#: Most epoch steps drawn for one recovery (the index reaches its cap long before).
MAX_RECOVERY_STEPS = 400


@dataclass(frozen=True)
class PriceSeries:
    """A tactic's price index (basis points) at each point in time the chart draws."""

    category: int
    points: tuple[tuple[int, int], ...]
    now_bps: int
    verified_reports: int


def epoch_of(ts: int, genesis: int, length: int) -> int:
    """The contract's epoch number at time ``ts`` (``AisAlliance._epoch``)."""
    return max(0, ts - genesis) // length


def price_series(
    updates: list[tuple[int, int, int]],
    rules: list[tuple[int, int, PriceRule]],
    start: int,
    now: int,
    genesis: int,
    epoch_length: int,
    category: int,
) -> PriceSeries:
    """A tactic's index from ``start`` to ``now``, exactly as the contract computes it.

    ``updates`` are its ``PriceIndexUpdated`` events and ``rules`` the
    alliance's ``PriceRuleChanged`` events (the deployment's first), each as
    ``(timestamp, order on chain, value)``. After each verified report the
    stored index is the decayed one; between reports it recovers linearly
    per epoch (``sharing.quote.current_price``, the mirror of
    ``reward_math._current_price``) under the rule in force at that moment,
    so a rule change moves the index at once. The points are the start, each
    event (the index just before and just after it) and every epoch boundary
    in between (where recovery steps), so a step chart of the points is the
    true curve.
    """
    if not rules:
        raise ValueError("no price rule: the deployment's PriceRuleChanged event is missing")
    points: list[tuple[int, int]] = []
    stored: tuple[int, int] = (0, 0)  # (stored bps, epoch + 1); 0: never reported
    timeline = sorted(
        [(ts, order, False, bps) for ts, order, bps in updates]
        + [(ts, order, True, r) for ts, order, r in rules],
        key=lambda e: (e[0], e[1]),
    )
    rule = rules[0][2]
    while timeline and timeline[0][2] and timeline[0][0] <= start:
        rule = timeline.pop(0)[3]  # type: ignore[assignment]

    def at(ts: int) -> int:
        return current_price(stored[0], stored[1], epoch_of(ts, genesis, epoch_length), rule)

    def walk_to(ts: int) -> None:
        # The recovering index steps at epoch boundaries until it reaches the cap.
        if stored[1] == 0 or rule.recovery_bps == 0:
            return
        boundary = genesis + (epoch_of(points[-1][0], genesis, epoch_length) + 1) * epoch_length
        for _ in range(MAX_RECOVERY_STEPS):
            if boundary >= ts or points[-1][1] >= rule.max_bps:
                return
            value = at(boundary)
            if value != points[-1][1]:
                points.append((boundary, value))
            boundary += epoch_length

    points.append((start, at(start)))
    for ts, _, is_rule, value in timeline:
        if ts > now:
            break
        walk_to(ts)
        points.append((ts, at(ts)))
        if is_rule:
            rule = value  # type: ignore[assignment]
        else:
            stored = (int(value), epoch_of(ts, genesis, epoch_length) + 1)  # type: ignore[arg-type]
        points.append((ts, at(ts)))
    walk_to(now)
    points.append((now, at(now)))
    return PriceSeries(category, tuple(points), at(now), len(updates))
