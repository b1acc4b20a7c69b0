"""The one transaction layer: build, sign or delegate, send, and wait for confirmation.

Two ways to send exist, and everything above this module (``Handle``,
``deploy``, the drivers, the CLI) goes through :func:`send` and :func:`wait`
without caring which one is used:

* **Signed locally.** When the chain has a :class:`~sharing.chain.signer.Signer`
  for the sender (``chain.add_signer``), the transaction is built here
  (chain id, nonce, EIP-1559 fees, gas), signed in this process and sent
  with ``eth_sendRawTransaction``. The node never sees the key, so this works
  against any node: a testnet, a rollup, a company's own node.
* **Unlocked.** Otherwise the node signs (``eth_sendTransaction``), exactly as
  before this layer existed: the embedded chain and anvil's development
  accounts.

Nonces are kept locally per sender (:class:`NonceBook`): the first send
reads the node's *pending* count, and later sends count up from it without a
round trip, so several transactions can be in flight at once (``send`` them
all, then ``wait`` for each, as ``Handle.transact_many`` does). Any failed
send forgets the sender's count, so the next send re-reads it from the node;
a ``nonce too low`` answer (another process used the key) is retried once,
on the node's fresh count, and only if that count has moved past the refused
nonce (so one action is never sent twice). Reverting a snapshot forgets
every count (``Chain.revert``). The node's pending count is trusted to
include the sender's transactions still in its pool, as geth and anvil do;
the embedded chain counts mined transactions only, so there a sender has at
most one transaction waiting outside a block.

Fees follow EIP-1559: ``maxPriorityFeePerGas`` is the policy's tip or the
node's suggestion (``eth_maxPriorityFeePerGas``), and ``maxFeePerGas`` is
twice the next block's base fee plus the tip, the usual headroom for the
base fee to rise 12.5 % per full block for several blocks. A cap
(``TxPolicy.max_fee_wei``, ``--max-fee-gwei``) bounds ``maxFeePerGas``; if the
network's base fee is already above the cap the transaction is refused
*before* anything is signed or sent (:class:`FeeCapExceeded`), since it
could not be mined. A quote is reused for :data:`FEE_QUOTE_TTL_S`, far less
than the time the base fee needs to eat that headroom. A chain without
EIP-1559 (no ``baseFeePerGas``) gets a legacy ``gasPrice`` transaction,
capped the same way.

:func:`wait` returns a receipt once the transaction has ``confirmations``
blocks on it (1: mined) and is still in the same block when re-read (a
reorganisation is waited out, not reported as final). If that does not
happen within the policy's timeout it raises :class:`TransactionTimeout`
naming the hash, sender and nonce: the transaction may still be mined, and
the user must look it up before sending a replacement. Never a silent hang.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound

from sharing.errors import ChainError, InputError

if TYPE_CHECKING:
    from sharing.chain.connect import Chain
    from sharing.chain.signer import Signer

GWEI = 10**9
#: Seconds a fee quote is reused (the base fee moves at most 12.5 % per block).
FEE_QUOTE_TTL_S = 1.0
#: ``maxFeePerGas = BASE_FEE_HEADROOM * base fee + tip``.
BASE_FEE_HEADROOM = 2
#: First receipt poll interval; it doubles up to ``TxPolicy.poll_s``.
FIRST_POLL_S = 0.005

# How nodes word a send refused for its nonce (geth, anvil, eth-tester).
_NONCE_TOO_LOW = ("nonce too low", "invalid transaction nonce", "nonce has already been used")
_ALREADY_KNOWN = ("already known", "already imported", "known transaction")


class FeeCapExceeded(ChainError):
    """The network's base fee is above the fee cap: nothing was signed or sent."""


class TransactionTimeout(ChainError):
    """A sent transaction was not confirmed in time; ``tx_hash`` names it.

    It was sent and may still be mined: look it up (by hash) before sending a
    replacement, or the same action may happen twice.
    """

    def __init__(self, message: str, tx_hash: str) -> None:
        super().__init__(message)
        self.tx_hash = tx_hash


