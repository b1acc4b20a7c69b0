"""Bearer tokens for HTTP clients, obtained with Sign-In with Ethereum (EIP-4361).

A TAXII client (MISP, OpenCTI, ``taxii2-client``) sends a static bearer
token; it cannot sign each request.  A member therefore proves once that it
holds its address's key, and gets a token bound to that address:

1. ``GET /auth/nonce`` -> a fresh nonce (single use, forgotten after
   ``nonce_ttl`` seconds);
2. the member signs the EIP-4361 message :meth:`TokenAuthority.message_for`
   renders (domain, chain id and statement are the server's; the message
   expires with the nonce), with EIP-191 ``personal_sign``, as any wallet
   does;
3. ``POST /auth/token`` with ``{message, signature}`` ->
   ``{token, address, expires_at}`` (:meth:`TokenAuthority.exchange`).

A token is ``<payload>.<mac>``: the payload is the base64url of
``sharing-token/1|<EIP-55 address>|<issued>|<expires>`` and the mac the
base64url HMAC-SHA256 of the payload under the server's secret.  Verifying
needs no state, only the secret; restarting the server with a new secret
revokes every token.  :meth:`TokenAuthority.revoke` revokes one address's
tokens issued up to now (kept in memory).

A token says who the client is, never what it may read: every read applies
the pool's TLP and on-chain access rule at request time
(:meth:`sharing.pool.store.PoolStore.get_for`), so a member whose access
lapses is refused with a token still valid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from eth_typing import ChecksumAddress
from eth_utils import is_address, to_checksum_address

from sharing.errors import SharingError

__all__ = [
    "DEFAULT_NONCE_TTL",
    "DEFAULT_TOKEN_TTL",
    "MAX_OUTSTANDING_NONCES",
    "AuthError",
    "AuthFailure",
    "IssuedToken",
    "TokenAuthority",
    "token_from_authorization",
]

#: Lifetime of a token, seconds (a working day).
DEFAULT_TOKEN_TTL: Final = 8 * 3600
#: Lifetime of a nonce and of the sign-in message that carries it, seconds.
DEFAULT_NONCE_TTL: Final = 300
#: Nonces remembered at once (each a few dozen bytes).
MAX_OUTSTANDING_NONCES: Final = 10_000
_TOKEN_VERSION: Final = "sharing-token/1"
DEFAULT_STATEMENT: Final = "Sign in to the alliance's TAXII server with this member address."


class AuthFailure(StrEnum):
    """Why a token or a sign-in was refused; the value appears in the message."""

    MISSING = "missing"
    MALFORMED = "malformed"
    EXPIRED = "expired"
    REVOKED = "revoked"
    BAD_SIGNATURE = "bad signature"
    UNKNOWN_NONCE = "unknown nonce"
    WRONG_DOMAIN = "wrong domain"
    WRONG_CHAIN = "wrong chain"


class AuthError(SharingError):
    """A token or a sign-in message was refused; :attr:`reason` says why."""

    def __init__(self, reason: AuthFailure, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"auth: {reason.value}: {detail}")


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token and what it is bound to."""

    token: str
    address: ChecksumAddress
    expires_at: int

    def as_json(self) -> dict[str, Any]:
        """The ``POST /auth/token`` response body."""
        return {"token": self.token, "address": self.address, "expires_at": self.expires_at}


