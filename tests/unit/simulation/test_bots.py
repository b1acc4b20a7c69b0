"""Firm strategies and panel bots, without a chain."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharing.bots.panel import PanelBot, Submission, ballots, decided_early
from sharing.bots.strategies import (
    BestResponse,
    Context,
    FictitiousPlay,
    Imitation,
    cooperation_rate,
    strategy,
)
from sharing.errors import InputError
from sharing.simulation.regimes import REGIME_NAMES, Regime, TierParams, build_regimes


def ctx(pool_open=False, reward=0.0, actions=(), payoffs=()):
    return Context(knowledge=np.array([3.0, 1.0, 2.0]), risk=np.array([0.5, 0.3, 0.4]),
                   reward=np.full(3, reward), pool_open=pool_open, beta=1.0,
                   actions=[np.array(a) for a in actions],
                   payoffs=[np.array(p) for p in payoffs])


def test_best_response__gated_stag_hunt_follows_the_others():
    rng = np.random.default_rng(0)
    assert BestResponse().decide(1, ctx(actions=[[True, False, True]]), rng)      # others share: share
    assert not BestResponse().decide(1, ctx(actions=[[False, True, False]]), rng)  # nobody else: withhold


def test_best_response__open_pool_never_shares_without_reward_and_always_with():
    rng = np.random.default_rng(0)
    everyone = [[True, True, True]]
    assert not BestResponse().decide(0, ctx(pool_open=True, actions=everyone), rng)
    assert BestResponse().decide(0, ctx(pool_open=True, reward=0.6, actions=everyone), rng)


def test_fictitious_play__uses_frequencies():
    rng = np.random.default_rng(0)
    # firm 1 (r=0.3) vs others sharing half the time: 0.5*3 + 0.5*2 (with prior) > 0.3
    history = [[True, False, False], [False, False, True]]
    assert FictitiousPlay().decide(1, ctx(actions=history), rng)
    # a firm whose risk exceeds anything it could read withholds
    c = ctx(actions=[[False, False, False]] * 20)
    c.risk = np.array([5.0, 5.0, 5.0])
    assert not FictitiousPlay().decide(0, c, rng)


def peers_ctx(actions, payoffs):
    c = ctx(actions=[actions], payoffs=[payoffs])
    c.knowledge, c.risk = np.ones(3), np.full(3, 0.3)  # three firms of one type
    return c


def test_imitation__copies_a_better_peer_only():
    c = peers_ctx([True, False, False], [1.0, 3.0, 3.0])
    moves = {Imitation(mutation=0).decide(0, c, np.random.default_rng(s)) for s in range(20)}
    assert moves == {False}  # both peers earned more and withheld: copied with prob 1
    c = peers_ctx([True, False, False], [3.0, 1.0, 1.0])
    assert all(Imitation(mutation=0).decide(0, c, np.random.default_rng(s)) for s in range(20))


def test_imitation__ignores_firms_of_another_type():
    # firm 1 (small, K=1) must not copy firm 0 (critical, K=3) just for its knowledge
    c = ctx(actions=[[True, False, False]], payoffs=[[3.5, 1.0, 2.0]])
    c.knowledge, c.risk = np.array([3.0, 1.0, 1.0]), np.array([0.5, 0.3, 0.3])
    assert not any(Imitation(mutation=0).decide(1, c, np.random.default_rng(s)) for s in range(30))


def test_imitation__experiments_at_its_mutation_rate():
    c = peers_ctx([False, False, False], [1.0, 1.0, 1.0])
    rng = np.random.default_rng(5)
    tries = sum(Imitation(mutation=0.2).decide(0, c, rng) for _ in range(1000))
    assert 150 < tries < 250
    with pytest.raises(InputError, match="mutation"):
        Imitation(mutation=1.5)


def test_strategy__unknown__clear_error():
    with pytest.raises(InputError, match="unknown strategy 'greedy'"):
        strategy("greedy")


def test_cooperation_rate():
    assert cooperation_rate([np.array([True, False]), np.array([True, True])]) == [0.5, 1.0]


def test_regimes__rewards_beat_risk_per_tier():
    params = TierParams()
    regs = build_regimes(params)
    assert set(regs) == set(REGIME_NAMES)
    for t in range(3):
        assert regs["tiered"].paid(t) > params.risk[t]
        assert regs["flat"].paid(t) > max(params.risk)
        assert regs["open"].paid(t) == regs["gated"].paid(t) == 0
    s = regs["tiered"].schedule()
    assert s.class_bps == (10_000, 10_000) and set(s.severity_bps) == {10_000}


def test_regimes__reward_order_the_contract_refuses__clear_error():
    with pytest.raises(InputError, match="non-increasing"):
        Regime("x", False, (0.1, 0.5, 0.2), "").schedule()


def sub(genuine=True, submitter="0xF1"):
    return Submission(b"\x01" * 32, submitter, genuine, 75, 1)


def test_panel__colluder_approves_allies_junk_honest_rejects():
    rng = np.random.default_rng(1)
    colluder = PanelBot("0xP1", "colluding", allies={"0xF1"})
    honest = PanelBot("0xP2", "honest")
    assert colluder.vote(sub(False), rng).valid
    assert not honest.vote(sub(False), rng).valid
    assert not colluder.vote(sub(False, submitter="0xF2"), rng).valid


def test_panel__noisy_and_lazy():
    rng = np.random.default_rng(2)
    noisy = PanelBot("0xP", "noisy", noise_x10=10.0)
    scores = {noisy.vote(sub(), rng).score_x10 for _ in range(50)}
    assert len(scores) > 5 and all(0 <= s <= 100 for s in scores)
    lazy = PanelBot("0xL", "lazy", absence=0.5)
    absent = sum(lazy.vote(sub(), rng) is None for _ in range(200))
    assert 60 < absent < 140


def test_panel__unknown_kind__clear_error():
    with pytest.raises(InputError, match="unknown panellist kind"):
        PanelBot("0x", "bribed")


@given(seed=st.integers(0, 10_000), n_colluders=st.integers(1, 2))
def test_ballots__colluding_minority_never_reaches_quorum_on_junk(seed, n_colluders):
    panel = [PanelBot(f"0xC{i}", "colluding", allies={"0xF1"}) for i in range(n_colluders)]
    panel += [PanelBot("0xH1", "honest"), PanelBot("0xH2", "noisy"), PanelBot("0xH3", "lazy")]
    quorum = len(panel) // 2 + 1
    cast = ballots(panel, sub(False), np.random.default_rng(seed))
    assert sum(v.valid for _, v in cast) < quorum
    assert len({b.address for b, _ in cast}) == len(cast)  # one vote per panellist
    absent = any(b.kind == "lazy" for b in panel) and len(cast) < len(panel)
    assert decided_early(panel, sub(False), cast, quorum) == (not absent)  # honest side reaches quorum
