"""Locally signed transactions: a firm whose key the node never holds drives the alliance.

Each scenario runs on the embedded chain and on a real anvil node. The firm's
key is fresh and random (not one of the node's unlocked accounts); an
unlocked account only pays it some ether, as a faucet would on a testnet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from chain_asserts import reverts
from eth_account import Account
from web3 import Web3

from sharing.chain.ais import AisSystem, Status, commitment_of, new_salt
from sharing.chain.anvil import AnvilNode, running_anvil
from sharing.chain.connect import Chain, embedded_chain, rpc_chain
from sharing.chain.signer import Signer
from sharing.chain.transactions import (
    FeeCapExceeded,
    TransactionTimeout,
    TxPolicy,
    quote_fees,
    send,
    wait,
)
from sharing.errors import Revert

FUNDS = 100 * 10**18
H = bytes.fromhex("11" * 32)


@dataclass
class Net:
    """A chain, its kind, and the two switches the scenarios need from the node."""

    chain: Chain
    kind: str

    @property
    def w3(self) -> Web3:
        return self.chain.w3

    @property
    def faucet(self) -> str:
        return self.chain.accounts[0]

    @property
    def panellist(self) -> str:
        return self.chain.accounts[1]

    def automine(self, on: bool) -> None:
        if self.kind == "embedded":
            tester = self.w3.provider.ethereum_tester  # type: ignore[attr-defined]
            (tester.enable_auto_mine_transactions if on else tester.disable_auto_mine_transactions)()
        else:
            self.w3.provider.make_request("evm_setAutomine", [on])  # type: ignore[arg-type]

    def node_accounts(self) -> list[str]:
        """What the node itself says it can sign for (``eth_accounts``)."""
        return [Web3.to_checksum_address(a) for a in self.w3.eth.accounts]


@pytest.fixture(scope="module")
def anvil_node() -> Iterator[AnvilNode]:
    with running_anvil(accounts=4) as node:
        yield node


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def net(request) -> Iterator[Net]:
    if request.param == "embedded":
        yield Net(embedded_chain(num_accounts=4), "embedded")
        return
    chain = rpc_chain(request.getfixturevalue("anvil_node").url)
    snap = chain.snapshot()
    try:
        yield Net(chain, "anvil")
    finally:
        chain.w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
        chain.revert(snap)


def fresh_firm(net: Net) -> Signer:
    """A random key the node has never seen, paid FUNDS by an unlocked account."""
    firm = Signer.from_key(bytes(Account.create().key), source="a test key")
    net.chain.add_signer(firm)
    wait(net.chain, send(net.chain, {"from": net.faucet, "to": firm.address, "value": FUNDS}))
    return firm


@pytest.fixture
def firm(net: Net) -> Signer:
    return fresh_firm(net)


@pytest.fixture
def alliance(net: Net, firm: Signer) -> AisSystem:
    """The alliance deployed and governed by the firm's key; the firm is a member."""
    system = AisSystem.deploy(net.chain, governance=firm.address, epoch_length=86_400)
    system.register_member(firm.address, 0)
    system.appoint_panellist(net.panellist)
    return system


def commit_data(system: AisSystem, firm: str, content: bytes, salt: bytes) -> bytes:
    return system.alliance.calldata("commit", commitment_of(content, salt, firm))


def test_signed_firm__deploys_governs_commits_reveals__node_never_holds_the_key(net, firm):
    assert firm.address not in net.node_accounts()
    with pytest.raises(Exception):  # noqa: B017 - the node refuses: it cannot sign for the firm
        net.w3.eth.send_transaction({"from": firm.address, "to": net.faucet, "value": 1})

    system = AisSystem.deploy(net.chain, governance=firm.address, epoch_length=86_400)
    receipts = [system.register_member(firm.address, 0), system.appoint_panellist(net.panellist)]
    salt = new_salt()
    receipts.append(system.commit(firm.address, H, salt))
    net.chain.mine()
    receipts.append(system.reveal(firm.address, H, salt))

    state = system.indicator(H)
    assert (state.submitter, state.status) == (firm.address, Status.PENDING)
    assert system.is_member(firm.address)
    sent = [net.w3.eth.get_transaction(r["transactionHash"]) for r in receipts]
    assert all(tx["from"] == firm.address and tx["type"] == 2 for tx in sent)
    assert [tx["nonce"] for tx in sent] == [1, 2, 3, 4]  # nonce 0 deployed the contract
    assert net.w3.eth.get_transaction_count(firm.address) == 5


def test_signed_firm__needs_no_unlocked_account_at_all(net, firm, alliance):
    """A chain object that knows no node account, only the firm's key, reads and sends."""
    remote = Chain(w3=net.w3, kind="rpc", accounts=[])
    remote.add_signer(firm)
    own = AisSystem.at(remote, alliance.address, governance=firm.address)
    salt = new_salt()
    own.commit(firm.address, H, salt)
    remote.mine()
    own.reveal(firm.address, H, salt)
    assert own.indicator(H).submitter == firm.address and own.is_member(firm.address)


