"""The alliance end to end: the scenario ``make demo`` runs, on any chain.

Three firms (one per tier), three independent panellists, quorum 2. Six
indicators exercise every path a user asks about: verified rewards, a
duplicate, an invalid submission, a front-running attempt, and a firm that
cannot read the pool until it has contributed. Every reward the chain paid
is compared, to the wei, with :func:`sharing.quote.quote`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sharing import quote as q
from sharing.bots.strategic import reissue
from sharing.chain.ais import AisSystem, Status, new_salt
from sharing.chain.connect import Chain
from sharing.errors import AccessDenied, RevertError
from sharing.pool.access import make_request
from sharing.pool.store import PoolStore
from sharing.standards.synthetic import SyntheticIndicator, generate_indicators

REVEAL_WINDOW = 600
VOTE_WINDOW = 3_600
POOL_FUNDS = 5 * 10**18
TIER_NAMES = ("critical", "core", "small")


@dataclass
class Row:
    """One indicator's line in the demo table."""

    label: str
    submitter: str
    tier: str
    cvss: int
    scope: int
    valid_votes: int
    invalid_votes: int
    status: str
    reward_wei: int
    quote_wei: int | None
    note: str

    @property
    def quote_match(self) -> bool | None:
        """Whether the chain paid exactly the Python quote (None if nothing was due)."""
        return None if self.quote_wei is None else self.quote_wei == self.reward_wei


class Demo:
    """The scenario's state: chain, contract, pool, actors and the rows so far."""

    def __init__(self, chain: Chain, seed: int, log: Callable[[str], None]) -> None:
        if len(chain.accounts) < 7:
            raise ValueError("the demo needs 7 accounts")
        self.chain = chain
        self.log = log
        gov, crit, core, small, pa, pb, pc = chain.accounts[:7]
        self.firms = {"critical": crit, "core": core, "small": small}
        self.panel = [pa, pb, pc]
        self.system = AisSystem.deploy(chain, governance=gov)
        s = self.system
        for tier, name in enumerate(TIER_NAMES):
            s.register_member(self.firms[name], tier)
        for p in self.panel:
            s.appoint_panellist(p)
        s.set_windows(REVEAL_WINDOW, VOTE_WINDOW)
        s.fund(POOL_FUNDS)
        self.pool = PoolStore(s, chain_id=chain.chain_id, pool_address=s.address)
        # The scenario never changes the tables: read them once (13 + 5 calls), not per quote.
        self.schedule, self.rule = s.schedule(), s.price_rule()
        # TLP:GREEN: the community marking, the one the on-chain access rule gates.
        self.indicators: list[SyntheticIndicator] = generate_indicators(
            8, random_state=seed, tlp="green"
        )
        self.rows: list[Row] = []
        self.reads: list[dict[str, Any]] = []

    def tier_of(self, firm: str) -> int:
        """Tier code of a demo firm."""
        return next(i for i, n in enumerate(TIER_NAMES) if self.firms[n] == firm)

    def name_of(self, firm: str) -> str:
        """Tier name of a demo firm."""
        return TIER_NAMES[self.tier_of(firm)]

    def commit_and_reveal(self, firm: str, ind: SyntheticIndicator) -> bytes:
        """Commit, wait a block, reveal; return the salt."""
        salt = new_salt()
        self.system.commit(firm, ind.content_hash, salt, *terms_of(ind))
        self.chain.mine()
        self.system.reveal(firm, ind.content_hash, salt, *terms_of(ind))
        return salt

    def verify(
        self,
        label: str,
        firm: str,
        ind: SyntheticIndicator,
        valid: bool = True,
        note: str = "",
        publish: bool = True,
    ) -> Row:
        """Panel votes (honestly: the bundle's CVSS score and scope), finalise, record."""
        s = self.system
        self.chain.advance_time(REVEAL_WINDOW)
        for p in self.panel:
            s.vote(p, ind.content_hash, valid, ind.score_x10 if valid else 0, ind.scope)
        price = s.terms(ind.content_hash).price_bps  # fixed at the reveal
        submitter = s.indicator(ind.content_hash).submitter
        s.finalise(ind.content_hash)
        st = s.indicator(ind.content_hash)
        due = None
        if st.status == Status.VERIFIED:
            due = q.quote(
                self.tier_of(submitter),
                st.claimed_class,
                st.severity_x10,
                st.scope,
                price,
                self.schedule,
                self.rule,
            )
        row = Row(
            label,
            self.name_of(submitter),
            self.name_of(submitter),
            ind.score_x10,
            ind.scope,
            st.valid_votes,
            st.invalid_votes,
            st.status.name.lower(),
            st.reward,
            due,
            note,
        )
        self.rows.append(row)
        if publish and st.status == Status.VERIFIED:
            key = self.chain.key_of(submitter)
            req = make_request(
                key,
                action="put",
                chain_id=self.chain.chain_id,
                pool=s.address,
                content_hash=ind.content_hash,
            )
            self.pool.put(ind.bundle_json, req)
        self.log(f"{label}: {row.status}, reward {row.reward_wei} wei")
        return row

    def try_read(self, reader: str, ind: SyntheticIndicator, when: str) -> dict[str, Any]:
        """A signed pool read; records whether the on-chain rule let it through."""
        req = make_request(
            self.chain.key_of(reader),
            action="get",
            chain_id=self.chain.chain_id,
            pool=self.system.address,
            content_hash=ind.content_hash,
        )
        try:
            self.pool.get(ind.content_hash, req)
            outcome = {"reader": self.name_of(reader), "when": when, "allowed": True, "reason": ""}
        except AccessDenied as exc:
            outcome = {
                "reader": self.name_of(reader),
                "when": when,
                "allowed": False,
                "reason": str(exc),
            }
        self.reads.append(outcome)
        self.log(
            f"read by {outcome['reader']} {when}: {'allowed' if outcome['allowed'] else 'denied'}"
        )
        return outcome

    def refused(
        self,
        label: str,
        firm: str,
        ind: SyntheticIndicator,
        note: str,
        action: Callable[[], object],
    ) -> None:
        """Run an action that the contract must refuse and record the refusal."""
        try:
            action()
        except RevertError as exc:
            self.rows.append(
                Row(
                    label,
                    self.name_of(firm),
                    self.name_of(firm),
                    ind.score_x10,
                    ind.scope,
                    0,
                    0,
                    "refused",
                    0,
                    None,
                    f"{note}: {exc.reason}",
                )
            )
            self.log(f"{label}: refused ({exc.reason})")
            return
        raise AssertionError(f"{label}: the contract accepted what it must refuse")


