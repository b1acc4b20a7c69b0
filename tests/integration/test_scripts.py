"""The scripts work on the embedded chain and against anvil."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_deploy_local__embedded():
    out = run("scripts/deploy_local.py")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["contracts"]["AisAlliance"]["address"].startswith("0x")


@pytest.mark.anvil
def test_run_bots__anvil_and_embedded_agree():
    args = ["scripts/run_bots.py", "--firms", "3", "--rounds", "2", "--regime", "gated",
            "--regime", "tiered", "--seed", "4"]
    on_anvil, embedded = run(*args, "--anvil"), run(*args)
    assert on_anvil.returncode == 0 and embedded.returncode == 0, on_anvil.stderr + embedded.stderr
    a, e = json.loads(on_anvil.stdout), json.loads(embedded.stdout)
    assert a["chain"]["kind"] == "rpc" and e["chain"]["kind"] == "eth_tester"
    for name in ("gated", "tiered"):
        assert a["regimes"][name]["empirical_matrix"] == e["regimes"][name]["empirical_matrix"]
        assert a["regimes"][name]["cooperation_rate"] == e["regimes"][name]["cooperation_rate"]
    assert a["regimes"]["tiered"]["cooperation_unique"] and not a["regimes"]["gated"]["cooperation_unique"]
