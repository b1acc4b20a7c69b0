"""A thin contract handle: explicit senders, cached gas, reverts as domain errors.

Both chains report a revert differently (eth-tester raises
``TransactionFailed``, a JSON-RPC node raises web3's ``ContractLogicError``,
and with an explicit gas limit a failing transaction is mined with status
0). :func:`translate_reverts` is the one place that turns all of them into
:class:`sharing.errors.RevertError` carrying the contract's reason string.

Sending and waiting go through :mod:`sharing.chain.transactions`, so a
sender whose key this process holds (``chain.add_signer``) is signed locally
and sent raw, and every other sender is signed by the node as before; the
gas limits, the pipelining and the revert reasons here are the same either
way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode, encode
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, Web3RPCError
from web3.logs import DISCARD

from sharing.chain.compile import Artifact
from sharing.chain.connect import Chain
from sharing.chain.transactions import Sent, send, wait
from sharing.errors import ChainError, RevertError

_REASON = re.compile(r"execution reverted:?\s*(.*)", re.S)

#: Gas headroom over the largest estimate seen for a call shape.
GAS_MARGIN = 1.25
GAS_PAD = 30_000


def _reason_of(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    if isinstance(exc, ContractLogicError) and exc.message:
        text = exc.message
    m = _REASON.search(text)
    reason = (m.group(1) if m else text).strip().strip("'\"")
    return reason or "reverted without a reason"


@contextmanager
def translate_reverts(function: str | None = None) -> Iterator[None]:
    """Turn any chain's revert into :class:`RevertError` with its reason string."""
    try:
        from eth_tester.exceptions import TransactionFailed
    except ImportError:  # pragma: no cover - eth-tester is a dependency
        TransactionFailed = ContractLogicError  # noqa: N806
    try:
        yield
    except (TransactionFailed, ContractLogicError) as exc:
        raise RevertError(_reason_of(exc), function) from None
    except Web3RPCError as exc:
        msg = str(exc)
        if "revert" in msg:
            raise RevertError(_reason_of(exc), function) from None
        raise ChainError(f"{function or 'call'}: node error: {msg.splitlines()[0]}") from None


@dataclass(frozen=True)
class _FunctionShape:
    """Selector and ABI types of one function, computed once from the artifact."""

    selector: bytes
    inputs: list[str]
    outputs: list[str]

    @classmethod
    def of(cls, abi: list[dict[str, Any]], fn: str) -> _FunctionShape:
        for item in abi:
            if item.get("type") == "function" and item["name"] == fn:
                inputs = [_type_of(i) for i in item["inputs"]]
                outputs = [_type_of(o) for o in item.get("outputs", [])]
                selector = keccak(text=f"{fn}({','.join(inputs)})")[:4]
                return cls(selector, inputs, outputs)
        raise ChainError(f"the contract has no function {fn!r}")

    def decode(self, raw: bytes) -> Any:
        values = [
            _checksummed(t, v) for t, v in zip(self.outputs, decode(self.outputs, raw), strict=True)
        ]
        return values[0] if len(values) == 1 else values


