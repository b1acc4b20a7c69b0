"""The alliance dashboard: server-rendered pages for people, at ``/`` of ``sharing serve``.

Pages (docs/dashboard.md says where each number comes from): the Alliance
(``alliance_page``), the Indicators and one page per indicator
(``indicator_pages``), My account after Sign-In with Ethereum
(``account_pages``, figures from ``account``), and Incentives (the latest
simulation and models reports, ``report`` and ``incentives_page``). The
data behind them is one :class:`~sharing.server.dashboard.snapshot.Snapshot`
per block (the price index over time: ``prices``); the HTML vocabulary is
``html``, the charts ``svg``, the routes ``endpoints``. No JavaScript is
needed: two small scripts only offer a reload when a block is mined and a
browser-wallet sign-in button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from sharing.server.context import ServerContext

__all__ = ["routes"]


def routes(ctx: ServerContext) -> list[BaseRoute]:
    """The dashboard's routes over ``ctx`` (imported on first use: Starlette loads then)."""
    from sharing.server.dashboard.endpoints import routes as build

    return build(ctx)