@dataclass(frozen=True)
class TxPolicy:
    """How transactions are priced and how long they are waited for.

    Attributes
    ----------
    max_fee_wei : int or None
        Cap on ``maxFeePerGas`` (legacy: ``gasPrice``); None for no cap.
    priority_fee_wei : int or None
        The tip; None asks the node (``eth_maxPriorityFeePerGas``).
    confirmations : int
        Blocks on top of and including the transaction's before it counts as
        done (1: mined).
    timeout_s : float
        Seconds from sending to the last confirmation before
        :class:`TransactionTimeout`.
    poll_s : float
        Longest pause between two receipt polls (polling starts faster).
    """

    max_fee_wei: int | None = None
    priority_fee_wei: int | None = None
    confirmations: int = 1
    timeout_s: float = 120.0
    poll_s: float = 0.5

    def __post_init__(self) -> None:
        if self.max_fee_wei is not None and self.max_fee_wei < 0:
            raise InputError(f"the fee cap must not be negative, got {self.max_fee_wei} wei")
        if self.priority_fee_wei is not None and self.priority_fee_wei < 0:
            raise InputError(f"the priority fee must not be negative, got {self.priority_fee_wei}")
        if self.confirmations < 1:
            raise InputError(f"--confirmations must be at least 1, got {self.confirmations}")
        if not self.timeout_s > 0:
            raise InputError(f"the transaction timeout must be positive, got {self.timeout_s} s")
        if not self.poll_s > 0:
            raise InputError(f"the poll interval must be positive, got {self.poll_s} s")

    @classmethod
    def from_gwei(
        cls,
        max_fee_gwei: str | float | Decimal | None = None,
        priority_fee_gwei: str | float | Decimal | None = None,
        confirmations: int = 1,
        timeout_s: float = 120.0,
    ) -> TxPolicy:
        """A policy from fees in gwei as a user writes them (``"1.5"``), converted exactly."""
        return cls(
            max_fee_wei=gwei_to_wei(max_fee_gwei, "--max-fee-gwei"),
            priority_fee_wei=gwei_to_wei(priority_fee_gwei, "--priority-fee-gwei"),
            confirmations=confirmations,
            timeout_s=timeout_s,
        )


def gwei_to_wei(value: str | float | Decimal | None, name: str = "fee") -> int | None:
    """``value`` gwei in wei, exactly (through ``Decimal``); None stays None.

    Raises
    ------
    InputError
        Not a number, negative, or finer than one wei.
    """
    if value is None:
        return None
    try:
        amount = Decimal(str(value)) * GWEI
    except InvalidOperation:
        raise InputError(f"{name} must be a number of gwei, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InputError(f"{name} must be a non-negative number of gwei, got {value!r}")
    if amount != amount.to_integral_value():
        raise InputError(f"{name} {value} gwei is not a whole number of wei")
    return int(amount)


def _gwei(wei: int) -> str:
    """Wei as a short gwei figure for messages."""
    return f"{Decimal(wei) / GWEI:f}".rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class Fees:
    """The fee fields of one transaction, and the base fee they were quoted on."""

    base_fee: int | None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    gas_price: int | None = None

    def fields(self) -> dict[str, int]:
        """The transaction fields: EIP-1559 ``type 2`` or legacy ``gasPrice``."""
        if self.gas_price is not None:
            return {"gasPrice": self.gas_price}
        assert self.max_fee_per_gas is not None and self.max_priority_fee_per_gas is not None
        return {
            "type": 2,
            "maxFeePerGas": self.max_fee_per_gas,
            "maxPriorityFeePerGas": self.max_priority_fee_per_gas,
        }


def quote_fees(w3: Web3, policy: TxPolicy) -> Fees:
    """Fees for a transaction sent now under ``policy``.

    Raises
    ------
    FeeCapExceeded
        The next block's base fee (legacy: the gas price) is above the cap.
    """
    try:
        block = w3.eth.get_block("pending")
    except Exception:  # noqa: BLE001 - a node without a pending block: the latest will do
        block = None
    if block is None or "baseFeePerGas" not in block:
        block = w3.eth.get_block("latest")
    cap = policy.max_fee_wei
    base_field = block.get("baseFeePerGas")
    if base_field is None:  # no EIP-1559 on this chain
        price = int(w3.eth.gas_price)
        if cap is not None and price > cap:
            raise FeeCapExceeded(
                f"the network's gas price is {_gwei(price)} gwei, above the cap of {_gwei(cap)} "
                "gwei (--max-fee-gwei); nothing was sent: raise the cap or wait for cheaper blocks"
            )
        return Fees(base_fee=None, gas_price=price)
    base = int(base_field)
    if cap is not None and base > cap:
        raise FeeCapExceeded(
            f"the network's base fee is {_gwei(base)} gwei, above the cap of {_gwei(cap)} gwei "
            "(--max-fee-gwei); nothing was sent: raise the cap or wait for cheaper blocks"
        )
    tip = policy.priority_fee_wei
    if tip is None:
        tip = int(w3.eth.max_priority_fee)
    max_fee = BASE_FEE_HEADROOM * base + tip
    if cap is not None:
        max_fee = min(max_fee, cap)
        tip = min(tip, max_fee - base)  # what is left above the base fee goes to the tip
    return Fees(base_fee=base, max_fee_per_gas=max_fee, max_priority_fee_per_gas=tip)


class NonceBook:
    """The next nonce of each local sender, counted here between sends.

    Thread-safe, so that a later driver may sign from several threads.
    """

    def __init__(self) -> None:
        self._next: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, w3: Web3, address: ChecksumAddress) -> int:
        """The nonce for ``address``'s next transaction (the node's pending count first)."""
        with self._lock:
            nonce = self._next.get(address)
            if nonce is None:
                nonce = int(w3.eth.get_transaction_count(address, "pending"))
            self._next[address] = nonce + 1
            return nonce

    def forget(self, address: str) -> None:
        """Re-read ``address``'s count from the node at its next send (after a failure)."""
        with self._lock:
            self._next.pop(address, None)

    def clear(self) -> None:
        """Forget every count (the chain was reverted to a snapshot)."""
        with self._lock:
            self._next.clear()

    def peek(self, address: str) -> int | None:
        """The next nonce held for ``address``, if any (for tests and diagnostics)."""
        with self._lock:
            return self._next.get(address)


