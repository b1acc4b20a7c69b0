"""The whole pilot through the CLI only, on a block-a-second node, with keystores it does not know.

deploy -> add members -> appoint a panel -> fund (the ``alliance`` fixture) ->
submit -> panel pending -> vote -> finalise -> claim -> member status ->
pool put / get / list; and the submission interrupted between its commit and
its reveal (the process killed), then resumed from the journal.
"""

from __future__ import annotations

import json

import pytest
from pilot_world import (
    Pilot,
    bundle_text,
    open_voting,
    run_cli,
    start_node,
    stop_node,
    subprocess_cli,
    system_of,
)
from web3 import Web3

from sharing.chain.ais import Status
from sharing.standards.stix import Tlp

pytestmark = pytest.mark.anvil

REVEAL_SELECTOR = Web3.keccak(text="reveal(bytes32,bytes32,uint256,uint256,bytes32)")[:4].hex()


def test_pilot__whole_alliance_through_the_cli(alliance: Pilot) -> None:
    w = alliance
    mark = w.proxy.mark()
    record = json.loads(w.deployment.read_text())
    assert set(record["contracts"]) == {"AisAlliance", "PesimSettlement"}
    assert record["evm_version"] == "cancun" and record["genesis_hash"].startswith("0x")
    for entry in record["contracts"].values():
        assert entry["abi"] and entry["deploy_block"] > 0
        assert entry["transaction_hash"].startswith("0x") and len(entry["transaction_hash"]) == 66
        assert entry["compiler"]["settings"]["evm_version"] == "cancun"
    assert record["governance"] == w.governance.address

    # A member submits: commit, a later block, reveal.
    text, item = bundle_text(1)
    bundle = w.write("a.json", text)
    r = w.as_("firm_a", "indicator", "submit", "--bundle", str(bundle))
    assert r.code == 0, r.err
    submitted = r.json
    assert len(submitted["transactions"]) == 2 and submitted["resumed"] is False
    h = submitted["content_hash"]
    assert h == "0x" + item.content_hash.hex()

    # Panellists see it, vote once voting opens, and anyone finalises.
    r = w.as_("panel_1", "panel", "pending")
    assert r.code == 0, r.err
    row = next(p for p in r.json["pending"] if p["content_hash"] == h)
    assert row["can_vote"] is False and row["why_not"] == "voting not open yet"
    open_voting(w)
    assert next(p for p in w.as_("panel_1", "panel", "pending").json["pending"]
                if p["content_hash"] == h)["can_vote"] is True
    for seat in ("panel_1", "panel_2", "panel_3"):
        r = w.as_(seat, "panel", "vote", h, "--valid", "--cvss", item.cvss_vector,
                  "--scope", str(item.scope))
        assert r.code == 0, r.err
    assert r.json["decidable"] is True
    r = w.as_("outsider", "finalise", "--all-decidable")
    assert r.code == 0, r.err
    [done] = [f for f in r.json["finalised"] if f["content_hash"] == h]
    assert done["status"] == "verified" and done["reward_wei"] > 0

    # The member sees its reward and pool access, and claims.
    status = w.as_("firm_a", "member", "status").json
    assert status["claimable_wei"] == done["reward_wei"] and status["pool_access"] is True
    assert status["tier_name"] == "critical" and status["reputation"] > 0
    assert status["access_until_epoch"] is not None
    balance = w.w3.eth.get_balance(w.firm_a.address)
    r = w.as_("firm_a", "claim")
    assert r.code == 0 and r.json["claimed_wei"] == done["reward_wei"]
    receipt = w.w3.eth.get_transaction_receipt(r.json["transaction"])
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert w.w3.eth.get_balance(w.firm_a.address) == balance + done["reward_wei"] - fee
    assert w.as_("firm_a", "member", "status").json["claimable_wei"] == 0

    # The pool: the submitter puts its bundle; firm_b is a member without access yet.
    r = w.as_("firm_a", "pool", "put", "--bundle", str(bundle))
    assert r.code == 0 and r.json["created"] is True, r.err
    out = w.tmp / "fetched.json"
    r = w.as_("firm_a", "pool", "get", h, "--out", str(out))
    assert r.code == 0, r.err
    assert Web3.keccak(out.read_bytes()).hex().removeprefix("0x") == h[2:]
    denied = w.as_("firm_b", "pool", "get", h)
    assert denied.code != 0 and "no pool access" in denied.err
    assert w.as_("governance", "admin", "grant-access", w.firm_b.address,
                 "--epochs", "2").code == 0
    assert w.as_("firm_b", "pool", "get", h).json["tlp"] == "TLP:GREEN"
    listing = w.as_("firm_b", "pool", "list").json
    assert h in [b["content_hash"] for b in listing["readable"]]
    assert w.anyone("pool", "list").json["count"] == 0  # GREEN: not for the unsigned

    # Every transaction of the pilot was signed here: the node signed none.
    methods = w.proxy.since(mark)
    assert "eth_sendTransaction" not in methods
    assert methods.count("eth_sendRawTransaction") >= 8


