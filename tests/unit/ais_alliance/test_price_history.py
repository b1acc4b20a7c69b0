"""The dashboard's price chart is the contract's index at every moment, across price-rule changes.

Samples of ``price_index`` are read from the contract as time passes, a
report lowers the index and governance changes the rule twice; the chart
read afterwards from the events must pass through every sample.
"""

from __future__ import annotations

from sharing.chain.ais import AisSystem
from sharing.chain.ledger import events
from sharing.quote import PriceRule
from sharing.server.dashboard.prices import price_series
from sharing.server.dashboard.snapshot import read_snapshot

CATEGORY = 2


def value_at(points: tuple[tuple[int, int], ...], ts: int) -> int:
    """A step chart's value at ``ts``: the last point at or before it."""
    return [v for t, v in points if t <= ts][-1]


def test_price_chart__passes_through_the_contracts_index_across_rule_changes(
    system: AisSystem, actors, life
) -> None:
    chain = system.chain
    epoch = int(system.call("EPOCH_LENGTH"))
    samples: list[tuple[int, int]] = []

    def sample() -> None:
        chain.mine()
        samples.append((chain.timestamp(), system.price_index(CATEGORY)))

    chain.advance_time(epoch // 2)  # mid-epoch: samples far from the boundaries
    for i in range(2):
        life.verify(actors.firm_core, bytes([0x70 + i]) * 32, category=CATEGORY)
    sample()
    chain.advance_time(epoch + epoch // 4)
    sample()
    system.set_price_rule(PriceRule(recovery_bps=2_000))  # faster recovery from now on
    sample()
    chain.advance_time(epoch)
    sample()
    system.set_price_rule(PriceRule(min_bps=5_000, base_bps=9_000, max_bps=9_500))  # a lower cap
    sample()
    chain.advance_time(3 * epoch)
    sample()
    assert len({v for _, v in samples}) >= 4, samples  # the index did move

    snap = read_snapshot(system)
    series = snap.prices[CATEGORY]
    assert series.verified_reports == 2
    for ts, contract_value in samples:
        assert value_at(series.points, ts) == contract_value, (ts, contract_value, series.points)
    assert series.now_bps == system.price_index(CATEGORY)

    # The rule in force now, applied to the whole history, would draw another curve.
    ts_of = {}
    reports = []
    for order, e in enumerate(events(system)):
        if e.name == "PriceIndexUpdated" and int(e.args["category"]) == CATEGORY:
            ts = ts_of.setdefault(e.block, int(chain.w3.eth.get_block(e.block)["timestamp"]))
            reports.append((ts, order, int(e.args["new_bps"])))
    assert len(reports) == 2
    one_rule = price_series(
        reports, [(0, 0, system.price_rule())], series.points[0][0], snap.timestamp,
        int(system.call("GENESIS_TIME")), epoch, CATEGORY,
    )
    assert any(value_at(one_rule.points, ts) != v for ts, v in samples)