@dataclass
class TxState:
    """Per-chain state of the layer: nonces, the last fee quote, the chain id."""

    nonces: NonceBook = field(default_factory=NonceBook)
    chain_id: int | None = None
    _quote: tuple[float, TxPolicy, Fees] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fees(self, w3: Web3, policy: TxPolicy) -> Fees:
        """A fee quote, reused for :data:`FEE_QUOTE_TTL_S` under the same policy."""
        now = time.monotonic()
        with self._lock:
            cached = self._quote
        if cached is not None and cached[1] == policy and now - cached[0] < FEE_QUOTE_TTL_S:
            return cached[2]
        fees = quote_fees(w3, policy)
        with self._lock:
            self._quote = (now, policy, fees)
        return fees

    def chain_id_of(self, w3: Web3) -> int:
        """The chain id, asked once (it is part of every signature)."""
        if self.chain_id is None:
            self.chain_id = int(w3.eth.chain_id)
        return self.chain_id

    def reset(self) -> None:
        """Forget nonces and the fee quote (after a snapshot revert)."""
        self.nonces.clear()
        with self._lock:
            self._quote = None


@dataclass(frozen=True)
class Sent:
    """A transaction handed to the node: what :func:`wait` needs to find and report it."""

    tx_hash: HexBytes
    sender: str
    nonce: int | None = None
    signed: bool = False

    @property
    def hash_hex(self) -> str:
        """The hash as ``0x...``."""
        return _hex(self.tx_hash)


def _hex(tx_hash: bytes) -> str:
    text = HexBytes(tx_hash).hex()
    return text if text.startswith("0x") else f"0x{text}"


def send(chain: Chain, tx: dict[str, Any]) -> Sent:
    """Send ``tx`` (``from``, ``to`` or none for a deployment, ``value``, ``data``, ``gas``).

    With a signer for ``tx["from"]`` on ``chain`` the transaction is built,
    signed and sent raw; without one the node is asked to sign
    (``eth_sendTransaction``, unchanged). A missing ``gas`` is estimated.
    Errors of the node (a revert at submission, insufficient funds) are
    raised as the node raised them, for ``translate_reverts`` to word.
    """
    signer = chain.signer_of(str(tx["from"]))
    if signer is None:
        return Sent(HexBytes(chain.w3.eth.send_transaction(tx)), str(tx["from"]))  # type: ignore[arg-type]
    return _send_signed(chain, signer, tx)


