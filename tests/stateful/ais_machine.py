"""A hypothesis state machine that drives AisAlliance with random operations against a ghost model.

The ghost (:class:`Ghost`) is a plain-Python model of what the alliance
promises: who holds which observable and indicator, which panel judges each
indicator, which seat voted, what each firm can claim and is owed, the FIFO
debt queue, reputations, the price index, pool access, the surplus. Each
rule predicts the outcome of one transaction (success, or the exact revert
reason), sends it, and updates the ghost. After every step the invariants
compare the chain with the ghost and check the properties the mechanism is
for, stated in the ghost's own terms:

* **judged by a majority of its own panel** - an indicator is judged by the
  appointments seated when it was revealed, less the submitter's seat and
  its affiliates'; VERIFIED implies more valid than invalid votes *and* valid
  votes from a strict majority of those seats (REJECTED, the same for the
  invalid side); a seat appointed after a reveal (or a panellist re-seated)
  never has a vote counted on it;
* **one observable, paid once** - at most one VERIFIED indicator per
  semantic key, whatever the wording of its bundle: the first firm to commit
  to an observable holds it, a later one is a duplicate;
* **the price is fixed at the reveal** - the reward of a verified indicator
  is the quote at the category's index when it was revealed, whoever
  finalised it and in whatever order; a verified indicator of severity 0
  grants no access, no reputation and moves no price;
* **the books** - ``balance >= unallocated + total_claimable``; the surplus
  (``balance - unallocated - total_claimable``) is exactly the ether forced in
  (a selfdestruct) minus what governance swept, never anyone's reward.
  ``total_owed`` is a liability **not** backed by the balance: rewards
  decided while the pool was short, paid (moved from ``unallocated`` to
  ``claimable``) in FIFO order when wei arrives. So
  ``funded + forced == balance + claimed + swept`` and
  ``sum(rewards of verified indicators) == total_claimable + total_owed + claimed``;
  every verified indicator is paid exactly once; reputation and pool access
  follow the rules.

At the end of every sequence the ledger rebuilt from events alone must
equal storage (and the ghost). The module is shared by the CI test
(``test_ais_machine.py``) and the long campaign (``campaign.py``); a PESIM
machine sits beside it.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import backends
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sharing import quote as q
from sharing.chain.ais import AisSystem, Status, ballot_quorum, commitment_of
from sharing.chain.connect import Chain
from sharing.chain.ledger import rebuild
from sharing.errors import Revert, RevertError

REVEAL, VOTE, EPOCH = 600, 3_600, 86_400
ZERO = "0x" + "00" * 20
NO_KEY = bytes(32)
#: Observables (semantic keys): one threat each, however its bundle is worded.
KEYS = [bytes([0xE0 + i]) * 32 for i in range(4)]
#: Bundles (content hashes): two wordings each of KEYS[0], KEYS[1] and KEYS[2], one of KEYS[3],
#: and one its submitter cannot normalise (declared under its opaque key, its own hash).
CONTENTS = [bytes([0xC0 + i]) * 32 for i in range(8)]
OBSERVABLE = dict(zip(CONTENTS, [*[KEYS[k // 2] for k in range(6)], KEYS[3], CONTENTS[7]], strict=True))
#: The other wording of the same observable (itself when there is none).
REWORDED = {h: next((x for x in CONTENTS if x != h and OBSERVABLE[x] == OBSERVABLE[h]), h) for h in CONTENTS}
#: How a firm declares the key of a bundle: 0-6 its observable's, 7 another observable's (a
#: mislabelled bundle), 8 its opaque key, 9 none (the zero key, refused at reveal).
KEY_CHOICES = st.integers(0, 9)
#: How a reveal differs from its commitment: 0 another tactic, 1 the next class (2: none such),
#: 2 another key, 3 another salt, 4 no such tactic (14); 5-10 it does not.
TAMPER = st.integers(0, 10)
SCHEDULES = [
    q.DEFAULT_SCHEDULE,
    q.RewardSchedule((10**18, 10**18, 10**18), (10_000, 10_000), (0, 10_000, 10_000, 10_000, 10_000),
                     (10_000, 10_000, 10_000)),
    q.RewardSchedule((100 * 10**18,) * 3, (50_000,) * 2, (50_000,) * 5, (50_000,) * 3),
]
PRICE_RULES = [q.DEFAULT_PRICE_RULE, q.PriceRule(10_000, 1_000, 30_000, 5_000, 10_000)]
FUNDS = [1, 10**15, 10**18, 5 * 10**18, 40 * 10**18]
FORCED = [1, 10**15, 10**18]
STEPS = [1, 300, REVEAL + 50, VOTE + 50, EPOCH]
#: CVSS x10: 0 (a verified indicator of no severity), the band edges, anything.
SCORES = st.one_of(st.sampled_from([0, 1, 39, 40, 69, 70, 89, 90, 100]), st.integers(0, 100))
Ballot = tuple[bool, int, int]  # valid, score x10, scope
#: One entry per seat, in seat order: silent (None), valid or invalid, a third each.
SEATS = 6
BALLOTS = st.lists(st.one_of(st.none(), st.tuples(st.just(True), SCORES, st.integers(0, 2)),
                             st.tuples(st.just(False), SCORES, st.integers(0, 2))),
                   min_size=SEATS, max_size=SEATS)
#: A bundle for the honest-path rules: 0-9 mostly one of an observable nobody holds yet.
FRESH = st.integers(0, 9)

#: Refusals the campaign counts: revert reason -> STATS key.
REFUSALS = {Revert.PANEL_STILL_VOTING: "early_finalise_refused",
            Revert.SEAT_NOT_ELIGIBLE: "ineligible_votes_refused",
            Revert.DUPLICATE_OBSERVABLE: "duplicate_observables_refused",
            Revert.NO_SUCH_COMMITMENT: "altered_reveals_refused"}
#: Counts for the campaign report (process-wide).
STATS: Counter[str] = Counter()


def agreeing(ballots: list[Ballot | None], verdict: bool | None) -> list[Ballot | None]:
    """``ballots`` with every vote cast on the ``verdict`` side (None: as drawn)."""
    if verdict is None:
        return ballots
    return [None if b is None else (verdict, b[1], b[2]) for b in ballots]


def declared_key(h: bytes, choice: int) -> bytes:
    """The semantic key a firm commits to ``h`` with (``KEY_CHOICES``)."""
    if choice <= 6:
        return OBSERVABLE[h]
    if choice == 7:
        return KEYS[1] if OBSERVABLE[h] == KEYS[0] else KEYS[0]
    return h if choice == 8 else NO_KEY


@dataclass
class World:
    """One chain and one deployment, shared by every sequence (each runs on a snapshot)."""

    chain: Chain
    system: AisSystem
    governance: str
    firms: list[str]   # tiers 0, 1, 2
    panel: list[str]   # seated at deployment; the last one is affiliated with firms[0]
    spares: list[str]  # accounts governance may appoint later
    outsider: str
    funder: str
    genesis: int

    @property
    def candidates(self) -> list[str]:
        """Everyone governance may seat: the panel, the spares, and a member firm (firms[1])."""
        return [*self.panel, *self.spares, self.firms[1]]


_WORLD: World | None = None


def world() -> World:
    """Build the world once per process (on eth-tester, or titanoboa for the campaign: ``backends``)."""
    global _WORLD
    if _WORLD is None:
        chain = backends.new_chain(num_accounts=12)
        a = chain.accounts
        gov, firms, panel, outsider, funder = a[0], a[1:4], a[4:7], a[7], a[8]
        s = backends.deploy_ais(chain, governance=gov, epoch_length=EPOCH)
        for tier, f in enumerate(firms):
            s.register_member(f, tier)
        s.appoint_panellist(panel[0])
        s.appoint_panellist(panel[1])
        s.appoint_panellist(panel[2], firms[0])
        s.set_windows(REVEAL, VOTE)
        _WORLD = World(chain, s, gov, firms, panel, a[9:11], outsider, funder, s.call("GENESIS_TIME"))
    return _WORLD


@dataclass
class Commit:
    """A commitment the ghost knows the secret of."""

    firm: str
    h: bytes
    key: bytes
    category: int
    cls: int
    salt: bytes
    seq: int
    at: int
    block: int

    def terms(self) -> tuple[bytes, bytes, int, int, bytes]:
        return self.h, self.key, self.category, self.cls, self.salt


@dataclass
class Ind:
    """The ghost of one revealed indicator."""

    h: bytes
    submitter: str
    seq: int
    key: bytes
    category: int
    cls: int
    opens: int
    closes: int
    #: Who judges it: the appointments seated at its reveal, less the submitter's own seat and
    #: its affiliates' (appointment -> seat).
    panel: dict[int, int]
    quorum: int
    #: The category's price index at its reveal: what it is paid at.
    price: int
    status: Status = Status.PENDING
    seats: set[int] = field(default_factory=set)
    voters: set[int] = field(default_factory=set)  # appointments whose vote counted
    valid: list[tuple[int, int]] = field(default_factory=list)
    invalid: int = 0
    reward: int = 0
    #: Its final record was read back: VERIFIED and REJECTED records never change (their bytes
    #: can never be revealed again), so the per-step check skips it after that.
    final_seen: bool = False

    @property
    def eligible_seats(self) -> int:
        """The panel as a seat bitmap (bit i: seat i)."""
        return sum(1 << seat for seat in self.panel.values())

    @property
    def majority(self) -> int:
        """A strict majority of its panel."""
        return len(self.panel) // 2 + 1

    def decision(self) -> Status:
        """A side wins with at least the quorum and more votes than the other side."""
        if len(self.valid) >= self.quorum and len(self.valid) > self.invalid:
            return Status.VERIFIED
        if self.invalid >= self.quorum and self.invalid > len(self.valid):
            return Status.REJECTED
        return Status.PENDING


@dataclass
class Ghost:
    """What the contract should hold."""

    tiers: dict[str, int]
    seat_of: dict[str, int]
    affiliation: dict[str, str]
    #: The appointment that seated each panellist (a fresh number every time governance seats one).
    appointment: dict[str, int] = field(default_factory=dict)
    appointments: int = 0
    quorum: int = 2
    paused: bool = False
    schedule: q.RewardSchedule = q.DEFAULT_SCHEDULE
    rule: q.PriceRule = q.DEFAULT_PRICE_RULE
    reject_penalty: int = 50
    access_epochs: int = 4
    commit_count: int = 0
    commits: list[Commit] = field(default_factory=list)
    inds: dict[bytes, Ind] = field(default_factory=dict)
    #: Observable -> the content hash that holds it.
    holder: dict[bytes, bytes] = field(default_factory=dict)
    claimable: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    owed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reputation: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last_verified: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    price: dict[int, tuple[int, int]] = field(default_factory=dict)
    debts: deque[list[Any]] = field(default_factory=deque)
    unallocated: int = 0
    funded: int = 0
    claimed: int = 0
    forced: int = 0
    swept: int = 0
    paid_rewards: int = 0
    verified: int = 0

    def seat(self, panellist: str) -> None:
        """Governance seats ``panellist`` in the lowest free seat: a new appointment."""
        self.appointments += 1
        self.appointment[panellist] = self.appointments
        self.seat_of[panellist] = min(set(range(16)) - set(self.seat_of.values()))

    def panel_for(self, firm: str) -> dict[int, int]:
        """Who may judge ``firm``'s indicator revealed now: every seated appointment but the
        firm's own seat and the seats of panellists affiliated with it."""
        return {self.appointment[p]: seat for p, seat in self.seat_of.items()
                if p != firm and self.affiliation.get(p) != firm}

    def awaiting(self, ind: Ind) -> bool:
        """A member of ``ind``'s panel, still seated by the same appointment, has not voted."""
        seated = {self.appointment[p] for p in self.seat_of}
        return any(a in seated and seat not in ind.seats for a, seat in ind.panel.items())

    def duplicate_rule(self, firm: str, h: bytes, key: bytes, seq: int, now: int) -> tuple[str | None, bytes | None]:
        """May ``firm`` reveal ``h`` as observable ``key`` (committed as number ``seq``)?

        The refusal (None: it may) and the indicator it displaces, if any. One observable is
        held by one bundle; a bundle, once revealed, only ever stands for the observable it
        holds. Whoever committed first to an observable wins it from a later committer that
        revealed first, until the later one's vote opens (a displaced bundle may still win it
        back with an older commitment); a firm may issue again an observable of its own that
        expired; an observable only junk held (REJECTED) may be reported again in other bytes;
        anything else is a duplicate.
        """
        holder = self.holder.get(key)
        if h in self.inds and self.inds[h].status != Status.SUPERSEDED and holder != h:
            return Revert.DUPLICATE_CONTENT, None
        if holder is None:
            return None, None
        held = self.inds[holder]
        if held.status == Status.PENDING and seq < held.seq and now < held.opens:
            return None, holder
        if held.status == Status.EXPIRED and held.submitter == firm:
            return None, None
        if held.status == Status.REJECTED and holder != h:
            return None, None  # junk never squats on an observable; its own bytes stay dead
        return (Revert.DUPLICATE_CONTENT if holder == h else Revert.DUPLICATE_OBSERVABLE), None

    def voters(self) -> list[str]:
        """The seated panellists, by seat."""
        return sorted(self.seat_of, key=self.seat_of.__getitem__)

    # ---------------------------------------------------------------- money

    def settle(self, count: int) -> int:
        moved = 0
        for _ in range(count):
            if not self.debts or self.unallocated == 0:
                break
            firm, amount = self.debts[0]
            pay = min(amount, self.unallocated)
            self.unallocated -= pay
            self.claimable[firm] += pay
            self.owed[firm] -= pay
            moved += pay
            if pay == amount:
                self.debts.popleft()
            else:
                self.debts[0][1] = amount - pay
        return moved

    def allocate(self, firm: str, reward: int) -> None:
        if reward == 0:
            return
        paid = min(reward, self.unallocated) if not self.debts else 0
        self.unallocated -= paid
        self.claimable[firm] += paid
        if reward > paid:
            self.debts.append([firm, reward - paid])
            self.owed[firm] += reward - paid

    def epoch(self, now: int, genesis: int) -> int:
        return (now - genesis) // EPOCH

    def price_now(self, category: int, epoch: int) -> int:
        stored, plus_one = self.price.get(category, (0, 0))
        return q.current_price(stored, plus_one, epoch, self.rule)

    def has_access(self, firm: str, epoch: int) -> bool:
        if firm not in self.tiers:
            return False
        last = self.last_verified[firm]
        return last != 0 and epoch < last - 1 + self.access_epochs


