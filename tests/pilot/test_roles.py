"""Every role command: its happy path, and each refusal in one line with nothing sent.

"Nothing sent" is checked by the proxy (no ``eth_sendRawTransaction`` or
``eth_sendTransaction`` during the command) and by the sender's nonce.
Refusals that the contract would make name its revert reason
(:class:`sharing.errors.Revert`).
"""

from __future__ import annotations

import pytest
from pilot_world import Pilot, bundle_text, open_voting, run_cli, system_of
from web3 import Web3

from sharing.chain.ais import Status
from sharing.errors import Revert

pytestmark = pytest.mark.anvil

NEWCOMER = Web3.to_checksum_address("0x" + "5a" * 20)
SEAT = Web3.to_checksum_address("0x" + "5b" * 20)


def refused(w: Pilot, who: str, *args: str, needle: str) -> str:
    """``sharing ARGS`` as ``who`` fails in one line naming ``needle``; nothing is sent."""
    result = w.nothing_sent(who, lambda: w.as_(who, *args))
    assert needle in result.err, result.err
    return result.err


def ok(w: Pilot, who: str, *args: str) -> dict:
    result = w.as_(who, *args)
    assert result.code == 0, result.err
    return result.json


def test_admin__members__happy_paths_and_refusals(alliance: Pilot) -> None:
    w, gov = alliance, "governance"
    # Wrong role, bad input, wrong state: refused before sending.
    refused(w, "firm_a", "admin", "add-member", NEWCOMER, "--tier", "small",
            needle="does not hold GOVERNOR_ROLE")
    refused(w, "firm_a", "admin", "add-member", NEWCOMER, "--tier", "small",
            needle=Revert.MISSING_ROLE)
    refused(w, gov, "admin", "add-member", "0x1234", "--tier", "small",
            needle="not an Ethereum address")
    refused(w, gov, "admin", "add-member", NEWCOMER, "--tier", "huge", needle="unknown tier")
    refused(w, gov, "admin", "add-member", w.firm_a.address, "--tier", "core",
            needle=Revert.ALREADY_A_MEMBER)
    refused(w, gov, "admin", "remove-member", NEWCOMER, needle=Revert.NOT_A_MEMBER)
    refused(w, gov, "admin", "set-tier", NEWCOMER, "--tier", "core", needle=Revert.NOT_A_MEMBER)
    refused(w, gov, "admin", "grant-access", NEWCOMER, "--epochs", "1",
            needle=Revert.NOT_A_MEMBER)
    refused(w, gov, "admin", "grant-access", w.firm_b.address, needle="exactly one of")
    # The happy paths.
    assert ok(w, gov, "admin", "add-member", NEWCOMER, "--tier", "small")["tier"] == 2
    assert ok(w, gov, "admin", "set-tier", NEWCOMER, "--tier", "core")["tier"] == 1
    epoch = int(system_of(w).call("current_epoch"))
    granted = ok(w, gov, "admin", "grant-access", NEWCOMER, "--until-epoch", str(epoch + 3))
    assert granted["until_epoch"] == epoch + 3
    status = w.anyone("member", "status", NEWCOMER).json
    assert status["member"] and status["tier_name"] == "core" and status["pool_access"]
    assert status["access_until_epoch"] == epoch + 3
    ok(w, gov, "admin", "remove-member", NEWCOMER)
    assert w.anyone("member", "status", NEWCOMER).json["member"] is False