def _send_signed(chain: Chain, signer: Signer, tx: dict[str, Any]) -> Sent:
    """Fill in, sign and send one transaction; re-sync the nonce on any failure."""
    w3, state = chain.w3, chain._tx
    sender = signer.address
    body: dict[str, Any] = {
        "chainId": state.chain_id_of(w3),
        "value": int(tx.get("value", 0)),
        "data": HexBytes(tx.get("data", b"")),
    }
    if tx.get("to"):
        body["to"] = Web3.to_checksum_address(tx["to"])
    if "gas" in tx:
        body["gas"] = int(tx["gas"])
    else:
        probe: dict[str, Any] = {"from": sender}
        probe.update({k: body[k] for k in ("to", "value", "data") if k in body})
        body["gas"] = int(w3.eth.estimate_gas(probe))  # type: ignore[arg-type]
    body.update(state.fees(w3, chain.tx_policy).fields())
    refused: int | None = None
    while True:
        body["nonce"] = state.nonces.take(w3, sender)
        if refused is not None and body["nonce"] <= refused:
            # The node's count did not move past the refused nonce: nothing to retry on.
            state.nonces.forget(sender)
            raise ChainError(
                f"{sender}: the node refused nonce {refused} but counts {body['nonce']} sent: "
                "an earlier transaction of this account is waiting outside its count"
            )
        signed = signer.sign_transaction(body)
        try:
            tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as exc:
            state.nonces.forget(sender)
            text = str(exc).lower()
            if any(s in text for s in _ALREADY_KNOWN):
                # These very bytes are in the node's pool already: sent, not an error.
                return Sent(HexBytes(signed.hash), sender, body["nonce"], True)
            if refused is None and any(s in text for s in _NONCE_TOO_LOW):
                refused = body["nonce"]  # another process used the key: once more, on its count
                continue
            raise
        return Sent(HexBytes(tx_hash), sender, body["nonce"], True)


def wait(chain: Chain, sent: Sent | bytes, what: str = "transaction") -> dict[str, Any]:
    """The receipt of ``sent`` once it has the policy's confirmations.

    Parameters
    ----------
    chain : Chain
        Its ``tx_policy`` gives the confirmations, the timeout and the poll cap.
    sent : Sent or bytes
        What :func:`send` returned, or a bare transaction hash.
    what : str
        Names the action in a timeout message (``"commit"``).

    Raises
    ------
    TransactionTimeout
        Not confirmed within ``tx_policy.timeout_s``; the message names the hash.
    """
    if not isinstance(sent, Sent):
        sent = Sent(HexBytes(sent), "unknown sender")
    w3, policy = chain.w3, chain.tx_policy
    deadline = time.monotonic() + policy.timeout_s
    pause = min(FIRST_POLL_S, policy.poll_s)
    seen_block: int | None = None
    while True:
        receipt = _receipt(w3, sent.tx_hash)
        if receipt is not None:
            if policy.confirmations <= 1:
                return receipt
            seen_block = int(receipt["blockNumber"])
            if w3.eth.block_number >= seen_block + policy.confirmations - 1:
                # Re-read: a reorganisation may have moved it; then wait where it landed.
                again = _receipt(w3, sent.tx_hash)
                if again is not None and again["blockHash"] == receipt["blockHash"]:
                    return again
        if time.monotonic() >= deadline:
            message = _timeout_message(sent, what, policy, seen_block)
            raise TransactionTimeout(message, sent.hash_hex)
        time.sleep(pause)
        pause = min(pause * 2, policy.poll_s)


def _receipt(w3: Web3, tx_hash: bytes) -> dict[str, Any] | None:
    try:
        receipt = w3.eth.get_transaction_receipt(HexBytes(tx_hash))
    except TransactionNotFound:
        return None
    return dict(receipt) if receipt is not None else None


def _timeout_message(sent: Sent, what: str, policy: TxPolicy, seen_block: int | None) -> str:
    nonce = f", nonce {sent.nonce}" if sent.nonce is not None else ""
    if seen_block is None:
        state = "not mined"
    else:
        state = f"mined in block {seen_block} but without {policy.confirmations} confirmations"
    return (
        f"{what}: transaction {sent.hash_hex} (from {sent.sender}{nonce}) {state} within "
        f"{policy.timeout_s:g} s; it may still be mined: look it up by hash before sending again"
    )
