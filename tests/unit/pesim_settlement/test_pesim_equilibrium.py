"""The model's equilibrium on chain: x_hat = x*, t_i = l_i^T x*, no profitable deviation.

Naghizadeh & Liu, Theorems 1-2: at the equilibrium messages (eqs. (23)-(24))
the outcome is the social optimum x* of problem (2), each tax is the Lindahl
tax l_i^T x* (eq. (12)) and no unilateral deviation raises a user's utility
(eq. (5)). Here each of those is checked on the chain's numbers.
"""

from fractions import Fraction

import numpy as np
import pytest
from pesim_helpers import assert_books_balanced

from sharing import pesim_fixed as fx
from sharing.chain.pesim import DEFAULT_DESIGN, Design
from sharing.chain.pesim_equilibrium import (
    deviation_candidates,
    equilibrium_round,
    fixed_equilibrium_messages,
    onchain_utility,
)
from sharing.models.ids_game import parse_instance, social_optimum
from sharing.models.pesim import MessageProfile, equilibrium_messages, lindahl_prices, utilities

TOTAL_EFFORT = ("total-effort", "0.2,0.3,0.5", None)
WEIGHTED = ("weighted", "0.2,0.3,0.5", "1 0.4 0.2; 0.3 1 0.3; 0.2 0.4 1")
TOL = 1e-8


def check_equilibrium(report, game):
    opt = social_optimum(game)
    # x_hat is x* to fixed-point precision: exactly the encoded optimum
    assert report.x_hat == [Fraction(fx.to_fixed(v, fx.X_SCALE), fx.X_SCALE) for v in opt.x]
    assert report.x_hat_error <= 0.5 / fx.X_SCALE + 1e-15
    lp = lindahl_prices(game, opt)
    model = lp.equilibrium_taxes()
    for p, bound in zip(report.participants, report.quantisation_bound_wei, strict=True):
        # against l_i^T x* carried by the fixed-point messages: THE rounding, under 1 wei
        assert abs(p.rounding_wei) < 1
        # against the floating-point model: within the fixed-point bound
        assert abs(p.tax_wei - model[p.index] * report.wei_per_unit) <= bound
    assert sum(report.taxes_wei) == 0
    assert report.settlement.shortfall == 0


@pytest.mark.parametrize("instance", [TOTAL_EFFORT, WEIGHTED], ids=["total-effort", "weighted"])
def test_equilibrium__chain_matches_model_and_no_deviation_pays(pesim, roles, instance):
    game = parse_instance(*instance)
    report = equilibrium_round(pesim, game, roles.members, design=DEFAULT_DESIGN)
    check_equilibrium(report, game)
    for p in report.participants:
        assert p.deviation_gain <= TOL
        # the chain prices the deviation as the model does
        assert abs(p.deviation_gain - p.deviation_gain_offchain) <= TOL
    assert report.max_deviation_gain <= TOL
    assert_books_balanced(pesim)


def test_equilibrium__storage_design_settles_the_same(pesim, roles):
    game = parse_instance(*TOTAL_EFFORT)
    a = equilibrium_round(pesim, game, roles.members, design=Design.STORAGE, deviations=False)
    b = equilibrium_round(pesim, game, roles.members, design=Design.CALLDATA, deviations=False)
    check_equilibrium(a, game)
    assert a.taxes_wei == b.taxes_wei and a.x_hat == b.x_hat


def test_equilibrium__small_unit__within_one_wei_of_float_model(pesim, roles):
    # with 1 unit = 10^6 wei the fixed point is far below a wei: the on-chain tax is
    # within 1 wei of the model's floating-point l_i^T x* itself
    game = parse_instance(*WEIGHTED)
    w = 10**6
    report = equilibrium_round(pesim, game, roles.members, wei_per_unit=w, deviations=False)
    model = lindahl_prices(game).equilibrium_taxes()
    assert all(abs(t - m * w) <= 1 for t, m in zip(report.taxes_wei, model, strict=True))