class AisMachine(RuleBasedStateMachine):
    """Random operations by firms, panel, governance, funders, an outsider and a force feeder."""

    def __init__(self) -> None:
        super().__init__()
        self.w = world()
        self.s = self.w.system
        self.chain = self.w.chain
        self.snap = self.chain.snapshot()
        STATS["sequences"] += 1

    @initialize()
    def start(self) -> None:
        w, s = self.w, self.s
        self.chain.advance_time(EPOCH)  # stay ahead of the wall clock: block time = latest + 1
        self.g = Ghost(tiers={f: t for t, f in enumerate(w.firms)}, seat_of={},
                       affiliation={w.panel[2]: w.firms[0]})
        for p in w.panel:  # the world seated them, in this order
            self.g.seat(p)
        self.g.unallocated = s.call("unallocated")
        self.g.commit_count = s.call("commit_count")
        self.balance0 = s.balance()
        self.g.funded = self.balance0  # whatever the world was funded with before this sequence
        self.salt_counter = 0
        self.checked_at: dict[str, int] = {}

    # -------------------------------------------------------------- helpers

    def stands(self, invariant: str) -> bool:
        """Nothing was mined since ``invariant`` last read the chain: the state it checked stands.

        (A reverted transaction is not mined and changes nothing, on either backend.)
        """
        block = self.chain.w3.eth.block_number
        if self.checked_at.get(invariant) == block:
            return True
        self.checked_at[invariant] = block
        return False

    def now(self) -> int:
        """Timestamp of the block the next transaction will be mined in."""
        return self.chain.timestamp() + 1

    def send(self, expected: str | None, fn: str, *args: Any, sender: str, value: int = 0) -> dict | None:
        STATS["transactions"] += 1
        if expected in REFUSALS:
            STATS[REFUSALS[expected]] += 1
        try:
            receipt = self.s.tx(fn, *args, sender=sender, value=value)
        except RevertError as exc:
            assert expected is not None, f"{fn} reverted ({exc.reason}); the ghost expected success"
            assert exc.reason == expected, f"{fn}: reverted with {exc.reason!r}, ghost expected {expected!r}"
            event(f"{fn}: {exc.reason.split(': ', 1)[-1]}")
            return None
        assert expected is None, f"{fn} succeeded; the ghost expected {expected!r}"
        event(f"{fn}: ok")
        return receipt

    def fresh(self, c: int) -> int:
        """A bundle (index) for a new indicator: mostly one whose observable nobody holds yet."""
        free = [k for k, h in enumerate(CONTENTS) if OBSERVABLE[h] not in self.g.holder]
        if free and c < 7:
            return free[c % len(free)]
        return c % len(CONTENTS)

    def pick(self, c: int) -> bytes:
        """A content hash: mostly a pending one (so that votes and finalisations land)."""
        pending = [h for h, ind in self.g.inds.items() if ind.status == Status.PENDING]
        if pending and c < 7:
            return pending[c % len(pending)]
        return CONTENTS[c % len(CONTENTS)]

    def _open_vote(self, ind: Ind) -> None:
        """Move the clock to ``ind``'s open voting window if it has not opened yet."""
        if self.now() < ind.opens:
            self.chain.advance_time(ind.opens - self.now() + 1)

    def _submit(self, i: int, c: int, key: int, category: int, cls: int) -> Ind | None:
        """Commit, wait a block, reveal with the committed terms; the ghost if it is now pending."""
        entry = self._commit(i, c, key, category, cls)
        if entry is None:
            return None
        self.chain.mine()
        self._reveal(entry, tamper=None)
        ind = self.g.inds.get(entry.h)
        if ind is None or ind.status != Status.PENDING or ind.seq != entry.seq:
            return None
        return ind

    def _submitted_and_open(self, i: int, c: int, category: int, cls: int) -> Ind | None:
        """Submit ``CONTENTS[c]`` as firm ``i`` under its observable and open its vote."""
        ind = self._submit(i, c, 0, category, cls)
        if ind is not None:
            self._open_vote(ind)
        return ind

    def _ballot(self, h: bytes, ballots: list[Ballot | None]) -> None:
        """Each seated panellist, by seat, votes its ballot or stays silent."""
        for voter, ballot in zip(self.g.voters(), ballots, strict=False):
            if ballot is not None:
                self._vote(voter, h, *ballot)

    def firm_of(self, i: int) -> str:
        w = self.w
        return ([*w.firms, w.outsider])[i % 4]

    # ----------------------------------------------------------------- rules

    @rule(i=st.integers(0, 3), c=st.integers(0, len(CONTENTS) - 1), key=KEY_CHOICES,
          category=st.integers(0, 13), cls=st.integers(0, 1))
    def commit(self, i: int, c: int, key: int, category: int, cls: int) -> None:
        self._commit(i, c, key, category, cls)

    def _commit(self, i: int, c: int, key_choice: int, category: int, cls: int) -> Commit | None:
        """Commit to a bundle, its observable, tactic and class (bound until the reveal)."""
        g, firm, h = self.g, self.firm_of(i), CONTENTS[c]
        key = declared_key(h, key_choice)
        self.salt_counter += 1
        salt = self.salt_counter.to_bytes(32, "big")
        expected = (Revert.PAUSED if g.paused else
                    Revert.CALLER_IS_NOT_A_MEMBER if firm not in g.tiers else
                    Revert.NO_PANEL if not g.seat_of else None)  # nobody could ever judge it
        now = self.now()
        r = self.send(expected, "commit", commitment_of(h, salt, firm, category, cls, key), sender=firm)
        if r is None:
            return None
        g.commit_count += 1
        entry = Commit(firm, h, key, category, cls, salt, g.commit_count, now, r["blockNumber"])
        g.commits.append(entry)
        return entry

    @precondition(lambda self: bool(self.g.commits))
    @rule(k=st.integers(0, 50), tamper=TAMPER)
    def reveal(self, k: int, tamper: int) -> None:
        g = self.g
        self._reveal(g.commits[k % len(g.commits)], tamper)

    def _reveal(self, entry: Commit, tamper: int | None) -> None:
        """Reveal ``entry``, perhaps with one term other than the committed one (``TAMPER``)."""
        g, firm = self.g, entry.firm
        h, key, category, cls, salt = entry.terms()
        if tamper == 0:
            category = (category + 1) % 14
        elif tamper == 1:
            cls += 1
        elif tamper == 2:
            key = KEYS[1] if key == KEYS[0] else KEYS[0]
        elif tamper == 3:
            salt = bytes([0xFF]) + salt[1:]
        elif tamper == 4:
            category = 14
        if self.chain.w3.eth.block_number == entry.block:
            # A firm waits a block after its commit, as the contract requires. (Sent at once,
            # the driver would estimate and explain it at the commit's own block on eth-tester,
            # and report "reveal in the commit block" for any failure: a campaign found this.)
            self.chain.mine()
        now = self.now()
        # A reveal opens the firm's own commitment with exactly these terms, if there is one.
        opened = next((e for e in g.commits if e.firm == firm and e.terms() == (h, key, category, cls, salt)),
                      None)
        expected: str | None = None
        displaced: bytes | None = None
        if g.paused:
            expected = Revert.PAUSED
        elif firm not in g.tiers:
            expected = Revert.CALLER_IS_NOT_A_MEMBER
        elif category >= 14:
            expected = Revert.UNKNOWN_CATEGORY
        elif cls >= 2:
            expected = Revert.UNKNOWN_CLASS
        elif key == NO_KEY:
            expected = Revert.EMPTY_SEMANTIC_KEY
        elif opened is None:
            expected = Revert.NO_SUCH_COMMITMENT
        elif now >= opened.at + REVEAL:
            expected = Revert.REVEAL_WINDOW_CLOSED
            g.commits.remove(opened)  # lapsed: never revealable again
        else:
            expected, displaced = g.duplicate_rule(firm, h, key, opened.seq, now)
            if expected is None and not g.panel_for(firm):
                expected = Revert.NO_ELIGIBLE_PANEL
        r = self.send(expected, "reveal", h, key, category, cls, salt, sender=firm)
        if r is None:
            return
        assert opened is not None
        g.commits.remove(opened)
        if displaced is not None:
            STATS["superseded"] += 1
            event("reveal: supersedes " + ("the same bundle" if displaced == h else "another bundle"))
            assert self.s.alliance.events(r, "IndicatorSuperseded") == [{
                "content_hash": displaced, "displaced": g.inds[displaced].submitter, "firm": firm,
                "by_content_hash": h}]
            if displaced != h:
                g.inds[displaced].status = Status.SUPERSEDED
        elif h in g.inds:
            event("reveal: issued again after it " + g.inds[h].status.name.lower())
        g.holder[key] = h
        assert self.s.key_holder(key) == h  # only a reveal moves an observable (all checked at the end)
        panel = g.panel_for(firm)
        n, size = len(panel), len(g.seat_of)
        # The fewest votes that are a strict majority of its panel and at least the share of it
        # that governance asks of the whole panel; a unanimous panel always reaches it.
        quorum = next(k for k in range(n // 2 + 1, n + 1) if k * size >= g.quorum * n)
        assert ballot_quorum(n, g.quorum, size) == quorum  # the driver's mirror agrees
        price = g.price_now(category, g.epoch(now, self.w.genesis))
        opens = opened.at + REVEAL
        ind = g.inds[h] = Ind(h, firm, opened.seq, key, category, cls, opens, opens + VOTE, panel, quorum, price)
        revealed = self.s.alliance.events(r, "IndicatorRevealed")
        assert len(revealed) == 1
        fixed = revealed[0]
        assert (fixed["semantic_key"], fixed["eligible_seats"], fixed["quorum"], fixed["price_bps"]) == (
            key, ind.eligible_seats, quorum, price)
        self._check_terms(h)

    def _check_terms(self, h: bytes) -> None:
        """The terms fixed at the reveal, as the chain reads them now."""
        ind, terms = self.g.inds[h], self.s.terms(h)
        assert (terms.eligible_seats, terms.price_bps) == (ind.eligible_seats, ind.price)

    @rule(i=st.integers(0, 3), c=st.integers(0, len(CONTENTS) - 1), key=KEY_CHOICES,
          category=st.integers(0, 13), cls=st.integers(0, 1))
    def submit(self, i: int, c: int, key: int, category: int, cls: int) -> None:
        """Commit, wait a block, reveal: the honest path in one step."""
        self._submit(i, c, key, category, cls)

    @rule(i=st.integers(0, 2), j=st.integers(0, 2), c=FRESH, reworded=st.booleans(),
          wait=st.sampled_from([0, 0, REVEAL - 60, REVEAL + 60]))
    def race(self, i: int, j: int, c: int, reworded: bool, wait: int) -> None:
        """Two firms (or one, twice) find one observable: the first to commit holds it even if
        the later committer reveals first, as long as the later one's vote has not opened."""
        c = self.fresh(c)
        first = self._commit(i, c, 0, 3, 0)
        second = self._commit(j, CONTENTS.index(REWORDED[CONTENTS[c]]) if reworded else c, 0, 3, 0)
        if first is None or second is None:
            return
        self.chain.mine()
        self._reveal(second, tamper=None)
        if wait:
            self.chain.advance_time(wait)
        self._reveal(first, tamper=None)

    @rule(c=st.integers(0, 9), ballots=BALLOTS, then_finalise=st.booleans(), who=st.integers(0, 3))
    def panel_votes(self, c: int, ballots: list[Ballot | None], then_finalise: bool, who: int) -> None:
        """Open the vote if needed, then each seat votes or stays silent; maybe finalise at once."""
        h = self.pick(c)
        ind = self.g.inds.get(h)
        if ind is not None and ind.status == Status.PENDING:
            self._open_vote(ind)
        self._ballot(h, ballots)
        if then_finalise:  # early: refused while a member of its panel is silent
            self._finalise(h, who)

    @rule(i=st.integers(0, 2), c=FRESH, category=st.integers(0, 13), cls=st.integers(0, 1),
          ballots=BALLOTS, verdict=st.sampled_from([None, True, False]), who=st.integers(0, 3))
    def lifecycle(self, i: int, c: int, category: int, cls: int, ballots: list[Ballot | None],
                  verdict: bool | None, who: int) -> None:
        """A member's indicator from commit to finalisation, the panel voting at random (or
        every panellist who votes finding it valid, or invalid)."""
        c = self.fresh(c)
        h = CONTENTS[c]
        ind = self._submitted_and_open(i, c, category, cls)
        if ind is None:
            return
        self._ballot(h, agreeing(ballots, verdict))
        if ind.decision() == Status.PENDING or self.g.awaiting(ind):
            self.chain.advance_time(VOTE)
        self._finalise(h, who)

    @rule(i=st.integers(0, 2), c=FRESH, ballots=BALLOTS, verdict=st.sampled_from([None, True, False]),
          late=st.integers(0, 8), who=st.integers(0, 3))
    def early_finalise(self, i: int, c: int, ballots: list[Ballot | None], verdict: bool | None,
                       late: int, who: int) -> None:
        """A fresh indicator; perhaps a panellist seated after its reveal, or one of its panel
        re-seated (refused a vote, never waited for); part of the panel votes (perhaps all one
        way); finalise at once (refused while a member of its panel is silent); then again once
        the window has closed."""
        c = self.fresh(c)
        h = CONTENTS[c]
        ind = self._submitted_and_open(i, c, 0, 0)
        if ind is None:
            return
        if late < 6:
            self.appoint(late, 3)
        elif late < 8:  # the same panellist, removed and seated again: a new appointment
            self.remove(late - 6)
            self.appoint(late - 6, 3)
        self._ballot(h, agreeing(ballots, verdict))
        self._finalise(h, who)
        if ind.status == Status.PENDING:
            self.chain.advance_time(VOTE)
            self._finalise(h, who)

    @rule(i=st.integers(0, 2), j=st.integers(0, 2), c=FRESH, d=FRESH, category=st.integers(0, 13),
          scores=st.lists(SCORES, min_size=SEATS, max_size=SEATS), no_severity=st.integers(0, 3),
          backwards=st.booleans(), who=st.integers(0, 3))
    def two_of_a_tactic(self, i: int, j: int, c: int, d: int, category: int, scores: list[int],
                        no_severity: int, backwards: bool, who: int) -> None:
        """Two indicators of one tactic revealed, the panel finds both valid (one perhaps of no
        severity), and they are finalised in either order: each is paid at the index of its
        own reveal."""
        first = self._submit(i, self.fresh(c), 0, category, 0)
        second = self._submit(j, self.fresh(d), 0, category, 0)
        inds = [ind for ind in (first, second) if ind is not None]
        for ind in inds:
            self._open_vote(ind)
        for n, ind in enumerate(inds):
            nil = no_severity == 0 and n == int(backwards)
            self._ballot(ind.h, [(True, 0 if nil else score, k % 3) for k, score in enumerate(scores)])
        if any(ind.decision() == Status.PENDING or self.g.awaiting(ind) for ind in inds):
            self.chain.advance_time(VOTE)
        for ind in reversed(inds) if backwards else inds:
            self._finalise(ind.h, who)

    @rule(p=st.integers(0, 6), c=st.integers(0, 9), valid=st.booleans(),
          score=SCORES, scope=st.integers(0, 2))
    def vote(self, p: int, c: int, valid: bool, score: int, scope: int) -> None:
        self._vote(([*self.w.candidates, self.w.outsider])[p], self.pick(c), valid, score, scope)

    def _vote(self, voter: str, h: bytes, valid: bool, score: int, scope: int) -> None:
        g = self.g
        ind = g.inds.get(h)
        now = self.now()
        expected: str | None = None
        if g.paused:
            expected = Revert.PAUSED
        elif voter not in g.seat_of:
            expected = Revert.CALLER_IS_NOT_A_PANELLIST
        elif ind is None or ind.status != Status.PENDING:
            expected = Revert.INDICATOR_NOT_PENDING
        elif voter == ind.submitter or g.affiliation.get(voter) == ind.submitter:
            expected = Revert.PANELLIST_VOTES_ON_OWN_FIRM
        elif now < ind.opens:
            expected = Revert.VOTING_NOT_OPEN
        elif g.appointment[voter] not in ind.panel:  # not seated, by this appointment, at the reveal
            expected = Revert.SEAT_NOT_ELIGIBLE
        elif now >= ind.closes:
            expected = Revert.VOTING_CLOSED
        elif g.seat_of[voter] in ind.seats:
            expected = Revert.SEAT_ALREADY_VOTED
        if self.send(expected, "vote", h, valid, score, scope, sender=voter) is None:
            return
        assert ind is not None
        ind.seats.add(g.seat_of[voter])
        ind.voters.add(g.appointment[voter])
        if valid:
            ind.valid.append((score, scope))
        else:
            ind.invalid += 1

    @rule(c=st.integers(0, 9), who=st.integers(0, 3))
    def finalise(self, c: int, who: int) -> None:
        self._finalise(self.pick(c), who)

    def _finalise(self, h: bytes, who: int) -> None:
        g, w = self.g, self.w
        ind = g.inds.get(h)
        now = self.now()
        expected: str | None = None
        if g.paused:
            expected = Revert.PAUSED
        elif ind is None or ind.status != Status.PENDING:
            expected = Revert.INDICATOR_NOT_PENDING
        elif now < ind.closes and ind.decision() == Status.PENDING:
            expected = Revert.NOT_DECIDED_YET
        elif now < ind.closes and g.awaiting(ind):
            expected = Revert.PANEL_STILL_VOTING
        sender = ([w.governance, w.outsider, w.funder, *w.firms])[who]
        r = self.send(expected, "finalise", h, sender=sender)
        if r is None:
            return
        assert ind is not None
        ind.status = ind.decision()
        if ind.status == Status.VERIFIED:
            severity = q.median([v[0] for v in ind.valid])
            scope = q.median([v[1] for v in ind.valid])
            tier = g.tiers.get(ind.submitter, 2)
            # Paid at the index of its reveal, whenever and by whomever it is finalised.
            ind.reward = q.quote(tier, ind.cls, severity, scope, ind.price, g.schedule, g.rule)
            moved = self.s.alliance.events(r, "PriceIndexUpdated")
            if severity > 0:
                epoch = g.epoch(now, w.genesis)
                price = g.price_now(ind.category, epoch)
                g.price[ind.category] = (q.decayed_price(price, g.rule), epoch + 1)
                assert moved == [{"category": ind.category, "priced_bps": price,
                                  "new_bps": g.price[ind.category][0]}]
                g.last_verified[ind.submitter] = epoch + 1
                g.reputation[ind.submitter] += severity * (scope + 1)
            else:
                # Of no severity: it grants no access, no reputation, and crowds no category.
                assert not moved and not self.s.alliance.events(r, "ReputationChanged")
                STATS["verified_no_severity"] += 1
                event("finalise: verified, severity 0")
            g.allocate(ind.submitter, ind.reward)
            g.paid_rewards += ind.reward
            g.verified += 1
            STATS["verified"] += 1
            event("finalise: verified" + (" with a debt" if g.debts else ""))
        elif ind.status == Status.REJECTED:
            event("finalise: rejected")
            g.reputation[ind.submitter] -= g.reject_penalty
        else:
            ind.status = Status.EXPIRED
            event("finalise: expired")
        self._check_terms(h)

    @rule(step=st.sampled_from(STEPS))
    def advance(self, step: int) -> None:
        if step > 1:
            self.chain.advance_time(step)
        else:
            self.chain.mine()

    @rule(amount=st.sampled_from(FUNDS), who=st.booleans())
    def fund(self, amount: int, who: bool) -> None:
        sender = self.w.funder if who else self.w.outsider
        if self.send(None, "fund", sender=sender, value=amount) is not None:
            self.g.unallocated += amount
            self.g.funded += amount
            self.g.settle(8)

    @rule(amount=st.sampled_from(FORCED))
    def force_ether(self, amount: int) -> None:
        """Ether forced in by a selfdestruct: no function runs, no book hears of it."""
        with warnings.catch_warnings():  # vyper and py-evm both frown on selfdestruct: that is the point
            warnings.filterwarnings("ignore", message=".*selfdestruct")
            feeder = backends.deploy_force_feeder(self.chain, self.w.funder, amount)
            feeder.transact("force", self.s.address, sender=self.w.funder)
        STATS["transactions"] += 2
        STATS["forced"] += 1
        event("force: ok")
        self.g.forced += amount

    @rule(who=st.integers(0, 3), to=st.integers(0, 3))
    def sweep_surplus(self, who: int, to: int) -> None:
        """Governance sends the surplus away; nobody's claimable or owed wei moves."""
        g, w = self.g, self.w
        sender = w.outsider if who == 0 else w.governance
        recipient = [w.funder, w.outsider, w.governance, ZERO][to]
        surplus = g.forced - g.swept
        expected = (Revert.MISSING_ROLE if sender != w.governance else
                    Revert.ZERO_ADDRESS if recipient == ZERO else
                    Revert.NO_SURPLUS if surplus == 0 else None)
        before = self.chain.w3.eth.get_balance(recipient)
        r = self.send(expected, "sweep_surplus", recipient, sender=sender)
        if r is None:
            return
        assert self.s.alliance.events(r, "SurplusSwept") == [{"recipient": recipient, "amount": surplus}]
        fee = r["gasUsed"] * r["effectiveGasPrice"] if recipient == sender else 0
        assert self.chain.w3.eth.get_balance(recipient) == before + surplus - fee
        g.swept += surplus
        STATS["swept"] += 1

    @rule(n=st.sampled_from([0, 1, 3, 64, 65]))
    def settle_debts(self, n: int) -> None:
        g = self.g
        expected = (Revert.COUNT_OUT_OF_BOUNDS if not 1 <= n <= 64 else
                    Revert.NO_DEBTS if not g.debts else None)
        if self.send(expected, "settle_debts", n, sender=self.w.outsider) is not None:
            g.settle(n)

    @rule(i=st.integers(0, 3))
    def claim(self, i: int) -> None:
        g, firm = self.g, self.firm_of(i)
        amount = g.claimable[firm]
        before = self.chain.w3.eth.get_balance(firm)
        r = self.send(None if amount else Revert.NOTHING_TO_CLAIM, "claim", sender=firm)
        if r is not None:
            fee = r["gasUsed"] * r["effectiveGasPrice"]
            assert self.chain.w3.eth.get_balance(firm) == before + amount - fee
            g.claimable[firm] = 0
            g.claimed += amount

    @rule(k=st.integers(0, 5), aff=st.integers(0, 3))
    def appoint(self, k: int, aff: int) -> None:
        """Governance seats a panellist (independent or a firm's) in the lowest free seat."""
        g, w = self.g, self.w
        who = w.candidates[k]
        firm = w.firms[aff] if aff < 3 else ZERO
        expected = Revert.ALREADY_A_PANELLIST if who in g.seat_of else None
        if self.send(expected, "appoint_panellist", who, firm, sender=w.governance) is None:
            return
        STATS["appointments"] += 1
        g.seat(who)
        if firm != ZERO:
            g.affiliation[who] = firm
        g.quorum = max(g.quorum, len(g.seat_of) // 2 + 1)

    @rule(k=st.integers(0, 6))
    def remove(self, k: int) -> None:
        """Governance frees a seat (6: every seat); votes cast stand, the quorum follows a
        smaller panel."""
        g, w = self.g, self.w
        if k == len(w.candidates):
            for p in list(g.voters()):
                self.remove(w.candidates.index(p))
            return
        who = w.candidates[k]
        expected = None if who in g.seat_of else Revert.NOT_A_PANELLIST
        if self.send(expected, "remove_panellist", who, sender=w.governance) is None:
            return
        STATS["removals"] += 1
        del g.seat_of[who]
        del g.appointment[who]
        g.affiliation.pop(who, None)
        size = len(g.seat_of)
        if g.quorum > size > 0:
            g.quorum = size

    @rule(quorum=st.integers(0, 6))
    def set_quorum(self, quorum: int) -> None:
        size = len(self.g.seat_of)
        expected = (Revert.QUORUM_OUT_OF_BOUNDS if not 1 <= quorum <= max(size, 1) else
                    Revert.QUORUM_WOULD_NOT_BE_A_MAJORITY if 2 * quorum <= size else None)
        if self.send(expected, "set_quorum", quorum, sender=self.w.governance) is not None:
            self.g.quorum = quorum

    @rule(k=st.integers(0, len(SCHEDULES) - 1), j=st.integers(0, len(PRICE_RULES) - 1))
    def set_rules(self, k: int, j: int) -> None:
        s, gov = self.s, self.w.governance
        sch, pr = SCHEDULES[k], PRICE_RULES[j]
        self.send(None, "set_reward_schedule", list(sch.base_wei), list(sch.class_bps),
                  list(sch.severity_bps), list(sch.scope_bps), sender=gov)
        self.send(None, "set_price_rule", pr.base_bps, pr.min_bps, pr.max_bps, pr.decay_bps,
                  pr.recovery_bps, sender=gov)
        self.g.schedule, self.g.rule = sch, pr
        assert s.schedule() == sch

    @rule(by_governance=st.booleans(), go=st.integers(0, 3))
    def toggle_pause(self, by_governance: bool, go: int) -> None:
        g = self.g
        if not g.paused and go:
            return  # pausing is rare; a pause is undone at the next chance
        fn = "unpause" if g.paused else "pause"
        by_governance = by_governance or g.paused
        sender = self.w.governance if by_governance else self.w.outsider
        if self.send(None if by_governance else Revert.MISSING_ROLE, fn, sender=sender) is not None:
            g.paused = not g.paused

    # ------------------------------------------------------------ invariants

    @invariant()
    def books_balance(self) -> None:
        STATS["checked_states"] += 1  # one per step, plus one after `start`
        if self.stands("books"):
            return
        STATS["invariant_checks"] += 1
        g, s = self.g, self.s
        balance, claimable = s.balance(), s.call("total_claimable")
        unallocated, owed = s.call("unallocated"), s.call("total_owed")
        # Every wei anyone can pull or the pool can allocate is held; what is left over is
        # exactly the ether forced in and not yet swept, and it is reported as surplus.
        assert balance >= claimable + unallocated
        assert balance - claimable - unallocated == g.forced - g.swept == s.surplus()
        assert (claimable, unallocated, owed) == (
            sum(g.claimable.values()), g.unallocated, sum(g.owed.values()))
        assert owed == sum(d[1] for d in g.debts)
        assert g.funded + g.forced == balance + g.claimed + g.swept
        # The world starts with nothing credited: every reward decided is here, once.
        assert g.paid_rewards == claimable + owed + g.claimed
        assert s.call("debt_tail") - s.call("debt_head") == len(g.debts)

    @invariant()
    def accounts_match_ghost(self) -> None:
        if self.stands("accounts"):
            return
        STATS["invariant_checks"] += 1
        g, s, w = self.g, self.s, self.w
        ts = self.chain.timestamp()
        epochs = {g.epoch(ts, w.genesis), g.epoch(ts + 1, w.genesis)}  # a view may run at ts or ts + 1
        assert (s.call("quorum"), s.call("panel_size")) == (g.quorum, len(g.seat_of))
        for firm in [*w.firms, w.outsider]:
            assert s.call("claimable", firm) == g.claimable[firm]
            assert s.call("owed", firm) == g.owed[firm]
            assert s.call("reputation", firm) == g.reputation[firm]
            assert s.has_access(firm) in {g.has_access(firm, e) for e in epochs}

    @invariant()
    def indicators_match_ghost(self, every: bool = False) -> None:
        if self.stands("indicators") and not every:
            return
        STATS["invariant_checks"] += 1
        g, s = self.g, self.s
        for h, ind in g.inds.items():
            if ind.final_seen and not every:
                continue
            st_ = s.indicator(h)
            ind.final_seen = ind.status in (Status.VERIFIED, Status.REJECTED)
            assert (st_.submitter, st_.status, st_.reward) == (ind.submitter, ind.status, ind.reward)
            assert (st_.valid_votes, st_.invalid_votes, st_.quorum) == (len(ind.valid), ind.invalid, ind.quorum)
            # A unanimous panel can always decide it.
            assert ind.majority <= st_.quorum <= len(ind.panel)
            # Judged by its own panel: only the appointments seated at its reveal are counted...
            assert ind.voters <= set(ind.panel) and len(ind.seats) == len(ind.voters)
            # ...and a verdict needs more votes than the other side from a strict majority of them.
            if st_.status == Status.VERIFIED:
                assert st_.valid_votes > st_.invalid_votes and st_.valid_votes >= ind.majority
            if st_.status == Status.REJECTED:
                assert st_.invalid_votes > st_.valid_votes and st_.invalid_votes >= ind.majority
            if st_.reward > 0:
                assert st_.status == Status.VERIFIED
            if st_.status != Status.VERIFIED:
                assert st_.reward == 0
        # One observable is paid once: at most one VERIFIED bundle per semantic key.
        verified = Counter(ind.key for ind in g.inds.values() if ind.status == Status.VERIFIED)
        assert all(n == 1 for n in verified.values()), verified

    def teardown(self) -> None:
        try:
            if hasattr(self, "g"):
                self._check_ledger()
        finally:
            self.chain.revert(self.snap)

    def _check_ledger(self) -> None:
        """The books rebuilt from this sequence's events equal storage; each reward paid once."""
        self.indicators_match_ghost(every=True)
        STATS["invariant_checks"] += 1
        s, g = self.s, self.g
        ledger = rebuild(s)
        for firm in [*self.w.firms, self.w.outsider]:
            assert ledger.claimable[firm] == s.call("claimable", firm)
            assert ledger.owed[firm] == s.call("owed", firm)
            assert ledger.reputation[firm] == s.call("reputation", firm)
        assert ledger.unallocated == s.call("unallocated")
        # Forced ether leaves no event: the logs account for everything else.
        assert ledger.swept == g.swept
        assert ledger.funded - ledger.claimed - ledger.swept + g.forced == s.balance()
        # Per indicator: credits + debts carrying its hash add up to its one reward, one VERIFIED finalisation.
        # (The world's set-up pays nothing and every sequence starts from its snapshot: these are this sequence's.)
        for h, ind in g.inds.items():
            hist = ledger.indicators[h]
            assert hist.paid == ind.reward
            assert hist.verified_count == (ind.status == Status.VERIFIED)
            assert (hist.status, hist.semantic_key, hist.price_bps, hist.eligible_seats) == (
                ind.status, ind.key, ind.price, ind.eligible_seats)
        assert sum(hist.paid for hist in ledger.indicators.values()) == g.paid_rewards
        for key, h in g.holder.items():
            assert s.key_holder(key) == h
        assert all(len(hashes) == 1 for hashes in ledger.verified_by_key().values())


def machine_settings_from_env() -> dict[str, int]:
    """CI sizes, overridable by ``SHARING_STATEFUL_EXAMPLES`` / ``SHARING_STATEFUL_STEPS``."""
    return {"max_examples": int(os.environ.get("SHARING_STATEFUL_EXAMPLES", "15")),
            "stateful_step_count": int(os.environ.get("SHARING_STATEFUL_STEPS", "30"))}
