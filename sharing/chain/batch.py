"""A driver near a development node's speed: many signed transactions per block, in batches.

The one-transaction path (:mod:`sharing.chain.transactions`) sends, waits
for a receipt and decodes it through web3 - one HTTP round trip or more per
call, one block per transaction on an automining node. On a development
node (anvil) a simulation sends thousands of independent transactions per
phase, so :class:`BatchDriver` does what the node can take instead:

* **signs locally** (legacy EIP-155 transactions, signed with libsecp256k1
  through ``coincurve``: no web3 formatting per transaction);
* **sends in batched JSON-RPC requests** (one HTTP request carries up to
  1,000 ``eth_sendRawTransaction``), with automining switched off, and
  mines **one block per phase** (``evm_mine``): the block gas limit is
  raised for the phase's block (``evm_setBlockGasLimit``, up to
  :data:`MAX_BLOCK_GAS`) and set back after it. anvil recomputes the state
  root over the whole state at every block, so the cost of a block grows
  with the contract's storage: a long run must mine as few blocks as it can;
* **moves the clock without a block of its own** (``evm_increaseTime``): the
  next phase's block carries the new time, and a read or an estimate that
  comes first mines an empty block so that it sees the new time;
* **pins the base fee** of each batch block (``anvil_setNextBlockBaseFeePerGas``):
  full blocks would otherwise raise it 12.5 % a block, so that a long run
  would price itself out of its own accounts;
* **reads receipts and view calls in batches** (``eth_getTransactionReceipt``,
  ``eth_call``) and decodes logs from a topic table (:class:`LogDecoder`),
  with no per-event web3 machinery; the requests of a phase that do not
  depend on each other share one HTTP request.

Transactions of one batch must not depend on each other except through
their sender's nonce order (the node orders a block by fee, then nonce):
callers send one phase at a time (all commits, then all reveals, ...). A
transaction mined with status 0 is replayed as a call for its revert reason
(:class:`~sharing.errors.RevertError`); one that ran out of a cached gas
limit is sent again alone, with a fresh estimate, as the one-transaction
path does.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import coincurve
import requests
from eth_abi import decode
from eth_account.hdaccount import key_from_seed, seed_from_mnemonic
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes

from sharing.errors import ChainError

if TYPE_CHECKING:
    from sharing.chain.connect import Chain
    from sharing.chain.contract import Handle

#: Base fee pinned on every batch block, and the gas price the batch pays (1 gwei).
PINNED_BASE_FEE = 10**9
#: Largest number of requests in one JSON-RPC batch.
MAX_REQUESTS = 1000
#: Value transfers cost exactly this much gas.
TRANSFER_GAS = 21_000
_FEE = hex(PINNED_BASE_FEE)
#: Largest block gas limit a phase's block is given (anvil's default limit is 30M).
MAX_BLOCK_GAS = 2_000_000_000
#: Host names of this machine.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class RpcError(ChainError):
    """A JSON-RPC request was answered with an error."""


@dataclass
class Rpc:
    """Raw JSON-RPC over one keep-alive HTTP session: single calls and batches."""

    url: str
    timeout: float = 120.0
    _session: requests.Session = field(default_factory=requests.Session, repr=False)
    _ids: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def __post_init__(self) -> None:
        # A node on this machine needs no proxy, and reading the proxy environment
        # on every request costs more than a local request does.
        if urlparse(self.url).hostname in LOOPBACK:
            self._session.trust_env = False

    def call(self, method: str, *params: Any) -> Any:
        """One request; its result, or :class:`RpcError` with the node's message."""
        (answer,) = self.batch([(method, list(params))], raise_errors=True)
        return answer

    def batch(self, calls: Sequence[tuple[str, list[Any]]], raise_errors: bool = True) -> list[Any]:
        """Results of ``calls`` in order, ``MAX_REQUESTS`` per HTTP request.

        With ``raise_errors=False`` an error answer is returned in place as an
        :class:`RpcError` (not raised), so a caller can tell which call failed.
        """
        out: list[Any] = []
        for start in range(0, len(calls), MAX_REQUESTS):
            chunk = calls[start : start + MAX_REQUESTS]
            ids = [next(self._ids) for _ in chunk]
            body: list[Any] = [
                {"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                for i, (m, p) in zip(ids, chunk, strict=True)
            ]
            resp = self._session.post(self.url, json=body, timeout=self.timeout)
            resp.raise_for_status()
            answers = resp.json()
            if not isinstance(answers, list):  # a node refusing the whole batch
                raise RpcError(f"the node refused a batch request: {answers.get('error')}")
            by_id = {a.get("id"): a for a in answers}
            for i, (method, _params) in zip(ids, chunk, strict=True):
                a = by_id.get(i, {"error": {"message": "no answer in the batch"}})
                if "error" in a:
                    err = RpcError(f"{method}: {a['error'].get('message', a['error'])}")
                    if raise_errors:
                        raise err
                    out.append(err)
                else:
                    out.append(a.get("result"))
        return out


class FastSigner:
    """Signs legacy EIP-155 transactions for one key, without web3's per-transaction formatting."""

    def __init__(self, key: bytes, chain_id: int) -> None:
        self._key = coincurve.PrivateKey(key)
        self.chain_id = chain_id
        public = self._key.public_key.format(compressed=False)[1:]
        self.address = to_checksum_address(keccak(public)[-20:])

    def sign(
        self, nonce: int, gas_price: int, gas: int, to: bytes, value: int, data: bytes
    ) -> tuple[bytes, bytes]:
        """The raw signed transaction and its hash."""
        head = (
            _rlp_int(nonce) + _rlp_int(gas_price) + _rlp_int(gas) + _rlp_bytes(to)
            + _rlp_int(value) + _rlp_bytes(data)
        )
        unsigned = _rlp_list(head + _rlp_int(self.chain_id) + b"\x80\x80")
        sig = self._key.sign_recoverable(keccak(unsigned), hasher=None)
        v = sig[64] + 35 + 2 * self.chain_id
        raw = _rlp_list(head + _rlp_int(v) + _rlp_bytes(sig[:32].lstrip(b"\0"))
                        + _rlp_bytes(sig[32:64].lstrip(b"\0")))
        return raw, keccak(raw)


# RLP by hand for the one shape signed here: pyrlp's generic encode takes about 14 us a
# call against 2 us, and a signature needs two, so signing (the driver's per-transaction
# step) runs at about 27,000 a second instead of 16,000. A property test checks it
# byte for byte against eth-account.
def _rlp_length(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(size)]) + size