def token_from_authorization(header: str) -> str | None:
    """The token carried by an ``Authorization`` header value (``None`` when it is empty).

    TAXII clients are configured in three ways, and each is accepted:
    ``Bearer <token>`` (RFC 6750; OpenCTI's "Bearer token"), ``Token
    <token>`` (``taxii2client.common.TokenAuth``) and ``Basic`` with the
    token as the password (a feed configured with a user name and a
    password; the user name is not used: the token alone names the
    address). Any other scheme is refused as malformed.
    """
    header = header.strip()
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    scheme, credential = scheme.lower(), credential.strip()
    if scheme in ("bearer", "token"):
        return credential or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise AuthError(AuthFailure.MALFORMED, "unreadable Basic credentials") from None
        _user, colon, password = decoded.partition(":")
        if not colon or not password:
            raise AuthError(
                AuthFailure.MALFORMED, "Basic credentials need the token as the password"
            )
        return password
    raise AuthError(
        AuthFailure.MALFORMED,
        f"use 'Authorization: Bearer <token>' (or Token, or Basic with the token as the "
        f"password), not {scheme!r}",
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _siwe() -> Any:
    """The ``siwe`` module; its ABNF grammar warns about redefined core rules on import."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import siwe

        siwe.SiweMessage.from_message  # noqa: B018 - builds the grammar under the filter
    return siwe


class TokenAuthority:
    """Issues and verifies bearer tokens bound to Ethereum addresses.

    Parameters
    ----------
    domain : str
        The RFC 3986 authority the sign-in message must name
        (``host:port`` of the server); a message for another site is refused.
    chain_id : int
        The alliance's chain id; the message must name it.
    secret : bytes, optional
        HMAC key (at least 16 bytes); a random one by default, so tokens
        die with the process.
    token_ttl, nonce_ttl : int
        Lifetimes in seconds.
    statement : str
        The human-readable line the wallet shows.
    clock : callable
        Unix time (inject one in tests).
    """

    def __init__(
        self,
        *,
        domain: str,
        chain_id: int,
        secret: bytes | None = None,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        nonce_ttl: int = DEFAULT_NONCE_TTL,
        statement: str = DEFAULT_STATEMENT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if secret is not None and len(secret) < 16:
            raise ValueError("the token secret must be at least 16 bytes")
        self.domain = domain
        self.chain_id = chain_id
        self.token_ttl = token_ttl
        self.nonce_ttl = nonce_ttl
        self.statement = statement
        self._secret = secret if secret is not None else secrets.token_bytes(32)
        self._clock = clock
        self._nonces: dict[str, int] = {}
        self._revoked_before: dict[str, int] = {}

    def now(self) -> int:
        """The authority's clock, whole seconds."""
        return int(self._clock())

    # -- sign-in -------------------------------------------------------------

    def new_nonce(self) -> str:
        """A fresh single-use nonce, remembered for ``nonce_ttl`` seconds.

        At most :data:`MAX_OUTSTANDING_NONCES` are remembered: beyond that the
        oldest is forgotten (its sign-in must start again), so an anonymous
        caller asking for nonces in a loop cannot grow the server's memory.
        """
        now = self.now()
        self._nonces = {n: t for n, t in self._nonces.items() if t > now}
        while len(self._nonces) >= MAX_OUTSTANDING_NONCES:
            del self._nonces[next(iter(self._nonces))]
        nonce = _siwe().generate_nonce()
        self._nonces[nonce] = now + self.nonce_ttl
        return str(nonce)

    def message_for(self, address: str, nonce: str, uri: str) -> str:
        """The exact EIP-4361 text ``address`` signs to sign in with ``nonce``.

        The message expires with the nonce.  ``uri`` is the resource the
        member signs in to (the server's base URL).
        """
        if not is_address(address):
            raise AuthError(AuthFailure.MALFORMED, f"not an Ethereum address: {address!r}")
        siwe = _siwe()
        now = self.now()
        message = siwe.SiweMessage(
            domain=self.domain,
            address=to_checksum_address(address),
            statement=self.statement,
            uri=uri,
            version="1",
            chain_id=self.chain_id,
            nonce=nonce,
            issued_at=_iso(now),
            expiration_time=_iso(self._nonces.get(nonce, now + self.nonce_ttl)),
        )
        return str(message.prepare_message())

    def exchange(self, message: str, signature: str) -> IssuedToken:
        """Verify a signed sign-in message and issue a token for its address.

        The domain and chain id must be this server's, the nonce one it
        issued and has not seen spent (it is spent now, whatever follows),
        the message unexpired, and the signature the address's.

        Raises
        ------
        AuthError
            ``malformed``, ``wrong domain``, ``wrong chain``, ``unknown
            nonce``, ``expired`` or ``bad signature``.
        """
        siwe = _siwe()
        try:
            parsed = siwe.SiweMessage.from_message(message=message)
        except Exception as exc:  # noqa: BLE001 - the ABNF parser raises several types
            raise AuthError(AuthFailure.MALFORMED, f"not an EIP-4361 message ({exc})") from None
        if parsed.domain != self.domain:
            raise AuthError(
                AuthFailure.WRONG_DOMAIN, f"message is for {parsed.domain}, this is {self.domain}"
            )
        if int(parsed.chain_id) != self.chain_id:
            raise AuthError(
                AuthFailure.WRONG_CHAIN,
                f"message is for chain {parsed.chain_id}, this is chain {self.chain_id}",
            )
        now = self.now()
        expires = self._nonces.pop(parsed.nonce, None)
        if expires is None or expires <= now:
            raise AuthError(
                AuthFailure.UNKNOWN_NONCE,
                "the nonce was not issued here, was already used or expired; get a new one",
            )
        try:
            parsed.verify(
                signature,
                domain=self.domain,
                nonce=parsed.nonce,
                timestamp=datetime.fromtimestamp(now, UTC),
            )
        except siwe.ExpiredMessage:
            raise AuthError(AuthFailure.EXPIRED, "the sign-in message has expired") from None
        except siwe.VerificationError as exc:
            raise AuthError(
                AuthFailure.BAD_SIGNATURE,
                f"the signature is not {parsed.address}'s ({exc.__class__.__name__})",
            ) from None
        except (ValueError, TypeError) as exc:
            raise AuthError(AuthFailure.BAD_SIGNATURE, f"unreadable signature ({exc})") from None
        return self.issue(parsed.address)

    # -- tokens --------------------------------------------------------------

    def issue(self, address: str, ttl: int | None = None) -> IssuedToken:
        """A token for an address the caller has authenticated (:meth:`exchange` does)."""
        if not is_address(address):
            raise AuthError(AuthFailure.MALFORMED, f"not an Ethereum address: {address!r}")
        checksum = to_checksum_address(address)
        now = self.now()
        expires = now + (self.token_ttl if ttl is None else ttl)
        payload = _b64(f"{_TOKEN_VERSION}|{checksum}|{now}|{expires}".encode())
        return IssuedToken(f"{payload}.{self._mac(payload)}", checksum, expires)

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def verify(self, token: str | None) -> ChecksumAddress:
        """The address a token is bound to, if it is genuine, unexpired and not revoked.

        Raises
        ------
        AuthError
            ``missing``, ``malformed``, ``expired`` or ``revoked``.
        """
        if not token:
            raise AuthError(AuthFailure.MISSING, "send 'Authorization: Bearer <token>'")
        payload, _, mac = token.strip().partition(".")
        if not mac or not hmac.compare_digest(self._mac(payload), mac):
            raise AuthError(AuthFailure.MALFORMED, "not a token issued by this server")
        try:
            version, address, issued, expires = _unb64(payload).decode("ascii").split("|")
            issued_at, expires_at = int(issued), int(expires)
        except (ValueError, UnicodeDecodeError):
            raise AuthError(AuthFailure.MALFORMED, "unreadable token payload") from None
        if version != _TOKEN_VERSION or not is_address(address):
            raise AuthError(AuthFailure.MALFORMED, f"unknown token version {version!r}")
        if expires_at <= self.now():
            raise AuthError(AuthFailure.EXPIRED, f"the token expired at {_iso(expires_at)}")
        checksum = to_checksum_address(address)
        if issued_at <= self._revoked_before.get(checksum, -1):
            raise AuthError(AuthFailure.REVOKED, f"tokens of {checksum} were revoked")
        return checksum

    def revoke(self, address: str) -> None:
        """Revoke every token of ``address`` issued up to now."""
        self._revoked_before[to_checksum_address(address)] = self.now()
