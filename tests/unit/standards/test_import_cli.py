"""``sharing indicator import`` against a real node: real-shaped reports in, nothing the pool refuses sent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from stix_fixtures import apt1_like, attack_object_bundle, malicious_email_like, poisonivy_like

from sharing.chain.ais import AisSystem, Status
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import rpc_chain
from sharing.pool.access import make_request
from sharing.pool.store import PoolStore
from sharing.standards.stix_parse import load_indicator_bundle
from sharing.standards.tlp import Tlp

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    """An anvil node with the alliance deployed by the CLI, two members and a panel."""
    tmp = tmp_path_factory.mktemp("import")
    with running_anvil(accounts=6) as n:
        dep = tmp / "deployment.json"
        out = subprocess.run([sys.executable, "-m", "sharing", "deploy", "--rpc-url", n.url,
                              "--deployment", str(dep), "--json"], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr
        chain = rpc_chain(n.url)
        address = json.loads(dep.read_text())["contracts"]["AisAlliance"]["address"]
        system = AisSystem.at(chain, address, chain.accounts[0])
        system.register_member(chain.accounts[1], 1)
        system.register_member(chain.accounts[2], 2)
        system.appoint_panellist(chain.accounts[3])
        yield {"url": n.url, "deployment": dep, "chain": chain, "system": system, "tmp": tmp}


def sent(chain) -> tuple[int, ...]:
    """Block number and every account's nonce: equal before and after means nothing was sent."""
    return (chain.w3.eth.block_number,
            *(chain.w3.eth.get_transaction_count(a) for a in chain.accounts))


def run_import(node, capsys, source: dict, *extra: str,
               as_json: bool = True) -> tuple[int, Any, str]:
    from sharing.cli import main

    path = node["tmp"] / f"{source['id']}.json"
    path.write_text(json.dumps(source, indent=2))
    capsys.readouterr()
    try:
        main(["indicator", "import", "--bundle", str(path), "--from", node["chain"].accounts[1],
              "--rpc-url", node["url"], "--deployment", str(node["deployment"]),
              "--journal", str(node["tmp"] / "journal"), *(["--json"] if as_json else []),
              *extra])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    if code == 0 and as_json:
        return code, json.loads(out.out), out.err
    return code, out.out, out.err


def test_import__tlp_red_part_refused_before_any_transaction(node, capsys):
    source = poisonivy_like(6)
    red = [o for o in source["objects"] if o["type"] == "indicator"][4]
    red["object_marking_refs"] = [Tlp.RED.marking_id]
    source["objects"].insert(0, Tlp.RED.marking_dict())
    before = sent(node["chain"])
    code, _, err = run_import(node, capsys, source)
    assert code != 0 and red["id"] in err and "TLP:RED" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sent(node["chain"]) == before


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda s: [o.pop("object_marking_refs", None) for o in s["objects"]], "no TLP marking"),
        (lambda s: s.update(spec_version="2.0") or [o.pop("spec_version") for o in s["objects"]],
         "STIX 2.0"),
        (lambda s: s["objects"].append(dict(next(o for o in s["objects"]
                                                 if o["type"] == "indicator"),
                                            id="indicator--9d1b7c55-07a2-4f7e-9a6c-1f0a4b7a2c11")),
         "same observable"),
    ],
    ids=["unmarked", "stix-2.0", "duplicate-observable"],
)
def test_import__refusals_send_nothing(node, capsys, mutate, needle):
    source = malicious_email_like()
    mutate(source)
    before = sent(node["chain"])
    code, _, err = run_import(node, capsys, source)
    assert code != 0 and needle in err, err
    assert sent(node["chain"]) == before


def test_import__category_checked_against_the_bundle(node, capsys):
    before = sent(node["chain"])
    code, _, err = run_import(node, capsys, malicious_email_like(), "--category", "impact")
    assert code != 0 and "not a tactic" in err and "initial-access" in err
    code, _, err = run_import(node, capsys, apt1_like(3), "--category", "impact")
    assert code != 0 and "names no ATT&CK tactic" in err and "--claim-untagged" in err
    assert sent(node["chain"]) == before


def test_import__apt1_shape_twelve_submissions_then_the_pool_accepts_each(node, capsys):
    chain, system = node["chain"], node["system"]
    out = node["tmp"] / "parts"
    pool_file = node["tmp"] / "apt1.pool.sqlite"
    code, result, err = run_import(node, capsys, apt1_like(), "--category",
                                   "command-and-control", "--claim-untagged", "--out", str(out),
                                   "--put", "--pool", str(pool_file))
    assert code == 0, err
    parts = result["parts"]
    assert len(parts) == 12 and all(p["state"] == "submitted, in the pool" for p in parts)
    assert all(len(p["transactions"]) == 2 for p in parts)
    assert {p["category_source"] for p in parts} == {"claimed (--claim-untagged)"}
    assert result["left_out"] and result["left_out"][0].startswith("report--")
    firm = chain.accounts[1]
    with PoolStore(system, chain_id=chain.chain_id, pool_address=system.address,
                   path=pool_file) as pool:
        assert len(pool) == 12
        for p in parts:
            digest = bytes.fromhex(p["content_hash"][2:])
            state = system.indicator(digest)
            assert (state.submitter, state.status) == (firm, Status.PENDING)
            text = (out / f"{p['content_hash']}.json").read_text()
            assert load_indicator_bundle(text).hash_hex == p["content_hash"]
            assert pool.get_for(firm, digest).json_text == text  # the bytes the chain holds
            request = make_request(chain.key_of(firm), action="put", chain_id=chain.chain_id,
                                   pool=system.address, content_hash=digest)
            assert not pool.put(text, request).created  # already there
    # Running the same import again sends nothing: every part is held already.
    before = sent(chain)
    code, again, err = run_import(node, capsys, apt1_like(), "--category",
                                  "command-and-control", "--claim-untagged")
    assert code == 0, err
    assert {p["state"] for p in again["parts"]} == {"already submitted (pending)"}
    assert sent(chain) == before


@pytest.mark.parametrize(
    ("source", "count"),
    # poisonivy's 25 parts are checked offline in test_import.py; 10 keep this test short.
    [(poisonivy_like(10), 10), (malicious_email_like(Tlp.AMBER), 2),
     (attack_object_bundle(), 1)],
    ids=["poisonivy", "malicious-email", "attack-object"],
)
def test_import__real_shapes_submit_one_indicator_each(node, capsys, source, count):
    before = sent(node["chain"])
    code, table, err = run_import(node, capsys, source, "--dry-run", as_json=False)
    assert code == 0 and f"{count} indicators" in table and "checked (dry run)" in table, err
    code, dry, err = run_import(node, capsys, source, "--dry-run")
    assert code == 0, err
    assert [p["state"] for p in dry["parts"]] == ["checked (dry run)"] * count
    assert sent(node["chain"]) == before
    code, result, err = run_import(node, capsys, source)
    assert code == 0, err
    assert [p["state"] for p in result["parts"]] == ["submitted"] * count
    assert {p["category_source"] for p in result["parts"]} == {"bundle"}