def _rlp_bytes(data: bytes) -> bytes:
    """RLP of a byte string (what ``rlp.encode`` gives for ``bytes``)."""
    if len(data) == 1 and data[0] < 0x80:
        return data
    return _rlp_length(len(data), 0x80) + data


def _rlp_int(value: int) -> bytes:
    """RLP of a non-negative integer: its big-endian bytes without leading zeros."""
    return _rlp_bytes(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _rlp_list(payload: bytes) -> bytes:
    """RLP of a list whose items' encodings are concatenated in ``payload``."""
    return _rlp_length(len(payload), 0xC0) + payload


def derive_keys(mnemonic: str, indexes: Sequence[int]) -> list[bytes]:
    """Private keys at ``m/44'/60'/0'/0/i`` (the seed stretched once, not once per key)."""
    seed = seed_from_mnemonic(mnemonic, "")
    return [key_from_seed(seed, f"m/44'/60'/0'/0/{i}") for i in indexes]


@dataclass(frozen=True)
class Call:
    """One transaction to send: to ``to`` (None: nowhere else matters) from ``sender``."""

    sender: str
    to: str
    data: bytes
    gas: int
    value: int = 0
    #: Names the action in errors ("commit").
    what: str = "transaction"


class LogDecoder:
    """Decodes a contract's events from receipt logs by their topic, for raw or web3 receipts.

    Each event's types are worked out once; a log is matched on its first
    topic as the node sent it (hex text in a raw receipt), so logs of other
    events cost a dictionary lookup, not a decode.
    """

    def __init__(self, abi: list[dict[str, Any]], address: str) -> None:
        self.address = address.lower()
        #: topic -> (name, [(argument, ABI type, indexed)], types of the data part)
        self._events: dict[bytes, tuple[str, list[tuple[str, str, bool]], list[str]]] = {}
        self._topics: dict[str, bytes] = {}
        for item in abi:
            if item.get("type") != "event":
                continue
            fields = [(i["name"], _abi_type(i), bool(i.get("indexed"))) for i in item["inputs"]]
            topic = keccak(text=f"{item['name']}({','.join(t for _, t, _ in fields)})")
            self._events[topic] = (item["name"], fields, [t for _, t, ix in fields if not ix])
            self._topics[item["name"]] = topic

    def events(self, receipt: dict[str, Any], name: str) -> list[dict[str, Any]]:
        """The ``name`` events this contract emitted in ``receipt``, as dicts of arguments."""
        return self.collect([receipt], (name,))[name]

    def collect(
        self, receipts: Sequence[dict[str, Any]], names: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Every ``names`` event this contract emitted in ``receipts``, by name, in log order."""
        wanted = {self._topics[n]: n for n in names}
        out: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        for receipt in receipts:
            for log in receipt["logs"]:
                topics = log["topics"]
                if not topics:
                    continue
                topic = _bytes(topics[0])
                name = wanted.get(topic)
                if name is None or str(log["address"]).lower() != self.address:
                    continue
                out[name].append(self._decode(topic, topics, _bytes(log["data"])))
        return out

    def _decode(self, topic: bytes, topics: Sequence[Any], data: bytes) -> dict[str, Any]:
        _name, fields, plain = self._events[topic]
        values = iter(decode(plain, data))
        indexed = iter(topics[1:])
        args: dict[str, Any] = {}
        for name, t, is_indexed in fields:
            if is_indexed:
                (value,) = decode([t], _bytes(next(indexed)))
            else:
                value = next(values)
            args[name] = to_checksum_address(value) if t == "address" else value
        return args


def _bytes(value: Any) -> bytes:
    """Bytes of a hex string (raw JSON) or of bytes-like (web3's HexBytes)."""
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("0x") else value)
    return bytes(value)


def _abi_type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


def is_dev_node(chain: Chain) -> bool:
    """Whether ``chain`` is an anvil node whose accounts' keys this process holds.

    Batched mining and a pinned base fee need anvil; local signing needs the
    keys (``rpc_chain`` derives them from the development mnemonic, which a
    node started with another one does not use).
    """
    if chain.kind != "rpc" or not chain.url or not chain.accounts:
        return False
    try:
        version = str(chain.w3.provider.make_request("web3_clientVersion", []).get("result"))  # type: ignore[arg-type]
        key = chain.key_of(chain.accounts[0])
    except Exception:  # noqa: BLE001 - any failure: not a node we can batch on
        return False
    return version.lower().startswith("anvil") and FastSigner(key, 1).address == chain.accounts[0]


class BatchDriver:
    """Sends phases of independent transactions to an anvil node, a block's worth per request."""

    def __init__(self, chain: Chain) -> None:
        if chain.kind != "rpc" or not chain.url:
            raise ChainError("the batch driver needs a JSON-RPC development node (anvil)")
        self.chain = chain
        self.rpc = Rpc(chain.url)
        self.chain_id = int(self.rpc.call("eth_chainId"), 16)
        self._signers: dict[str, FastSigner] = {}
        self.gas_limit = int(self.rpc.call("eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
        self.transactions = 0
        #: The clock moved (or a new block was asked for) since the last block was mined.
        self._stale = False
        self._pause, self._resume = _mining_switches(self.rpc)

    def signer(self, address: str) -> FastSigner:
        """The local signer of one of the chain's accounts (its key must be known)."""
        signer = self._signers.get(address)
        if signer is None:
            signer = FastSigner(self.chain.key_of(address), self.chain_id)
            self._signers[address] = signer  # as given, and checksummed
            self._signers[signer.address] = signer
        return signer

    # ------------------------------------------------------------------ send

    def send(self, calls: Sequence[Call]) -> list[dict[str, Any]]:
        """Sign, send and mine ``calls``; their receipts, in order (status checked).

        Raises
        ------
        RpcError
            The node refused a transaction (e.g. insufficient funds); the
            transactions of the batch before it may have been mined.
        """
        if not calls:
            return []
        senders = list(dict.fromkeys(c.sender for c in calls))
        block_gas = min(max(self.gas_limit, sum(c.gas for c in calls)), MAX_BLOCK_GAS)
        setup: list[tuple[str, list[Any]]] = [
            *self._pause,
            ("anvil_setNextBlockBaseFeePerGas", [_FEE]),
        ]
        restore_calls: list[tuple[str, list[Any]]] = list(self._resume)
        if block_gas > self.gas_limit:
            setup.append(("evm_setBlockGasLimit", [hex(block_gas)]))
            restore_calls.append(("evm_setBlockGasLimit", [hex(self.gas_limit)]))
        # Nonces, automining off, the block's gas limit and base fee: independent, one request.
        nonces = [("eth_getTransactionCount", [a, "pending"]) for a in senders]
        answers = self.rpc.batch(nonces + setup + [("eth_blockNumber", [])])
        first_block = int(answers[-1], 16) + 1
        restore = True
        try:
            nonce = {a: int(n, 16) for a, n in zip(senders, answers[: len(senders)], strict=True)}
            signed: list[tuple[bytes, bytes]] = []
            for c in calls:
                signer = self.signer(c.sender)
                n = nonce[c.sender]
                signed.append(
                    signer.sign(n, PINNED_BASE_FEE, c.gas, _bytes(c.to), c.value, c.data)
                )
                nonce[c.sender] = n + 1
            blocks: list[list[int]] = [[]]
            gas = 0
            for index, c in enumerate(calls):
                if blocks[-1] and gas + c.gas > block_gas:
                    blocks.append([])
                    gas = 0
                blocks[-1].append(index)
                gas += c.gas
            for number, block in enumerate(blocks):
                if number:  # after a full block the base fee would rise: pinned again
                    self.rpc.call("anvil_setNextBlockBaseFeePerGas", _FEE)
                sent = self.rpc.batch(
                    [("eth_sendRawTransaction", ["0x" + signed[i][0].hex()]) for i in block],
                    raise_errors=False,
                )
                refused = next((a for a in sent if isinstance(a, RpcError)), None)
                if refused is not None:
                    self.rpc.call("evm_mine")  # what was accepted is mined, not left pending
                    what = calls[block[sent.index(refused)]].what
                    raise RpcError(f"{what}: {str(refused).split(': ', 1)[-1]}")
                self.rpc.call("evm_mine")
                self._stale = False
            restore = False  # automining and the gas limit come back with the receipts' request
        finally:
            if restore:
                self.rpc.batch(restore_calls)
        receipts = self._receipts(
            [h for _, h in signed], restore_calls, range(first_block, first_block + len(blocks))
        )
        self.transactions += len(calls)
        return receipts

    def _receipts(
        self,
        hashes: list[bytes],
        with_first: list[tuple[str, list[Any]]],
        blocks: range,
    ) -> list[dict[str, Any]]:
        """Receipts of ``hashes``, mined in ``blocks``; ``with_first`` rides in the first request.

        A whole block's receipts come in one answer (``eth_getBlockReceipts``):
        asked one by one, anvil finds each receipt's place in its block anew,
        which costs the square of the block's size. A transaction not found
        there (a block it had no room in) is looked up by hash.
        """
        by_hash: dict[str, dict[str, Any]] = {}
        answers = self.rpc.batch(with_first + [("eth_getBlockReceipts", [hex(b)]) for b in blocks])
        for block in answers[len(with_first) :]:
            for r in block or ():
                by_hash[r["transactionHash"]] = r
        keys = ["0x" + h.hex() for h in hashes]
        found: list[dict[str, Any] | None] = [by_hash.get(k) for k in keys]
        missing = [i for i, r in enumerate(found) if r is None]
        for _attempt in range(3):
            if not missing:
                break
            self.rpc.call("evm_mine")  # a transaction the block had no room for
            answers = self.rpc.batch([("eth_getTransactionReceipt", [keys[i]]) for i in missing])
            for i, a in zip(missing, answers, strict=True):
                found[i] = a
            missing = [i for i, r in enumerate(found) if r is None]
        if missing:
            raise ChainError(f"transaction {keys[missing[0]]} was not mined after three blocks")
        return [_receipt(r) for r in found if r is not None]

    # ------------------------------------------------------------------ clock

    def new_block(self) -> None:
        """What follows must be in a later block than what came before.

        A phase's transactions always are (each phase mines its own block),
        so the block is mined only if a read or an estimate comes first.
        """
        self._stale = True

    def advance_time(self, seconds: int) -> None:
        """Move the clock forward by ``seconds``, without a block of its own.

        The next block, mined by the next phase or before the next read, is at the new time.
        """
        if seconds > 0:
            self.rpc.call("evm_increaseTime", seconds)
            self._stale = True

    def fresh(self) -> None:
        """Mine the block a moved clock (or :meth:`new_block`) asked for, if it is still due."""
        if self._stale:
            self.rpc.call("evm_mine")
            self._stale = False

    def timestamp(self) -> int:
        """Timestamp of the latest block (after any block that is due)."""
        self.fresh()
        return int(self.rpc.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def transact_many(
        self,
        handle: Handle,
        calls: Sequence[tuple[str, tuple[Any, ...], str]],
        values: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """``(fn, args, sender)`` calls of ``handle``'s contract, batched; their receipts.

        ``values`` gives the wei each call sends (none by default). A
        function's first use is estimated once (against the state before
        the batch); a transaction that fails is explained (its revert
        reason) or, out of gas on the cached limit, sent again alone.
        """
        if not calls:
            return []
        wei = list(values) if values is not None else [0] * len(calls)
        for (fn, args, sender), value in zip(calls, wei, strict=True):
            if fn not in handle.gas_limits:
                self.fresh()
                tx = {
                    "from": sender,
                    "to": handle.address,
                    "data": handle.calldata(fn, *args),
                    "value": value,
                }
                from sharing.chain.contract import GAS_MARGIN, GAS_PAD, translate_reverts

                with translate_reverts(fn):
                    estimate = self.chain.w3.eth.estimate_gas(tx)  # type: ignore[arg-type]
                handle.gas_limits[fn] = int(estimate * GAS_MARGIN) + GAS_PAD
        batch = [
            Call(
                sender,
                handle.address,
                handle.calldata(fn, *args),
                handle.gas_limits[fn],
                value=value,
                what=fn,
            )
            for (fn, args, sender), value in zip(calls, wei, strict=True)
        ]
        receipts = self.send(batch)
        handle.transactions += len(calls)
        for index, receipt in enumerate(receipts):
            if receipt["status"] == 1:
                continue
            fn, args, sender = calls[index]
            self._explain(handle, fn, batch[index], receipt)
            handle.gas_limits.pop(fn, None)
            handle.transactions -= 1  # transact counts it again
            receipts[index] = handle.transact(fn, *args, sender=sender, value=wei[index])
        return receipts

    def _explain(self, handle: Handle, fn: str, call: Call, receipt: dict[str, Any]) -> None:
        """Raise the revert reason of a failed transaction (a replay at its block), if any."""
        from sharing.chain.contract import translate_reverts

        tx = {"from": call.sender, "to": call.to, "data": call.data, "value": call.value}
        with translate_reverts(fn):
            self.chain.w3.eth.call(tx, block_identifier=receipt["blockNumber"])  # type: ignore[arg-type]

    # ------------------------------------------------------------------ read

    def call_many(self, handle: Handle, calls: Sequence[tuple[str, tuple[Any, ...]]]) -> list[Any]:
        """View calls of ``handle``'s contract in one batch, decoded as ``Handle.call`` does."""
        self.fresh()
        caller = self.chain.accounts[0] if self.chain.accounts else None
        requests_ = []
        for fn, args in calls:
            data = "0x" + handle.calldata(fn, *args).hex()
            tx: dict[str, Any] = {"to": handle.address, "data": data}
            if caller:
                tx["from"] = caller
            requests_.append(("eth_call", [tx, "latest"]))
        answers = self.rpc.batch(requests_)
        return [
            _decode_output(handle, fn, bytes(HexBytes(raw)))
            for (fn, _args), raw in zip(calls, answers, strict=True)
        ]

    # ------------------------------------------------------------------ funds

    def balances(self, addresses: Sequence[str]) -> list[int]:
        """The balance of each address, in wei, in one batch."""
        self.fresh()
        answers = self.rpc.batch([("eth_getBalance", [a, "latest"]) for a in addresses])
        return [int(a, 16) for a in answers]

    def top_up(self, funder: str, targets: Sequence[tuple[str, int]]) -> int:
        """Send each target what it lacks of its amount; the wei sent."""
        if not targets:
            return 0
        have = self.balances([a for a, _ in targets])
        calls = [
            Call(funder, a, b"", TRANSFER_GAS, value=need - h, what="fund")
            for (a, need), h in zip(targets, have, strict=True)
            if h < need
        ]
        self.send(calls)
        return sum(c.value for c in calls)


def _mining_switches(
    rpc: Rpc,
) -> tuple[list[tuple[str, list[Any]]], list[tuple[str, list[Any]]]]:
    """The requests that stop the node's own mining for a phase, and those that restore it.

    A phase is mined by ``evm_mine`` alone, so the node's mining is paused
    while it is sent: automining (the default) is switched off, interval
    mining (``anvil --block-time N``, as a real chain behaves) is set to 0
    (``evm_setAutomine(false)`` leaves it running, and ``evm_setAutomine(true)``
    would replace it for good). Afterwards the node mines as it did before
    the run.
    """
    try:
        automine, interval = rpc.batch(
            [("anvil_getAutomine", []), ("anvil_getIntervalMining", [])]
        )
    except RpcError:  # an anvil without these methods: automining, its default
        automine, interval = True, None
    if interval:
        return [("evm_setIntervalMining", [0])], [("evm_setIntervalMining", [int(interval)])]
    if automine:
        return [("evm_setAutomine", [False])], [("evm_setAutomine", [True])]
    return [], []  # the node mines only when asked: nothing to switch


def _decode_output(handle: Handle, fn: str, raw: bytes) -> Any:
    """A view call's return data decoded: one value, or a list for several outputs."""
    item = next(i for i in handle.artifact.abi if i.get("type") == "function" and i["name"] == fn)
    types = [_abi_type(o) for o in item.get("outputs", [])]
    values = [
        to_checksum_address(v) if t == "address" else v
        for t, v in zip(types, decode(types, raw), strict=True)
    ]
    return values[0] if len(values) == 1 else values


def _receipt(raw: dict[str, Any]) -> dict[str, Any]:
    """A raw JSON receipt with the integer fields callers read."""
    out = dict(raw)
    out["status"] = int(raw["status"], 16)
    out["blockNumber"] = int(raw["blockNumber"], 16)
    out["gasUsed"] = int(raw["gasUsed"], 16)
    return out
