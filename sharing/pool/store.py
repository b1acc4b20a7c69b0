"""The off-chain pool: a content-addressed SQLite store of STIX bundles.

The chain holds each indicator's ``content_hash`` (keccak-256 of the
bundle's canonical JSON, :mod:`sharing.standards.stix`); the bundles
themselves live here (docs/pool.md).  The store trusts the chain and
nothing else:

* **put** accepts a bundle only if its hash was revealed on chain, only
  from the firm the chain names as its holder now (a signed ``put``
  request), and never a TLP:RED one.  Anything refused leaves the bundles
  and recipients untouched (the request's nonce is spent once its
  signature verifies: one signature, one decision, so a refusal cannot
  become an acceptance by replaying it after the chain changes).  Putting
  the same bundle again changes nothing but the attribution (see below)
  and the AMBER+STRICT recipient list, which the holder may restate.
* **get / readable / export** return bundles as their canonical JSON, so
  a reader can re-hash them and compare with the chain; who may read what
  is :func:`sharing.pool.access.check_read` (the TLP 2.0 rules) applied
  to the signed request's verified requester and the chain's current
  answers.

Read rules (TLP 2.0; the justification from the FIRST definitions and
the exact signed-request format are in :mod:`sharing.pool.access`):

==================  ==================================================
TLP:CLEAR           anyone, even unsigned ("spread to the world")
TLP:GREEN, AMBER    members with on-chain pool access ("within their
                    community" / "need-to-know"; the alliance is the
                    community and the chain says who reads it)
TLP:AMBER+STRICT    members with access that the submitter named as
                    recipients at ``put`` ("organisation only")
TLP:RED             refused at ``put`` ("individual recipients only,
                    no further": never a pool)
submitter           always reads its own bundles
==================  ==================================================

Attribution follows the chain
-----------------------------
The chain's ``submitter_of(content_hash)`` can change after a bundle is
put: a reveal backed by an older commitment supersedes a pending one of
the same content (first committer wins).  The pool never lets its own
record outvote the chain:

* a put by the chain's current holder re-attributes the row to it, and
  only such a put replaces the recipients;
* a put by anyone else - the displaced firm included - is refused as
  ``not the submitter`` and changes nothing;
* reads (:meth:`PoolStore.get`, :meth:`PoolStore.readable`,
  :meth:`PoolStore.export`) ask the chain for the holder: the submitter
  they report and let read is the chain's, and recipients named by a firm
  that no longer holds the indicator count for nothing (an AMBER+STRICT
  bundle is readable by its new holder alone until that holder restates
  the list);
* a stored bundle whose hash the chain no longer reveals (a dev chain
  reverted to a snapshot, a reorganisation) is not served at all.

Replay
------
A nonce is spent when a verified request is used, and remembered until
the request expires.  Every request is signed with the time it was
``issued``; the store refuses one issued after its clock's now, and one
issued before its record of spent nonces began (the ``nonces_since`` meta
row, written when the database is created): such a request may have been
spent where this store cannot see it, so it cannot be proven unspent
(``not provably unspent``).  A file database keeps its record across
restarts, so this only bites requests older than the file itself.  An
in-memory database (``:memory:``, the default, or ``""``) begins a new
record every time it is opened, so after a restart it refuses every
request issued before it opened and a captured request cannot be
replayed; clients re-sign.  Since a request lives at most ``max_ttl``
seconds, the rule refuses nothing once the store has run that long.  The
record's start is compared in whole seconds: a request spent in the very
second a new in-memory store opens is the one case it cannot tell apart.
Restoring a file from a backup loses the nonces spent since the backup:
delete its ``nonces_since`` row before reopening it, and the store starts
a new record then.

SQLite is the default because it is a real, embedded, transactional
database: nothing to start, one file to back up, and ``:memory:`` for
tests.  A database is bound to one pool (chain id and contract address) on
first use, so a store cannot be opened against another ISAC's chain by
mistake.  The database is a cache of what the chain vouches for plus the
recipients and spent nonces, which only it holds: serve a real pool from a
file (``path``), which keeps the nonces; ``:memory:`` suits tests, the demo
and the simulation, whose chain does not outlive the process either.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from eth_utils import keccak

from sharing.errors import InputError, SharingError
from sharing.pool.access import (
    Action,
    ChainView,
    DenyReason,
    PoolAccessDenied,
    PoolRequest,
    SignedRequest,
    check_read,
    normalise_address,
    recover_request,
)
from sharing.pool.admission import BundleRejected, RejectReason, admit
from sharing.standards.semantic_key import semantic_key
from sharing.standards.stix import Tlp, jcs_dumps, load_indicator_bundle

__all__ = [
    "DEFAULT_MAX_TTL",
    "BundleRejected",
    "PoolStore",
    "PutResult",
    "RejectReason",
    "StoredBundle",
]

#: Longest lifetime a request may claim, seconds: bounds replay exposure and
#: the size of the spent-nonce table.
DEFAULT_MAX_TTL: Final = 3600

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bundles (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    content_hash   BLOB NOT NULL UNIQUE CHECK (length(content_hash) = 32),
    canonical_json BLOB NOT NULL,
    tlp            TEXT NOT NULL,
    submitter      TEXT NOT NULL,
    put_at         INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recipients (
    content_hash BLOB NOT NULL REFERENCES bundles (content_hash) ON DELETE CASCADE,
    account      TEXT NOT NULL,
    PRIMARY KEY (content_hash, account)
);
CREATE TABLE IF NOT EXISTS spent_nonces (
    requester TEXT NOT NULL,
    nonce     BLOB NOT NULL,
    expires   INTEGER NOT NULL,
    PRIMARY KEY (requester, nonce)
);
"""
_SCHEMA_VERSION: Final = "1"


