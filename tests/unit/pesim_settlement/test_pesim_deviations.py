"""The reported attack on PESIM and the deviation audit (``sharing.chain.pesim_deviations``).

The report: with N = 3 and a collateral of 1 unit, a member that prices at 0
and moves its investment proposal by a fixed step in every coordinate gains
while an honest neighbour loses its whole collateral.  The gain came from
outcomes below zero (``x_hat_k < 0``), which the contract used to accept:
PESIM's argument (Theorem 1) only compares outcomes in ``x_hat >= 0``.  Here:

* the attack's messages are refused, with the reason, and nothing changes;
* the same attack pays against the contract with the old rule (the shipped
  source with its one check put back), so the audit can fail;
* against the shipped contract no named deviation pays at the equilibrium;
* it does pay off the equilibrium, at N = 2, and below the minimum collateral.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pesim_helpers import assert_books_balanced, reverts

from sharing import pesim_fixed as fx
from sharing.chain.compile import contracts_dir
from sharing.chain.pesim import PesimSystem
from sharing.chain.pesim_deviations import (
    BELOW_ZERO,
    BEST_RESPONSE,
    DEVIATION_KINDS,
    HONEST,
    PRICE_ZERO,
    SILENT,
    WALK_AWAY,
    gain_tolerance,
    measure_deviations,
    payoff,
    sign_patterns,
)
from sharing.chain.pesim_equilibrium import (
    equilibrium_round,
    fixed_equilibrium_messages,
    minimum_collateral,
    recommended_collateral,
)
from sharing.errors import InputError, Revert
from sharing.models.ids_game import parse_instance
from sharing.models.pesim import equilibrium_messages, lindahl_prices

TOTAL_EFFORT = ("total-effort", "0.2,0.3,0.5", None)
WEIGHTED = ("weighted", "0.2,0.3,0.5", "1 0.4 0.2; 0.3 1 0.3; 0.2 0.4 1")
INSTANCES = {"total-effort": TOTAL_EFFORT, "weighted": WEIGHTED}
W = fx.DEFAULT_WEI_PER_UNIT
ONE_UNIT = W  # the report's collateral

#: The check that makes x_hat >= 0, and the one it replaced.
NEW_CHECK = ('        assert x[k] >= 0, "pesim_settlement: negative investment"\n'
             '        assert x[k] <= MAX_ABS_X, "pesim_settlement: investment out of range"\n')
OLD_CHECK = ('        assert x[k] >= -MAX_ABS_X and x[k] <= MAX_ABS_X, '
             '"pesim_settlement: investment out of range"\n')


def equilibrium(instance):
    game = parse_instance(*instance)
    return game, fixed_equilibrium_messages(equilibrium_messages(lindahl_prices(game)))


def attack(honest: fx.FixedMessage, signs, step: float) -> fx.FixedMessage:
    """The reported deviation: price 0, investment proposal moved by +-step per coordinate."""
    d = fx.to_fixed(step, fx.X_SCALE)
    return fx.FixedMessage((0,) * len(signs), tuple(v + s * d for v, s in zip(honest.x, signs,
                                                                                strict=True)))


@pytest.fixture(scope="module")
def audits(chain, roles, pesim_deployed):
    """The audit of both instances at the report's collateral (1 unit), once per module."""
    snap = chain.snapshot()
    try:
        out = {}
        for name, instance in INSTANCES.items():
            game = parse_instance(*instance)
            out[name] = (game, measure_deviations(pesim_deployed, game, roles.members,
                                                  collateral_wei=ONE_UNIT))
        return out
    finally:
        chain.revert(snap)


@pytest.fixture
def old_rule(chain, roles, tmp_path: Path, monkeypatch) -> PesimSystem:
    """``PesimSettlement`` as shipped, with the negative-investment check replaced by the old one."""
    src = tmp_path / "contracts"
    src.mkdir()
    for name in ("PesimSettlement.vy", "pesim_math.vy", "packing.vy"):
        shutil.copy(contracts_dir() / name, src / name)
    path = src / "PesimSettlement.vy"
    text = path.read_text()
    assert text.count(NEW_CHECK) == 1, "the shipped check moved: update NEW_CHECK"
    path.write_text(text.replace(NEW_CHECK, OLD_CHECK))
    monkeypatch.setenv("SHARING_CONTRACTS_DIR", str(src))
    monkeypatch.setenv("SHARING_BUILD_DIR", str(tmp_path / "build"))
    snap = chain.snapshot()
    try:
        yield PesimSystem.deploy(chain, governance=roles.governance)
    finally:
        chain.revert(snap)


# --------------------------------------------------------------------- the attack, refused


@pytest.mark.parametrize("step, signs", [(1.0, (1, -1, -1)), (8.0, (1, 1, -1))],
                         ids=["step-1", "step-8"])
