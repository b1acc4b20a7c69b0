"""A titanoboa chain for the stateful campaign (``make campaign``) only: never imported by ``make test``.

titanoboa runs py-evm without web3, eth-tester or a block trie, so a
transaction or a view costs a fraction of a millisecond instead of several
(``docs/stack.md``). The machines keep driving the project's
own objects: :class:`sharing.chain.ais.AisSystem` and
:class:`sharing.chain.pesim.PesimSystem` are built unchanged around

* :class:`BoaChain`, a :class:`sharing.chain.connect.Chain` whose blocks,
  clock, snapshots and logs live here: one transaction per block, the block
  one second after the last (as eth-tester mines when it runs ahead of the
  wall clock), ``advance_time`` and ``mine`` as on eth-tester; a reverted
  transaction is not mined. Views are memoised while the state, block and
  clock stand still (``SHARING_BOA_VIEW_MEMO=0`` turns it off);
* :class:`BoaHandle`, a :class:`sharing.chain.contract.Handle` whose
  ``call``/``transact`` run the ABI-encoded call (the handle's own selector
  and decoder) in boa's EVM and raise :class:`sharing.errors.RevertError`
  with the contract's reason string; receipts carry web3-shaped logs, so
  the driver's event decoding (``Handle.events``, ``settlement_of``) runs as
  it does on a node;
* :class:`BoaProvider`, a read-only web3 provider over the same state
  (balances, block number, code, ``eth_getLogs`` with address and topic
  filters), so that :func:`sharing.chain.ledger.rebuild`, the machines'
  end-of-sequence log checks and ``messages_from_logs`` work unchanged.

The contracts are the production artifacts: the init code and ABI come from
:func:`sharing.chain.compile.load_artifact` (the same compiler wrapper and
cache) and are deployed as bytes; boa never compiles a source.

boa does not charge gas (gas price 0) and its gas figures are not the
chain's (warm slots after the first call), so receipts report
``gasUsed = 0``: never quote gas from this backend.
"""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from typing import Any

import boa
from boa.environment import Env
from eth_abi import decode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.datastructures import AttributeDict
from web3.providers.base import BaseProvider
from web3.types import RPCEndpoint, RPCResponse

from sharing.chain import ais, pesim
from sharing.chain.compile import Artifact, load_artifact
from sharing.chain.connect import Chain
from sharing.chain.contract import Handle
from sharing.errors import ChainError, RevertError

#: Wei each account starts with (eth-tester's default: a million ether).
FUNDS = 10**24
#: Gas limit of every transaction (mainnet's block gas limit; boa's own figures are not quoted).
TX_GAS = 30_000_000
_ERROR_STRING = keccak(text="Error(string)")[:4]
_ENVS = itertools.count()
_VERSIONS = itertools.count(1)


def revert_reason(computation: Any) -> str:
    """The reason string of a failed boa computation, as eth-tester and anvil report it."""
    out = bytes(computation.output or b"")
    if out[:4] == _ERROR_STRING:
        return str(decode(["string"], out[4:])[0])
    if not out:
        return "reverted without a reason"
    return f"{type(computation.error).__name__}: 0x{out.hex()}"