def test_pipelined_batch__consecutive_nonces__all_sent_before_receipts(net, firm, alliance):
    salt = new_salt()
    alliance.commit(firm.address, H, salt)  # the first commit is estimated and sent alone
    start = net.w3.eth.get_transaction_count(firm.address)
    contents = [bytes([i]) * 32 for i in range(2, 12)]
    calls = [("commit", (commitment_of(c, salt, firm.address),), firm.address) for c in contents]
    receipts = alliance.alliance.transact_many(calls)
    nonces = [net.w3.eth.get_transaction(r["transactionHash"])["nonce"] for r in receipts]
    assert nonces == list(range(start, start + len(calls)))
    assert all(r["status"] == 1 for r in receipts)


@pytest.mark.anvil
def test_several_in_flight__consecutive_nonces__mined_together(anvil_node):
    """Five signed transactions wait in the node's pool at once, then land in one block."""
    net = Net(rpc_chain(anvil_node.url), "anvil")
    snap = net.chain.snapshot()
    try:
        firm = fresh_firm(net)
        system = AisSystem.deploy(net.chain, governance=firm.address)
        system.register_member(firm.address, 0)
        system.appoint_panellist(net.panellist)
        salt = new_salt()
        gas = 200_000
        first = net.w3.eth.get_transaction_count(firm.address)
        net.automine(False)
        sent = [send(net.chain, {"from": firm.address, "to": system.address, "value": 0,
                                 "data": commit_data(system, firm.address, bytes([i]) * 32, salt),
                                 "gas": gas})
                for i in range(5)]
        assert [s.nonce for s in sent] == list(range(first, first + 5))
        assert net.w3.eth.get_transaction_count(firm.address, "pending") == first + 5
        assert net.w3.eth.get_transaction_count(firm.address) == first  # none mined yet
        net.chain.mine()
        receipts = [wait(net.chain, s, "commit") for s in sent]
        assert {r["blockNumber"] for r in receipts} == {net.w3.eth.block_number}
        assert all(r["status"] == 1 for r in receipts)
    finally:
        net.automine(True)
        net.chain.revert(snap)


def test_revert__reason_comes_back__estimated_and_mined(net, firm, alliance):
    with reverts(Revert.NO_SUCH_COMMITMENT):  # first use: refused at the estimate
        alliance.reveal(firm.address, H, new_salt())
    salt = new_salt()
    alliance.commit(firm.address, H, salt)
    net.chain.mine()
    alliance.reveal(firm.address, H, salt)  # reveal's gas limit is cached from here on
    before = net.w3.eth.get_transaction_count(firm.address)
    with reverts(Revert.NO_SUCH_COMMITMENT):  # signed, sent with the cached limit, mined failed
        alliance.reveal(firm.address, H, salt)
    assert net.w3.eth.get_transaction_count(firm.address) == before + 1
    # The nonce book is still right after the failure: the next transaction goes through.
    receipt = alliance.commit(firm.address, bytes([9]) * 32, salt)
    assert receipt["status"] == 1
    assert net.w3.eth.get_transaction(receipt["transactionHash"])["nonce"] == before + 1