def test_equilibrium__every_candidate_deviation_fails_on_chain(pesim, roles, chain):
    game = parse_instance(*TOTAL_EFFORT)
    msgs = equilibrium_messages(lindahl_prices(game))
    fixed = fixed_equilibrium_messages(msgs)
    w = fx.DEFAULT_WEI_PER_UNIT
    rid = pesim.open_round(roles.members, 10**21, w)
    pesim.register_all(rid)
    snap = chain.snapshot()
    base = pesim.submit_and_settle(rid, fixed)
    chain.revert(snap)
    user = 0  # the only investor: the one with most to gain by deviating
    u0 = onchain_utility(game, user, base, w)
    cands = deviation_candidates(game, msgs, user, n_starts=2)
    assert {"analytic", "free-ride", "numeric"} <= {d.label for d in cands}
    for d in cands:
        snap = chain.snapshot()
        try:
            out = pesim.submit_and_settle(rid, [d.fixed() if i == user else m
                                                for i, m in enumerate(fixed)])
        finally:
            chain.revert(snap)
        gain = onchain_utility(game, user, out, w) - u0
        assert gain <= TOL, d.label
        assert abs(gain - d.model_gain) <= TOL, d.label
    # every candidate is a message the contract accepts (x_i >= 0), and the free ride
    # (zero investment proposed for itself, disagreeing with the next user) loses
    assert all(min(d.fixed().x) >= 0 for d in cands)
    (free,) = [d for d in cands if d.label == "free-ride"]
    assert free.fixed().x[user] == 0 and free.model_gain < -TOL


def test_deviation_test__detects_a_gain_off_equilibrium(pesim, roles, chain):
    # halve every price proposal: the messages no longer carry the Lindahl prices,
    # and some user profits from deviating - on chain as in the model
    game = parse_instance(*WEIGHTED)
    eq = equilibrium_messages(lindahl_prices(game))
    bad = MessageProfile(eq.pi * 0.5, eq.x)
    w = fx.DEFAULT_WEI_PER_UNIT
    rid = pesim.open_round(roles.members, 10**21, w)
    pesim.register_all(rid)
    fixed = fx.encode_profile(bad.pi, bad.x)
    snap = chain.snapshot()
    base = pesim.submit_and_settle(rid, fixed)
    chain.revert(snap)
    gains = []
    for user in range(3):
        d = max(deviation_candidates(game, bad, user, n_starts=1), key=lambda d: d.model_gain)
        snap = chain.snapshot()
        try:
            out = pesim.submit_and_settle(rid, [d.fixed() if i == user else m
                                                for i, m in enumerate(fixed)])
        finally:
            chain.revert(snap)
        gains.append(onchain_utility(game, user, out, w) - onchain_utility(game, user, base, w))
    assert max(gains) > 1e-3


def test_deviation_test__two_users_break_pesim(pesim, roles):
    # N = 2: user i's own price enters its Lindahl price (i + 2 = i), so raising it pays;
    # the chain shows the gain, and the collateral caps what the deviator can take
    game = parse_instance("total-effort", "0.2,0.3")
    report = equilibrium_round(pesim, game, roles.members[:2], n_starts=1)
    assert report.max_deviation_gain > 1e-3
    assert report.max_deviation_gain <= report.collateral_wei / report.wei_per_unit + 1.0
    check_equilibrium(report, game)  # the equilibrium round itself is still exact


def test_silent_participant__own_tax_unchanged_neighbours_shift_by_its_price(pesim, roles, chain):
    """The documented effect of silence at an equilibrium (default message pi = 0, x = x*).

    The silent user k keeps its Lindahl tax (its tax does not depend on its own
    prices); user k-1 pays pi_k*.x_hat less and user k-2 pays as much more: exactly
    what sending pi_k = 0 would do.
    """
    game = parse_instance(*WEIGHTED)
    msgs = equilibrium_messages(lindahl_prices(game))
    fixed = fixed_equilibrium_messages(msgs)
    w = fx.DEFAULT_WEI_PER_UNIT
    full = pesim.run_round(roles.members, fixed, 10**19, w)
    k = 2
    silent = pesim.run_round(roles.members, [m if i != k else None for i, m in enumerate(fixed)],
                             10**19, w)
    assert silent.defaults == [k] and silent.x_sum == full.x_sum
    assert abs(silent.taxes[k] - full.taxes[k]) <= 1
    shift = Fraction(w * sum(p * s for p, s in zip(fixed[k].pi, full.x_sum, strict=True)),
                     3 * fx.PI_SCALE * fx.X_SCALE)
    assert abs(silent.taxes[k - 1] - (full.taxes[k - 1] - shift)) <= 2
    assert abs(silent.taxes[k - 2] - (full.taxes[k - 2] + shift)) <= 2
    assert sum(silent.taxes) == 0


def test_utilities_on_chain_match_model_at_equilibrium(pesim, roles):
    game = parse_instance(*WEIGHTED)
    msgs = equilibrium_messages(lindahl_prices(game))
    w = fx.DEFAULT_WEI_PER_UNIT
    out = pesim.run_round(roles.members, fixed_equilibrium_messages(msgs), 10**19, w)
    model = utilities(game, msgs.pi, msgs.x)
    chain_u = np.array([onchain_utility(game, i, out, w) for i in range(3)])
    assert np.max(np.abs(chain_u - model)) <= 1e-9