@dataclass(frozen=True)
class Log:
    """One event log, kept in chain order."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    block: int
    index: int
    tx_hash: bytes

    def formatted(self) -> AttributeDict[str, Any]:
        """The log as web3 returns it in a receipt (what ``process_receipt``/``process_log`` read)."""
        return AttributeDict({
            "address": self.address, "topics": [HexBytes(t) for t in self.topics],
            "data": HexBytes(self.data), "blockNumber": self.block, "logIndex": self.index,
            "transactionIndex": 0, "transactionHash": HexBytes(self.tx_hash),
            "blockHash": HexBytes(block_hash(self.block)), "removed": False,
        })

    def rpc(self) -> dict[str, Any]:
        """The log as a JSON-RPC node sends it (web3 formats it on the way in)."""
        return {
            "address": self.address, "topics": ["0x" + t.hex() for t in self.topics],
            "data": "0x" + self.data.hex(), "blockNumber": hex(self.block),
            "logIndex": hex(self.index), "transactionIndex": "0x0",
            "transactionHash": "0x" + self.tx_hash.hex(),
            "blockHash": "0x" + block_hash(self.block).hex(), "removed": False,
        }


def block_hash(number: int) -> bytes:
    """A stand-in block hash (boa keeps no blocks)."""
    return keccak(b"boa block" + number.to_bytes(32, "big"))


@dataclass(eq=False)
class BoaChain(Chain):
    """A :class:`Chain` on a titanoboa ``Env``: blocks, clock, snapshots and logs kept here."""

    env: Any = None
    logs: list[Log] = field(default_factory=list)
    tx_count: int = 0
    #: Memoise views while the state, block and clock stand still (the EVM is deterministic).
    memo_views: bool = True
    view_hits: int = 0
    view_runs: int = 0
    _state_version: int = 0
    _memo: dict[bytes, bytes] = field(default_factory=dict, repr=False)
    _memo_at: tuple[int, int, int] = (-1, -1, -1)

    # ------------------------------------------------------------ clock

    @property
    def block_number(self) -> int:
        """Number of the latest block."""
        return int(self.env.evm.patch.block_number)

    def timestamp(self) -> int:
        """Timestamp of the latest block."""
        return int(self.env.evm.patch.timestamp)

    def _next_block(self, seconds: int = 1) -> None:
        patch = self.env.evm.patch
        patch.block_number += 1
        patch.timestamp += seconds

    def advance_time(self, seconds: int) -> None:
        """Mine one block ``seconds`` after the latest (as eth-tester's time travel)."""
        if seconds > 0:
            self._next_block(seconds)

    def mine(self, blocks: int = 1) -> None:
        """Mine empty blocks, one second apart."""
        for _ in range(blocks):
            self._next_block()

    # -------------------------------------------------------- snapshots

    def snapshot(self) -> Any:
        """State, clock and log count; pass to :meth:`revert`."""
        return (self.env.evm.snapshot(), self.block_number, self.timestamp(), len(self.logs),
                self.tx_count)

    def revert(self, snapshot_id: Any) -> None:
        """Return to a snapshot (each snapshot is used once, as the machines do)."""
        state, number, ts, n_logs, n_tx = snapshot_id
        self.env.evm.revert(state)
        self._changed()
        self.env.evm.patch.block_number, self.env.evm.patch.timestamp = number, ts
        del self.logs[n_logs:]
        self.tx_count = n_tx

    # ----------------------------------------------------- transactions

    def _receipt(self, computation: Any, sender: str, to: str | None,
                 created: str | None = None) -> dict[str, Any]:
        """Mine ``computation`` as this block's transaction: keep its logs, build a receipt."""
        self.tx_count += 1
        tx_hash = keccak(b"boa tx" + self.tx_count.to_bytes(32, "big"))
        block = self.block_number
        new = [Log(to_checksum_address(addr), tuple(t.to_bytes(32, "big") for t in topics),
                   bytes(data), block, i, tx_hash)
               for i, (addr, topics, data) in enumerate(computation.get_log_entries())]
        self.logs.extend(new)
        # Transient storage lives for one transaction (EIP-1153); boa runs messages, not transactions.
        self.env.evm.vm.state.clear_transient_storage()
        return {
            "status": 1, "blockNumber": block, "blockHash": HexBytes(block_hash(block)),
            "transactionHash": HexBytes(tx_hash), "transactionIndex": 0,
            "from": sender, "to": to, "contractAddress": created,
            "gasUsed": 0, "cumulativeGasUsed": 0, "effectiveGasPrice": 0,  # boa's gas is not quoted
            "logs": [log.formatted() for log in new],
        }

    def send(self, to: str, data: bytes, sender: str, value: int = 0,
             function: str | None = None) -> dict[str, Any]:
        """Mine one transaction in a new block; its receipt, or :class:`RevertError`.

        A transaction that reverts is not mined: it changes nothing, not even
        the block (as when a node's gas estimate surfaces the revert and
        nothing is sent).
        """
        patch = self.env.evm.patch
        latest = (patch.block_number, patch.timestamp)
        self._next_block()
        computation = self.env.execute_code(to_address=to, sender=sender, value=value, data=data,
                                            gas=TX_GAS)
        if computation.is_error:
            self.env.evm.vm.state.clear_transient_storage()
            patch.block_number, patch.timestamp = latest
            raise RevertError(revert_reason(computation), function)
        self._changed()
        return self._receipt(computation, sender, to)

    def _changed(self) -> None:
        self._state_version = next(_VERSIONS)

    def view(self, to: str, data: bytes, function: str | None = None) -> bytes:
        """Run a view at the latest block (``eth_call``); its return data.

        Memoised by (state version, block, timestamp, address, calldata): every
        state change (a mined transaction, a deployment, a revert to a
        snapshot) starts a new version, so a memoised result is exactly what
        the EVM would return again.
        """
        key = to.encode() + data
        if self.memo_views:
            at = (self._state_version, self.block_number, self.timestamp())
            if at != self._memo_at:
                self._memo.clear()
                self._memo_at = at
            hit = self._memo.get(key)
            if hit is not None:
                self.view_hits += 1
                return hit
        self.view_runs += 1
        computation = self.env.execute_code(to_address=to, sender=self.accounts[0], data=data,
                                            gas=TX_GAS, is_modifying=False)
        if computation.is_error:
            raise RevertError(revert_reason(computation), function)
        out = bytes(computation.output)
        if self.memo_views:
            self._memo[key] = out
        return out

    def deploy_code(self, initcode: bytes, sender: str, name: str, value: int = 0) -> tuple[str, bytes]:
        """Deploy init code in a new block (``value`` wei to a payable constructor); the address and the runtime code."""
        self._next_block()
        address, computation = self.env.deploy(sender=sender, bytecode=initcode, gas=TX_GAS, value=value)
        self._changed()  # the sender's nonce moved, even if the constructor reverted
        if computation.is_error:
            raise RevertError(revert_reason(computation), f"{name}.__init__")
        checksum = to_checksum_address(str(address))
        self._receipt(computation, sender, None, created=checksum)
        return checksum, bytes(computation.output)

    def balance_of(self, account: str) -> int:
        """Wei held by ``account``."""
        return int(self.env.get_balance(account))

    # ------------------------------------------------------------ logs

    def get_logs(self, flt: dict[str, Any]) -> list[Log]:
        """``eth_getLogs``: address (one or a list), block range, topics (``None`` or alternatives)."""
        addresses = flt.get("address")
        if isinstance(addresses, str):
            addresses = [addresses]
        wanted = {to_checksum_address(a) for a in addresses} if addresses else None
        lo, hi = self._block_of(flt.get("fromBlock", "earliest")), self._block_of(flt.get("toBlock", "latest"))
        topics = [None if t is None else {bytes(HexBytes(x)) for x in ([t] if isinstance(t, str) else t)}
                  for t in flt.get("topics") or []]
        out = []
        for log in self.logs:
            if not lo <= log.block <= hi or (wanted is not None and log.address not in wanted):
                continue
            if len(topics) > len(log.topics) or any(
                    alt is not None and log.topics[i] not in alt for i, alt in enumerate(topics)):
                continue
            out.append(log)
        return out

    def _block_of(self, tag: Any) -> int:
        if isinstance(tag, int):
            return tag
        if tag == "earliest":
            return 0
        if tag in ("latest", "pending", "safe", "finalized"):
            return self.block_number
        return int(tag, 16)


class BoaProvider(BaseProvider):
    """A read-only JSON-RPC surface over a :class:`BoaChain` (writes go through :class:`BoaHandle`)."""

    def __init__(self) -> None:
        super().__init__()
        self.chain: BoaChain | None = None
        self._ids = itertools.count()

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        """Answer one request from the boa state."""
        c = self.chain
        assert c is not None, "the provider is not attached to a chain"
        handlers: dict[str, Any] = {
            "eth_chainId": lambda: hex(int(c.env.evm.patch.chain_id)),
            "net_version": lambda: str(int(c.env.evm.patch.chain_id)),
            "eth_blockNumber": lambda: hex(c.block_number),
            "eth_accounts": lambda: list(c.accounts),
            "eth_getBalance": lambda: hex(c.balance_of(params[0])),
            "eth_getCode": lambda: "0x" + bytes(c.env.get_code(params[0])).hex(),
            "eth_getLogs": lambda: [log.rpc() for log in c.get_logs(params[0])],
            "eth_getBlockByNumber": lambda: self._block(c, params[0]),
        }
        rid = next(self._ids)
        handler = handlers.get(str(method))
        if handler is None:
            return {"jsonrpc": "2.0", "id": rid,
                    "error": {"code": -32601, "message": f"{method} is not served by the boa backend"}}
        return {"jsonrpc": "2.0", "id": rid, "result": handler()}

    @staticmethod
    def _block(c: BoaChain, tag: Any) -> dict[str, Any]:
        number = c._block_of(tag)
        if number != c.block_number:
            raise ChainError("the boa backend keeps only the latest block header")
        return {"number": hex(number), "hash": "0x" + block_hash(number).hex(),
                "parentHash": "0x" + block_hash(number - 1).hex() if number else "0x" + "00" * 32,
                "timestamp": hex(c.timestamp()), "gasLimit": hex(TX_GAS), "transactions": []}

    def is_connected(self, show_traceback: bool = False) -> bool:
        """Always: the chain is in this process."""
        return True


def boa_chain(num_accounts: int = 20) -> BoaChain:
    """A fresh titanoboa chain with ``num_accounts`` funded accounts whose keys we hold."""
    if num_accounts < 1:
        raise ChainError("the boa chain needs at least one account")
    # boa wraps py-evm's opcode table once per Env; reuse its own first Env, then make new ones.
    env = boa.env if next(_ENVS) == 0 else Env()
    env.evm.patch.timestamp = int(time.time())  # like eth-tester: the clock starts now
    keys = [keccak(text=f"sharing boa account {i}") for i in range(num_accounts)]
    accounts = [to_checksum_address(Account.from_key(k).address) for k in keys]
    for a in accounts:
        env.set_balance(a, FUNDS)
    provider = BoaProvider()
    chain = BoaChain(w3=Web3(provider), kind="boa", accounts=accounts,
                     _keys=dict(zip(accounts, keys, strict=True)), env=env)
    provider.chain = chain
    chain.memo_views = os.environ.get("SHARING_BOA_VIEW_MEMO", "1") != "0"
    return chain


@dataclass
class BoaHandle(Handle):
    """A :class:`Handle` whose calls and transactions run in boa (selector, encoding and decoding reused)."""

    @property
    def boa_chain(self) -> BoaChain:
        assert isinstance(self.chain, BoaChain)
        return self.chain

    def call(self, fn: str, *args: Any) -> Any:
        """Read a view function; one value, or a list for several outputs."""
        raw = self.boa_chain.view(self.address, self.calldata(fn, *args), fn)
        return self._shape(fn).decode(raw)

    def transact(self, fn: str, *args: Any, sender: str, value: int = 0) -> dict[str, Any]:
        """Send a transaction from ``sender``; its receipt, or :class:`RevertError` with the reason."""
        receipt = self.boa_chain.send(self.address, self.calldata(fn, *args), sender, value, fn)
        self.transactions += 1
        return receipt

    def transact_many(self, calls: list[tuple[str, tuple[Any, ...], str]]) -> list[dict[str, Any]]:
        """Send ``(fn, args, sender)`` transactions one after the other (one block each)."""
        return [self.transact(fn, *args, sender=sender) for fn, args, sender in calls]


def deploy(chain: BoaChain, artifact: Artifact, *args: Any, sender: str, value: int = 0) -> BoaHandle:
    """Deploy ``artifact``'s own init code with constructor ``args`` (encoded by web3, as in production)."""
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    initcode = bytes(HexBytes(factory.constructor(*args).data_in_transaction))
    address, runtime = chain.deploy_code(initcode, sender, artifact.name, value)
    # The runtime code is the artifact's (its immutables appended after it, as vyper lays them out).
    if runtime[: artifact.runtime_size] not in initcode:
        raise ChainError(f"{artifact.name}: the deployed code is not the artifact's runtime code")
    contract = chain.w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact.abi)
    return BoaHandle(chain=chain, contract=contract, artifact=artifact)