def test_submit__price_zero_attack__negative_investment_reverts_nothing_changes(
        pesim, roles, design, step, signs):
    game, fixed = equilibrium(TOTAL_EFFORT)
    rid = pesim.open_round(roles.members, ONE_UNIT, W, design)
    pesim.register_all(rid)
    for p, m in zip(roles.members[:2], fixed[:2], strict=True):
        pesim.submit(rid, p, m)
    bad = attack(fixed[2], signs, step)  # the last mover, having seen both messages
    before = (pesim.round_info(rid), pesim.balance(), pesim.call("total_withdrawable"),
              pesim.call("locked_collateral"), pesim.call("digest_of", rid, 2),
              [pesim.withdrawable(p) for p in roles.members])
    with reverts(Revert.NEGATIVE_INVESTMENT):
        pesim.submit(rid, roles.member_c, bad)
    with pytest.raises(InputError, match=Revert.NEGATIVE_INVESTMENT):
        fx.check_message(bad, 3)
    after = (pesim.round_info(rid), pesim.balance(), pesim.call("total_withdrawable"),
             pesim.call("locked_collateral"), pesim.call("digest_of", rid, 2),
             [pesim.withdrawable(p) for p in roles.members])
    assert after == before
    assert_books_balanced(pesim)
    # the member may still send its equilibrium message: the round settles at x*
    pesim.submit(rid, roles.member_c, fixed[2])
    result = pesim.settle(rid, messages=fixed)
    assert result.x_sum == fx.x_sum([list(m.x) for m in fixed]) and result.shortfall == 0


def test_price_zero_attack__old_rule__pays_and_ruins_a_neighbour(old_rule, roles):
    # the reported numbers, reproduced against the old rule: x_hat_2 < 0, the deviator
    # gains, an honest member ends with nothing; the shipped rule refuses the message
    game, fixed = equilibrium(TOTAL_EFFORT)
    honest = old_rule.run_round(roles.members, fixed, ONE_UNIT, W)
    bad = attack(fixed[2], (1, 1, -1), 8.0)
    out = old_rule.run_round(roles.members, [fixed[0], fixed[1], bad], ONE_UNIT, W)
    assert out.x_hat[2] < 0
    gain = payoff(game, 2, out, W) - payoff(game, 2, honest, W)
    assert gain > gain_tolerance(W)
    assert out.shortfall > 0 and 0 in out.credits[:2]
    assert payoff(game, 1, out, W) < payoff(game, 1, honest, W)


# --------------------------------------------------------------------- the audit


@pytest.mark.parametrize("name", list(INSTANCES))
def test_measure_deviations__equilibrium_one_unit_collateral__nothing_pays(audits, name):
    game, rows = audits[name]
    tol = gain_tolerance(W)
    assert {r.index for r in rows} == {0, 1, 2}
    for i in range(3):
        kinds = {r.kind for r in rows if r.index == i}
        assert {HONEST, PRICE_ZERO, BELOW_ZERO, SILENT, BEST_RESPONSE, WALK_AWAY} <= kinds
        assert any(r.kind == PRICE_ZERO and r.refused is None for r in rows if r.index == i)
    for r in rows:
        assert r.tolerance == tol
        assert not r.pays, (r.index, r.name, r.gain)
        if r.refused is not None:
            # refused exactly when the message has a negative coordinate, with that reason
            assert r.refused == Revert.NEGATIVE_INVESTMENT and min(r.message.x) < 0
            assert r.gain is None and r.gain_wei is None
            continue
        assert r.gain <= tol
        assert min(r.x_hat) >= 0  # the property the incentive argument needs
        assert abs(r.gain_wei - r.gain * W) <= 1e-9 * W
        if r.message is not None:
            assert min(r.message.x) >= 0
    # every step below zero is refused: the reported attack class cannot be played
    assert all(r.refused for r in rows if r.kind == BELOW_ZERO)
    honest = [r for r in rows if r.kind == HONEST]
    assert [r.gain for r in honest] == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("name", list(INSTANCES))
def test_measure_deviations__tax_only_reading__some_price_zero_move_pays(audits, name):
    # Without binding investments PESIM gives no protection: a member lowers its tax by
    # moving x_hat along a coordinate with a negative Lindahl price. This is why x_hat
    # must be invested (audited off chain), and the reading the audit reports separately.
    _, rows = audits[name]
    played = [r for r in rows if r.kind == PRICE_ZERO and r.refused is None]
    assert max(r.transfer_gain_wei for r in played) > 0
    assert not any(r.pays for r in played)


def test_minimum_collateral__is_the_largest_equilibrium_cost_on_chain(audits):
    for game, rows in audits.values():
        worst = min(r.payoff_honest for r in rows if r.kind == HONEST)
        floor = minimum_collateral(game, W)
        assert abs(floor / W + worst) <= gain_tolerance(W) + 1e-9
        assert recommended_collateral(game, W) >= floor


