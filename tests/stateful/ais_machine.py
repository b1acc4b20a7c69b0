"""A hypothesis state machine that drives AisAlliance with random operations against a ghost model.

The ghost (:class:`Ghost`) is a plain-Python model of the contract's
promises: who holds which indicator, which seat voted, what each firm can
claim and is owed, the FIFO debt queue, reputations, the price index, pool
access. Each rule predicts the outcome of one transaction (success, or the
exact revert reason), sends it, and updates the ghost. After every step the
invariants compare the chain with the ghost and check the books:

* ``balance == total_claimable + unallocated`` - every wei in the contract
  is either a firm's to pull or the pool's to allocate. ``total_owed`` is a
  liability **not** backed by the balance: rewards decided while the pool
  was short, paid (moved from ``unallocated`` to ``claimable``) in FIFO
  order when wei arrives. So ``funded == balance + claimed`` and
  ``sum(rewards of verified indicators) == total_claimable + total_owed + claimed``;
* every verified indicator is paid exactly once (its reward, no more, in
  credits and debts together); no payout without a quorum of valid votes
  in the ballot it was revealed with; reputation and pool access follow
  the rules.

At the end of every sequence the ledger rebuilt from events alone must
equal storage. The module is shared by the CI test (``test_ais_machine.py``)
and the long campaign (``campaign.py``); a PESIM machine can sit beside it.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import backends
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sharing import quote as q
from sharing.chain.ais import AisSystem, Status, commitment_of
from sharing.chain.connect import Chain
from sharing.chain.ledger import rebuild
from sharing.errors import Revert, RevertError

REVEAL, VOTE, EPOCH = 600, 3_600, 86_400
ZERO = "0x" + "00" * 20
CONTENTS = [bytes([0xC0 + i]) * 32 for i in range(5)]
SCHEDULES = [
    q.DEFAULT_SCHEDULE,
    q.RewardSchedule((10**18, 10**18, 10**18), (10_000, 10_000), (0, 10_000, 10_000, 10_000, 10_000),
                     (10_000, 10_000, 10_000)),
    q.RewardSchedule((100 * 10**18,) * 3, (50_000,) * 2, (50_000,) * 5, (50_000,) * 3),
]
PRICE_RULES = [q.DEFAULT_PRICE_RULE, q.PriceRule(10_000, 1_000, 30_000, 5_000, 10_000)]
FUNDS = [1, 10**15, 10**18, 5 * 10**18, 40 * 10**18]
STEPS = [1, 300, REVEAL + 50, VOTE + 50, EPOCH]
Ballot = tuple[bool, int, int]  # valid, score x10, scope
#: One entry per seat, in seat order; None: that seat stays silent.
BALLOTS = st.lists(st.one_of(st.none(), st.tuples(st.booleans(), st.integers(0, 100), st.integers(0, 2))),
                   min_size=5, max_size=5)

#: Refusals the campaign counts (the R1 and R4 rules): revert reason -> STATS key.
REFUSALS = {Revert.PANEL_STILL_VOTING: "early_finalise_refused",
            Revert.APPOINTED_AFTER_VOTING_OPENED: "late_votes_refused"}
#: Counts for the campaign report (process-wide).
STATS: Counter[str] = Counter()


@dataclass
class World:
    """One chain and one deployment, shared by every sequence (each runs on a snapshot)."""

    chain: Chain
    system: AisSystem
    governance: str
    firms: list[str]   # tiers 0, 1, 2
    panel: list[str]   # the last one is affiliated with firms[0]
    spares: list[str]  # accounts governance may appoint later
    outsider: str
    funder: str
    genesis: int


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
class Ind:
    """The ghost of one revealed indicator."""

    submitter: str
    seq: int
    category: int
    cls: int
    quorum: int
    opens: int
    closes: int
    status: Status = Status.PENDING
    seats: set[int] = field(default_factory=set)
    valid: list[tuple[int, int]] = field(default_factory=list)
    invalid: int = 0
    reward: int = 0


@dataclass
class Ghost:
    """What the contract should hold."""

    tiers: dict[str, int]
    seat_of: dict[str, int]
    affiliation: dict[str, str]
    appointed_at: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    quorum: int = 2
    paused: bool = False
    schedule: q.RewardSchedule = q.DEFAULT_SCHEDULE
    rule: q.PriceRule = q.DEFAULT_PRICE_RULE
    reject_penalty: int = 50
    access_epochs: int = 4
    commit_count: int = 0
    commits: list[dict[str, Any]] = field(default_factory=list)
    inds: dict[bytes, Ind] = field(default_factory=dict)
    claimable: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    owed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reputation: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last_verified: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    price: dict[int, tuple[int, int]] = field(default_factory=dict)
    debts: deque[list[Any]] = field(default_factory=deque)
    unallocated: int = 0
    funded: int = 0
    claimed: int = 0
    paid_rewards: int = 0
    verified: int = 0

    def awaiting(self, ind: Ind) -> bool:
        """A seat that may vote on ``ind`` has not: before its window closes it is not final."""
        return any(seat not in ind.seats and p != ind.submitter and self.affiliation.get(p) != ind.submitter
                   and self.appointed_at[p] < ind.opens
                   for p, seat in self.seat_of.items())

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
    """Random operations by firms, panel, governance, funders and an outsider."""

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
        self.g = Ghost(tiers={f: t for t, f in enumerate(w.firms)},
                       seat_of={p: i for i, p in enumerate(w.panel)},
                       affiliation={w.panel[2]: w.firms[0]})
        self.g.unallocated = s.call("unallocated")
        self.g.commit_count = s.call("commit_count")
        self.balance0 = s.balance()
        self.g.funded = self.balance0  # whatever the world was funded with before this sequence
        self.salt_counter = 0

    # -------------------------------------------------------------- helpers

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

    def _submitted_and_open(self, i: int, c: int, category: int, cls: int) -> Ind | None:
        """Submit ``CONTENTS[c]`` as firm ``i`` and open its vote; its ghost, if it is now that firm's pending one."""
        self.submit(i, c, category, cls)
        ind = self.g.inds.get(CONTENTS[c])
        if ind is None or ind.status != Status.PENDING or ind.submitter != self.firm_of(i):
            return None
        self._open_vote(ind)
        return ind

    def firm_of(self, i: int) -> str:
        w = self.w
        return ([*w.firms, w.outsider])[i % 4]

    # ----------------------------------------------------------------- rules

    @rule(i=st.integers(0, 3), c=st.integers(0, len(CONTENTS) - 1))
    def commit(self, i: int, c: int) -> None:
        g, firm, h = self.g, self.firm_of(i), CONTENTS[c]
        self.salt_counter += 1
        salt = self.salt_counter.to_bytes(32, "big")
        expected = (Revert.PAUSED if g.paused else
                    Revert.CALLER_IS_NOT_A_MEMBER if firm not in g.tiers else None)
        now = self.now()
        r = self.send(expected, "commit", commitment_of(h, salt, firm), sender=firm)
        if r is not None:
            g.commit_count += 1
            g.commits.append({"firm": firm, "h": h, "salt": salt, "seq": g.commit_count, "at": now,
                              "block": r["blockNumber"]})

    @precondition(lambda self: bool(self.g.commits))
    @rule(k=st.integers(0, 50), category=st.integers(0, 13), cls=st.integers(0, 1))
    def reveal(self, k: int, category: int, cls: int) -> None:
        g = self.g
        entry = g.commits[k % len(g.commits)]
        firm, h = entry["firm"], entry["h"]
        if self.chain.w3.eth.block_number == entry["block"]:
            # A firm waits a block after its commit, as the contract requires. (Sent at once,
            # the driver would estimate and explain it at the commit's own block on eth-tester,
            # and report "reveal in the commit block" for any failure: a campaign found this.)
            self.chain.mine()
        now = self.now()
        expected: str | None = None
        if g.paused:
            expected = Revert.PAUSED
        elif firm not in g.tiers:
            expected = Revert.CALLER_IS_NOT_A_MEMBER
        elif now >= entry["at"] + REVEAL:
            expected = Revert.REVEAL_WINDOW_CLOSED
        elif h in g.inds:
            old = g.inds[h]
            supersede = old.status == Status.PENDING and entry["seq"] < old.seq and now < old.opens
            if not (supersede or (old.status == Status.EXPIRED and old.submitter == firm)):
                expected = Revert.DUPLICATE_CONTENT
        if expected == Revert.REVEAL_WINDOW_CLOSED:
            g.commits.remove(entry)  # lapsed: never revealable again
        r = self.send(expected, "reveal", h, entry["salt"], category, cls, sender=firm)
        if r is None:
            return
        g.commits.remove(entry)
        opens = entry["at"] + REVEAL
        g.inds[h] = Ind(firm, entry["seq"], category, cls, g.quorum, opens, opens + VOTE)

    @rule(i=st.integers(0, 3), c=st.integers(0, len(CONTENTS) - 1), category=st.integers(0, 13),
          cls=st.integers(0, 1))
    def submit(self, i: int, c: int, category: int, cls: int) -> None:
        """Commit, wait a block, reveal: the honest path in one step."""
        self.commit(i, c)
        entry = self.g.commits[-1] if self.g.commits else None
        if entry is not None and entry["h"] == CONTENTS[c] and entry["firm"] == self.firm_of(i):
            self.chain.mine()
            self.reveal(len(self.g.commits) - 1, category, cls)

    @rule(c=st.integers(0, 9), ballots=BALLOTS, then_finalise=st.booleans(), who=st.integers(0, 3))
    def panel_votes(self, c: int, ballots: list[Ballot | None], then_finalise: bool, who: int) -> None:
        """Open the vote if needed, then each seat votes or stays silent; maybe finalise at once."""
        h = self.pick(c)
        ind = self.g.inds.get(h)
        if ind is not None and ind.status == Status.PENDING:
            self._open_vote(ind)
        for voter, ballot in zip(self.g.voters(), ballots, strict=False):
            if ballot is not None:
                self._vote(voter, h, *ballot)
        if then_finalise:  # early: refused while a seat that may vote is silent (R1)
            self._finalise(h, who)

    @rule(i=st.integers(0, 2), c=st.integers(0, len(CONTENTS) - 1), category=st.integers(0, 13),
          cls=st.integers(0, 1), ballots=BALLOTS, who=st.integers(0, 3))
    def lifecycle(self, i: int, c: int, category: int, cls: int,
                  ballots: list[Ballot | None], who: int) -> None:
        """A member's indicator from commit to finalisation, the panel voting at random."""
        h = CONTENTS[c]
        ind = self._submitted_and_open(i, c, category, cls)
        if ind is None:
            return
        for voter, ballot in zip(self.g.voters(), ballots, strict=False):
            if ballot is not None:
                self._vote(voter, h, *ballot)
        if max(len(ind.valid), ind.invalid) < ind.quorum or self.g.awaiting(ind):
            self.chain.advance_time(VOTE)
        self._finalise(h, who)

    @rule(i=st.integers(0, 2), c=st.integers(0, len(CONTENTS) - 1), ballots=BALLOTS,
          late=st.integers(0, 6), who=st.integers(0, 3))
    def early_finalise(self, i: int, c: int, ballots: list[Ballot | None], late: int, who: int) -> None:
        """R1 and R4 in one step: a fresh indicator; perhaps a panellist seated after its vote
        opened (refused a vote, never waited for); part of the panel votes; finalise at once
        (refused while a seat that may vote is silent); then again once the window has closed."""
        h = CONTENTS[c]
        ind = self._submitted_and_open(i, c, 0, 0)
        if ind is None:
            return
        if late < 5:
            self.appoint(late, 3)
        for voter, ballot in zip(self.g.voters(), ballots, strict=False):
            if ballot is not None:
                self._vote(voter, h, *ballot)
        self._finalise(h, who)
        if ind.status == Status.PENDING:
            self.chain.advance_time(VOTE)
            self._finalise(h, who)

    @rule(p=st.integers(0, 5), c=st.integers(0, 9), valid=st.booleans(),
          score=st.integers(0, 100), scope=st.integers(0, 2))
    def vote(self, p: int, c: int, valid: bool, score: int, scope: int) -> None:
        self._vote(([*self.w.panel, *self.w.spares, self.w.outsider])[p], self.pick(c), valid, score, scope)

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
        elif g.appointed_at[voter] >= ind.opens:
            expected = Revert.APPOINTED_AFTER_VOTING_OPENED
        elif now >= ind.closes:
            expected = Revert.VOTING_CLOSED
        elif g.seat_of[voter] in ind.seats:
            expected = Revert.SEAT_ALREADY_VOTED
        if self.send(expected, "vote", h, valid, score, scope, sender=voter) is None:
            return
        assert ind is not None
        ind.seats.add(g.seat_of[voter])
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
        elif not (len(ind.valid) >= ind.quorum or ind.invalid >= ind.quorum or now >= ind.closes):
            expected = Revert.NOT_DECIDED_YET
        elif now < ind.closes and g.awaiting(ind):
            expected = Revert.PANEL_STILL_VOTING
        sender = ([w.governance, w.outsider, w.funder, *w.firms])[who]
        if self.send(expected, "finalise", h, sender=sender) is None:
            return
        assert ind is not None
        if len(ind.valid) >= ind.quorum:
            severity = q.median([v[0] for v in ind.valid])
            scope = q.median([v[1] for v in ind.valid])
            epoch = g.epoch(now, w.genesis)
            price = g.price_now(ind.category, epoch)
            tier = g.tiers.get(ind.submitter, 2)
            ind.reward = q.quote(tier, ind.cls, severity, scope, price, g.schedule, g.rule)
            ind.status = Status.VERIFIED
            g.price[ind.category] = (q.decayed_price(price, g.rule), epoch + 1)
            g.last_verified[ind.submitter] = epoch + 1
            g.reputation[ind.submitter] += severity * (scope + 1)
            g.allocate(ind.submitter, ind.reward)
            g.paid_rewards += ind.reward
            g.verified += 1
            STATS["verified"] += 1
            event("finalise: verified" + (" with a debt" if g.debts else ""))
        elif ind.invalid >= ind.quorum:
            ind.status = Status.REJECTED
            event("finalise: rejected")
            g.reputation[ind.submitter] -= g.reject_penalty
        else:
            ind.status = Status.EXPIRED
            event("finalise: expired")

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

    @rule(k=st.integers(0, 4), aff=st.integers(0, 3))
    def appoint(self, k: int, aff: int) -> None:
        """Governance seats a panellist (independent or a firm's) in the lowest free seat."""
        g, w = self.g, self.w
        who = ([*w.panel, *w.spares])[k]
        firm = w.firms[aff] if aff < 3 else ZERO
        expected = Revert.ALREADY_A_PANELLIST if who in g.seat_of else None
        if self.send(expected, "appoint_panellist", who, firm, sender=w.governance) is None:
            return
        STATS["appointments"] += 1
        g.seat_of[who] = min(set(range(16)) - set(g.seat_of.values()))
        if firm != ZERO:
            g.affiliation[who] = firm
        g.appointed_at[who] = self.chain.timestamp()  # the block it was mined in
        g.quorum = max(g.quorum, len(g.seat_of) // 2 + 1)

    @rule(k=st.integers(0, 4))
    def remove(self, k: int) -> None:
        """Governance frees a seat; votes cast stand, the quorum follows a smaller panel."""
        g, w = self.g, self.w
        who = ([*w.panel, *w.spares])[k]
        expected = None if who in g.seat_of else Revert.NOT_A_PANELLIST
        if self.send(expected, "remove_panellist", who, sender=w.governance) is None:
            return
        STATS["removals"] += 1
        del g.seat_of[who]
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
        STATS["invariant_checks"] += 1
        STATS["checked_states"] += 1  # one per step, plus one after `start`
        g, s = self.g, self.s
        balance, claimable = s.balance(), s.call("total_claimable")
        unallocated, owed = s.call("unallocated"), s.call("total_owed")
        assert balance == claimable + unallocated
        assert (claimable, unallocated, owed) == (
            sum(g.claimable.values()), g.unallocated, sum(g.owed.values()))
        assert owed == sum(d[1] for d in g.debts)
        assert g.funded == balance + g.claimed
        # The world starts with nothing credited: every reward decided is here, once.
        assert g.paid_rewards == claimable + owed + g.claimed
        assert s.call("debt_tail") - s.call("debt_head") == len(g.debts)

    @invariant()
    def accounts_match_ghost(self) -> None:
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
    def indicators_match_ghost(self) -> None:
        STATS["invariant_checks"] += 1
        for h, ind in self.g.inds.items():
            st_ = self.s.indicator(h)
            assert (st_.submitter, st_.status, st_.reward) == (ind.submitter, ind.status, ind.reward)
            assert (st_.valid_votes, st_.invalid_votes, st_.quorum) == (len(ind.valid), ind.invalid, ind.quorum)
            # No payout without a quorum of valid votes in the ballot it was revealed with.
            if st_.reward > 0:
                assert st_.status == Status.VERIFIED and st_.valid_votes >= st_.quorum
            if st_.status in (Status.REJECTED, Status.EXPIRED, Status.PENDING):
                assert st_.reward == 0

    def teardown(self) -> None:
        try:
            if hasattr(self, "g"):
                self._check_ledger()
        finally:
            self.chain.revert(self.snap)

    def _check_ledger(self) -> None:
        """The books rebuilt from this sequence's events equal storage; each reward paid once."""
        STATS["invariant_checks"] += 1
        s, g = self.s, self.g
        ledger = rebuild(s)
        for firm in [*self.w.firms, self.w.outsider]:
            assert ledger.claimable[firm] == s.call("claimable", firm)
            assert ledger.owed[firm] == s.call("owed", firm)
            assert ledger.reputation[firm] == s.call("reputation", firm)
        assert ledger.unallocated == s.call("unallocated")
        assert ledger.funded - ledger.claimed == s.balance()
        # Per indicator: credits + debts carrying its hash add up to its one reward, one VERIFIED finalisation.
        # (The world's set-up pays nothing and every sequence starts from its snapshot: these are this sequence's.)
        for h, ind in g.inds.items():
            assert ledger.indicators[h].paid == ind.reward
            assert ledger.indicators[h].verified_count == (ind.status == Status.VERIFIED)
        assert sum(hist.paid for hist in ledger.indicators.values()) == g.paid_rewards


def machine_settings_from_env() -> dict[str, int]:
    """CI sizes, overridable by ``SHARING_STATEFUL_EXAMPLES`` / ``SHARING_STATEFUL_STEPS``."""
    return {"max_examples": int(os.environ.get("SHARING_STATEFUL_EXAMPLES", "15")),
            "stateful_step_count": int(os.environ.get("SHARING_STATEFUL_STEPS", "30"))}