def test_admin__panel_and_rules__happy_paths_and_refusals(alliance: Pilot) -> None:
    w, gov = alliance, "governance"
    system = system_of(w)
    refused(w, gov, "admin", "appoint", SEAT, needle="exactly one of")
    refused(w, gov, "admin", "appoint", SEAT, "--firm", NEWCOMER, needle="not a member")
    refused(w, gov, "admin", "appoint", w.panel_1.address, "--independent",
            needle=Revert.ALREADY_A_PANELLIST)
    refused(w, gov, "admin", "unseat", SEAT, needle=Revert.NOT_A_PANELLIST)
    appointed = ok(w, gov, "admin", "appoint", SEAT, "--firm", w.firm_b.address)
    assert appointed["affiliation"] == w.firm_b.address and appointed["quorum"] == 3
    assert ok(w, gov, "admin", "unseat", SEAT)["quorum"] == 3
    # The quorum back to 2 of 3; 1 of 3 would not be a majority, 4 is more than the panel.
    refused(w, gov, "admin", "set-quorum", "1", needle=Revert.QUORUM_WOULD_NOT_BE_A_MAJORITY)
    refused(w, gov, "admin", "set-quorum", "4", needle=Revert.QUORUM_OUT_OF_BOUNDS)
    assert ok(w, gov, "admin", "set-quorum", "2")["quorum"] == 2
    # Windows, access rule, penalty, reward tables, price rule.
    refused(w, gov, "admin", "set-windows", needle="give --reveal")
    refused(w, gov, "admin", "set-windows", "--reveal", "10", needle=Revert.WINDOW_OUT_OF_BOUNDS)
    assert ok(w, gov, "admin", "set-windows", "--vote", "3600")["reveal_window"] == 60
    refused(w, gov, "admin", "set-access-rule", "--epochs", "0",
            needle=Revert.ACCESS_EPOCHS_OUT_OF_BOUNDS)
    assert ok(w, gov, "admin", "set-access-rule", "--epochs", "5")["pool_open"] is False
    assert ok(w, gov, "admin", "set-reject-penalty", "40")["penalty"] == 40
    refused(w, gov, "admin", "set-reward-schedule", "--base-wei", "1,2",
            needle="must be 3 non-negative integers")
    refused(w, gov, "admin", "set-reward-schedule", "--base-wei", "1,2,3",
            needle=Revert.TIERS_OUT_OF_ORDER)
    table = ok(w, gov, "admin", "set-reward-schedule", "--scope-bps", "10000,16000,20000")
    assert table["scope_bps"] == [10_000, 16_000, 20_000]
    assert list(system.schedule().scope_bps) == [10_000, 16_000, 20_000]
    refused(w, gov, "admin", "set-price-rule", "--min-bps", "30000",
            needle="ais_alliance: ")
    assert ok(w, gov, "admin", "set-price-rule", "--recovery-bps", "400")["recovery_bps"] == 400
    assert system.price_rule().recovery_bps == 400


def test_admin__pause_stops_members_and_panel_not_claims(alliance: Pilot) -> None:
    w, gov = alliance, "governance"
    refused(w, "firm_a", "admin", "pause", needle="does not hold PAUSER_ROLE")
    refused(w, gov, "admin", "unpause", needle=Revert.NOT_PAUSED)
    assert ok(w, gov, "admin", "pause")["paused"] is True
    try:
        refused(w, gov, "admin", "pause", needle=Revert.PAUSED)
        text, _ = bundle_text(20)
        path = w.write("paused.json", text)
        refused(w, "firm_a", "indicator", "submit", "--bundle", str(path), needle=Revert.PAUSED)
        refused(w, "panel_1", "panel", "vote", "0x" + "11" * 32, "--invalid",
                needle=Revert.PAUSED)
        refused(w, "outsider", "finalise", "--all-decidable", needle=Revert.PAUSED)
    finally:
        assert ok(w, gov, "admin", "unpause")["paused"] is False


def test_admin__sweep_surplus(alliance: Pilot) -> None:
    w, gov = alliance, "governance"
    system = system_of(w)
    refused(w, gov, "admin", "sweep-surplus", "--to", w.outsider.address,
            needle=Revert.NO_SURPLUS)
    refused(w, gov, "admin", "sweep-surplus", "--to", "nobody", needle="not an Ethereum address")
    # Ether forced in outside fund() (anvil sets the balance, as a selfdestruct would).
    forced = 10**15
    w.w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [system.address, hex(system.balance() + forced)])
    before = w.w3.eth.get_balance(w.outsider.address)
    swept = ok(w, gov, "admin", "sweep-surplus", "--to", w.outsider.address)
    assert swept["amount_wei"] == forced
    assert w.w3.eth.get_balance(w.outsider.address) == before + forced
    assert system.surplus() == 0