def terms_of(ind: SyntheticIndicator) -> tuple[int, int, bytes]:
    """The terms a commitment binds: category, class and semantic key."""
    return ind.category, ind.indicator_class, ind.semantic_key


def run_demo(
    chain: Chain, seed: int = 7, log: Callable[[str], None] = lambda _m: None
) -> dict[str, Any]:
    """Run the scenario on ``chain`` and return tables and checks as plain data."""
    started = time.perf_counter()
    d = Demo(chain, seed, log)
    s = d.system
    crit, core, small = d.firms["critical"], d.firms["core"], d.firms["small"]
    a, b, c, junk, e = d.indicators[:5]

    d.commit_and_reveal(crit, a)
    d.verify("A", crit, a)
    d.try_read(small, a, "before contributing")

    d.commit_and_reveal(core, b)
    d.verify("B", core, b)

    # Duplicate: the small firm copies B's bundle after it was revealed.
    salt = new_salt()
    s.commit(small, b.content_hash, salt, *terms_of(b))
    chain.mine()
    d.refused(
        "B'",
        small,
        b,
        "duplicate of B",
        lambda: s.reveal(small, b.content_hash, salt, *terms_of(b)),
    )

    # Re-worded duplicate: the small firm re-issues B's observable in new bytes (a new STIX
    # id and timestamp, marked revoked): a new content hash, the same semantic key.
    again = reissue(b, seed=seed, revoked=True)
    salt = new_salt()
    s.commit(small, again.content_hash, salt, b.category, b.indicator_class, again.semantic_key)
    chain.mine()
    d.refused(
        "B''",
        small,
        b,
        "B's observable in new bytes",
        lambda: s.reveal(
            small, again.content_hash, salt, b.category, b.indicator_class, again.semantic_key
        ),
    )

    # Front-running: core commits C; small sees C's reveal in the mempool, commits the
    # same content and gets its reveal mined first. Core's reveal still wins: it committed first.
    salt_core = new_salt()
    s.commit(core, c.content_hash, salt_core, *terms_of(c))
    salt_copy = new_salt()
    s.commit(small, c.content_hash, salt_copy, *terms_of(c))
    chain.mine()
    s.reveal(small, c.content_hash, salt_copy, *terms_of(c))
    s.reveal(core, c.content_hash, salt_core, *terms_of(c))
    d.verify("C", core, c, note="front-run by small: superseded, core paid")

    d.commit_and_reveal(small, junk)
    d.verify("D", small, junk, valid=False, note="junk: panel votes invalid")

    d.commit_and_reveal(small, e)
    d.verify("E", small, e)
    d.try_read(small, a, "after contributing")

    firms = []
    for name, firm in d.firms.items():
        claimable = int(s.call("claimable", firm))
        claimed = 0
        if claimable:
            s.claim(firm)
            claimed = claimable
        firms.append(
            {
                "firm": name,
                "address": firm,
                "reward_wei": claimed + int(s.call("owed", firm)),
                "claimed_wei": claimed,
                "owed_wei": int(s.call("owed", firm)),
                "reputation": int(s.call("reputation", firm)),
                "access": s.has_access(firm),
            }
        )
    books = {
        "balance": s.balance(),
        "total_claimable": int(s.call("total_claimable")),
        "unallocated": int(s.call("unallocated")),
        "total_owed": int(s.call("total_owed")),
    }
    rows = [dict(r.__dict__, quote_match=r.quote_match) for r in d.rows]
    checks = {
        "quotes_match": all(r["quote_match"] is not False for r in rows),
        "books_balance": books["balance"] == books["total_claimable"] + books["unallocated"],
        "read_denied_before": not d.reads[0]["allowed"],
        "read_allowed_after": d.reads[-1]["allowed"],
        "front_run_defeated": next(r for r in d.rows if r.label == "C").submitter == "core",
    }
    return {
        "chain": {
            "kind": chain.kind,
            "chain_id": chain.chain_id,
            "address": s.address,
            "transactions": s.alliance.transactions,
            "seconds": round(time.perf_counter() - started, 2),
        },
        "indicators": rows,
        "firms": firms,
        "reads": d.reads,
        "books": books,
        "checks": checks,
        "ok": all(checks.values()),
    }
