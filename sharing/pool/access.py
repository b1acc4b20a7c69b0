r"""Who may read what in the off-chain pool: signed requests and the TLP rules.

The pool (:mod:`sharing.pool.store`) holds STIX bundles off chain, but the
right to read them is decided on chain (docs/pool.md): a request is signed
by a member's key (EIP-191) and checked against the contract.  This module
defines the three pieces that decision needs, independent of storage:

* :class:`ChainView`, the four on-chain facts the pool depends on.  The
  chain wrapper implements it; tests use a fake.
* The signed request: an exact text format, signed with EIP-191
  ``personal_sign`` (``eth_account.messages.encode_defunct``), so that a
  wallet shows the member what it is signing.
* :func:`check_read`, the TLP 2.0 access rule.

Request format
--------------
A request is UTF-8 text, lines separated by a single ``\n``, no trailing
newline, every line exactly ``<key>: <value>``, in this order::

    sharing-pool-request/2
    action: get | list | put
    content-hash: 0x<64 lower-case hex>           (get and put only)
    recipients: none | <address>,<address>,...    (put only)
    requester: <EIP-55 checksum address>
    chain-id: <decimal, no leading zeros>
    pool: <EIP-55 checksum address of the pool's access contract>
    nonce: 0x<32 lower-case hex (16 random bytes)>
    issued: <unix time in seconds, decimal>
    expires: <unix time in seconds, decimal, not before issued>

``recipients`` lists EIP-55 addresses sorted by their lower-case form,
without duplicates or spaces.  The text must be exactly the rendering of
its parsed fields (:meth:`PoolRequest.text`), so one request has one
spelling and one signature.  Each field closes one attack:

* the version line and ``action`` keep a signature for one operation from
  being used for another (a ``list`` signature cannot ``put``);
* ``content-hash`` binds a ``get``/``put`` to one bundle, and ``recipients``
  binds a ``put`` to its AMBER+STRICT distribution list, so nobody can
  upload the submitter's bundle with a list of their own;
* ``chain-id`` and ``pool`` are the domain: a signature for a test network
  or another ISAC's pool is refused here;
* ``nonce`` makes each signature single-use (the store remembers spent
  nonces until they expire), and ``expires`` bounds how long a leaked
  signature is worth anything (the store also refuses a request that
  lives, from ``issued`` to ``expires``, longer than its ``max_ttl``);
* ``issued`` tells the store when the request could first have been used
  (it refuses one issued in the future), so a store that cannot have seen
  it spent - one whose record of spent nonces began later, such as an
  in-memory store after a restart - refuses it instead of accepting a
  replay (:mod:`sharing.pool.store`, "Replay").  Version 1 had no such
  field, hence the version 2 first line.

TLP rules
---------
Per FIRST TLP 2.0 (August 2022):

* **TLP:CLEAR** - "recipients can spread this to the world": anyone may
  read, even without a signature.
* **TLP:GREEN** - "limited disclosure, recipients can spread this within
  their community": the community is the alliance, and the on-chain access
  rule says who is in it *as a reader*, so the requester must be a member
  with pool access (``is_member`` and ``has_access``).  Gating GREEN is
  also what turns the sharing game into a coordination game (the access
  rule: docs/rules.md; the game: docs/models.md, "The sharing game").
* **TLP:AMBER** - "limited disclosure, recipients can only spread this on
  a need-to-know basis within their organisation and its clients": the
  pool's readers are the members with access, as for GREEN.
* **TLP:AMBER+STRICT** - "restricts sharing to the organisation only": a
  pool cannot give it to the whole membership, only to the members with
  access that the submitter named as recipients when it put the bundle.
* **TLP:RED** - "for the eyes and ears of individual recipients only, no
  further": never a pool; the store refuses it at ``put``.

The submitter can always read its own bundles, whatever their marking.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol, runtime_checkable

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, is_checksum_address, to_checksum_address

from sharing.errors import AccessDenied, InputError
from sharing.standards.stix import Tlp

__all__ = [
    "DEFAULT_TTL",
    "REQUEST_VERSION",
    "Action",
    "ChainView",
    "DenyReason",
    "PoolAccessDenied",
    "PoolRequest",
    "SignedRequest",
    "check_read",
    "make_request",
    "normalise_address",
    "recover_request",
    "sign_request",
]

#: First line of every request; bump it if the format changes.
REQUEST_VERSION: Final = "sharing-pool-request/2"
#: Default lifetime of a request made by :func:`make_request`, seconds.
DEFAULT_TTL: Final = 300


@runtime_checkable
class ChainView(Protocol):
    """The on-chain facts the pool needs; implemented by the chain wrapper.

    Every method reads current chain state: access can be lost between two
    requests (pool access lapses after E epochs without a contribution).
    """

    def is_revealed(self, content_hash: bytes) -> bool:
        """Return whether an indicator with this content hash was revealed on chain."""
        ...

    def submitter_of(self, content_hash: bytes) -> str | None:
        """Return the checksum address of the firm holding it now, or ``None``.

        A reveal backed by an older commitment supersedes a pending one of
        the same content, so the holder can change after a bundle is put.
        """
        ...

    def has_access(self, account: str) -> bool:
        """Return whether the account satisfies the on-chain pool-access rule."""
        ...

    def key_holder(self, semantic_key: bytes) -> bytes | None:
        """Return the content hash holding this semantic key on chain, or ``None``.

        The pool stores a bundle only under the key the chain holds it by, so
        that what the alliance paid for is what the pool serves.
        """
        ...

    def is_member(self, account: str) -> bool:
        """Return whether the account is a registered member firm."""
        ...


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
            if value < 0:
                raise InputError(f"{name} must be non-negative, got {value}")
        if self.expires < self.issued:
            raise InputError(f"request expires at {self.expires}, before it is issued")
        if list(self.recipients) != _sorted_recipients(self.recipients):
            raise InputError("recipients must be sorted EIP-55 addresses without duplicates")

    def text(self) -> str:
        """Render the exact text that is signed."""
        lines = [REQUEST_VERSION, f"action: {self.action.value}"]
        if self.content_hash is not None:
            lines.append(f"content-hash: {_hash_hex(self.content_hash)}")
        if self.action is Action.PUT:
            lines.append(f"recipients: {','.join(self.recipients) or 'none'}")
        lines += [
            f"requester: {self.requester}",
            f"chain-id: {self.chain_id}",
            f"pool: {self.pool}",
            f"nonce: 0x{self.nonce.hex()}",
            f"issued: {self.issued}",
            f"expires: {self.expires}",
        ]
        return "\n".join(lines)

    @classmethod
    def parse(cls, text: str) -> PoolRequest:
        """Parse request text, accepting only its exact canonical rendering.

        Raises
        ------
        PoolAccessDenied
            With reason ``malformed request`` if the text is not a request.
        """
        try:
            return cls._parse(text)
        except (InputError, ValueError, KeyError, TypeError) as error:
            raise PoolAccessDenied(DenyReason.MALFORMED, str(error).splitlines()[0]) from None

    @classmethod
    def _parse(cls, text: str) -> PoolRequest:
        if not isinstance(text, str):
            raise InputError("request must be text")
        lines = text.split("\n")
        if not lines or lines[0] != REQUEST_VERSION:
            raise InputError(f"first line must be {REQUEST_VERSION!r}")
        fields: dict[str, str] = {}
        order: list[str] = []
        for line in lines[1:]:
            key, sep, value = line.partition(": ")
            if not sep or key in fields:
                raise InputError(f"bad line {line[:80]!r}")
            fields[key] = value
            order.append(key)
        action = Action(fields["action"])
        content_hash = None
        if "content-hash" in fields:
            match = re.fullmatch(r"0x([0-9a-f]{64})", fields["content-hash"])
            if match is None:
                raise InputError("content-hash must be 0x and 64 lower-case hex digits")
            content_hash = bytes.fromhex(match.group(1))
        recipients: tuple[str, ...] = ()
        if "recipients" in fields and fields["recipients"] != "none":
            recipients = tuple(fields["recipients"].split(","))
        nonce_match = re.fullmatch(r"0x([0-9a-f]{32})", fields["nonce"])
        if nonce_match is None:
            raise InputError("nonce must be 0x and 32 lower-case hex digits")
        if not re.fullmatch(r"0|[1-9][0-9]*", fields["chain-id"]):
            raise InputError("chain-id must be a decimal integer")
        for name in ("issued", "expires"):
            if not re.fullmatch(r"0|[1-9][0-9]*", fields[name]):
                raise InputError(f"{name} must be a decimal integer")
        request = cls(
            action=action,
            requester=fields["requester"],
            chain_id=int(fields["chain-id"]),
            pool=fields["pool"],
            nonce=bytes.fromhex(nonce_match.group(1)),
            issued=int(fields["issued"]),
            expires=int(fields["expires"]),
            content_hash=content_hash,
            recipients=recipients,
        )
        if request.text() != text:
            raise InputError("request text is not in canonical form")
        return request


def _sorted_recipients(recipients: Iterable[str]) -> list[str]:
    unique = {normalise_address(r, "recipient") for r in recipients}
    return sorted(unique, key=str.lower)


@dataclass(frozen=True)
class SignedRequest:
    """A request text and its EIP-191 signature (65 bytes, r || s || v)."""

    text: str
    signature: bytes


def sign_request(account: LocalAccount | bytes | str, request: PoolRequest) -> SignedRequest:
    """Sign a request with EIP-191 ``personal_sign``.

    Parameters
    ----------
    account : LocalAccount, bytes or str
        The requester's account or private key; it must be the request's
        ``requester``.
    request : PoolRequest
        The request to sign.

    Returns
    -------
    SignedRequest
        The request's text and the 65-byte signature.

    Raises
    ------
    InputError
        If the key does not belong to ``request.requester``.
    """
    signer = account if isinstance(account, LocalAccount) else Account.from_key(account)
    if signer.address != request.requester:
        raise InputError(f"key of {signer.address} cannot sign a request of {request.requester}")
    text = request.text()
    signed = signer.sign_message(encode_defunct(text=text))
    return SignedRequest(text=text, signature=bytes(signed.signature))


def make_request(
    account: LocalAccount | bytes | str,
    *,
    action: Action | str,
    chain_id: int,
    pool: str,
    content_hash: bytes | None = None,
    recipients: Iterable[str] = (),
    ttl: int = DEFAULT_TTL,
    now: float | None = None,
    nonce: bytes | None = None,
) -> SignedRequest:
    """Build and sign a pool request in one call (what a member's client does).

    Parameters
    ----------
    account : LocalAccount, bytes or str
        The requester's account or private key.
    action : Action or str
        ``"get"``, ``"list"`` or ``"put"``.
    chain_id : int
        Chain id of the pool's contract.
    pool : str
        Address of the pool's access contract.
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

    Returns
    -------
    SignedRequest
        Text and signature, ready for the store.

    Raises
    ------
    InputError
        For a malformed field.
    """
    signer = account if isinstance(account, LocalAccount) else Account.from_key(account)
    try:
        verb = Action(action)
    except ValueError:
        raise InputError(f"unknown pool action {action!r}") from None
    moment = time.time() if now is None else now
    request = PoolRequest(
        action=verb,
        requester=signer.address,
        chain_id=chain_id,
        pool=normalise_address(pool, "pool"),
        nonce=secrets.token_bytes(16) if nonce is None else nonce,
        issued=int(moment),
        expires=int(moment) + int(ttl),
        content_hash=None if content_hash is None else bytes(content_hash),
        recipients=tuple(_sorted_recipients(recipients)),
    )
    return sign_request(signer, request)


def recover_request(signed: SignedRequest) -> PoolRequest:
    """Parse a signed request and check that its requester signed it.

    This checks the text and the signature only; the store then checks the
    pool, expiry and nonce against its own state.

    Raises
    ------
    PoolAccessDenied
        ``malformed request`` or ``bad signature``.
    """
    if not isinstance(signed, SignedRequest):
        raise PoolAccessDenied(DenyReason.MALFORMED, "expected a SignedRequest")
    request = PoolRequest.parse(signed.text)
    try:
        signer = Account.recover_message(
            encode_defunct(text=signed.text), signature=bytes(signed.signature)
        )
    except Exception as error:  # eth_keys BadSignature, eth_utils ValidationError, ...
        raise PoolAccessDenied(
            DenyReason.BAD_SIGNATURE, f"signature does not verify ({type(error).__name__})"
        ) from None
    if signer != request.requester:
        raise PoolAccessDenied(
            DenyReason.BAD_SIGNATURE,
            f"signed by {signer}, not by the requester {request.requester}",
        )
    return request


def check_read(
    *,
    tlp: Tlp,
    requester: str | None,
    submitter: str,
    recipients: Collection[str],
    is_member: Callable[[str], bool],
    has_access: Callable[[str], bool],
) -> None:
    """Apply the TLP 2.0 read rule (see the module docstring) to one bundle.

    Parameters
    ----------
    tlp : Tlp
        The bundle's marking.
    requester : str or None
        Verified EIP-55 address of the reader; ``None`` if unsigned.
    submitter : str
        EIP-55 address of the firm the chain names as the indicator's holder
        now (``ChainView.submitter_of``), which a supersede can change.
    recipients : collection of str
        AMBER+STRICT recipients named by that holder (empty if it named none).
    is_member, has_access : callable
        The chain's answers (usually :class:`ChainView` methods, possibly
        memoised for a whole listing).

    Raises
    ------
    PoolAccessDenied
        ``no signature``, ``not a member``, ``no pool access`` or
        ``marking forbids``.
    """
    if tlp is Tlp.CLEAR:
        return
    if requester is None:
        raise PoolAccessDenied(
            DenyReason.NO_SIGNATURE, f"{tlp.label} content needs a signed request"
        )
    if requester == submitter:
        return
    if tlp is Tlp.RED:
        raise PoolAccessDenied(
            DenyReason.MARKING_FORBIDS, "TLP:RED is for named recipients only, never a pool"
        )
    if not is_member(requester):
        raise PoolAccessDenied(DenyReason.NOT_MEMBER, f"{requester} is not a member")
    if not has_access(requester):
        raise PoolAccessDenied(
            DenyReason.NO_ACCESS, f"{requester} has no pool access on chain ({tlp.label})"
        )
    if tlp is Tlp.AMBER_STRICT and requester not in recipients:
        raise PoolAccessDenied(
            DenyReason.MARKING_FORBIDS,
            f"TLP:AMBER+STRICT: {requester} is not among the submitter's recipients",
        )