def _type_of(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type_of(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


def _checksummed(abi_type: str, value: Any) -> Any:
    if abi_type == "address":
        return Web3.to_checksum_address(value)
    if abi_type.endswith("]") and abi_type.startswith("address"):
        return [Web3.to_checksum_address(v) for v in value]
    return value


@dataclass
class Handle:
    """A deployed contract with explicit senders and per-function gas limits."""

    chain: Chain
    contract: Contract
    artifact: Artifact
    gas_limits: dict[str, int] = field(default_factory=dict)
    transactions: int = 0
    #: The deployment's receipt when this process deployed it (for the deployment file).
    deploy_receipt: dict[str, Any] | None = field(default=None, repr=False)
    _shapes: dict[str, _FunctionShape] = field(default_factory=dict, repr=False)

    @property
    def address(self) -> ChecksumAddress:
        """Address of the contract."""
        return self.contract.address

    def _shape(self, fn: str) -> _FunctionShape:
        shape = self._shapes.get(fn)
        if shape is None:
            shape = _FunctionShape.of(self.artifact.abi, fn)
            self._shapes[fn] = shape
        return shape

    def calldata(self, fn: str, *args: Any) -> bytes:
        """ABI-encoded call of ``fn`` (selector and types cached once per function)."""
        shape = self._shape(fn)
        return shape.selector + encode(shape.inputs, list(args))

    def call(self, fn: str, *args: Any) -> Any:
        """Read a view function; one value, or a list for several outputs."""
        shape = self._shape(fn)
        # An explicit sender spares web3's eth-tester middleware from listing
        # (and checksumming) every account to fill one in: 17 ms -> ~3 ms a call.
        tx: dict[str, Any] = {"to": self.address, "data": self.calldata(fn, *args)}
        caller = _caller(self.chain)
        if caller is not None:
            tx["from"] = caller
        with translate_reverts(fn):
            raw = self.chain.w3.eth.call(tx)  # type: ignore[arg-type]
        return shape.decode(bytes(raw))

    def transact(self, fn: str, *args: Any, sender: str, value: int = 0) -> dict[str, Any]:
        """Send a transaction from ``sender`` and return its receipt.

        The first call of a function is estimated (which also surfaces a
        revert reason); later calls reuse that limit with headroom, so that
        the node does not simulate each transaction twice. A transaction
        mined with status 0 is replayed as a call to recover its reason.
        A sender with a signer on the chain is signed locally
        (:func:`sharing.chain.transactions.send`).
        """
        eth = self.chain.w3.eth
        data = self.calldata(fn, *args)
        for _attempt in range(2):
            tx: dict[str, Any] = {"from": sender, "to": self.address, "value": value, "data": data}
            with translate_reverts(fn):
                limit = self.gas_limits.get(fn)
                if limit is None:
                    limit = int(eth.estimate_gas(tx) * GAS_MARGIN) + GAS_PAD  # type: ignore[arg-type]
                    self.gas_limits[fn] = limit
                tx["gas"] = limit
                receipt = wait(self.chain, send(self.chain, tx), fn)
            self.transactions += 1
            if receipt["status"] == 1:
                return receipt
            self._explain_failure(fn, tx, receipt)
            # Out of gas on a cached limit: nothing happened but the nonce; estimate again.
            self.gas_limits.pop(fn, None)
        raise ChainError(f"{fn}: ran out of gas twice (last limit {tx['gas']})")

    def transact_many(self, calls: list[tuple[str, tuple[Any, ...], str]]) -> list[dict[str, Any]]:
        """Send ``(fn, args, sender)`` transactions back to back, then collect their receipts.

        Pipelining saves a round trip per transaction on an RPC node. A
        function's first use is estimated (and sent alone); a failed
        transaction raises its revert reason, as :meth:`transact` does.
        Locally signed senders get consecutive nonces from the chain's
        nonce book, so all of them are in flight before the first receipt.
        """
        receipts: list[dict[str, Any] | None] = [None] * len(calls)
        pending: list[tuple[int, str, dict[str, Any], Sent]] = []
        for index, (fn, args, sender) in enumerate(calls):
            if fn not in self.gas_limits:
                receipts[index] = self.transact(fn, *args, sender=sender)
                continue
            tx: dict[str, Any] = {
                "from": sender,
                "to": self.address,
                "value": 0,
                "data": self.calldata(fn, *args),
                "gas": self.gas_limits[fn],
            }
            with translate_reverts(fn):
                pending.append((index, fn, tx, send(self.chain, tx)))
        for index, fn, tx, sent in pending:
            receipt = wait(self.chain, sent, fn)
            self.transactions += 1
            if receipt["status"] != 1:
                self._explain_failure(fn, tx, receipt)
                self.gas_limits.pop(fn, None)
                receipt = self.transact(fn, *calls[index][1], sender=calls[index][2])
            receipts[index] = receipt
        return [r for r in receipts if r is not None]

    def _explain_failure(self, fn: str, tx: dict[str, Any], receipt: dict[str, Any]) -> None:
        """Raise the revert reason of a failed transaction, if it reverted.

        The call is replayed at the transaction's own block, not its parent:
        with one transaction per block the state differs only by the sender's
        nonce, and ``block.number`` is the one the transaction saw (at the
        parent, a reveal mined one block after its commit would be misreported
        as "reveal in the commit block").
        """
        call_tx = {k: v for k, v in tx.items() if k != "gas"}
        with translate_reverts(fn):
            self.chain.w3.eth.call(call_tx, block_identifier=receipt["blockNumber"])  # type: ignore[arg-type]

    def events(self, receipt: dict[str, Any], name: str) -> list[dict[str, Any]]:
        """Decoded ``name`` events of a receipt, as plain dicts of their arguments."""
        event = getattr(self.contract.events, name)()
        return [dict(log["args"]) for log in event.process_receipt(receipt, errors=DISCARD)]

    def all_events(self, receipt: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Every event of this contract in a receipt, in log order."""
        found: list[tuple[int, str, dict[str, Any]]] = []
        for abi in self.artifact.abi:
            if abi.get("type") != "event":
                continue
            ev = getattr(self.contract.events, abi["name"])()
            for log in ev.process_receipt(receipt, errors=DISCARD):
                found.append((log["logIndex"], abi["name"], dict(log["args"])))
        return [(n, a) for _, n, a in sorted(found, key=lambda t: t[0])]


def deploy(chain: Chain, artifact: Artifact, *args: Any, sender: str, value: int = 0) -> Handle:
    """Deploy ``artifact`` with constructor ``args`` from ``sender`` (``value`` wei if payable).

    The gas is estimated (by the node for an unlocked sender, here for a
    signed one), so a constructor that reverts is reported before sending.
    """
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    what = f"{artifact.name}.__init__"
    with translate_reverts(what):
        data = factory.constructor(*args).data_in_transaction
        tx: dict[str, Any] = {"from": sender, "value": value, "data": data}
        receipt = wait(chain, send(chain, tx), what)
    if receipt["status"] != 1 or not receipt["contractAddress"]:
        raise ChainError(f"deploying {artifact.name} failed")
    handle = at(chain, artifact, receipt["contractAddress"])
    handle.deploy_receipt = receipt
    return handle


def _caller(chain: Chain) -> str | None:
    """The ``from`` of a read: an unlocked account, else one of our signers, else none."""
    if chain.accounts:
        return chain.accounts[0]
    return next(iter(chain.signers), None)


def at(chain: Chain, artifact: Artifact, address: str) -> Handle:
    """A handle on an existing deployment; refuses an address without code."""
    checksum = Web3.to_checksum_address(address)
    if not chain.w3.eth.get_code(checksum):
        raise ChainError(f"no contract code at {checksum} on chain {chain.chain_id}")
    contract = chain.w3.eth.contract(address=checksum, abi=artifact.abi)
    return Handle(chain=chain, contract=contract, artifact=artifact)