@dataclass(frozen=True)
class StoredBundle:
    """A bundle as the pool holds it.

    Attributes
    ----------
    content_hash : bytes
        keccak-256 of ``json_text``'s UTF-8 bytes, as revealed on chain.
    json_text : str
        Canonical JSON of the bundle.
    tlp : Tlp
        Its most restrictive TLP marking.
    submitter : str
        EIP-55 address of the firm the chain names as its holder at read
        time (not necessarily the firm that first put it: see "Attribution
        follows the chain" in the module docstring).
    recipients : tuple of str
        AMBER+STRICT readers named by that holder; empty otherwise, and
        empty while the holder has not put the bundle itself.
    put_at : int
        Unix time of the first put.
    """

    content_hash: bytes
    json_text: str
    tlp: Tlp
    submitter: str
    recipients: tuple[str, ...]
    put_at: int

    @property
    def hash_hex(self) -> str:
        """``0x``-prefixed hex of the content hash."""
        return "0x" + self.content_hash.hex()


@dataclass(frozen=True)
class PutResult:
    """Outcome of a put: the hash and whether the bundle was new."""

    content_hash: bytes
    created: bool


def _as_hash(value: bytes | str) -> bytes:
    if isinstance(value, str):
        match = re.fullmatch(r"(?:0x)?([0-9a-fA-F]{64})", value.strip())
        if match is None:
            raise InputError(f"content hash must be 32 bytes of hex, got {value!r}")
        return bytes.fromhex(match.group(1))
    if isinstance(value, bytes | bytearray) and len(value) == 32:
        return bytes(value)
    raise InputError("content hash must be 32 bytes")


