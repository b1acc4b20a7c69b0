"""The whole alliance, end to end, on the embedded chain and on a real anvil node."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sharing.chain.ais import AisSystem, load_deployment
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import embedded_chain, rpc_chain
from sharing.demo import run_demo
from sharing.errors import DeploymentError

ROOT = Path(__file__).resolve().parents[2]
SHARING = [sys.executable, "-m", "sharing"]


def check_demo(result: dict) -> None:
    assert result["ok"], result["checks"]
    statuses = {r["label"]: r["status"] for r in result["indicators"]}
    assert statuses == {"A": "verified", "B": "verified", "B'": "refused", "B''": "refused",
                        "C": "verified", "D": "rejected", "E": "verified"}
    notes = {r["label"]: r["note"] for r in result["indicators"]}
    assert notes["B'"].endswith("duplicate content")
    assert notes["B''"].endswith("duplicate observable")  # same observable, new bytes
    paid = [r for r in result["indicators"] if r["status"] == "verified"]
    assert all(r["reward_wei"] > 0 and r["reward_wei"] == r["quote_wei"] for r in paid)
    assert sum(f["claimed_wei"] for f in result["firms"]) == sum(r["reward_wei"] for r in paid)
    # Reputation: + severity x (scope + 1) per verified indicator, - 50 per rejected one.
    rows = {r["label"]: r for r in result["indicators"]}
    small = next(f for f in result["firms"] if f["firm"] == "small")
    e = rows["E"]
    assert small["reputation"] == e["cvss"] * (e["scope"] + 1) - 50 and small["access"]


def test_lifecycle__embedded_chain():
    check_demo(run_demo(embedded_chain(10), seed=3))


@pytest.mark.anvil
def test_lifecycle__anvil_same_code_same_result(tmp_path):
    embedded = run_demo(embedded_chain(10), seed=5)
    with running_anvil(accounts=10) as node:
        chain = rpc_chain(node.url)
        on_anvil = run_demo(chain, seed=5)
        check_demo(on_anvil)
        # Same seed, same economic result on either chain.
        strip = lambda rs: [{k: v for k, v in r.items() if k != "address"} for r in rs]  # noqa: E731
        assert strip(on_anvil["indicators"]) == strip(embedded["indicators"])
        assert [f["reward_wei"] for f in on_anvil["firms"]] == [f["reward_wei"] for f in embedded["firms"]]

        # deploy through the CLI, then a later command reads the deployment file
        dep = tmp_path / "dep.json"
        out = subprocess.run([*SHARING, "deploy", "--rpc-url", node.url, "--deployment", str(dep),
                              "--json"], capture_output=True, text=True, check=True, cwd=ROOT)
        record = json.loads(out.stdout)
        assert json.loads(dep.read_text())["contracts"] == record["contracts"]
        system = load_deployment(chain, dep)
        assert isinstance(system, AisSystem) and system.call("quorum") == 1
        out = subprocess.run([*SHARING, "quote", "--tier", "core", "--class", "specific", "--cvss",
                              "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "--scope", "single",
                              "--category", "execution", "--live", "--rpc-url", node.url,
                              "--deployment", str(dep), "--json"],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        quote = json.loads(out.stdout)
        assert quote["match"] and quote["on_chain_wei"] == quote["reward_wei"] > 0


def test_deployment_file__other_network__refused(tmp_path):
    chain = embedded_chain(2)
    system = AisSystem.deploy(chain)
    from sharing.chain.ais import write_deployment

    dep = tmp_path / "d.json"
    write_deployment(system, dep)
    other = embedded_chain(3)  # same chain id, another genesis
    with pytest.raises(DeploymentError, match="another network|no contract"):
        load_deployment(other, dep)
    record = json.loads(dep.read_text())
    record["chain_id"] = 1
    dep.write_text(json.dumps(record))
    with pytest.raises(DeploymentError, match="is for chain 1"):
        load_deployment(chain, dep)
    with pytest.raises(DeploymentError, match="no deployment file"):
        load_deployment(chain, tmp_path / "missing.json")
