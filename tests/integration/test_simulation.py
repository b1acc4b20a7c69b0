"""The main job on chain: verdicts per regime, chain against model, same seed same result."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sharing.chain.anvil import running_anvil
from sharing.chain.connect import embedded_chain, rpc_chain
from sharing.simulation.run import SimulationConfig, simulate

ROOT = Path(__file__).resolve().parents[2]
CFG = SimulationConfig(firms=4, rounds=3, seed=7, junk_rate=1.0)


def strip(result: dict) -> dict:
    """The economic content of a result (no timing, no chain identity, no addresses)."""
    out = json.loads(json.dumps(result))
    out.pop("chain")
    for g in out["regimes"].values():
        g["rewards_wei"] = sorted(g["rewards_wei"].values())
    return out


@pytest.fixture(scope="module")
def result() -> dict:
    return simulate(embedded_chain(CFG.firms + 10), CFG).as_dict()


def test_simulate__verdicts_per_regime(result):
    regs = result["regimes"]
    assert list(regs) == ["open", "gated", "flat", "tiered", "tiered-pesim"]
    assert not regs["open"]["cooperation_unique"] and not regs["gated"]["cooperation_unique"]
    assert regs["flat"]["cooperation_unique"] and regs["tiered"]["cooperation_unique"]
    assert regs["tiered-pesim"]["cooperation_unique"]
    # gated, no reward: the stag hunt - (C,C), (D,D) and a mixed equilibrium, on chain
    assert len(regs["gated"]["equilibria"]) == 3
    # open, no reward: withholding dominates - one equilibrium, (D,D)
    assert regs["open"]["equilibria"] == [{"row": [0.0, 1.0], "col": [0.0, 1.0], "payoffs": [3.0, 1.0]}]
    assert result["agree"]


def test_simulate__whole_alliance_game_per_regime(result):
    games = {name: g["alliance"] for name, g in result["regimes"].items()}
    for name, a in games.items():
        assert a["firms"] == CFG.firms and a["agree"], name
        assert a["max_difference"] == 0.0  # exact, in wei
        assert a["deviation_gain"] == a["model_deviation_gain"]
    # rewards above the risk: sharing is strictly dominant, every firm joins at once
    for name in ("flat", "tiered", "tiered-pesim"):
        a = games[name]
        assert a["all_share_is_equilibrium"] and a["unique"] and a["cascade"] == [CFG.firms]
        assert a["best_deviation_gain"] < 0
    # open pool, no reward: each firm gains its risk by withholding; nobody ever joins
    o = games["open"]
    assert not o["all_share_is_equilibrium"] and not o["unique"] and o["cascade"] == []
    assert o["deviation_gain_by_tier"] == {"critical": 0.5, "small": 0.3, "core": 0.4}
    # gated pool, no reward: all-share is an equilibrium (the stag hunt), not the only one
    g = games["gated"]
    assert g["all_share_is_equilibrium"] and not g["unique"] and g["cascade"] == []
    assert g["model_all_share_is_equilibrium"] and not g["model_unique"]


def test_simulate__chain_matrix_equals_model_to_the_wei(result):
    for name, g in result["regimes"].items():
        bound = 1e-9 if name == "tiered-pesim" else 1e-17  # PESIM messages are fixed point
        assert g["matrices_agree"] and g["max_difference"] <= bound
        assert g["pool_mismatches"] == 0 and g["pool_reads"] > 0


def test_simulate__colluding_minority_never_gets_junk_verified(result):
    junk = sum(g["junk_submitted"] for g in result["regimes"].values())
    assert junk > 0
    assert all(g["junk_verified"] == 0 for g in result["regimes"].values())


def test_simulate__rewards_paid_only_with_incentives(result):
    regs = result["regimes"]
    assert regs["open"]["rewards_wei_total"] == regs["gated"]["rewards_wei_total"] == 0
    for name in ("flat", "tiered"):
        per_tier = regs[name]["reward_wei_per_tier"]
        by_tier = regs[name]["rewards_wei_by_tier"]
        assert regs[name]["rewards_wei_total"] == sum(by_tier.values()) > 0
        # every wei paid is a whole number of verified indicators at its tier's reward
        for k, tier in enumerate(("critical", "core", "small")):
            assert by_tier[tier] % per_tier[k] == 0
    assert regs["tiered"]["final_cooperation"] == 1.0 and regs["open"]["final_cooperation"] == 0.0


def test_simulate__same_seed_same_result(result):
    again = simulate(embedded_chain(CFG.firms + 10), CFG).as_dict()
    assert strip(again) == strip(result)


@pytest.mark.anvil
def test_simulate__anvil_gives_the_same_result(result):
    with running_anvil(accounts=CFG.firms + 10) as node:
        on_anvil = simulate(rpc_chain(node.url), CFG).as_dict()
    assert on_anvil["chain"]["kind"] == "rpc"
    assert strip(on_anvil) == strip(result)


def test_cli_simulate__bad_input_one_line_nonzero():
    for args, needle in (
        (["--firms", "1"], "--firms must be at least 2"),
        (["--regime", "anarchy"], "unknown regime 'anarchy'"),
        (["--regime", "tiered,anarchy"], "unknown regime 'anarchy'"),
        (["--regime", "tiered,,open"], "--regime: an empty name"),
        (["--knowledge", "1,2"], "--knowledge: expected three numbers"),
        (["--strategy", "greedy"], "unknown strategy 'greedy'"),
    ):
        out = subprocess.run([sys.executable, "-m", "sharing", "simulate", *args],
                             capture_output=True, text=True, cwd=ROOT)
        assert out.returncode != 0
        assert out.stderr.strip().count("\n") == 0 and needle in out.stderr, out.stderr


def test_simulate__pesim_taxes_shift_payoffs_not_the_verdict(result):
    tiered, pesim = result["regimes"]["tiered"], result["regimes"]["tiered-pesim"]
    (a, b), (pa, pb) = tiered["empirical_matrix"], pesim["empirical_matrix"]
    # the PESIM utility does not depend on sharing: the same shift in every cell
    shift_a = {round(pa[i][j] - a[i][j], 9) for i in range(2) for j in range(2)}
    shift_b = {round(pb[i][j] - b[i][j], 9) for i in range(2) for j in range(2)}
    assert len(shift_a) == 1 and len(shift_b) == 1
    assert shift_a.pop() < 0 and shift_b.pop() < 0
