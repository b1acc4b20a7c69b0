"""What every HTTP handler needs: the chain, the alliance, the pool, the token authority.

The TAXII API (:mod:`sharing.server.taxii`) and the dashboard
(``sharing.server.dashboard``) receive one :class:`ServerContext` and read
everything through it, so both enforce the same rules on the same state.

The embedded eth-tester chain is not thread-safe, and neither is one
SQLite connection: every handler touches the chain and the pool only
inside ``with ctx.lock:`` (:meth:`ServerContext.locked`), which serialises
them across uvicorn's event loop, its thread pool and a test's own thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sharing.chain.ais import AisSystem, Status
    from sharing.chain.connect import Chain
    from sharing.pool.sightings import SightingStore
    from sharing.pool.store import PoolStore
    from sharing.server.auth import TokenAuthority
    from sharing.server.chain_view import BlockPinnedView

__all__ = ["ServerContext"]


@dataclass
class ServerContext:
    """The state one server process serves.

    Attributes
    ----------
    chain : Chain
        The node (embedded or JSON-RPC).
    system : AisSystem
        The alliance contract: membership, access, indicator status.
    pool : PoolStore
        The bundles, read through ``get_for`` / ``readable_by``.
    auth : TokenAuthority
        Issues and verifies bearer tokens.
    report_dir : Path or None
        The latest ``sharing simulate --report`` folder, served read-only.
    title : str
        Shown by the dashboard and as the TAXII discovery title.
    sightings : SightingStore or None
        Members' sightings of verified indicators (``None``: not accepted).
    lock : threading.RLock
        Held around every use of ``chain``, ``system``, ``pool`` and ``sightings``.
    chain_view : BlockPinnedView or None
        The chain view the pool was built over, pinned per request by
        :meth:`reading`; ``None`` reads the chain directly.
    """

    chain: Chain
    system: AisSystem
    pool: PoolStore
    auth: TokenAuthority
    report_dir: Path | None = None
    title: str = "Automated Indicator Sharing alliance"
    sightings: SightingStore | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    extra: dict[str, Any] = field(default_factory=dict)
    chain_view: BlockPinnedView | None = None

    @contextmanager
    def locked(self) -> Iterator[ServerContext]:
        """``with ctx.locked():`` - exclusive use of the chain and the pool."""
        with self.lock:
            yield self

    @contextmanager
    def reading(self) -> Iterator[ServerContext]:
        """``with ctx.reading():`` - locked, and the chain's answers those of one block.

        The pool built over :attr:`chain_view` (``sharing serve`` and the demo
        build it so) then asks the chain each question once per block instead
        of once per bundle (:mod:`sharing.server.chain_view`).
        """
        with self.lock:
            if self.chain_view is None:
                yield self
            else:
                with self.chain_view.pinned():
                    yield self

    def is_member(self, account: str) -> bool:
        """Membership now (through the pinned view when there is one)."""
        view = self.chain_view
        return view.is_member(account) if view is not None else self.system.is_member(account)

    def has_access(self, account: str) -> bool:
        """Pool access now (through the pinned view when there is one)."""
        view = self.chain_view
        return view.has_access(account) if view is not None else self.system.has_access(account)

    def submitter_of(self, content_hash: bytes) -> str | None:
        """An indicator's holder now (through the pinned view when there is one)."""
        view = self.chain_view
        if view is not None:
            return view.submitter_of(content_hash)
        return self.system.submitter_of(content_hash)

    def status_of(self, content_hash: bytes) -> Status:
        """An indicator's status now (through the pinned view when there is one)."""
        view = self.chain_view
        if view is not None:
            return view.status_of(content_hash)
        return self.system.indicator(content_hash).status
