r"""Signed pool requests: EIP-712 typed data that any wallet or language can sign.

A member reads from and writes to the pool (:mod:`sharing.pool.store`) with
a request signed by its key; who may then read what is
:mod:`sharing.pool.access`.  This module is the request itself: its
fields, its one JSON form, signing (a raw key, an eth-account account or a
keystore :class:`~sharing.chain.signer.Signer`) and verifying (the
signature recovers to the requester, or the requester's contract accepts
it, EIP-1271).

Request format (3)
------------------
A request is the EIP-712 typed data below; its text (what travels, in
:class:`SignedRequest`) is that JSON object, the exact parameter a wallet's
``eth_signTypedData_v4`` takes.  The signature is over the EIP-712 digest,
``keccak256(0x19 0x01 || domainSeparator || hashStruct(message))``, so the
JSON's spelling (spaces, key order) does not matter, but its values must be
exactly those the request's fields render to (:meth:`PoolRequest.typed_data`:
EIP-55 addresses, lower-case hex, JSON numbers), so one request has one
meaning::

    domain:  {name: "sharing-pool", version: "3",
              chainId: <the pool's chain id>,
              verifyingContract: <EIP-55 address of the alliance contract>}
    PoolRequest(string action, bytes32 contentHash, address[] recipients,
                address requester, bytes16 nonce, uint64 issued, uint64 expires)

* ``action`` is ``get``, ``list`` or ``put``;
* ``contentHash`` is the bundle's hash for ``get``/``put``, 32 zero bytes
  for ``list``;
* ``recipients`` (``put`` only, else empty) lists EIP-55 addresses sorted
  by their lower-case form, without duplicates;
* ``nonce`` is 16 random bytes; ``issued`` and ``expires`` are unix
  seconds, ``expires`` not before ``issued``.

docs/pool_requests.md has a worked example (typed data, digest and the
signature of a published test key) to check another implementation against.
Each field closes one attack:

* the domain's ``name`` and ``version`` and ``action`` keep a signature
  for one operation from being used for another (a ``list`` signature
  cannot ``put``), or for another protocol;
* ``contentHash`` binds a ``get``/``put`` to one bundle, and ``recipients``
  binds a ``put`` to its AMBER+STRICT distribution list, so nobody can
  upload the submitter's bundle with a list of their own;
* ``chainId`` and ``verifyingContract`` are the domain: a signature for a
  test network or another ISAC's pool is refused here;
* ``nonce`` makes each signature single-use (the store remembers spent
  nonces until they expire), and ``expires`` bounds how long a leaked
  signature is worth anything (the store also refuses a request that
  lives, from ``issued`` to ``expires``, longer than its ``max_ttl``);
* ``issued`` tells the store when the request could first have been used
  (it refuses one issued in the future), so a store that cannot have seen
  it spent - one whose record of spent nonces began later, such as an
  in-memory store after a restart - refuses it instead of accepting a
  replay (:mod:`sharing.pool.store`, "Replay").

**Contract wallets (EIP-1271).**  A membership may be held by a contract
(a multisig, a smart account): the requester is then the contract, which
cannot sign.  When the signature does not recover to the requester, the
store asks the requester's code, if the chain view offers
``is_valid_signature(account, digest, signature)``, whether it accepts the
signature for the request's digest (``isValidSignature(bytes32,bytes)``
returning ``0x1626ba7e``).

"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Protocol, runtime_checkable

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_utils import is_address, is_checksum_address, keccak, to_checksum_address

from sharing.errors import AccessDenied, InputError

__all__ = [
    "DEFAULT_TTL",
    "DOMAIN_NAME",
    "EIP1271_MAGIC",
    "REQUEST_TYPES",
    "REQUEST_VERSION",
    "Action",
    "ContractSignatureCheck",
    "DenyReason",
    "MessageSigner",
    "PoolAccessDenied",
    "PoolRequest",
    "SignedRequest",
    "make_request",
    "normalise_address",
    "recover_request",
    "sign_request",
]

#: The EIP-712 domain's name and version; bump the version if the format changes.
DOMAIN_NAME: Final = "sharing-pool"
REQUEST_VERSION: Final = "3"
#: The EIP-712 types of a request (``EIP712Domain`` and the primary type ``PoolRequest``).
REQUEST_TYPES: Final = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "PoolRequest": [
        {"name": "action", "type": "string"},
        {"name": "contentHash", "type": "bytes32"},
        {"name": "recipients", "type": "address[]"},
        {"name": "requester", "type": "address"},
        {"name": "nonce", "type": "bytes16"},
        {"name": "issued", "type": "uint64"},
        {"name": "expires", "type": "uint64"},
    ],
}
#: What ``isValidSignature(bytes32,bytes)`` returns for a signature it accepts (EIP-1271).
EIP1271_MAGIC: Final = bytes.fromhex("1626ba7e")
_UINT64 = 2**64
#: Default lifetime of a request made by :func:`make_request`, seconds.
DEFAULT_TTL: Final = 300


class DenyReason(StrEnum):
    """Why a request was refused; the value appears in the error message."""

    NO_SIGNATURE = "no signature"
    MALFORMED = "malformed request"
    BAD_SIGNATURE = "bad signature"
    WRONG_POOL = "wrong pool"
    EXPIRED = "expired"
    TTL_TOO_LONG = "expiry too far ahead"
    REQUEST_MISMATCH = "request mismatch"
    REPLAYED = "replayed"
    ISSUED_IN_FUTURE = "issued in the future"
    NOT_PROVABLY_UNSPENT = "not provably unspent"
    NOT_MEMBER = "not a member"
    NO_ACCESS = "no pool access"
    MARKING_FORBIDS = "marking forbids"
    NOT_SUBMITTER = "not the submitter"


class PoolAccessDenied(AccessDenied):
    """A pool request was refused; :attr:`reason` says which rule refused it."""

    def __init__(self, reason: DenyReason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"pool: access denied ({reason.value}): {detail}")


class Action(StrEnum):
    """What a request asks the pool to do."""

    GET = "get"
    LIST = "list"
    PUT = "put"


def normalise_address(value: str, what: str = "address") -> str:
    """Return the EIP-55 checksum form of an Ethereum address.

    Raises
    ------
    InputError
        If ``value`` is not a 20-byte hex address.
    """
    if not isinstance(value, str) or not is_address(value):
        raise InputError(f"{what} is not an Ethereum address: {value!r}")
    return str(to_checksum_address(value))


def _hash_hex(content_hash: bytes) -> str:
    if not isinstance(content_hash, bytes | bytearray) or len(content_hash) != 32:
        raise InputError("content hash must be 32 bytes")
    return "0x" + bytes(content_hash).hex()


@dataclass(frozen=True)
class PoolRequest:
    """The fields of a pool request (see the module docstring for the text format).

    Attributes
    ----------
    action : Action
        ``get``, ``list`` or ``put``.
    requester : str
        EIP-55 address of the account that signs.
    chain_id : int
        Chain id of the pool's contract.
    pool : str
        EIP-55 address of the pool's access contract.
    nonce : bytes
        16 random bytes, single use.
    issued : int
        Unix time (seconds) the request was made; the store refuses it
        before then, and refuses it if it may have been spent before the
        store began recording spent nonces.
    expires : int
        Unix time (seconds) after which the request is refused.
    content_hash : bytes or None
        The bundle's hash for ``get``/``put``; ``None`` for ``list``.
    recipients : tuple of str
        For ``put`` only: sorted EIP-55 addresses allowed to read a
        TLP:AMBER+STRICT bundle.
    """

    action: Action
    requester: str
    chain_id: int
    pool: str
    nonce: bytes
    issued: int
    expires: int
    content_hash: bytes | None = None
    recipients: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Validate once here, so text() is always a well-formed request.
        if not isinstance(self.action, Action):
            raise InputError(f"unknown pool action {self.action!r}")
        if self.action is Action.LIST:
            if self.content_hash is not None:
                raise InputError("a list request takes no content hash")
        else:
            _hash_hex(self.content_hash or b"")
        if self.action is not Action.PUT and self.recipients:
            raise InputError("only a put request names recipients")
        if not is_checksum_address(self.requester):
            raise InputError(f"requester must be an EIP-55 address, got {self.requester!r}")
        if not is_checksum_address(self.pool):
            raise InputError(f"pool must be an EIP-55 address, got {self.pool!r}")
        if isinstance(self.chain_id, bool) or not isinstance(self.chain_id, int):
            raise InputError(f"chain id must be an integer, got {self.chain_id!r}")
        if self.chain_id < 0:
            raise InputError(f"chain id must be non-negative, got {self.chain_id}")
        if not isinstance(self.nonce, bytes) or len(self.nonce) != 16:
            raise InputError("nonce must be 16 bytes")
        for name in ("issued", "expires"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"{name} must be an integer, got {value!r}")
            if not 0 <= value < _UINT64:
                raise InputError(f"{name} must be a uint64, got {value}")
        if self.expires < self.issued:
            raise InputError(f"request expires at {self.expires}, before it is issued")
        if list(self.recipients) != _sorted_recipients(self.recipients):
            raise InputError("recipients must be sorted EIP-55 addresses without duplicates")

    def typed_data(self) -> dict[str, Any]:
        """The EIP-712 typed data a wallet signs (``eth_signTypedData_v4``'s parameter)."""
        return {
            "types": REQUEST_TYPES,
            "primaryType": "PoolRequest",
            "domain": {
                "name": DOMAIN_NAME,
                "version": REQUEST_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": self.pool,
            },
            "message": {
                "action": self.action.value,
                "contentHash": _hash_hex(self.content_hash or bytes(32)),
                "recipients": list(self.recipients),
                "requester": self.requester,
                "nonce": "0x" + self.nonce.hex(),
                "issued": self.issued,
                "expires": self.expires,
            },
        }

    def signable(self) -> SignableMessage:
        """The EIP-712 message (``0x19 0x01``, domain separator, struct hash) to sign."""
        return encode_typed_data(full_message=self.typed_data())

    def digest(self) -> bytes:
        """``keccak256(0x19 0x01 || domainSeparator || hashStruct(message))``: what is signed."""
        message = self.signable()
        return bytes(keccak(b"\x19" + message.version + message.header + message.body))

    def text(self) -> str:
        """The typed data as compact JSON with sorted keys: the request as it travels."""
        return json.dumps(self.typed_data(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> PoolRequest:
        """Parse a request's typed-data JSON, accepting only the values its fields render to.

        Raises
        ------
        PoolAccessDenied
            With reason ``malformed request`` if the text is not a request.
        """
        try:
            return cls._parse(text)
        except (InputError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise PoolAccessDenied(DenyReason.MALFORMED, str(error).splitlines()[0]) from None

    @classmethod
    def _parse(cls, text: str) -> PoolRequest:
        if not isinstance(text, str):
            raise InputError("request must be text")
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("primaryType") != "PoolRequest":
            raise InputError("not a PoolRequest typed-data object")
        if data.get("types") != REQUEST_TYPES:
            raise InputError("the EIP-712 types are not those of a pool request (format 3)")
        domain, message = data["domain"], data["message"]
        if (domain.get("name"), domain.get("version")) != (DOMAIN_NAME, REQUEST_VERSION):
            raise InputError(f"domain must be {DOMAIN_NAME!r} version {REQUEST_VERSION!r}")
        action = Action(message["action"])
        digest = message["contentHash"]
        if not isinstance(digest, str) or not re.fullmatch(r"0x[0-9a-f]{64}", digest):
            raise InputError("contentHash must be 0x and 64 lower-case hex digits")
        content_hash = bytes.fromhex(digest[2:])
        nonce = message["nonce"]
        if not isinstance(nonce, str) or not re.fullmatch(r"0x[0-9a-f]{32}", nonce):
            raise InputError("nonce must be 0x and 32 lower-case hex digits")
        for name in ("issued", "expires"):
            value = message[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _UINT64:
                raise InputError(f"{name} must be a uint64 JSON number")
        request = cls(
            action=action,
            requester=message["requester"],
            chain_id=domain["chainId"],
            pool=domain["verifyingContract"],
            nonce=bytes.fromhex(nonce[2:]),
            issued=message["issued"],
            expires=message["expires"],
            content_hash=None if action is Action.LIST else content_hash,
            recipients=tuple(message["recipients"]),
        )
        if request.typed_data() != data:
            raise InputError("request is not in canonical form (values or extra fields)")
        return request


def _sorted_recipients(recipients: Iterable[str]) -> list[str]:
    unique = {normalise_address(r, "recipient") for r in recipients}
    return sorted(unique, key=str.lower)


@dataclass(frozen=True)
class SignedRequest:
    """A request's typed-data JSON (:meth:`PoolRequest.text`) and its signature.

    The signature is 65 bytes (r || s || v) from an account's key, or
    whatever the requester's contract accepts (EIP-1271).
    """

    text: str
    signature: bytes

    def to_json(self) -> str:
        """The wire form: ``{"typed_data": {...}, "signature": "0x..."}``."""
        return json.dumps(
            {"typed_data": json.loads(self.text), "signature": "0x" + self.signature.hex()}
        )

    @classmethod
    def from_json(cls, text: str) -> SignedRequest:
        """Read the wire form of :meth:`to_json` (a client in any language writes it).

        Raises
        ------
        PoolAccessDenied
            ``malformed request``.
        """
        try:
            data = json.loads(text)
            signature = str(data["signature"])
            raw = bytes.fromhex(signature[2:] if signature.startswith("0x") else signature)
            typed = json.dumps(data["typed_data"], sort_keys=True, separators=(",", ":"))
        except (ValueError, KeyError, TypeError) as error:
            raise PoolAccessDenied(DenyReason.MALFORMED, f"not a signed request: {error}") from None
        return cls(text=typed, signature=raw)


@runtime_checkable
class MessageSigner(Protocol):
    """Anything that signs an EIP-712 message for an address.

    An eth-account ``LocalAccount`` or :class:`sharing.chain.signer.Signer`
    (a keystore).
    """

    @property
    def address(self) -> Any:
        """The signing account's address."""
        ...

    def sign_message(self, signable_message: SignableMessage) -> Any:
        """Sign the message; the result has ``.signature``."""
        ...


def _signer_of(account: MessageSigner | bytes | str) -> MessageSigner:
    if isinstance(account, bytes | str):
        return Account.from_key(account)
    return account


def sign_request(account: MessageSigner | bytes | str, request: PoolRequest) -> SignedRequest:
    """Sign a request's EIP-712 typed data.

    Parameters
    ----------
    account : LocalAccount, Signer, bytes or str
        The requester's account, keystore signer or private key; it must be
        the request's ``requester``.
    request : PoolRequest
        The request to sign.

    Returns
    -------
    SignedRequest
        The request's typed-data JSON and the 65-byte signature.

    Raises
    ------
    InputError
        If the key does not belong to ``request.requester``.
    """
    signer = _signer_of(account)
    if signer.address != request.requester:
        raise InputError(f"key of {signer.address} cannot sign a request of {request.requester}")
    signed = signer.sign_message(request.signable())
    return SignedRequest(text=request.text(), signature=bytes(signed.signature))


def make_request(
    account: MessageSigner | bytes | str,
    *,
    action: Action | str,
    chain_id: int,
    pool: str,
    content_hash: bytes | None = None,
    recipients: Iterable[str] = (),
    ttl: int = DEFAULT_TTL,
    now: float | None = None,
    nonce: bytes | None = None,
    requester: str | None = None,
) -> SignedRequest:
    """Build and sign a pool request in one call (what a member's client does).

    Parameters
    ----------
    account : LocalAccount, Signer, bytes or str
        The requester's account, keystore signer or private key.
    action : Action or str
        ``"get"``, ``"list"`` or ``"put"``.
    chain_id : int
        Chain id of the pool's contract.
    pool : str
        Address of the pool's access contract (the alliance).
    content_hash : bytes, optional
        The bundle's 32-byte hash, for ``get`` and ``put``.
    recipients : iterable of str
        For a ``put`` of a TLP:AMBER+STRICT bundle: the members allowed to
        read it.
    ttl : int, default 300
        Seconds until the request expires.
    now : float, optional
        Current unix time, signed as the request's ``issued`` time; the
        system clock by default.  A store refuses a request issued after
        its own clock's now, so a client must not run ahead of the pool.
    nonce : bytes, optional
        16 bytes; random by default.
    requester : str, optional
        A contract wallet (EIP-1271) the key signs for; by default the
        key's own address.

    Returns
    -------
    SignedRequest
        Typed data and signature, ready for the store.

    Raises
    ------
    InputError
        For a malformed field.
    """
    signer = _signer_of(account)
    try:
        verb = Action(action)
    except ValueError:
        raise InputError(f"unknown pool action {action!r}") from None
    moment = time.time() if now is None else now
    request = PoolRequest(
        action=verb,
        requester=normalise_address(requester, "requester") if requester else signer.address,
        chain_id=chain_id,
        pool=normalise_address(pool, "pool"),
        nonce=secrets.token_bytes(16) if nonce is None else nonce,
        issued=int(moment),
        expires=int(moment) + int(ttl),
        content_hash=None if content_hash is None else bytes(content_hash),
        recipients=tuple(_sorted_recipients(recipients)),
    )
    signed = signer.sign_message(request.signable())
    return SignedRequest(text=request.text(), signature=bytes(signed.signature))


#: ``is_valid_signature(account, digest, signature)``: the EIP-1271 question to a contract.
ContractSignatureCheck = Callable[[str, bytes, bytes], bool]


def recover_request(
    signed: SignedRequest, contract_check: ContractSignatureCheck | None = None
) -> PoolRequest:
    """Parse a signed request and check that its requester signed it.

    The signature must recover to the requester; failing that, and given
    ``contract_check``, the requester's contract must accept it (EIP-1271).
    This checks the request and the signature only; the store then checks
    the pool, expiry and nonce against its own state.

    Raises
    ------
    PoolAccessDenied
        ``malformed request`` or ``bad signature``.
    """
    if not isinstance(signed, SignedRequest):
        raise PoolAccessDenied(DenyReason.MALFORMED, "expected a SignedRequest")
    request = PoolRequest.parse(signed.text)
    signature = bytes(signed.signature)
    signer: str | None = None
    failure = ""
    try:
        signer = Account.recover_message(request.signable(), signature=signature)
    except Exception as error:  # eth_keys BadSignature, eth_utils ValidationError, ...
        failure = f"signature does not verify ({type(error).__name__})"
    if signer == request.requester:
        return request
    if contract_check is not None and contract_check(
        request.requester, request.digest(), signature
    ):
        return request
    raise PoolAccessDenied(
        DenyReason.BAD_SIGNATURE,
        failure or f"signed by {signer}, not by the requester {request.requester}",
    )
