"""The Python quote equals the contract's, to the wei, for random schedules and inputs."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharing import quote as q
from sharing.chain.ais import AisSystem
from sharing.chain.compile import load_artifact
from sharing.chain.contract import deploy
from sharing.errors import Revert, RevertError

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"


@st.composite
def schedules(draw) -> q.RewardSchedule:
    base = sorted((draw(st.integers(0, 100 * 10**18)) for _ in range(3)), reverse=True)
    mult = st.integers(1_000, 50_000)
    sev = sorted(draw(st.integers(0, 50_000)) for _ in range(5))
    scope = sorted(draw(mult) for _ in range(3))
    return q.RewardSchedule(tuple(base), (draw(mult), draw(mult)), tuple(sev), tuple(scope))


@st.composite
def price_rules(draw) -> q.PriceRule:
    lo = draw(st.integers(1_000, 30_000))
    hi = draw(st.integers(lo, 30_000))
    base = draw(st.integers(lo, hi))
    return q.PriceRule(base, lo, hi, draw(st.integers(5_000, 10_000)), draw(st.integers(0, 10_000)))


@given(
    schedule=schedules(),
    rule=price_rules(),
    tier=st.integers(0, 2),
    cls=st.integers(0, 1),
    score=st.integers(0, 100),
    scope=st.integers(0, 2),
    category=st.integers(0, 13),
)
def test_quote__python_equals_chain(chain, deployed: AisSystem, schedule, rule, tier, cls, score,
                                    scope, category):
    snap = chain.snapshot()
    try:
        deployed.set_reward_schedule(schedule)
        deployed.set_price_rule(rule)
        on_chain = deployed.call("quote", tier, cls, score, scope, category)
        assert on_chain == q.quote(tier, cls, score, scope, rule.base_bps, schedule, rule)
    finally:
        chain.revert(snap)


@pytest.fixture(scope="module")
def harness(chain, actors):
    return deploy(chain, load_artifact("RewardMathHarness"), sender=actors.governance)


@given(values=st.lists(st.integers(0, 100), min_size=1, max_size=16))
def test_median__python_equals_chain(harness, values):
    assert harness.call("median", values) == q.median(values)


def test_median__empty__reverts(harness):
    with pytest.raises(RevertError, match=re.escape(Revert.MEDIAN_OF_NOTHING)):
        harness.call("median", [])


def test_severity_band__every_score(harness):
    assert [harness.call("severity_band", s) for s in range(101)] == [
        q.severity_band(s) for s in range(101)
    ]


@given(
    base=st.integers(0, 100 * 10**18),
    mults=st.lists(st.integers(0, 50_000), min_size=3, max_size=3),
    price=st.integers(0, 30_000),
)
def test_reward__python_equals_chain(harness, base, mults, price):
    assert harness.call("reward", base, *mults, price) == q.reward(base, *mults, price)


@given(
    stored=st.integers(0, 30_000),
    epoch_plus_one=st.integers(0, 10**6),
    elapsed=st.integers(0, 10**6),
    rule=price_rules(),
    price=st.integers(0, 30_000),
)
def test_price_index__python_equals_chain(harness, stored, epoch_plus_one, elapsed, rule, price):
    now = max(epoch_plus_one - 1, 0) + elapsed
    args = (rule.base_bps, rule.min_bps, rule.max_bps, rule.recovery_bps)
    assert harness.call("current_price", stored, epoch_plus_one, now, *args) == q.current_price(
        stored, epoch_plus_one, now, rule)
    assert harness.call("decayed_price", price, rule.decay_bps, rule.min_bps) == q.decayed_price(
        price, rule)


def test_revert_reasons__constants_match_contract_source():
    in_source = set()
    for path in CONTRACTS.glob("*.vy"):
        in_source |= set(re.findall(r'"((?:ais_alliance|reward_math|pesim_settlement): [^"]+)"',
                                    path.read_text()))
    constants = {v for k, v in vars(Revert).items() if not k.startswith("_")}
    ours = {c for c in constants if c.split(":")[0] in {"ais_alliance", "reward_math", "pesim_settlement"}}
    assert in_source == ours


def test_categories__contract_accepts_exactly_the_off_chain_table(deployed: AisSystem):
    from sharing.standards.stix import NUM_CATEGORIES

    assert deployed.call("MAX_CATEGORIES") == NUM_CATEGORIES == q.MAX_CATEGORIES
