"""The sharing game (docs/models.md) / Simmons B.4-B.5: payoffs, equilibria, designs, the paper."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sharing.errors import InputError
from sharing.models import sharing_game as sg
from sharing.models.equilibria import (
    HARMONY,
    OTHER,
    PRISONERS_DILEMMA,
    SHARING_NAMES,
    STAG_HUNT,
    solve_bimatrix,
)
from sharing.models.sharing_game import simmons

TOL = 1e-9  # absolute tolerance on reproduced payoffs and probabilities

knowledge_st = st.floats(0.1, 10.0)
risk_st = st.floats(0.05, 5.0)
beta_st = st.floats(0.1, 2.0)


def eq_labels(a, b):
    return [e.label(SHARING_NAMES) for e in solve_bimatrix(a, b).equilibria]


def unique_cc_by_nashpy(k, r, rew, pool, beta=1.0) -> bool:
    result = solve_bimatrix(*sg.payoff_matrices(k, r, rew, pool, beta))
    return [e.label(SHARING_NAMES) for e in result.equilibria] == ["(C,C)"]


# --------------------------------------------------------------------------- payoffs


def test_utilities__hand_computed():
    # K = (3, 1), r = 0.5, R = 0.2: firm 0 shares, firm 1 withholds
    open_u = sg.utilities([True, False], [3, 1], 0.5, 0.2, "open")
    gated_u = sg.utilities([True, False], [3, 1], 0.5, 0.2, "gated")
    np.testing.assert_allclose(open_u, [3 - 0.3, 1 + 3], atol=TOL)  # free rider reads
    np.testing.assert_allclose(gated_u, [3 - 0.3, 1], atol=TOL)  # gated: it does not


def test_payoff_matrices__open_and_gated_k3_k1():
    a, b = sg.payoff_matrices([3, 1], 0.5, 0.0, "open")
    np.testing.assert_allclose(a, [[3.5, 2.5], [4.0, 3.0]], atol=TOL)
    np.testing.assert_allclose(b, [[3.5, 4.0], [0.5, 1.0]], atol=TOL)
    a, b = sg.payoff_matrices([3, 1], 0.5, 0.0, "gated")
    np.testing.assert_allclose(a, [[3.5, 2.5], [3.0, 3.0]], atol=TOL)
    np.testing.assert_allclose(b, [[3.5, 1.0], [0.5, 1.0]], atol=TOL)


def test_payoff_by_sharers__matches_utilities():
    table = sg.payoff_by_sharers(4, 2.0, 0.5, 0.1, "gated", beta=0.5)
    for m in range(4):
        share = [True] + [True] * m + [False] * (3 - m)
        withhold = [False] + [True] * m + [False] * (3 - m)
        for own, profile in enumerate((share, withhold)):
            u = sg.utilities(profile, [2.0] * 4, 0.5, 0.1, "gated", 0.5)
            assert table[own, m] == pytest.approx(u[0])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"knowledge": [1], "risk": 0.1},
        {"knowledge": [1, -1], "risk": 0.1},
        {"knowledge": [1, 2], "risk": [0.1, 0.2, 0.3]},
        {"knowledge": [1, 2], "risk": 0.1, "pool": "closed"},
        {"knowledge": [1, 2], "risk": 0.1, "beta": -1.0},
        {"knowledge": [1, "a"], "risk": 0.1},
    ],
)
def test_validate__bad_input__raises(kwargs):
    with pytest.raises(InputError):
        sg.validate(**kwargs)


# ------------------------------------------------------- the claims of docs/models.md


@given(knowledge_st, knowledge_st, risk_st, risk_st, beta_st)
def test_gated_no_reward__is_stag_hunt_with_three_equilibria(k0, k1, r0, r1, beta):
    assume(beta * k1 > r0 + 1e-6 and beta * k0 > r1 + 1e-6)
    a, b = sg.payoff_matrices([k0, k1], [r0, r1], 0.0, "gated", beta)
    assert eq_labels(a, b) == ["(C,C)", "(D,D)", "mixed"]
    assert sg.SharingGame.create([k0, k1], [r0, r1], 0.0, "gated", beta).classify().label == (
        STAG_HUNT
    )


@given(knowledge_st, knowledge_st, risk_st, risk_st, beta_st)
def test_open_no_reward__unique_defection(k0, k1, r0, r1, beta):
    a, b = sg.payoff_matrices([k0, k1], [r0, r1], 0.0, "open", beta)
    assert eq_labels(a, b) == ["(D,D)"]
    cls = sg.SharingGame.create([k0, k1], [r0, r1], 0.0, "open", beta).classify().label
    if beta * k1 > r0 + 1e-6 and beta * k0 > r1 + 1e-6:
        assert cls == PRISONERS_DILEMMA
    else:
        assert cls in (PRISONERS_DILEMMA, OTHER)


@given(
    knowledge_st,
    knowledge_st,
    risk_st,
    risk_st,
    st.floats(1e-3, 3.0),
    st.floats(1e-3, 3.0),
    st.sampled_from(sg.POOLS),
)
def test_reward_above_risk__unique_cooperation(k0, k1, r0, r1, d0, d1, pool):
    rew = [r0 + d0, r1 + d1]
    assert unique_cc_by_nashpy([k0, k1], [r0, r1], rew, pool)
    assert sg.cooperation_is_unique([k0, k1], [r0, r1], rew, pool)
    assert sg.SharingGame.create([k0, k1], [r0, r1], rew, pool).classify().label == HARMONY


# --------------------------------------------------------------------------- N firms


@given(
    st.lists(
        st.tuples(st.floats(0.0, 3.0), st.floats(0.0, 3.0), st.floats(0.0, 2.0)),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from(sg.POOLS),
    beta_st,
)
def test_extremal_equilibria__bracket_every_pure_equilibrium(firms, pool, beta):
    k, r, rew = (np.array(v) for v in zip(*firms, strict=True))
    eqs = sg.pure_equilibria(k, r, rew, pool, beta)
    smallest, largest = sg.extremal_equilibria(k, r, rew, pool, beta)
    assert smallest in eqs and largest in eqs
    for e in eqs:
        assert all(s <= x <= t for s, x, t in zip(smallest, e, largest, strict=True))
    assert sg.cooperation_is_unique(k, r, rew, pool, beta) == (eqs == [(True,) * len(k)])
    assert sg.cooperation_is_equilibrium(k, r, rew, pool, beta) == ((True,) * len(k) in eqs)


@given(
    knowledge_st,
    knowledge_st,
    st.floats(0.0, 3.0),
    st.floats(0.0, 3.0),
    st.floats(0.0, 3.0),
    st.floats(0.0, 3.0),
    st.sampled_from(sg.POOLS),
)
def test_cooperation_is_unique__agrees_with_nashpy_mixed_included(k0, k1, r0, r1, x0, x1, pool):
    # the cascade theory covers mixed equilibria; nashpy enumerates them
    rew = [x0, x1]
    # keep clear of ties: there the two tolerances (absolute in the cascade,
    # relative to the payoff range in the solver) may legitimately differ
    gains = [sg.sharing_gain(p, [k0, k1], [r0, r1], rew, pool) for p in ((0, 0), (1, 1))]
    assume(np.abs(gains).min() > 1e-6)
    a, b = sg.payoff_matrices([k0, k1], [r0, r1], rew, pool)
    result = solve_bimatrix(a, b)
    assert not result.degenerate
    by_nashpy = [e.label(SHARING_NAMES) for e in result.equilibria] == ["(C,C)"]
    assert sg.cooperation_is_unique([k0, k1], [r0, r1], rew, pool) == by_nashpy


def test_thresholds__identical_gated_firms():
    # N identical firms: all-share is an equilibrium iff R >= r - beta (N-1) K,
    # unique iff R > r (docs/models.md, gated pool)
    th = sg.thresholds([1.0] * 4, 3.5, "gated")
    np.testing.assert_allclose(th.equilibrium, [0.5] * 4, atol=TOL)
    np.testing.assert_allclose(th.dominance, [3.5] * 4, atol=TOL)
    assert th.unique_uniform == pytest.approx(3.5)
    assert sg.cooperation_is_equilibrium([1.0] * 4, 3.5, 0.5, "gated")
    assert not sg.cooperation_is_equilibrium([1.0] * 4, 3.5, 0.5 - 1e-6, "gated")
    assert not sg.cooperation_is_unique([1.0] * 4, 3.5, 3.5, "gated")
    assert sg.cooperation_is_unique([1.0] * 4, 3.5, 3.5 + 1e-6, "gated")


def test_pure_equilibria__too_many_firms__raises():
    with pytest.raises(InputError):
        sg.pure_equilibria([1.0] * 17, 0.1)


def test_extremal_equilibria__large_n_cascade():
    # 40 firms, K = 1: firm 0 gains from sharing alone (r < 0); once it shares,
    # every other firm gains 1 - 0.9 > 0 in a gated pool, and nothing in an open one
    k = np.ones(40)
    r = np.full(40, 0.9)
    r[0] = -0.1
    smallest, largest = sg.extremal_equilibria(k, r, 0.0, "gated")
    assert all(smallest) and all(largest)
    smallest, largest = sg.extremal_equilibria(k, r, 0.0, "open")
    assert smallest == largest == (True,) + (False,) * 39
    # at r = 1 the followers are exactly indifferent: the tie blocks uniqueness
    r[1:] = 1.0
    smallest, largest = sg.extremal_equilibria(k, r, 0.0, "gated")
    assert smallest == (True,) + (False,) * 39 and all(largest)
    assert not sg.cooperation_is_unique(k, r, 0.0, "gated")


# --------------------------------------------------------------------------- designs

firms_st = st.lists(st.tuples(knowledge_st, st.floats(-0.5, 4.0)), min_size=2, max_size=5)


def _kr(firms):
    k, r = (np.array(v) for v in zip(*firms, strict=True))
    return k, r


@given(knowledge_st, knowledge_st, risk_st, risk_st, st.sampled_from(sg.POOLS), beta_st)
def test_design_per_firm__two_firms_minimal_and_sufficient(k0, k1, r0, r1, pool, beta):
    k, r = [k0, k1], [r0, r1]
    d = sg.design_per_firm(k, r, pool, beta)
    # sufficient: nashpy finds (C,C) and nothing else
    assert unique_cc_by_nashpy(k, r, d.recommended, pool, beta)
    # the infimum itself is not enough (a strict bound binds)
    assert d.strict.any()
    assert not sg.cooperation_is_unique(k, r, d.infimum, pool, beta)
    # any cheaper budget fails: lower each strictly-bound reward by 1e-3
    cheaper = np.where(d.strict, np.maximum(d.infimum - 1e-3, 0.0), d.infimum)
    assert not unique_cc_by_nashpy(k, r, cheaper, pool, beta)


@given(firms_st, st.sampled_from(sg.POOLS), beta_st, st.integers(0, 2**32 - 1))
def test_design_per_firm__no_cheaper_reward_vector_works(firms, pool, beta, seed):
    k, r = _kr(firms)
    d = sg.design_per_firm(k, r, pool, beta)
    assert d.exact
    assert sg.cooperation_is_unique(k, r, d.recommended, pool, beta)
    # random reward vectors with a smaller total never make cooperation unique
    rng = np.random.default_rng(seed)
    budget = d.total_infimum
    assume(budget > 1e-6)
    for _ in range(20):
        w = rng.dirichlet(np.ones(k.size))
        candidate = w * budget * rng.uniform(0.0, 0.999)
        assert not sg.cooperation_is_unique(k, r, candidate, pool, beta)


@given(firms_st, beta_st)
def test_design_per_firm__dp_matches_brute_force_over_orders(firms, beta):
    k, r = _kr(firms)
    best = min(
        sum(max(r[i] - beta * k[list(order[:j])].sum(), 0.0) for j, i in enumerate(order))
        for order in itertools.permutations(range(k.size))
    )
    assert sg.design_per_firm(k, r, "gated", beta).total_infimum == pytest.approx(best, abs=1e-9)


@given(firms_st, st.sampled_from(sg.POOLS), beta_st, st.floats(1e-4, 0.5))
def test_design_uniform__threshold_is_sharp(firms, pool, beta, delta):
    k, r = _kr(firms)
    d = sg.design_uniform(k, r, pool, beta)
    level = d.levels["reward"]
    assert sg.cooperation_is_unique(k, r, d.recommended_levels["reward"], pool, beta)
    if level > 0:
        assert not sg.cooperation_is_unique(k, r, level, pool, beta)
        assert not sg.cooperation_is_unique(k, r, max(level - delta, 0.0), pool, beta)


@given(firms_st, st.sampled_from(sg.POOLS), beta_st, st.floats(1e-4, 0.5))
def test_design_proportional__rate_is_sharp(firms, pool, beta, delta):
    k, r = _kr(firms)
    d = sg.design_proportional(k, r, pool, beta)
    assert d.feasible  # every firm has knowledge > 0 here
    rate = d.levels["rate"]
    assert sg.cooperation_is_unique(k, r, d.recommended, pool, beta)
    if rate > 0:
        assert not sg.cooperation_is_unique(k, r, max(rate - delta, 0.0) * k, pool, beta)


def test_design_proportional__zero_knowledge_firm_that_loses__infeasible():
    d = sg.design_proportional([0.0, 1.0], [0.5, 0.1], "open")
    assert not d.feasible


@given(firms_st, st.sampled_from(sg.POOLS), beta_st, st.integers(0, 2**32 - 1))
def test_design_per_tier__sufficient_and_no_cheaper_tier_vector(firms, pool, beta, seed):
    k, r = _kr(firms)
    rng = np.random.default_rng(seed)
    tiers = [str(t) for t in rng.integers(0, 3, size=k.size)]
    d = sg.design_per_tier(k, r, tiers, pool, beta)
    assert sg.cooperation_is_unique(k, r, d.recommended, pool, beta)
    assert np.all(d.recommended[np.array(tiers) == tiers[0]] == d.recommended[0])
    names = list(d.levels)
    counts = np.array([tiers.count(t) for t in names], dtype=float)
    budget = float(counts @ np.array([d.levels[t] for t in names]))
    assert budget == pytest.approx(d.total_infimum)
    assume(budget > 1e-6)
    for _ in range(20):
        w = rng.dirichlet(np.ones(len(names)))
        levels = w * budget * rng.uniform(0.0, 0.999) / counts
        candidate = np.array([levels[names.index(t)] for t in tiers])
        assert not sg.cooperation_is_unique(k, r, candidate, pool, beta)


def test_design_per_firm__gated_pays_one_firm_only():
    # K = (1, 3), r = 0.3: pay one firm 0.3 (+eps); the other follows for free
    d = sg.design_per_firm([1, 3], 0.3, "gated")
    assert d.total_infimum == pytest.approx(0.3)
    assert sorted(d.infimum.tolist()) == pytest.approx([0.0, 0.3])
    assert d.recommended.max() == pytest.approx(0.3 + sg.DEFAULT_EPSILON)
    open_d = sg.design_per_firm([1, 3], 0.3, "open")
    np.testing.assert_allclose(open_d.infimum, [0.3, 0.3], atol=TOL)
    assert open_d.strict.all()


def test_design_per_firm__large_n_uses_flagged_heuristic():
    rng = np.random.default_rng(3)
    k, r = rng.uniform(0.1, 1, 24), rng.uniform(0.1, 2, 24)
    d = sg.design_per_firm(k, r, "gated", max_exact=10)
    assert not d.exact
    assert sg.cooperation_is_unique(k, r, d.recommended, "gated")


def test_design__bad_epsilon__raises():
    with pytest.raises(InputError):
        sg.design_uniform([1, 2], 0.1, epsilon=0.0)


# --------------------------------------------------------------------------- Simmons


def test_check_simmons_tables__literal_tables_solved():
    t1, t2 = sg.check_simmons_tables()
    # Table 1: T=4 > R=3.5 > P=1 > S=0.5 for both players -> D strictly dominant
    assert t1.game.pure_labels == ("(D,D)",)
    assert t1.game.equilibria.n_mixed == 0
    assert t1.game.classification.label == PRISONERS_DILEMMA
    assert not t1.agrees and not t1.equilibria_agree and t1.classification_agrees is False
    # Table 2: row has 4 > 3.9 and 1 > 0.9 (D dominant); column then prefers D (1 > 0.9)
    assert t2.game.pure_labels == ("(D,D)",)
    assert t2.game.classification.per_player == (PRISONERS_DILEMMA, STAG_HUNT)
    assert not t2.agrees
    for t in (t1, t2):
        assert not t.game.equilibria.degenerate


def test_check_simmons_tables__agrees_is_computed_not_hard_coded():
    # Feed the claim its own best case: a table that is a stag hunt must agree.
    table = sg.PrintedTable(
        "test",
        "test",
        ((3.5, 2.5), (3.0, 3.0)),
        ((3.5, 1.0), (0.5, 1.0)),
        sg.SIMMONS_TABLES[0].claim,
    )
    original = sg.SIMMONS_TABLES
    try:
        simmons.SIMMONS_TABLES = (table, original[1])  # type: ignore[misc]
        assert sg.check_simmons_tables()[0].agrees
    finally:
        simmons.SIMMONS_TABLES = original  # type: ignore[misc]


def test_reconstruct_simmons_tables__gated_pool_gives_the_claimed_structure():
    cases = {
        (c.table.name, c.reading, c.pool, c.knowledge): c for c in sg.reconstruct_simmons_tables()
    }
    assert len(cases) == 12
    t1_gated = cases[("Table 1", "no reward, r = 0.5", "gated", (3.0, 1.0))]
    assert t1_gated.game.pure_labels == ("(C,C)", "(D,D)")
    mixed = [e for e in t1_gated.game.equilibria.equilibria if not e.is_pure][0]
    # firm 1 indifferent: 3.5 p + 0.5 (1 - p) = 1 -> p = 1/6; firm 0: 2.5 + q = 3 -> q = 1/2
    np.testing.assert_allclose(mixed.row, [1 / 6, 5 / 6], atol=TOL)
    np.testing.assert_allclose(mixed.col, [0.5, 0.5], atol=TOL)
    assert t1_gated.agrees_with_claim and not t1_gated.same_equilibria_as_printed
    t1_open = cases[("Table 1", "no reward, r = 0.5", "open", (1.0, 3.0))]
    assert t1_open.row_matches_printed and not t1_open.col_matches_printed
    assert t1_open.game.pure_labels == ("(D,D)",)
    frac = "r = 0.3, R_i = 0.2 K_i (0.2 as a fraction)"
    assert cases[("Table 2", frac, "open", (1.0, 3.0))].row_matches_printed
    for knowledge in ((3.0, 1.0), (1.0, 3.0)):
        assert cases[("Table 2", frac, "gated", knowledge)].game.pure_labels == ("(C,C)",)
        assert cases[("Table 2", frac, "gated", knowledge)].agrees_with_claim
    pct = "r = 0.3, R_i = 0.002 K_i (0.2 percent)"
    assert not any(c.agrees_with_claim for key, c in cases.items() if key[1] == pct)