def test_senders__no_key_wrong_key_unlocked_account(alliance: Pilot) -> None:
    w = alliance
    dev = w.w3.eth.accounts[0]  # unlocked on the node, holds no role
    base = ["--rpc-url", w.proxy.url, "--deployment", str(w.deployment)]
    r = run_cli("admin", "pause", *base)
    assert r.code == 2 and "needs a sender" in r.err
    r = run_cli("admin", "pause", *base, "--from", dev)
    assert r.code == 1 and "does not hold PAUSER_ROLE" in r.err
    r = run_cli("admin", "pause", *base, "--from", NEWCOMER)
    assert r.code == 1 and "not unlocked" in r.err
    r = w.as_("governance", "admin", "pause", "--from", w.firm_a.address)
    assert r.code == 2 and "is not the address of the key given" in r.err
    r = run_cli("admin", "pause", "--deployment", str(w.deployment))
    assert r.code == 2 and "needs --rpc-url" in r.err
    assert not system_of(w).paused()


def test_fund__amounts(alliance: Pilot) -> None:
    w = alliance
    for amount, needle in (("0", "positive"), ("-1", "positive"), ("abc", "not a number"),
                           ("0.0000000000000000001", "finer than a wei"),
                           ("1000000", "less than")):
        refused(w, "firm_b", "fund", "--ether", amount, needle=needle)
    system = system_of(w)
    before = int(system.call("unallocated"))
    funded = ok(w, "firm_b", "fund", "--ether", "0.25")
    assert funded["amount_wei"] == 25 * 10**16
    assert int(system.call("unallocated")) == before + 25 * 10**16


def test_member__status_and_claim_refusals(alliance: Pilot) -> None:
    w = alliance
    status = ok(w, "outsider", "member", "status")
    assert status["member"] is False and status["tier"] is None and status["claimable_wei"] == 0
    r = w.anyone("member", "status")
    assert r.code == 2 and "needs a sender" in r.err
    refused(w, "outsider", "claim", needle=Revert.NOTHING_TO_CLAIM)
    refused(w, "firm_b", "claim", needle="has nothing to claim")


def test_panel_finalise_and_submit__refusals(alliance: Pilot) -> None:
    w = alliance
    text, item = bundle_text(21)
    path = w.write("roles.json", text)
    refused(w, "outsider", "indicator", "submit", "--bundle", str(path),
            needle=Revert.CALLER_IS_NOT_A_MEMBER)
    h = ok(w, "firm_a", "indicator", "submit", "--bundle", str(path))["content_hash"]
    args = ("--valid", "--cvss", item.cvss_vector, "--scope", "1")
    refused(w, "panel_1", "panel", "vote", h, *args, needle=Revert.VOTING_NOT_OPEN)
    refused(w, "outsider", "panel", "vote", h, *args, needle=Revert.CALLER_IS_NOT_A_PANELLIST)
    refused(w, "panel_1", "panel", "vote", "0x" + "99" * 32, *args,
            needle=Revert.INDICATOR_NOT_PENDING)
    refused(w, "panel_1", "panel", "vote", "0x99", *args, needle="not a content hash")
    refused(w, "panel_1", "panel", "vote", h, "--valid", needle="needs --cvss")
    refused(w, "panel_1", "panel", "vote", h, "--invalid", "--scope", "1", needle="takes no")
    refused(w, "panel_1", "panel", "vote", h, needle="give --valid")
    refused(w, "panel_1", "panel", "vote", h, "--valid", "--cvss", "CVSS:3.1/AV:X",
            "--scope", "1", needle="CVSS")
    open_voting(w)
    ok(w, "panel_1", "panel", "vote", h, *args)
    refused(w, "panel_1", "panel", "vote", h, *args, needle=Revert.SEAT_ALREADY_VOTED)
    refused(w, "outsider", "finalise", h, needle=Revert.NOT_DECIDED_YET)
    refused(w, "outsider", "finalise", "0x" + "99" * 32, needle=Revert.INDICATOR_NOT_PENDING)
    refused(w, "outsider", "finalise", needle="exactly one of")
    # One invalid vote leaves it undecided (1 to 1); a second valid one decides it.
    ok(w, "panel_2", "panel", "vote", h, "--invalid")
    assert w.as_("outsider", "finalise", "--all-decidable").json["count"] == 0
    ok(w, "panel_3", "panel", "vote", h, *args)
    finalised = ok(w, "outsider", "finalise", h)["finalised"]
    assert finalised[0]["status"] == "verified"
    assert system_of(w).indicator(bytes.fromhex(h[2:])).status == Status.VERIFIED