class PoolStore:
    """Content-addressed pool of STIX bundles, gated by the chain.

    Parameters
    ----------
    chain : ChainView
        The on-chain facts (reveals, submitters, membership, access).
    chain_id : int
        Chain id of the pool's contract; requests must name it.
    pool_address : str
        Address of the contract whose access rule gates this pool; requests
        must name it.
    path : str or os.PathLike, default ":memory:"
        SQLite database file.  ``:memory:`` (or ``""``) forgets spent
        nonces when closed, so it refuses every request issued before it
        was opened; a served pool should use a file.
    clock : callable, default time.time
        Current unix time, for request expiry (inject one in tests).
    max_ttl : int, default 3600
        Largest ``expires - now`` a request may claim, seconds.

    Raises
    ------
    InputError
        If the database is bound to another chain id or pool address.

    Notes
    -----
    ``nonces_since`` is when the database began recording spent nonces;
    requests issued earlier are refused (module docstring, "Replay").

    Examples
    --------
    A TLP:CLEAR bundle revealed on chain by ``firm`` is put with a signed
    ``put`` request, then read by anyone::

        store = PoolStore(chain, chain_id=31337, pool_address=registry)
        request = make_request(firm, action="put", chain_id=31337,
                               pool=registry, content_hash=h)
        store.put(bundle_json, request)
        store.get(h)            # no signature needed for TLP:CLEAR
    """

    def __init__(
        self,
        chain: ChainView,
        *,
        chain_id: int,
        pool_address: str,
        path: str | os.PathLike[str] = ":memory:",
        clock: Callable[[], float] = time.time,
        max_ttl: int = DEFAULT_MAX_TTL,
    ) -> None:
        if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id < 0:
            raise InputError(f"chain id must be a non-negative integer, got {chain_id!r}")
        if isinstance(max_ttl, bool) or not isinstance(max_ttl, int) or max_ttl <= 0:
            raise InputError(f"max_ttl must be a positive integer, got {max_ttl!r}")
        self._chain = chain
        self._chain_id = chain_id
        self._pool = normalise_address(pool_address, "pool address")
        self._clock = clock
        self._max_ttl = max_ttl
        # Not bound to the opening thread: a server opens the store in one thread and
        # serves it from another, serialising every call itself (one lock per process).
        self._db = sqlite3.connect(os.fspath(path), check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        with self._db:
            self._db.executescript(_SCHEMA)
        self._bind()
        self._nonces_since = self._start_nonce_record()

    # -- lifecycle ---------------------------------------------------------

    def _bind(self) -> None:
        expected = {
            "schema": _SCHEMA_VERSION,
            "chain_id": str(self._chain_id),
            "pool": self._pool,
        }
        with self._db:
            stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            for key, value in expected.items():
                if key in stored and stored[key] != value:
                    raise InputError(f"pool database is bound to {key} {stored[key]}, not {value}")
                if key not in stored:
                    self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _start_nonce_record(self) -> int:
        """Return when this database began recording spent nonces.

        Written once, when the row is missing: at creation (an in-memory
        database is created at every open), for a database made before
        the row existed, or after an operator deleted it (a restored
        backup).  Every nonce spent since then is in ``spent_nonces`` until
        it expires, so only a request issued since can be proven unspent.
        """
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('nonces_since', ?)",
                (str(self._now()),),
            )
            row = self._db.execute("SELECT value FROM meta WHERE key = 'nonces_since'").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> PoolStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def chain_id(self) -> int:
        """Chain id that requests must name."""
        return self._chain_id

    @property
    def pool_address(self) -> str:
        """EIP-55 address that requests must name."""
        return self._pool

    @property
    def nonces_since(self) -> int:
        """Unix time from which every spent nonce is recorded; older requests are refused."""
        return self._nonces_since

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM bundles").fetchone()[0])

    def __contains__(self, content_hash: object) -> bool:
        if not isinstance(content_hash, bytes | str):
            return False
        try:
            digest = _as_hash(content_hash)
        except InputError:
            return False
        row = self._db.execute("SELECT 1 FROM bundles WHERE content_hash = ?", (digest,)).fetchone()
        return row is not None

    # -- authentication ----------------------------------------------------

    def _now(self) -> int:
        return int(self._clock())

    def _authenticate(
        self, signed: SignedRequest, action: Action, content_hash: bytes | None
    ) -> PoolRequest:
        """Verify a signed request for this pool and spend its nonce."""
        # A membership held by a contract wallet is checked by its code (EIP-1271),
        # when the chain view can ask it.
        request = recover_request(signed, getattr(self._chain, "is_valid_signature", None))
        if request.chain_id != self._chain_id or request.pool != self._pool:
            raise PoolAccessDenied(
                DenyReason.WRONG_POOL,
                f"request is for chain {request.chain_id} pool {request.pool}, "
                f"this is chain {self._chain_id} pool {self._pool}",
            )
        now = self._now()
        if request.expires <= now:
            raise PoolAccessDenied(
                DenyReason.EXPIRED, f"request expired at {request.expires}, now is {now}"
            )
        if request.issued > now:
            raise PoolAccessDenied(
                DenyReason.ISSUED_IN_FUTURE,
                f"request issued at {request.issued}, now is {now} (client clock ahead?)",
            )
        # issued <= now, so this also bounds expires - now.
        if request.expires - request.issued > self._max_ttl:
            raise PoolAccessDenied(
                DenyReason.TTL_TOO_LONG,
                f"request lives {request.expires - request.issued} s, more than {self._max_ttl} s",
            )
        if request.action is not action:
            raise PoolAccessDenied(
                DenyReason.REQUEST_MISMATCH,
                f"a {request.action.value!r} request cannot {action.value}",
            )
        if content_hash is not None and request.content_hash != content_hash:
            raise PoolAccessDenied(
                DenyReason.REQUEST_MISMATCH,
                "request was signed for another content hash",
            )
        if request.issued < self._nonces_since:
            # It may have been spent before this database's record began
            # (an in-memory store before a restart): refuse, never guess.
            raise PoolAccessDenied(
                DenyReason.NOT_PROVABLY_UNSPENT,
                f"request issued at {request.issued}, before this pool began recording "
                f"spent nonces at {self._nonces_since}; sign a new one",
            )
        with self._db:
            # Spent nonces only matter until they expire: an expired request is
            # refused above anyway, so pruning them keeps the table small.
            self._db.execute("DELETE FROM spent_nonces WHERE expires <= ?", (now,))
            try:
                self._db.execute(
                    "INSERT INTO spent_nonces (requester, nonce, expires) VALUES (?, ?, ?)",
                    (request.requester, request.nonce, request.expires),
                )
            except sqlite3.IntegrityError:
                raise PoolAccessDenied(
                    DenyReason.REPLAYED,
                    f"nonce 0x{request.nonce.hex()} of {request.requester} was already used",
                ) from None
        return request

    # -- put -----------------------------------------------------------------

    def put(
        self,
        bundle: str | bytes | Mapping[str, Any] | Any,
        request: SignedRequest | None,
    ) -> PutResult:
        """Store a revealed bundle, on the signed request of its holder on chain.

        A put by the chain's current holder of a bundle already stored
        under another firm (that firm was superseded) re-attributes it to
        the holder and replaces the recipients; nobody else can change
        either.

        Parameters
        ----------
        bundle : str, bytes, Mapping or stix2.v21.Bundle
            The indicator bundle; it is re-serialised canonically, so any
            spelling with the right canonical hash is accepted.
        request : SignedRequest
            A ``put`` request signed by the firm the chain names as the
            bundle's holder (``submitter_of``), naming its content hash and,
            for TLP:AMBER+STRICT, its recipients.

        Returns
        -------
        PutResult
            The content hash and whether the bundle was new (``False`` for
            a restatement or a re-attribution).

        Raises
        ------
        InputError
            If the bundle is not a valid indicator bundle.
        BundleRejected
            ``hash mismatch`` (the bundle's canonical hash is not the one
            signed for), ``no TLP marking``, ``TLP:RED``, ``recipients
            without AMBER+STRICT`` or ``not revealed`` (no reveal on chain).
        PoolAccessDenied
            If the request is missing (``no signature``) or does not verify
            (see :mod:`sharing.pool.access`), or its signer is ``not the
            submitter`` the chain names now.
        """
        described = load_indicator_bundle(bundle)
        digest = described.content_hash
        if request is None:
            raise PoolAccessDenied(
                DenyReason.NO_SIGNATURE, "a put must be signed by the firm that revealed the bundle"
            )
        signed = self._authenticate(request, Action.PUT, None)
        if signed.content_hash != digest:
            raise BundleRejected(
                RejectReason.HASH_MISMATCH,
                f"the bundle hashes to {described.hash_hex}, the request names "
                f"0x{(signed.content_hash or b'').hex()}",
            )
        tlp = admit(described, signed.recipients)
        if not self._chain.is_revealed(digest):
            raise BundleRejected(
                RejectReason.NOT_REVEALED, f"no indicator {described.hash_hex} revealed on chain"
            )
        raw_submitter = self._chain.submitter_of(digest)
        if raw_submitter is None:
            raise BundleRejected(
                RejectReason.NOT_REVEALED, f"no submitter on chain for {described.hash_hex}"
            )
        submitter = normalise_address(raw_submitter, "submitter")
        if signed.requester != submitter:
            raise PoolAccessDenied(
                DenyReason.NOT_SUBMITTER,
                f"{signed.requester} did not reveal {described.hash_hex} ({submitter} did)",
            )
        key = semantic_key(described.canonical_json)
        holder = self._chain.key_holder(key)
        if holder != digest:
            raise BundleRejected(
                RejectReason.KEY_MISMATCH,
                f"the observable of {described.hash_hex} has semantic key 0x{key.hex()}, which the "
                + (
                    "chain does not hold"
                    if holder is None
                    else f"chain holds for 0x{holder.hex()}: it was revealed under another key"
                ),
            )
        created = self._write(digest, described.canonical_json, tlp, submitter, signed.recipients)
        return PutResult(content_hash=digest, created=created)

    def _write(
        self,
        digest: bytes,
        canonical_json: bytes,
        tlp: Tlp,
        holder: str,
        recipients: tuple[str, ...],
    ) -> bool:
        """Store the row attributed to the chain's holder, with its recipients.

        Only called once ``holder`` signed the put.  The row is inserted,
        or re-attributed if a supersede moved the indicator to ``holder``:
        otherwise the row would keep naming the displaced firm while the
        new holder's recipient list governs it.  One transaction, so
        attribution and recipients never disagree.  Returns whether the
        row is new.
        """
        with self._db:
            created = (
                self._db.execute(
                    "INSERT OR IGNORE INTO bundles "
                    "(content_hash, canonical_json, tlp, submitter, put_at) VALUES (?, ?, ?, ?, ?)",
                    (digest, canonical_json, tlp.value, holder, self._now()),
                ).rowcount
                == 1
            )
            if not created:
                self._db.execute(
                    "UPDATE bundles SET submitter = ? WHERE content_hash = ?", (holder, digest)
                )
            self._db.execute("DELETE FROM recipients WHERE content_hash = ?", (digest,))
            self._db.executemany(
                "INSERT INTO recipients (content_hash, account) VALUES (?, ?)",
                [(digest, account) for account in recipients],
            )
        return created

    # -- reads ---------------------------------------------------------------

    def _holder(self, content_hash: bytes) -> str | None:
        """The chain's holder of an indicator now, or ``None`` if not revealed."""
        raw = self._chain.submitter_of(content_hash)
        return None if raw is None else normalise_address(raw, "submitter")

    def _row_to_bundle(self, row: tuple[Any, ...], holder: str) -> StoredBundle:
        """Build the bundle as served, attributed to the chain's ``holder``.

        The stored attribution only says who named the stored recipients:
        if a supersede made another firm the holder and it has not put the
        bundle yet, those recipients were chosen by a firm with no say any
        more, so none are served (an AMBER+STRICT bundle then reads as its
        holder's alone: fail closed).
        """
        content_hash, canonical, tlp, named_by, put_at = row
        content_hash = bytes(content_hash)
        canonical = bytes(canonical)
        if bytes(keccak(canonical)) != content_hash:
            # Refuse to serve what the chain would not vouch for.
            raise SharingError(
                f"pool: stored bundle 0x{content_hash.hex()} does not match its hash "
                "(database corrupted or tampered with)"
            )
        recipients: tuple[str, ...] = ()
        if named_by == holder:
            recipients = tuple(
                r[0]
                for r in self._db.execute(
                    "SELECT account FROM recipients WHERE content_hash = ? ORDER BY lower(account)",
                    (content_hash,),
                )
            )
        return StoredBundle(
            content_hash=content_hash,
            json_text=canonical.decode("utf-8"),
            tlp=Tlp(tlp),
            submitter=holder,
            recipients=recipients,
            put_at=int(put_at),
        )

    def _rows(self, where: str = "", args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(
            self._db.execute(
                "SELECT content_hash, canonical_json, tlp, submitter, put_at FROM bundles "
                f"{where} ORDER BY seq",
                args,
            )
        )

    def _requester(
        self, request: SignedRequest | None, action: Action, h: bytes | None
    ) -> str | None:
        if request is None:
            return None
        return self._authenticate(request, action, h).requester

    def get(self, content_hash: bytes | str, request: SignedRequest | None = None) -> StoredBundle:
        """Read one bundle.

        Parameters
        ----------
        content_hash : bytes or str
            32 bytes, or their hex.
        request : SignedRequest, optional
            A ``get`` request for this hash; not needed for TLP:CLEAR.  If
            given, it is verified (and its nonce spent) whatever the marking.

        Returns
        -------
        StoredBundle
            The bundle and its metadata.

        Raises
        ------
        InputError
            If no bundle with this hash is stored, or the chain no longer
            reveals it.
        PoolAccessDenied
            If the request does not verify or the TLP rule refuses the
            requester.
        """
        digest = _as_hash(content_hash)
        # Existence is not a secret (every hash is revealed on chain), so a
        # miss is reported before the request is checked.
        stored = self._stored(digest)
        return self._checked(stored, self._requester(request, Action.GET, digest))

    def get_for(self, reader: str | None, content_hash: bytes | str) -> StoredBundle:
        """Read one bundle for a reader already authenticated by the caller.

        The same rule as :meth:`get`, applied at call time to the chain's
        answers now (access can lapse between two calls): for a server that
        authenticated ``reader`` itself (a bearer token bound to an address),
        so no signed request is involved.  ``None`` reads as unsigned.

        Raises
        ------
        InputError
            As :meth:`get`.
        PoolAccessDenied
            If the TLP rule refuses the reader.
        """
        digest = _as_hash(content_hash)
        stored = self._stored(digest)
        reader = None if reader is None else normalise_address(reader, "reader")
        return self._checked(stored, reader)

    def _stored(self, digest: bytes) -> StoredBundle:
        rows = self._rows("WHERE content_hash = ?", (digest,))
        if not rows:
            raise InputError(f"pool: no bundle 0x{digest.hex()} in the pool")
        holder = self._holder(digest)
        if holder is None:
            raise InputError(f"pool: bundle 0x{digest.hex()} is not revealed on chain")
        return self._row_to_bundle(rows[0], holder)

    def _checked(self, stored: StoredBundle, requester: str | None) -> StoredBundle:
        check_read(
            tlp=stored.tlp,
            requester=requester,
            submitter=stored.submitter,
            recipients=stored.recipients,
            is_member=self._chain.is_member,
            has_access=self._chain.has_access,
        )
        return stored

    def readable(self, request: SignedRequest | None = None) -> list[StoredBundle]:
        """List the bundles the requester may read, in the order they were put.

        Parameters
        ----------
        request : SignedRequest, optional
            A ``list`` request.  Without one, only TLP:CLEAR bundles are
            listed.

        Returns
        -------
        list of StoredBundle
            The readable bundles (the others, and any the chain no longer
            reveals, are silently left out).

        Raises
        ------
        PoolAccessDenied
            If a request is given and does not verify.
        """
        return self.readable_by(self._requester(request, Action.LIST, None))

    def readable_by(self, reader: str | None) -> list[StoredBundle]:
        """List the bundles ``reader`` may read now, in put order.

        The rule of :meth:`readable` for a reader the caller authenticated
        itself (see :meth:`get_for`); ``None`` lists TLP:CLEAR only.
        """
        requester = None if reader is None else normalise_address(reader, "reader")
        # One membership and one access query per listing, not per bundle; the
        # holder is per bundle by nature (one submitter_of each).
        is_member = cache(self._chain.is_member)
        has_access = cache(self._chain.has_access)
        readable: list[StoredBundle] = []
        for row in self._rows():
            holder = self._holder(bytes(row[0]))
            if holder is None:
                continue
            stored = self._row_to_bundle(row, holder)
            try:
                check_read(
                    tlp=stored.tlp,
                    requester=requester,
                    submitter=stored.submitter,
                    recipients=stored.recipients,
                    is_member=is_member,
                    has_access=has_access,
                )
            except PoolAccessDenied:
                continue
            readable.append(stored)
        return readable

    def export(self, request: SignedRequest | None = None) -> str:
        """Export the requester's readable bundles as one STIX 2.1 bundle.

        Objects are merged in put order; an object that several bundles
        share (the TLP marking definitions) appears once.  The bundle id is
        derived from the exported content hashes, so the same pool content
        exports to the same bytes.

        Parameters
        ----------
        request : SignedRequest, optional
            A ``list`` request (see :meth:`readable`).

        Returns
        -------
        str
            Canonical JSON of the merged bundle (no ``objects`` member if
            nothing is readable).

        Raises
        ------
        PoolAccessDenied
            If a request is given and does not verify.
        """
        bundles = self.readable(request)
        seen: set[bytes] = set()
        objects: list[Any] = []
        for stored in bundles:
            for obj in json.loads(stored.json_text).get("objects", []):
                key = jcs_dumps(obj)
                if key not in seen:
                    seen.add(key)
                    objects.append(obj)
        digest = bytes(keccak(b"".join(b.content_hash for b in bundles)))
        export: dict[str, Any] = {
            "type": "bundle",
            "id": f"bundle--{uuid.UUID(bytes=digest[:16], version=4)}",
        }
        if objects:
            export["objects"] = objects
        return jcs_dumps(export).decode("utf-8")

    def hashes(self) -> list[bytes]:
        """Return the content hashes of every stored bundle, in put order.

        Hashes are public on chain anyway; this reveals no content.
        """
        return [
            bytes(r[0]) for r in self._db.execute("SELECT content_hash FROM bundles ORDER BY seq")
        ]
