r"""Who may read what in the off-chain pool: the chain's facts and the TLP rules.

The pool (:mod:`sharing.pool.store`) holds STIX bundles off chain, but the
right to read them is decided on chain (docs/pool.md).  This module defines
what that decision needs, independent of storage:

* :class:`ChainView`, the on-chain facts the pool depends on.  The chain
  wrapper implements it; tests use a fake.
* :func:`check_read`, the TLP 2.0 access rule, applied to the verified
  requester of a signed request (:mod:`sharing.pool.requests`, whose names
  are re-exported here).

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

from collections.abc import Callable, Collection
from typing import Protocol, runtime_checkable

from sharing.pool.requests import (
    DEFAULT_TTL,
    DOMAIN_NAME,
    EIP1271_MAGIC,
    REQUEST_TYPES,
    REQUEST_VERSION,
    Action,
    ContractSignatureCheck,
    DenyReason,
    MessageSigner,
    PoolAccessDenied,
    PoolRequest,
    SignedRequest,
    make_request,
    normalise_address,
    recover_request,
    sign_request,
)
from sharing.standards.stix import Tlp

__all__ = [
    "DEFAULT_TTL",
    "DOMAIN_NAME",
    "EIP1271_MAGIC",
    "REQUEST_TYPES",
    "REQUEST_VERSION",
    "Action",
    "ChainView",
    "ContractSignatureCheck",
    "DenyReason",
    "MessageSigner",
    "PoolAccessDenied",
    "PoolRequest",
    "SignedRequest",
    "check_read",
    "make_request",
    "normalise_address",
    "recover_request",
    "sign_request",
]


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
