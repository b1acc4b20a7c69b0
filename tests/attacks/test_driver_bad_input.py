"""Bad input to the driver, through the real CLI, against a real node: one line, non-zero, nothing sent.

Malformed STIX, bad CVSS vectors, unknown or non-member accounts, the wrong
chain id, a deployment file for another network or chain, a contract
address without code, an unreachable node, content someone already holds.
"Nothing sent" is checked on the node: the block number and the nonces of
every account involved are the same before and after.

``sharing indicator`` is run through ``sharing.cli.main`` (the one error
path of the ``sharing`` command) with the command added to the group, as
``sharing/cli/__init__.py`` will once it registers it; one case also runs
the module as a subprocess to show that no traceback reaches the user.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from attack_helpers import run_cli

from sharing.chain.ais import AisSystem, Status
from sharing.chain.anvil import free_port, running_anvil
from sharing.chain.connect import rpc_chain
from sharing.standards.synthetic import generate_indicator

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    """An anvil node with a deployment (through the CLI) and one member firm."""
    tmp = tmp_path_factory.mktemp("driver")
    with running_anvil(accounts=6) as n:
        dep = tmp / "deployment.json"
        out = subprocess.run([sys.executable, "-m", "sharing", "deploy", "--rpc-url", n.url,
                              "--deployment", str(dep), "--json"], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr
        chain = rpc_chain(n.url)
        system = AisSystem.at(chain, json.loads(dep.read_text())["contracts"]["AisAlliance"]["address"],
                              chain.accounts[0])
        system.register_member(chain.accounts[1], 1)
        system.register_member(chain.accounts[2], 2)
        system.appoint_panellist(chain.accounts[3])
        yield {"url": n.url, "deployment": dep, "chain": chain, "system": system, "tmp": tmp}


def sent(chain) -> tuple[int, ...]:
    """Block number and every account's nonce: equal before and after means nothing was sent."""
    return (chain.w3.eth.block_number, *(chain.w3.eth.get_transaction_count(a) for a in chain.accounts))


def bundle_file(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)


def good_bundle(seed: int) -> tuple[str, bytes]:
    ind = generate_indicator(seed, tlp="green")
    return ind.bundle_json, ind.content_hash


