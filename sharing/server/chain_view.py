"""The pool's chain answers, read once per block while a request is being served.

A TAXII page lists every bundle of a collection, and every bundle costs
the pool a few contract calls (its holder, its status, the reader's
membership and access): about 12 ms a bundle on the embedded chain, so a
pool of a thousand bundles would take seconds a page.  Within one block
the answers cannot change, so :class:`BlockPinnedView` answers from a memo
while a request holds :meth:`BlockPinnedView.pinned`, and the memo belongs
to the block *hash* read when the pin is taken: a new block, or a dev
chain reverted to another branch, starts a new memo.  Outside a pin every
call goes to the chain, so code that does not pin (the dashboard, the CLI)
always reads it live.

It implements :class:`sharing.pool.access.ChainView`, so a
:class:`~sharing.pool.store.PoolStore` built over it applies exactly the
same rule; the answers are the chain's at the moment the request began.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sharing.chain.ais import AisSystem, Status

__all__ = ["BlockPinnedView"]

T = TypeVar("T")


class BlockPinnedView:
    """A :class:`~sharing.pool.access.ChainView` over an alliance, memoised per pinned block."""

    def __init__(self, system: AisSystem) -> None:
        self.system = system
        self._depth = 0
        self._block: bytes | None = None
        self._memo: dict[tuple[str, Any], Any] = {}

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Answer from one block for the duration (re-entrant)."""
        if self._depth == 0:
            latest = bytes(self.system.chain.w3.eth.get_block("latest")["hash"])
            if latest != self._block:
                self._block, self._memo = latest, {}
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    def _ask(self, name: str, key: Any, call: Callable[[], T]) -> T:
        if self._depth == 0:
            return call()
        if (name, key) not in self._memo:
            self._memo[(name, key)] = call()
        result: T = self._memo[(name, key)]
        return result

    def is_revealed(self, content_hash: bytes) -> bool:
        """See :class:`~sharing.pool.access.ChainView`."""
        return self._ask("revealed", content_hash,
                         lambda: self.system.is_revealed(content_hash))

    def submitter_of(self, content_hash: bytes) -> str | None:
        """See :class:`~sharing.pool.access.ChainView`."""
        return self._ask("submitter", content_hash,
                         lambda: self.system.submitter_of(content_hash))

    def has_access(self, account: str) -> bool:
        """See :class:`~sharing.pool.access.ChainView`."""
        return self._ask("access", account, lambda: self.system.has_access(account))

    def key_holder(self, semantic_key: bytes) -> bytes | None:
        """See :class:`~sharing.pool.access.ChainView`."""
        return self._ask("key", semantic_key, lambda: self.system.key_holder(semantic_key))

    def is_member(self, account: str) -> bool:
        """See :class:`~sharing.pool.access.ChainView`."""
        return self._ask("member", account, lambda: self.system.is_member(account))

    def status_of(self, content_hash: bytes) -> Status:
        """The indicator's status on chain."""
        return self._ask("status", content_hash,
                         lambda: self.system.indicator(content_hash).status)
