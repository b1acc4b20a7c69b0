"""A populated alliance to serve: ``sharing serve --demo``, the TAXII tests, the browser tests.

:func:`build_demo_context` deploys the alliance on an embedded eth-tester
chain (:class:`sharing.demo.Demo`: governance, one member of each tier,
three independent panellists, the pool funded) and walks it to a state
worth browsing:

==========  ==========  ================  ======================================
indicator   submitter   marking           on chain
==========  ==========  ================  ======================================
A           critical    TLP:GREEN         verified, in the pool
B           core        TLP:AMBER         verified, in the pool
C           small       TLP:CLEAR         verified, in the pool
D           critical    TLP:AMBER+STRICT  verified, in the pool, recipient: core
E           core        TLP:GREEN         pending (the panel has not voted), in the pool
F           small       TLP:GREEN         rejected by the panel, not in the pool
==========  ==========  ================  ======================================

Every bundle carries its submitter's alliance pseudonym as an ``identity``
(``created_by_ref``), the AIS consent marking (EVERYONE) and a confidence.
A fourth member, the ``newcomer``, has contributed nothing and so has no
pool access.  The pool is built over a
:class:`~sharing.server.chain_view.BlockPinnedView`, as ``sharing serve``
builds it.  Every member signs in with EIP-4361 exactly as a client
would (:meth:`sharing.server.auth.TokenAuthority.exchange`), and the
returned mapping holds one bearer token per member address.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct

from sharing.chain.connect import embedded_chain
from sharing.demo import Demo
from sharing.pool.access import make_request
from sharing.pool.sightings import SightingStore
from sharing.pool.store import PoolStore
from sharing.server.auth import TokenAuthority
from sharing.server.chain_view import BlockPinnedView
from sharing.server.context import ServerContext
from sharing.standards.stix_build import member_pseudonym
from sharing.standards.synthetic import SyntheticIndicator, generate_indicator
from sharing.standards.tlp import Tlp

__all__ = ["DEMO_PLAN", "DemoMembers", "build_demo_context", "sign_in"]

#: (label, submitter, marking, outcome) of each demo indicator.
DEMO_PLAN: tuple[tuple[str, str, Tlp, str], ...] = (
    ("A", "critical", Tlp.GREEN, "verified"),
    ("B", "core", Tlp.AMBER, "verified"),
    ("C", "small", Tlp.CLEAR, "verified"),
    ("D", "critical", Tlp.AMBER_STRICT, "verified"),
    ("E", "core", Tlp.GREEN, "pending"),
    ("F", "small", Tlp.GREEN, "rejected"),
)


class DemoMembers(dict[str, str]):
    """Tier name (and ``newcomer``) -> address, with the indicators by label."""

    indicators: dict[str, SyntheticIndicator]


def sign_in(auth: TokenAuthority, key: bytes, uri: str) -> str:
    """Sign in as the owner of ``key`` the way a client does; return the token."""
    account = Account.from_key(key)
    message = auth.message_for(account.address, auth.new_nonce(), uri)
    signature = account.sign_message(encode_defunct(text=message)).signature
    return auth.exchange(message, "0x" + bytes(signature).hex()).token


def build_demo_context(
    *,
    domain: str = "127.0.0.1:8000",
    seed: int = 7,
    report_dir: Path | None = None,
    token_ttl: int | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> tuple[ServerContext, dict[str, str]]:
    """An embedded chain with a populated alliance, and a token for each member.

    Parameters
    ----------
    domain : str
        ``host:port`` clients will connect to (the sign-in domain).
    seed : int
        Seed of the synthetic indicators.
    report_dir : Path, optional
        A ``sharing simulate --report`` folder for the dashboard.
    token_ttl : int, optional
        Token lifetime, seconds (the authority's default otherwise).
    log : callable
        Receives one line per step.

    Returns
    -------
    (ServerContext, dict)
        The context (``ctx.extra["members"]`` is a :class:`DemoMembers`) and
        ``{address: token}`` for the four members.
    """
    chain = embedded_chain()
    demo = Demo(chain, seed, log)
    system = demo.system
    newcomer = chain.accounts[7]
    system.register_member(newcomer, 2)
    members = DemoMembers(demo.firms)
    members["newcomer"] = newcomer
    members.indicators = {}
    # The served pool asks the chain once per block and request (sharing.server.chain_view).
    view = BlockPinnedView(system)
    pool = PoolStore(view, chain_id=chain.chain_id, pool_address=system.address)
    sightings = SightingStore()
    auth_kwargs: dict[str, Any] = {} if token_ttl is None else {"token_ttl": token_ttl}
    auth = TokenAuthority(domain=domain, chain_id=chain.chain_id, **auth_kwargs)
    ctx = ServerContext(
        chain=chain,
        system=system,
        pool=pool,
        auth=auth,
        report_dir=report_dir,
        title="AIS alliance (demo)",
        sightings=sightings,
        chain_view=view,
    )
    # Demo pseudonyms come from the seed; a real member keeps its own secret.
    pseudonyms = {
        tier: member_pseudonym(f"demo pseudonym {seed} {tier}".encode())
        for tier in demo.firms
    }
    for offset, (label, tier, tlp, outcome) in enumerate(DEMO_PLAN):
        firm = demo.firms[tier]
        ind = generate_indicator(seed * 100 + offset, tlp=tlp, author=pseudonyms[tier],
                                 consent="everyone")
        members.indicators[label] = ind
        demo.commit_and_reveal(firm, ind)
        if outcome == "pending":
            _put(demo, pool, firm, ind)
            log(f"{label}: pending, in the pool")
            continue
        demo.verify(label, firm, ind, valid=outcome == "verified", publish=False)
        if outcome == "verified":
            recipients: list[str] = [demo.firms["core"]] if tlp is Tlp.AMBER_STRICT else []
            _put(demo, pool, firm, ind, recipients)
    ctx.extra["members"] = members
    uri = f"http://{domain}/"
    tokens = {address: sign_in(auth, chain.key_of(address), uri) for address in members.values()}
    return ctx, tokens


def _put(
    demo: Demo,
    pool: PoolStore,
    firm: str,
    ind: SyntheticIndicator,
    recipients: list[str] | None = None,
) -> None:
    request = make_request(
        demo.chain.key_of(firm),
        action="put",
        chain_id=demo.chain.chain_id,
        pool=demo.system.address,
        content_hash=ind.content_hash,
        recipients=recipients or (),
    )
    pool.put(ind.bundle_json, request)