def test_pool__refusals(alliance: Pilot) -> None:
    w = alliance
    text, item = bundle_text(22)
    path = w.write("pool.json", text)
    r = w.as_("firm_a", "pool", "put", "--bundle", str(path))
    assert r.code != 0 and "not revealed" in r.err
    ok(w, "firm_a", "indicator", "submit", "--bundle", str(path))
    r = w.as_("firm_b", "pool", "put", "--bundle", str(path))
    assert r.code != 0 and "not the submitter" in r.err
    r = w.as_("firm_a", "pool", "put", "--bundle", str(path), "--recipient", w.firm_b.address)
    assert r.code != 0 and "recipients without AMBER+STRICT" in r.err
    assert ok(w, "firm_a", "pool", "put", "--bundle", str(path))["created"] is True
    r = w.as_("firm_a", "pool", "get", "0x" + "77" * 32)
    assert r.code != 0 and "no bundle" in r.err
    r = w.anyone("pool", "get", "0x" + item.content_hash.hex())
    assert r.code != 0 and "needs a signed request" in r.err


def test_pool__membership_held_by_a_contract_wallet(alliance: Pilot) -> None:
    """A member that is a contract (EIP-1271) reads through its owner's keystore."""
    from sharing.chain.compile import load_artifact
    from sharing.chain.connect import rpc_chain
    from sharing.chain.contract import deploy

    w, gov = alliance, "governance"
    chain = rpc_chain(w.node_url)
    wallet = deploy(chain, load_artifact("SingleOwnerWallet"), w.outsider.address,
                    sender=chain.accounts[1]).address
    ok(w, gov, "admin", "add-member", wallet, "--tier", "small")
    ok(w, gov, "admin", "grant-access", wallet, "--epochs", "1")
    text, item = bundle_text(23)
    path = w.write("wallet.json", text)
    ok(w, "firm_a", "indicator", "submit", "--bundle", str(path))
    ok(w, "firm_a", "pool", "put", "--bundle", str(path))
    h = "0x" + item.content_hash.hex()
    read = ok(w, "outsider", "pool", "get", h, "--wallet", wallet)
    assert read["tlp"] == "TLP:GREEN"
    assert h in [b["content_hash"] for b in
                 ok(w, "outsider", "pool", "list", "--wallet", wallet)["readable"]]
    r = w.as_("firm_b", "pool", "get", h, "--wallet", wallet)  # not the wallet's owner
    assert r.code != 0 and "bad signature" in r.err
    r = w.anyone("pool", "get", h, "--wallet", wallet)
    assert r.code == 2 and "needs the key of its owner" in r.err


def test_admin__roles_handed_over_and_back(alliance: Pilot) -> None:
    w, gov = alliance, "governance"
    system = system_of(w)
    from sharing.chain.ais import PAUSER_ROLE

    refused(w, gov, "admin", "grant-role", "king", w.firm_b.address, needle="unknown role")
    refused(w, "firm_a", "admin", "grant-role", "pauser", w.firm_b.address,
            needle="does not hold the admin role of PAUSER_ROLE")
    refused(w, gov, "admin", "grant-role", "governor", w.governance.address,
            needle="already holds GOVERNOR_ROLE")
    refused(w, gov, "admin", "revoke-role", "pauser", w.firm_b.address,
            needle="does not hold PAUSER_ROLE")
    refused(w, "firm_b", "admin", "renounce-role", "pauser", needle="does not hold PAUSER_ROLE")
    ok(w, gov, "admin", "grant-role", "pauser", w.firm_b.address)
    assert system.has_role(PAUSER_ROLE, w.firm_b.address)
    ok(w, "firm_b", "admin", "renounce-role", "pauser")
    assert not system.has_role(PAUSER_ROLE, w.firm_b.address)
    ok(w, gov, "admin", "grant-role", "pauser", w.firm_b.address)
    ok(w, gov, "admin", "revoke-role", "pauser", w.firm_b.address)
    assert not system.has_role(PAUSER_ROLE, w.firm_b.address)