def test_fee_cap_below_base_fee__refused_before_signing_or_sending(net, firm, alliance):
    base = quote_fees(net.w3, TxPolicy()).base_fee
    assert base is not None and base > 0
    block, pending = net.w3.eth.block_number, net.w3.eth.get_transaction_count(firm.address,
                                                                               "pending")
    net.chain.tx_policy = TxPolicy(max_fee_wei=base // 2)
    with pytest.raises(FeeCapExceeded) as exc:
        alliance.commit(firm.address, H, new_salt())
    text = str(exc.value)
    assert "base fee" in text and "--max-fee-gwei" in text and "nothing was sent" in text
    assert "\n" not in text
    assert net.w3.eth.block_number == block
    assert net.w3.eth.get_transaction_count(firm.address, "pending") == pending


def test_fee_cap_above_base_fee__max_fee_is_the_cap(net, firm, alliance):
    base = quote_fees(net.w3, TxPolicy()).base_fee
    assert base is not None
    cap = base + base // 4  # below the default 2 x base + tip
    net.chain.tx_policy = TxPolicy(max_fee_wei=cap)
    receipt = alliance.commit(firm.address, H, new_salt())
    tx = net.w3.eth.get_transaction(receipt["transactionHash"])
    assert tx["maxFeePerGas"] == cap and tx["maxPriorityFeePerGas"] <= cap - base
    assert receipt["status"] == 1 and receipt["effectiveGasPrice"] <= cap


def test_timeout__names_the_hash__which_finds_the_transaction_later(net, firm, alliance):
    net.chain.tx_policy = TxPolicy(timeout_s=0.3, poll_s=0.05)
    salt = new_salt()
    net.automine(False)
    try:
        with pytest.raises(TransactionTimeout) as exc:
            alliance.commit(firm.address, H, salt)
    finally:
        net.automine(True)
    text = str(exc.value)
    assert exc.value.tx_hash in text and text.startswith("commit: transaction 0x")
    assert f"from {firm.address}" in text and "not mined within 0.3 s" in text
    assert "\n" not in text
    net.chain.mine()
    receipt = wait(net.chain, bytes.fromhex(exc.value.tx_hash[2:]))
    assert receipt["status"] == 1
    assert alliance.call("commit_count") == 1


def test_unlocked_sender__timeout_reported_the_same_way(net):
    net.chain.tx_policy = TxPolicy(timeout_s=0.2, poll_s=0.05)
    net.automine(False)
    try:
        with pytest.raises(TransactionTimeout) as exc:
            wait(net.chain, send(net.chain, {"from": net.faucet, "to": net.panellist, "value": 1}),
                 "transfer")
    finally:
        net.automine(True)
        net.chain.mine()
    assert exc.value.tx_hash in str(exc.value)


def test_confirmations__receipt_only_once_buried(net, firm, alliance, monkeypatch):
    """With 3 confirmations the receipt comes back when two more blocks are on top."""
    import sharing.chain.transactions as layer

    monkeypatch.setattr(layer.time, "sleep", lambda _s: net.chain.mine())  # a block per poll
    net.chain.tx_policy = TxPolicy(confirmations=3, poll_s=0.01)
    receipt = alliance.commit(firm.address, H, new_salt())
    assert net.w3.eth.block_number >= receipt["blockNumber"] + 2


def test_nonce_resync__another_process_used_the_key(net, firm, alliance, monkeypatch):
    """A second holder of the key moves the nonce on; the first re-syncs once and goes on."""
    other = Chain(w3=net.w3, kind=net.chain.kind, accounts=net.chain.accounts)
    other.add_signer(firm)
    salt = new_salt()
    alliance.commit(firm.address, bytes([1]) * 32, salt)  # our book now holds the next nonce
    theirs = AisSystem.at(other, alliance.address, governance=firm.address)
    theirs.commit(firm.address, bytes([2]) * 32, salt)  # ...which the other holder spends
    refused: list[str] = []
    real = net.w3.eth.send_raw_transaction

    def spy(raw):
        try:
            return real(raw)
        except Exception as exc:
            refused.append(str(exc))
            raise

    monkeypatch.setattr(net.w3.eth, "send_raw_transaction", spy)
    receipt = alliance.commit(firm.address, bytes([3]) * 32, salt)  # refused once, re-synced
    assert len(refused) == 1 and "nonce" in refused[0].lower()
    assert receipt["status"] == 1
    assert alliance.call("commit_count") == 3


def test_snapshot_revert__nonces_follow_the_chain_back(net, firm, alliance):
    snap = net.chain.snapshot()
    salt = new_salt()
    alliance.commit(firm.address, bytes([1]) * 32, salt)
    net.chain.revert(snap)
    receipt = alliance.commit(firm.address, bytes([2]) * 32, salt)
    assert receipt["status"] == 1 and alliance.call("commit_count") == 1


def test_unknown_sender__still_the_nodes_business(net):
    """Without a signer nothing changes: an unlocked account is signed for by the node."""
    before = net.w3.eth.get_balance(net.panellist)
    receipt = wait(net.chain, send(net.chain, {"from": net.faucet, "to": net.panellist,
                                               "value": 7}))
    assert receipt["status"] == 1 and net.w3.eth.get_balance(net.panellist) == before + 7
    assert not net.chain.signers



@pytest.mark.anvil
def test_rpc_chain__endpoint_refusing_eth_accounts__fine_with_a_signer(anvil_node, monkeypatch):
    """A public endpoint that refuses ``eth_accounts`` is usable by a firm with its own key."""
    from web3.eth import Eth
    from web3.exceptions import MethodUnavailable

    from sharing.errors import ChainError

    def refused(self):
        raise MethodUnavailable("the method eth_accounts does not exist/is not available")

    monkeypatch.setattr(Eth, "accounts", property(refused))
    with pytest.raises(ChainError, match="cannot reach a JSON-RPC node"):
        rpc_chain(anvil_node.url)  # without a key: nothing could be sent, as before
    firm = Signer.from_key(bytes(Account.create().key))
    chain = rpc_chain(anvil_node.url, signers=[firm], policy=TxPolicy(confirmations=1))
    assert chain.accounts == [] and chain.signer_of(firm.address.lower()) is firm
    assert chain.w3.eth.get_balance(firm.address) == 0  # reads work without any account
