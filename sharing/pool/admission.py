"""The pool's offline admission rule: what ``put`` refuses before it asks the chain.

One rule, two callers.  :meth:`sharing.pool.store.PoolStore.put` applies it
to every bundle it stores, and every submission path (``sharing indicator
submit``, ``sharing indicator import``, the submission library) applies it
before its first transaction: a bundle the pool would refuse must never
be committed on chain, where it would stand for content the alliance can
never hold.

The rule needs nothing but the bundle and the recipients the submitter
will name:

* a TLP 2.0 marking (or a TLP 1.0 one, read as its TLP 2.0 equivalent);
  an unmarked bundle has no defined audience, so the pool cannot serve it;
* never TLP:RED ("for the eyes and ears of individual recipients only"):
  a pool is not an individual recipient;
* recipients only with TLP:AMBER+STRICT, the one marking that limits the
  readers to named organisations.

What ``put`` checks beyond this needs the chain (the reveal, its holder, the
semantic key the chain holds) and is checked there; the hash is checked
against the signed request.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any

from sharing.errors import InputError
from sharing.standards.stix import Tlp

__all__ = ["BundleRejected", "RejectReason", "admit"]


class RejectReason(StrEnum):
    """Why a bundle was refused at ``put``; the value appears in the message."""

    HASH_MISMATCH = "hash mismatch"
    NOT_REVEALED = "not revealed"
    TLP_RED = "TLP:RED"
    NO_TLP = "no TLP marking"
    RECIPIENTS_UNUSED = "recipients without AMBER+STRICT"
    KEY_MISMATCH = "semantic key mismatch"


class BundleRejected(InputError):
    """A bundle was refused by the pool; nothing was stored."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"pool: bundle rejected ({reason.value}): {detail}")


def admit(described: Any, recipients: Collection[str] = ()) -> Tlp:
    """Apply the pool's offline admission rule to a described bundle.

    Parameters
    ----------
    described : IndicatorBundle
        The bundle as :func:`sharing.standards.stix_parse.load_indicator_bundle`
        describes it (only its ``tlp`` and ``hash_hex`` are read).
    recipients : collection of str
        The AMBER+STRICT recipients the submitter will name at ``put``.

    Returns
    -------
    Tlp
        The bundle's marking, which the pool will serve it under.

    Raises
    ------
    BundleRejected
        ``no TLP marking``, ``TLP:RED`` or ``recipients without
        AMBER+STRICT``.
    """
    tlp: Tlp | None = described.tlp
    where = f"{described.hash_hex}: "
    if tlp is None:
        raise BundleRejected(
            RejectReason.NO_TLP,
            where + "the pool needs a TLP 2.0 marking (mark it CLEAR, GREEN, AMBER or "
            "AMBER+STRICT)",
        )
    if tlp is Tlp.RED:
        raise BundleRejected(
            RejectReason.TLP_RED,
            where + "TLP:RED is for named recipients only and never enters a pool",
        )
    if recipients and tlp is not Tlp.AMBER_STRICT:
        raise BundleRejected(
            RejectReason.RECIPIENTS_UNUSED,
            where + f"recipients only apply to TLP:AMBER+STRICT, this bundle is {tlp.label}",
        )
    return tlp
