"""A thin contract handle: explicit senders, cached gas, reverts as domain errors.

Both chains report a revert differently (eth-tester raises
``TransactionFailed``, a JSON-RPC node raises web3's ``ContractLogicError``,
and with an explicit gas limit a failing transaction is mined with status
0). :func:`translate_reverts` is the one place that turns all of them into
:class:`sharing.errors.RevertError` carrying the contract's reason string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, Web3RPCError

from sharing.chain.compile import Artifact
from sharing.chain.connect import Chain
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


@dataclass
class Handle:
    """A deployed contract with explicit senders and per-function gas limits."""

    chain: Chain
    contract: Contract
    artifact: Artifact
    gas_limits: dict[str, int] = field(default_factory=dict)
    transactions: int = 0

    @property
    def address(self) -> ChecksumAddress:
        """Address of the contract."""
        return self.contract.address

    def call(self, fn: str, *args: Any) -> Any:
        """Read a view function."""
        with translate_reverts(fn):
            return getattr(self.contract.functions, fn)(*args).call()

    def transact(self, fn: str, *args: Any, sender: str, value: int = 0) -> dict[str, Any]:
        """Send a transaction from ``sender`` and return its receipt.

        The first call of a function is estimated (which also surfaces a
        revert reason); later calls reuse that limit with headroom, so that
        the node does not simulate each transaction twice. A transaction
        mined with status 0 is replayed as a call to recover its reason.
        """
        bound = getattr(self.contract.functions, fn)(*args)
        for _attempt in range(2):
            tx: dict[str, Any] = {"from": sender, "value": value}
            with translate_reverts(fn):
                limit = self.gas_limits.get(fn)
                if limit is None:
                    limit = int(bound.estimate_gas(tx) * GAS_MARGIN) + GAS_PAD
                    self.gas_limits[fn] = limit
                tx["gas"] = limit
                tx_hash = bound.transact(tx)
                receipt = dict(self.chain.w3.eth.wait_for_transaction_receipt(tx_hash))
            self.transactions += 1
            if receipt["status"] == 1:
                return receipt
            self._explain_failure(bound, tx, receipt, fn)
            # Out of gas on a cached limit: nothing happened but the nonce; estimate again.
            self.gas_limits.pop(fn, None)
        raise ChainError(f"{fn}: ran out of gas twice (last limit {tx['gas']})")

    def _explain_failure(
        self, bound: Any, tx: dict[str, Any], receipt: dict[str, Any], fn: str
    ) -> None:
        """Raise the revert reason of a failed transaction, if it reverted."""
        block = receipt["blockNumber"] - 1
        call_tx = {k: v for k, v in tx.items() if k != "gas"}
        with translate_reverts(fn):
            bound.call(call_tx, block_identifier=block)

    def events(self, receipt: dict[str, Any], name: str) -> list[dict[str, Any]]:
        """Decoded ``name`` events of a receipt, as plain dicts of their arguments."""
        event = getattr(self.contract.events, name)()
        return [dict(log["args"]) for log in event.process_receipt(receipt, errors=_DISCARD)]

    def all_events(self, receipt: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Every event of this contract in a receipt, in log order."""
        found: list[tuple[int, str, dict[str, Any]]] = []
        for abi in self.artifact.abi:
            if abi.get("type") != "event":
                continue
            ev = getattr(self.contract.events, abi["name"])()
            for log in ev.process_receipt(receipt, errors=_DISCARD):
                found.append((log["logIndex"], abi["name"], dict(log["args"])))
        return [(n, a) for _, n, a in sorted(found, key=lambda t: t[0])]


def _discard() -> Any:
    from web3.logs import DISCARD

    return DISCARD


_DISCARD = _discard()


def deploy(chain: Chain, artifact: Artifact, *args: Any, sender: str) -> Handle:
    """Deploy ``artifact`` with constructor ``args`` from ``sender``."""
    factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    with translate_reverts(f"{artifact.name}.__init__"):
        tx_hash = factory.constructor(*args).transact({"from": sender})
        receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1 or not receipt["contractAddress"]:
        raise ChainError(f"deploying {artifact.name} failed")
    return at(chain, artifact, receipt["contractAddress"])


def at(chain: Chain, artifact: Artifact, address: str) -> Handle:
    """A handle on an existing deployment; refuses an address without code."""
    checksum = Web3.to_checksum_address(address)
    if not chain.w3.eth.get_code(checksum):
        raise ChainError(f"no contract code at {checksum} on chain {chain.chain_id}")
    contract = chain.w3.eth.contract(address=checksum, abi=artifact.abi)
    return Handle(chain=chain, contract=contract, artifact=artifact)