def test_submit__killed_between_commit_and_reveal__resumes_from_the_journal(
    alliance: Pilot,
) -> None:
    w = alliance
    text, item = bundle_text(2)
    bundle = w.write("b.json", text)
    args = ["indicator", "submit", "--bundle", str(bundle), "--rpc-url", w.proxy.url,
            "--deployment", str(w.deployment), *w.firm_b.key_args(w.password_file), "--json"]
    nonce = w.nonce("firm_b")
    w.proxy.arm_hold(2)  # the commit goes through; the reveal never reaches the node
    child = subprocess_cli(*args)
    try:
        assert w.proxy.held.wait(timeout=90), child.stderr.read() if child.poll() else "held"
        child.kill()
        child.wait(timeout=10)
    finally:
        w.proxy.release.set()
    assert w.nonce("firm_b") == nonce + 1  # the commit, and only it
    journal = list((w.deployment.parent / "journal").glob(f"*{item.content_hash.hex()}.json"))
    assert len(journal) == 1
    entry = json.loads(journal[0].read_text())
    assert entry["state"] == "committed" and entry["salt"].startswith("0x")
    system = system_of(w)
    assert system.indicator(item.content_hash).status == Status.NONE
    seq, _, _ = system.call("commitment_of", w.firm_b.address,
                            bytes.fromhex(entry["commitment"][2:]))
    assert seq != 0  # the commitment is on chain, and only the journal can reveal it
    listed = w.anyone("indicator", "journal").json
    [row] = [r for r in listed["entries"] if r["content_hash"] == entry["content_hash"]]
    assert row["state"] == "committed" and row["bundle"] == str(bundle.resolve())
    assert row["next"].startswith("unfinished")

    # The same command again: no second commit, the journalled one is revealed.
    mark = w.proxy.mark()
    r = run_cli(*args)
    assert r.code == 0, r.err
    assert r.json["resumed"] is True and len(r.json["transactions"]) == 1
    assert w.nonce("firm_b") == nonce + 2
    raw = w.proxy.raw_sends[-1]
    assert w.proxy.since(mark).count("eth_sendRawTransaction") == 1
    tx = w.w3.eth.get_transaction(r.json["transactions"][0])
    assert tx["input"].hex().removeprefix("0x").startswith(REVEAL_SELECTOR.removeprefix("0x"))
    assert raw  # the raw bytes went through the proxy, signed here
    state = system.indicator(item.content_hash)
    assert state.status == Status.PENDING and state.submitter == w.firm_b.address
    assert json.loads(journal[0].read_text())["state"] == "revealed"
    listed = w.anyone("indicator", "journal").json
    assert [r["state"] for r in listed["entries"]
            if r["content_hash"] == entry["content_hash"]] == ["revealed"]

    # And a third run sends nothing: the submission is done.
    again = w.nothing_sent("firm_b", lambda: run_cli(*args))
    assert "already held by" in again.err


def test_submit__pool_would_refuse__nothing_committed(alliance: Pilot) -> None:
    w = alliance
    text, _ = bundle_text(3, tlp=Tlp.RED)
    red = w.write("red.json", text)
    r = w.nothing_sent("firm_a", lambda: w.as_("firm_a", "indicator", "submit",
                                                "--bundle", str(red)))
    assert "TLP:RED" in r.err
    unmarked = json.loads(bundle_text(4)[0])
    unmarked["objects"] = [o for o in unmarked["objects"] if o["type"] != "marking-definition"]
    for o in unmarked["objects"]:
        o.pop("object_marking_refs", None)
    path = w.write("unmarked.json", json.dumps(unmarked))
    r = w.nothing_sent("firm_a", lambda: w.as_("firm_a", "indicator", "submit",
                                                "--bundle", str(path)))
    assert "no TLP marking" in r.err


def test_deploy__chain_without_cancun__refused_before_anything(world: Pilot) -> None:
    proc, url = start_node("--hardfork", "shanghai")
    try:
        w3 = Web3(Web3.HTTPProvider(url))
        before = w3.eth.get_transaction_count(w3.eth.accounts[0])
        r = run_cli("deploy", "--rpc-url", url, "--deployment", str(world.tmp / "old.json"))
        assert r.code != 0 and "cancun" in r.err and r.err.count("\n") == 1, r.err
        assert w3.eth.get_transaction_count(w3.eth.accounts[0]) == before
        assert not (world.tmp / "old.json").exists()
    finally:
        stop_node(proc)