class BoaAisSystem(ais.AisSystem):
    """:class:`AisSystem` on boa: everything inherited but the balance, read from boa's state."""

    def balance(self) -> int:
        """Wei held by the alliance contract (without web3's request pipeline)."""
        assert isinstance(self.chain, BoaChain)
        return self.chain.balance_of(self.address)


class BoaPesimSystem(pesim.PesimSystem):
    """:class:`PesimSystem` on boa: everything inherited but the balance, read from boa's state."""

    def balance(self) -> int:
        """Wei held by the contract (without web3's request pipeline)."""
        assert isinstance(self.chain, BoaChain)
        return self.chain.balance_of(self.address)


def deploy_ais(chain: BoaChain, governance: str | None = None, epoch_length: int = 86_400) -> ais.AisSystem:
    """:meth:`AisSystem.deploy` on boa: the same artifact and constructor, a :class:`BoaHandle`."""
    gov = governance or chain.accounts[0]
    handle = deploy(chain, load_artifact(ais.CONTRACT), epoch_length, sender=gov)
    return BoaAisSystem(chain=chain, alliance=handle, governance=gov)


def deploy_pesim(chain: BoaChain, governance: str | None = None) -> pesim.PesimSystem:
    """:meth:`PesimSystem.deploy` on boa."""
    gov = governance or chain.accounts[0]
    handle = deploy(chain, load_artifact(pesim.CONTRACT), sender=gov)
    return BoaPesimSystem(chain=chain, contract=handle, governance=gov)