def test_measure_deviations__collateral_below_minimum__walking_away_pays(pesim, roles):
    game = parse_instance(*TOTAL_EFFORT)
    floor = minimum_collateral(game, W)
    at = measure_deviations(pesim, game, roles.members, collateral_wei=floor,
                            kinds=[WALK_AWAY])
    below = measure_deviations(pesim, game, roles.members, collateral_wei=floor // 2,
                               kinds=[WALK_AWAY])
    assert at and not any(r.pays for r in at)
    assert any(r.pays for r in below)
    # the walk-away really defaults: the deviator pays its whole collateral and no more
    assert all(r.shortfall_wei > 0 for r in below)


def test_equilibrium_round__collateral_below_minimum__refused(pesim, roles):
    game = parse_instance(*TOTAL_EFFORT)
    rounds = pesim.call("round_count")
    with pytest.raises(InputError, match="below the minimum"):
        equilibrium_round(pesim, game, roles.members,
                          collateral_wei=minimum_collateral(game, W) - 1, deviations=False)
    assert pesim.call("round_count") == rounds  # refused before any round is opened


def test_measure_deviations__old_rule__the_reported_attack_pays(old_rule, roles):
    game = parse_instance(*TOTAL_EFFORT)
    rows = measure_deviations(old_rule, game, roles.members, collateral_wei=ONE_UNIT,
                              kinds=[PRICE_ZERO, BELOW_ZERO])
    paying = [r for r in rows if r.pays]
    assert paying and not any(r.refused for r in rows)
    assert {r.index for r in paying} == {0, 1, 2}  # every member can do it
    for r in paying:  # and each paying move takes some x_hat_k below zero
        assert min(r.x_hat) < 0 and r.gain_wei > 0


def test_measure_deviations__off_equilibrium__best_response_pays(pesim, roles):
    # halved prices no longer quote the Lindahl prices: the audit must say so
    game = parse_instance(*WEIGHTED)
    eq = equilibrium_messages(lindahl_prices(game))
    bad = fx.encode_profile(eq.pi * 0.5, eq.x)
    rows = measure_deviations(pesim, game, roles.members, honest=bad, collateral_wei=10**21,
                              kinds=[HONEST, BEST_RESPONSE])
    assert any(r.pays for r in rows if r.kind == BEST_RESPONSE)
    assert not any(r.pays for r in rows if r.kind == HONEST)


def test_measure_deviations__two_users__pesim_is_not_incentive_compatible(pesim, roles):
    game = parse_instance("total-effort", "0.2,0.3")
    rows = measure_deviations(pesim, game, roles.members[:2], kinds=[BEST_RESPONSE])
    assert any(r.pays for r in rows)


def test_measure_deviations__leaves_the_chain_as_found(pesim, roles, chain):
    game = parse_instance(*TOTAL_EFFORT)
    before = (pesim.call("round_count"), pesim.balance(), chain.w3.eth.block_number,
              [pesim.withdrawable(p) for p in roles.members])
    rows = measure_deviations(pesim, game, roles.members, kinds=[HONEST, SILENT], users=[1])
    assert [r.index for r in rows] == [1, 1]
    assert (pesim.call("round_count"), pesim.balance(), chain.w3.eth.block_number,
            [pesim.withdrawable(p) for p in roles.members]) == before


@pytest.mark.parametrize("kw, message", [
    ({"kinds": ["bribe"]}, "unknown deviation kind"),
    ({"users": [3]}, "users must be in"),
    ({"honest": "short"}, "honest messages"),
    ({"honest": "negative"}, Revert.NEGATIVE_INVESTMENT),
])
def test_measure_deviations__bad_input__input_error(pesim, roles, kw, message):
    game, fixed = equilibrium(TOTAL_EFFORT)
    if kw.get("honest") == "short":
        kw = {"honest": fixed[:2]}
    elif kw.get("honest") == "negative":
        kw = {"honest": [fixed[0], fixed[1], attack(fixed[2], (1, -1, -1), 1.0)]}
    with pytest.raises(InputError, match=message):
        measure_deviations(pesim, game, roles.members, **kw)
    assert pesim.call("locked_collateral") == 0


@pytest.mark.parametrize("n, limit, count", [(3, 16, 8), (4, 16, 16), (5, 16, 12), (2, 1, 4)])
def test_sign_patterns__all_or_single_flips(n, limit, count):
    pats = sign_patterns(n, limit)
    assert len(pats) == len(set(pats)) == count
    assert all(len(p) == n and set(p) <= {1, -1} for p in pats)
    assert (1,) * n in pats and (-1,) * n in pats


def test_deviation_kinds__rows_follow_the_requested_order(audits):
    _, rows = audits["total-effort"]
    order = [DEVIATION_KINDS.index(r.kind) for r in rows if r.index == 0]
    assert order == sorted(order)
    assert np.isfinite([r.payoff_honest for r in rows]).all()