def test_public_endpoint__no_unlocked_accounts__keys_send_and_anyone_reads(alliance: Pilot) -> None:
    """A node that lists no accounts (a hosted endpoint): the keystore submits, waiting for
    the chain's own next block (nothing asks it to mine), and reads need no key at all."""
    w = alliance
    w.proxy.hide_accounts = True
    try:
        mark = w.proxy.mark()
        text, item = bundle_text(6)
        path = w.write("public.json", text)
        r = w.as_("firm_a", "indicator", "submit", "--bundle", str(path))
        assert r.code == 0, r.err
        assert "evm_mine" not in w.proxy.since(mark)
        status = w.anyone("member", "status", w.firm_a.address)
        assert status.code == 0 and status.json["member"] is True, status.err
        pending = w.anyone("panel", "pending", w.panel_1.address).json["pending"]
        assert "0x" + item.content_hash.hex() in [p["content_hash"] for p in pending]
        needs = w.anyone("claim")
        assert needs.code == 2 and "needs a sender" in needs.err
    finally:
        w.proxy.hide_accounts = False


def test_books__audit_reads_anywhere_finish_signs_with_the_key(alliance: Pilot) -> None:
    """`sharing books` on a node that lists no accounts: the audit needs no key; --finish
    needs one, and then finalises what the contract can decide, signed here."""
    w = alliance
    text, item = bundle_text(8)
    r = w.as_("firm_b", "indicator", "submit", "--bundle", str(w.write("books.json", text)))
    assert r.code == 0, r.err
    h = r.json["content_hash"]
    open_voting(w)
    for seat in ("panel_1", "panel_2", "panel_3"):
        assert w.as_(seat, "panel", "vote", h, "--invalid").code == 0
    w.proxy.hide_accounts = True
    try:
        audit = w.anyone("books")
        assert audit.code == 0 and audit.json["ok"] is True, audit.err
        row = next(p for p in audit.json["pending"] if p["content_hash"] == h)
        assert row["can_finalise"] is True
        assert audit.json["balance"] == (audit.json["total_claimable"] + audit.json["unallocated"]
                                         + audit.json["surplus"])
        w.nothing_sent("outsider", lambda: w.anyone("books", "--finish"))
        mark = w.proxy.mark()
        done = w.as_("outsider", "books", "--finish")
        assert done.code == 0 and h in done.json["finalised"], done.err
        assert h not in [p["content_hash"] for p in done.json["pending"]]
        methods = w.proxy.since(mark)
        assert "eth_sendTransaction" not in methods and "eth_sendRawTransaction" in methods
        assert system_of(w).indicator(item.content_hash).status == Status.REJECTED
    finally:
        w.proxy.hide_accounts = False


def test_deploy__over_a_live_alliance__refused_nothing_sent(alliance: Pilot) -> None:
    w = alliance
    before = w.deployment.read_text()
    r = w.nothing_sent("governance", lambda: w.as_("governance", "deploy"))
    assert "is live; nothing deployed" in r.err
    assert w.deployment.read_text() == before
    # A copy of the file, replaced on purpose: a second alliance, the first one untouched.
    copy = w.write("second.json", before)
    r = run_cli("deploy", "--replace", "--rpc-url", w.proxy.url, "--deployment", str(copy),
                *w.governance.key_args(w.password_file), "--json")
    assert r.code == 0, r.err
    first = json.loads(before)["contracts"]["AisAlliance"]["address"]
    assert r.json["contracts"]["AisAlliance"]["address"] != first
    assert json.loads(copy.read_text())["contracts"]["AisAlliance"]["address"] != first
    assert w.deployment.read_text() == before


def test_verify__the_deployment_is_this_checkouts_code(alliance: Pilot) -> None:
    w = alliance
    r = w.anyone("verify")
    assert r.code == 0, r.err
    assert r.json["ok"] is True
    assert {c["contract"] for c in r.json["contracts"]} == {"AisAlliance", "PesimSettlement"}
    alliance_row = next(c for c in r.json["contracts"] if c["contract"] == "AisAlliance")
    assert alliance_row["immutable_bytes"] == 64  # genesis time and epoch length
    # A file whose settlement entry points at the alliance's code does not verify.
    record = json.loads(w.deployment.read_text())
    record["contracts"]["PesimSettlement"]["address"] = record["contracts"]["AisAlliance"][
        "address"]
    forged = w.write("forged.json", json.dumps(record))
    r = run_cli("verify", "--rpc-url", w.proxy.url, "--deployment", str(forged))
    assert r.code == 1 and r.err.count("\n") == 1
    assert "PesimSettlement at" in r.err and "differs from this checkout" in r.err