def test_submit__good_bundle_commits_and_reveals(node, capsys):
    text, h = good_bundle(1)
    firm = node["chain"].accounts[1]
    before = node["chain"].w3.eth.get_transaction_count(firm)
    code, out, err = run_cli(capsys, "indicator", "submit", "--bundle", bundle_file(node["tmp"], "good.json", text),
                             "--firm", firm, "--rpc-url", node["url"], "--deployment", str(node["deployment"]), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["content_hash"] == "0x" + h.hex() and len(result["transactions"]) == 2
    assert node["chain"].w3.eth.get_transaction_count(firm) == before + 2
    st = node["system"].indicator(h)
    assert (st.submitter, st.status) == (firm, Status.PENDING)


def malformed_cases(tmp: Path) -> list[tuple[str, str, str]]:
    text, _ = good_bundle(2)
    doc = json.loads(text)
    bad_cvss = json.loads(text)
    for obj in bad_cvss["objects"]:
        for ref in obj.get("external_references", []):
            if ref["source_name"] == "cvss":
                ref["external_id"] = "CVSS:3.1/AV:N/AC:L"
    no_indicator = dict(doc, objects=[o for o in doc["objects"] if o["type"] == "marking-definition"])
    custom = json.loads(text)
    custom["objects"][-1]["evil"] = "payload"  # x_ ones are allowed (STIX 2.1 custom); others not
    return [
        ("not json", bundle_file(tmp, "a.json", "{not json"), "not valid JSON"),
        ("no id", bundle_file(tmp, "b.json", '{"type": "bundle"}'), "invalid STIX 2.1 bundle"),
        ("not a bundle", bundle_file(tmp, "c.json", json.dumps(doc["objects"][-1])), "bundle"),
        ("no indicator", bundle_file(tmp, "d.json", json.dumps(no_indicator)), "indicator"),
        ("custom property", bundle_file(tmp, "e.json", json.dumps(custom)), "invalid STIX 2.1 bundle"),
        ("bad cvss", bundle_file(tmp, "f.json", json.dumps(bad_cvss)), "CVSS"),
        ("missing file", str(tmp / "nowhere.json"), "cannot read bundle"),
    ]


def test_submit__malformed_bundles__one_line_nothing_sent(node, capsys):
    chain, firm = node["chain"], node["chain"].accounts[1]
    for label, path, needle in malformed_cases(node["tmp"]):
        before = sent(chain)
        code, out, err = run_cli(capsys, "indicator", "submit", "--bundle", path, "--firm", firm,
                                 "--rpc-url", node["url"], "--deployment", str(node["deployment"]))
        assert code != 0, label
        assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, (label, err)
        assert sent(chain) == before, label


def test_submit__wrong_accounts_chains_and_deployments__one_line_nothing_sent(node, capsys):
    chain, tmp = node["chain"], node["tmp"]
    text, _ = good_bundle(3)
    bundle = bundle_file(tmp, "g.json", text)
    record = json.loads(node["deployment"].read_text())

    def deployment(name: str, **changes) -> str:
        r = json.loads(json.dumps(record))
        for key, value in changes.items():
            if key == "address":
                r["contracts"]["AisAlliance"]["address"] = value
            else:
                r[key] = value
        return bundle_file(tmp, name, json.dumps(r))

    member, outsider = chain.accounts[1], chain.accounts[4]
    dep = str(node["deployment"])
    dead = f"http://127.0.0.1:{free_port()}"
    cases = [
        ("unknown account", ["--firm", "0x000000000000000000000000000000000000dEaD"], "not unlocked"),
        ("not an address", ["--firm", "0x1234"], "not an Ethereum address"),
        ("not a member", ["--firm", outsider], "not a member"),
        ("wrong chain id", ["--firm", member, "--chain-id", "1"], "not chain 1"),
        ("file for another chain id", ["--firm", member, "--deployment", deployment("h.json", chain_id=1)],
         "is for chain 1"),
        ("file for another network", ["--firm", member, "--deployment", deployment("i.json", genesis_hash="ab" * 32)],
         "another network"),
        ("address without code", ["--firm", member, "--deployment", deployment("j.json", address=outsider)],
         "no contract code"),
        ("no deployment file", ["--firm", member, "--deployment", str(tmp / "none.json")], "no deployment file"),
        ("not a deployment file", ["--firm", member, "--deployment", bundle], "not a deployment file"),
        ("unreachable node", ["--firm", member, "--rpc-url", dead], "cannot reach"),
        ("no node", ["--firm", member, "--rpc-url", ""], "needs --rpc-url"),
        ("category not in bundle", ["--firm", member, "--category", "impact"], "not a tactic of the bundle"),
        ("unknown class", ["--firm", member, "--class", "both"], "class"),
    ]
    for label, extra, needle in cases:
        args = ["indicator", "submit", "--bundle", bundle, "--rpc-url", node["url"], "--deployment", dep]
        args += extra  # later options win
        before = sent(chain)
        code, out, err = run_cli(capsys, *args)
        assert code != 0, label
        assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, (label, err)
        assert sent(chain) == before, label


def test_submit__content_already_held__refused_before_sending(node, capsys):
    chain = node["chain"]
    text, h = good_bundle(4)
    path = bundle_file(node["tmp"], "k.json", text)
    base = ["indicator", "submit", "--bundle", path, "--rpc-url", node["url"], "--deployment", str(node["deployment"])]
    assert run_cli(capsys, *base, "--firm", chain.accounts[1])[0] == 0
    for firm in (chain.accounts[1], chain.accounts[2]):
        before = sent(chain)
        code, _, err = run_cli(capsys, *base, "--firm", firm)
        assert code != 0 and "already held by" in err and err.count("\n") == 1
        assert sent(chain) == before
    assert node["system"].indicator(h).submitter == chain.accounts[1]


def test_submit__same_observable_in_new_bytes__refused_before_sending(node, capsys):
    """A re-worded re-issue (new id and timestamp, or revoked) of a held observable: the
    CLI refuses it before the commit, naming the holder; nothing is sent."""
    chain = node["chain"]
    text, h = good_bundle(5)
    base = ["--rpc-url", node["url"], "--deployment", str(node["deployment"])]
    path = bundle_file(node["tmp"], "n.json", text)
    assert run_cli(capsys, "indicator", "submit", "--bundle", path, "--firm", chain.accounts[1],
                   *base)[0] == 0
    old_id = next(o for o in json.loads(text)["objects"] if o["type"] == "indicator")["id"]
    again = json.loads(text.replace(old_id, "indicator--0b0c5c52-2f33-4d6c-9f3e-5c1f4e0e8a10"))
    next(o for o in again["objects"] if o["type"] == "indicator")["revoked"] = True
    path2 = bundle_file(node["tmp"], "o.json", json.dumps(again))
    for firm in (chain.accounts[1], chain.accounts[2]):
        before = sent(chain)
        code, _, err = run_cli(capsys, "indicator", "submit", "--bundle", path2, "--firm", firm,
                               *base)
        assert code != 0 and "semantic key" in err and "already held" in err, err
        assert err.count("\n") == 1 and sent(chain) == before


def test_submit__bundle_naming_no_tactic__category_only_as_an_explicit_claim(node, capsys):
    """A bundle whose content names no ATT&CK tactic gives the panel nothing to check a
    category against: --category alone is refused before sending; with --claim-untagged
    the member declares it as a claim and it is submitted."""
    chain = node["chain"]
    text, h = good_bundle(7)
    doc = json.loads(text)
    for obj in doc["objects"]:
        obj.pop("kill_chain_phases", None)
    path = bundle_file(node["tmp"], "untagged.json", json.dumps(doc))
    base = ["indicator", "submit", "--bundle", path, "--firm", chain.accounts[2],
            "--rpc-url", node["url"], "--deployment", str(node["deployment"])]
    for extra in ([], ["--category", "execution"]):
        before = sent(chain)
        code, _, err = run_cli(capsys, *base, *extra)
        assert code != 0 and "names no ATT&CK tactic" in err and "--claim-untagged" in err, err
        assert err.count("\n") == 1 and sent(chain) == before
    code, out, err = run_cli(capsys, *base, "--category", "execution", "--claim-untagged", "--json")
    assert code == 0, err
    from sharing.standards.stix import category_code
    st = node["system"].indicator(bytes.fromhex(json.loads(out)["content_hash"][2:]))
    assert st.submitter == chain.accounts[2] and st.category == int(category_code("execution"))


def test_submit__no_panel__refused_before_sending(node, capsys):
    chain, system = node["chain"], node["system"]
    system.tx("remove_panellist", chain.accounts[3], sender=chain.accounts[0])
    try:
        text, _ = good_bundle(6)
        before = sent(chain)
        code, _, err = run_cli(capsys, "indicator", "submit", "--bundle",
                               bundle_file(node["tmp"], "p.json", text), "--firm", chain.accounts[1],
                               "--rpc-url", node["url"], "--deployment", str(node["deployment"]))
        assert code != 0 and "no panel" in err and err.count("\n") == 1
        assert sent(chain) == before
    finally:
        system.appoint_panellist(chain.accounts[3])


def test_submit__only_own_panellists__refused_before_sending(node, capsys):
    """A panel made only of the firm's own panellists could never vote on its indicator:
    the commit would be wasted (the reveal refuses it), so nothing is sent."""
    chain, system = node["chain"], node["system"]
    gov, firm, own = chain.accounts[0], chain.accounts[1], chain.accounts[4]
    system.tx("remove_panellist", chain.accounts[3], sender=gov)
    system.appoint_panellist(own, firm)
    try:
        text, _ = good_bundle(7)
        before = sent(chain)
        code, _, err = run_cli(capsys, "indicator", "submit", "--bundle",
                               bundle_file(node["tmp"], "q.json", text), "--firm", firm,
                               "--rpc-url", node["url"], "--deployment", str(node["deployment"]))
        assert code != 0 and "nobody could vote" in err and err.count("\n") == 1
        assert sent(chain) == before
    finally:
        system.tx("remove_panellist", own, sender=gov)
        system.appoint_panellist(chain.accounts[3])


def test_quote_live__deployment_for_another_network__one_line(node, capsys):
    record = json.loads(node["deployment"].read_text())
    record["genesis_hash"] = "cd" * 32
    other = bundle_file(node["tmp"], "l.json", json.dumps(record))
    before = sent(node["chain"])
    code, _, err = run_cli(capsys, "quote", "--tier", "core", "--class", "root", "--cvss",
                           "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "--scope", "sector",
                           "--category", "execution", "--live", "--rpc-url", node["url"], "--deployment", other)
    assert code != 0 and "another network" in err and err.count("\n") == 1
    assert sent(node["chain"]) == before


def test_indicator_module__subprocess_prints_no_traceback(node):
    out = subprocess.run([sys.executable, "-m", "sharing", "indicator", "submit", "--bundle",
                          bundle_file(node["tmp"], "m.json", '{"type": "bundle"}'), "--firm",
                          node["chain"].accounts[1], "--rpc-url", node["url"]],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_books__healthy_alliance_then_bad_input__one_line_nothing_sent(node, capsys):
    chain, tmp = node["chain"], node["tmp"]
    dep = str(node["deployment"])
    base = ["books", "--rpc-url", node["url"]]
    code, out, err = run_cli(capsys, *base, "--deployment", dep, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["problems"] == [], err
    assert report["alliance"] == node["system"].address
    assert report["balance"] == report["total_claimable"] + report["unallocated"]
    code, out, _ = run_cli(capsys, *base, "--deployment", dep)
    assert code == 0 and "books hold" in out
    outsider = chain.accounts[4]
    record = json.loads(node["deployment"].read_text())
    record["genesis_hash"] = "ef" * 32
    other = bundle_file(tmp, "m.json", json.dumps(record))
    cases = [
        ("no node", ["--rpc-url", ""], "needs --rpc-url"),
        ("clock without finish", ["--deployment", dep, "--advance-clock"], "only goes with --finish"),
        ("alliance and deployment", ["--deployment", dep, "--alliance", node["system"].address], "not both"),
        ("alliance not an address", ["--alliance", "0x12"], "not an Ethereum address"),
        ("alliance without code", ["--alliance", outsider], "no contract code"),
        ("sender not unlocked", ["--deployment", dep, "--finish", "--sender", "0x000000000000000000000000000000000000dEaD"],
         "not unlocked"),
        ("file for another network", ["--deployment", other], "another network"),
    ]
    for label, extra, needle in cases:
        before = sent(chain)
        code, out, err = run_cli(capsys, *base, *extra)
        assert code != 0 and out == "", label
        assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, (label, err)
        assert sent(chain) == before, label
