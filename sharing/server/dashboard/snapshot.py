"""What the dashboard shows, read from the chain at one block: the data behind every page.

One :class:`Snapshot` is built per block (the routes cache it on the latest
block's hash, so a new block - or a reverted development chain - is seen on
the next request, and a page read twice in the same block costs nothing).
Every number comes from the contract's own views (``AisSystem``); the
history (who did what, in which transaction, and the price index over time)
comes from the events (:func:`sharing.chain.ledger.events`). Nothing here
writes to the chain or the pool.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from web3 import Web3
from web3.exceptions import BlockNotFound

from sharing.chain.ais import ZERO_ADDRESS, AisSystem, Status
from sharing.chain.ledger import LoggedEvent, events
from sharing.quote import PriceRule
from sharing.server.dashboard.prices import PriceSeries, epoch_of, price_series
from sharing.standards.categories import NUM_CATEGORIES

#: Tier names, by tier code (the contract's TIERS order).
TIER_NAMES = ("critical", "core", "small")


@dataclass(frozen=True)
class Step:
    """One on-chain step of an indicator's life and the transaction that made it."""

    label: str
    block: int
    timestamp: int
    tx_hash: str
    #: Who acted (the firm, the panellist), if one address did.
    actor: str = ""
    detail: str = ""
    #: Wei moved by the step (a reward credited or owed, a funding, a claim).
    amount: int | None = None
    #: The indicator it belongs to, in the alliance-wide activity list.
    content_hash: bytes | None = None


@dataclass(frozen=True)
class Vote:
    """One panel vote as the ``VoteCast`` event records it."""

    panellist: str
    seat: int
    valid: bool
    score_x10: int
    scope: int
    tx_hash: str


@dataclass(frozen=True)
class IndicatorView:
    """An indicator as the chain holds it now, with the steps that led there."""

    content_hash: bytes
    submitter: str
    category: int
    claimed_class: int
    status: Status
    stage: str
    vote_opens: int
    vote_closes: int
    quorum: int
    eligible_seats: int
    appointment_mark: int
    valid_votes: int
    invalid_votes: int
    severity_x10: int
    scope: int
    reward: int
    price_bps: int
    votes: tuple[Vote, ...]
    steps: tuple[Step, ...]

    @property
    def hash_hex(self) -> str:
        """``0x``-prefixed hex of the content hash (the indicator's id on chain)."""
        return "0x" + self.content_hash.hex()

    @property
    def eligible_count(self) -> int:
        """Seats that may vote on it (fixed at its reveal)."""
        return bin(self.eligible_seats).count("1")

    @property
    def pending(self) -> bool:
        """Whether the panel has not decided it yet."""
        return self.status == Status.PENDING


@dataclass(frozen=True)
class Commitment:
    """A commitment not revealed (yet): only its firm and sequence are public."""

    firm: str
    commitment: bytes
    sequence: int
    timestamp: int
    tx_hash: str
    reveal_by: int


@dataclass(frozen=True)
class Member:
    """A current member and its standing (the contract's views)."""

    address: str
    tier: int
    reputation: int
    claimable: int
    owed: int
    has_access: bool

    @property
    def tier_name(self) -> str:
        """``critical``, ``core`` or ``small``."""
        return TIER_NAMES[self.tier]


@dataclass(frozen=True)
class Seat:
    """An occupied panel seat."""

    index: int
    holder: str
    affiliation: str | None
    appointment: int


@dataclass(frozen=True)
class Snapshot:
    """The alliance at one block: every figure the dashboard shows."""

    block_number: int
    block_hash: bytes
    timestamp: int
    chain_id: int
    address: str
    paused: bool
    balance: int
    unallocated: int
    total_claimable: int
    total_owed: int
    debts_queued: int
    surplus: int
    funded: int
    claimed: int
    quorum: int
    panel_size: int
    seats: tuple[Seat, ...]
    members: tuple[Member, ...]
    indicators: tuple[IndicatorView, ...]
    commitments: tuple[Commitment, ...]
    #: The latest steps across the alliance, newest first.
    activity: tuple[Step, ...]
    prices: tuple[PriceSeries, ...]
    epoch: int
    epoch_length: int
    genesis_time: int
    access_epochs: int
    pool_open: bool
    reveal_window: int
    vote_window: int
    price_rule: PriceRule

    def indicator(self, content_hash: bytes) -> IndicatorView | None:
        """The indicator with this hash, if revealed."""
        return next((i for i in self.indicators if i.content_hash == content_hash), None)

    def member(self, address: str) -> Member | None:
        """The member with this address, if it is one."""
        return next((m for m in self.members if m.address == address), None)

    def seat_of(self, address: str) -> Seat | None:
        """The seat this address holds, if any."""
        return next((s for s in self.seats if s.holder == address), None)

    def by_status(self, status: Status) -> list[IndicatorView]:
        """Indicators with this status, newest first."""
        return [i for i in self.indicators if i.status == status]

    def by_stage(self, stage: str) -> list[IndicatorView]:
        """Pending indicators at this stage (see :func:`stage_of`), newest first."""
        return [i for i in self.indicators if i.pending and i.stage == stage]

    def tier_counts(self) -> dict[str, int]:
        """Members per tier, every tier listed."""
        counts = dict.fromkeys(TIER_NAMES, 0)
        for m in self.members:
            counts[m.tier_name] += 1
        return counts


#: Stages of a pending indicator, in the order it goes through them.
STAGE_REVEALED = "reveal window"
STAGE_VOTING = "voting"
STAGE_DECIDABLE = "decidable now"
PENDING_STAGES = (STAGE_REVEALED, STAGE_VOTING, STAGE_DECIDABLE)


def stage_of(status: Status, now: int, vote_opens: int, decidable: bool) -> str:
    """Where an indicator stands: a pending stage, or its final status in words.

    A pending indicator is in its reveal window until voting opens, then
    voting, and *decidable now* as soon as ``can_finalise`` says a
    ``finalise`` would decide it (window closed, or a side at quorum with no
    eligible seat left to vote).
    """
    if status != Status.PENDING:
        return status.name.lower()
    if decidable:
        return STAGE_DECIDABLE
    return STAGE_REVEALED if now < vote_opens else STAGE_VOTING


#: Events listed as alliance activity without an indicator: label and the actor's field.
GENERAL_ACTIVITY: dict[str, tuple[str, str | None]] = {
    "MemberRegistered": ("member admitted", "firm"),
    "MemberTierChanged": ("tier changed", "firm"),
    "MemberRemoved": ("member removed", "firm"),
    "PanellistAppointed": ("panellist appointed", "panellist"),
    "PanellistRemoved": ("panellist removed", "panellist"),
    "PoolFunded": ("pool funded", "funder"),
    "DebtSettled": ("debt paid", "firm"),
    "RewardClaimed": ("reward claimed", "firm"),
    "Paused": ("paused", None),
    "Unpaused": ("unpaused", None),
}
#: Entries of the alliance's recent activity kept in a snapshot.
RECENT_ACTIVITY = 8


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


class _History:
    """The events folded into what the pages need beyond the contract's views."""

    def __init__(self, logged: list[LoggedEvent], timestamp_of: dict[bytes, int]) -> None:
        self.members: dict[str, int] = {}
        self.steps: dict[bytes, list[Step]] = defaultdict(list)
        self.votes: dict[bytes, list[Vote]] = defaultdict(list)
        self.commits: dict[int, tuple[LoggedEvent, int]] = {}
        self.revealed_sequences: set[int] = set()
        self.order: list[bytes] = []
        # (timestamp, order on chain, value): the price chart replays them in chain order.
        self.price_updates: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        self.price_rules: list[tuple[int, int, PriceRule]] = []
        self.activity: list[Step] = []
        self.funded = 0
        self.claimed = 0
        for order, e in enumerate(logged):
            self._fold(e, timestamp_of[e.block_hash], order)

    def _step(self, h: bytes, step: Step) -> None:
        """An indicator's step, also listed in the alliance's activity."""
        self.steps[h].append(step)
        self.activity.append(replace(step, content_hash=h))

    def _fold(self, e: LoggedEvent, ts: int, order: int) -> None:
        a, tx = e.args, _hex(e.tx_hash)
        name = e.name
        general = GENERAL_ACTIVITY.get(name)
        if general is not None:
            label, actor_key = general
            amount = int(a["amount"]) if "amount" in a else None
            detail = TIER_NAMES[int(a["tier"])] if "tier" in a else ""
            self.activity.append(
                Step(label, e.block, ts, tx, str(a[actor_key]) if actor_key else "", detail,
                     amount)
            )
        if name in ("MemberRegistered", "MemberTierChanged"):
            self.members[a["firm"]] = int(a["tier"])
        elif name == "MemberRemoved":
            self.members.pop(a["firm"], None)
        elif name == "IndicatorCommitted":
            self.commits[int(a["sequence"])] = (e, ts)
            self.activity.append(
                Step("committed", e.block, ts, tx, a["firm"],
                     f"commitment number {int(a['sequence'])}")
            )
        elif name == "IndicatorRevealed":
            h = bytes(a["content_hash"])
            seq = int(a["sequence"])
            self.revealed_sequences.add(seq)
            committed = self.commits.get(seq)
            if h in self.steps:  # revealed again (a supersede): its new ballot starts here
                self.votes[h] = []
            else:
                self.order.append(h)
            if committed is not None:
                c_event, c_ts = committed
                self.steps[h].append(
                    Step("committed", c_event.block, c_ts, _hex(c_event.tx_hash),
                         a["firm"], f"commitment number {seq}")
                )
            self._step(h, Step("revealed", e.block, ts, tx, a["firm"],
                               f"price index {int(a['price_bps']) / 10_000:g}x fixed"))
        elif name == "IndicatorSuperseded":
            h = bytes(a["content_hash"])
            self._step(h, Step("superseded", e.block, ts, tx, a["displaced"],
                               "displaced by an older commitment of the same content"))
        elif name == "VoteCast":
            h = bytes(a["content_hash"])
            vote = Vote(
                a["panellist"], int(a["seat"]), bool(a["valid"]), int(a["score_x10"]),
                int(a["scope"]), tx,
            )
            self.votes[h].append(vote)
            verdict = "valid" if vote.valid else "invalid"
            self._step(h, Step("vote", e.block, ts, tx, vote.panellist, verdict))
        elif name == "IndicatorFinalised":
            h = bytes(a["content_hash"])
            status = Status(int(a["status"])).name.lower()
            self._step(h, Step("finalised", e.block, ts, tx, "", status))
        elif name == "RewardCredited":
            self._step(bytes(a["content_hash"]), Step(
                "reward credited", e.block, ts, tx, a["firm"], "claimable", int(a["amount"])))
        elif name == "RewardOwed":
            self._step(bytes(a["content_hash"]), Step(
                "reward owed", e.block, ts, tx, a["firm"], "queued: the pool was short",
                int(a["amount"])))
        elif name == "PriceIndexUpdated":
            self.price_updates[int(a["category"])].append((ts, order, int(a["new_bps"])))
        elif name == "PriceRuleChanged":
            self.price_rules.append((ts, order, PriceRule(
                int(a["base_bps"]), int(a["min_bps"]), int(a["max_bps"]), int(a["decay_bps"]),
                int(a["recovery_bps"]))))
        elif name == "PoolFunded":
            self.funded += int(a["amount"])
        elif name == "RewardClaimed":
            self.claimed += int(a["amount"])


class EventLog:
    """The alliance's decoded events, read once, then only the blocks mined since.

    A node's ``eth_getLogs`` over the whole history grows with it (on the
    embedded chain, quadratically), so a server re-reads only what is new.
    If the last block read is no longer on the chain (a reverted development
    chain, a reorganisation), everything is read again.
    """

    def __init__(self, system: AisSystem) -> None:
        self._system = system
        self._events: list[LoggedEvent] = []
        self._block: int | None = None
        self._hash: bytes | None = None
        #: Whether the last :meth:`up_to` read everything again (nothing read before holds).
        self.reread = True

    def _still_on_chain(self) -> bool:
        if self._block is None:
            return False
        try:
            block = self._system.chain.w3.eth.get_block(self._block)
        except BlockNotFound:
            return False
        return bytes(block["hash"]) == self._hash

    def up_to(self, number: int) -> list[LoggedEvent]:
        """Every event from the deployment to block ``number``, in chain order."""
        system = self._system
        self.reread = not self._still_on_chain() or self._block is None or number < self._block
        if self.reread:
            self._events = events(system, system.deploy_block, number)
        elif self._block is not None and number > self._block:
            self._events = self._events + events(system, self._block + 1, number)
        self._block = number
        self._hash = bytes(system.chain.w3.eth.get_block(number)["hash"])
        return self._events


def read_snapshot(
    system: AisSystem,
    block_hash: bytes | None = None,
    timestamps: dict[bytes, int] | None = None,
    log: EventLog | None = None,
    previous: Snapshot | None = None,
) -> Snapshot:
    """Read everything the dashboard shows, at the latest block.

    ``block_hash`` is only recorded (the caller read it to key its cache);
    the views are read at the latest block, which is that block unless one
    was mined in between (then the next request reads again).
    ``timestamps`` (block hash -> time) is filled and reused across calls:
    a block's time never changes, so each is fetched once per server.
    ``log`` keeps the events between calls (:class:`EventLog`); without one
    they are all read. ``previous``, the snapshot read with the same log
    before, lends its decided indicators: a decided indicator's record
    changes only in a transaction that logs an event naming it, so one no
    new event names is not read again.
    """
    w3 = system.chain.w3
    latest = w3.eth.get_block("latest")
    now = int(latest["timestamp"])
    number = int(latest["number"])
    call = system.call
    logged = (log or EventLog(system)).up_to(number)
    timestamp_of = {} if timestamps is None else timestamps
    for e in logged:
        if e.block_hash not in timestamp_of:
            timestamp_of[e.block_hash] = int(w3.eth.get_block(e.block)["timestamp"])
    history = _History(logged, timestamp_of)

    genesis_time = int(call("GENESIS_TIME"))
    epoch_length = int(call("EPOCH_LENGTH"))
    reveal_window = int(call("reveal_window"))

    seats = []
    for i in range(int(call("MAX_PANEL"))):
        holder = str(call("seat_holder", i))
        if holder == ZERO_ADDRESS:
            continue
        affiliation = str(call("panellist_affiliation", holder))
        seats.append(
            Seat(
                i, holder, None if affiliation == ZERO_ADDRESS else affiliation,
                int(call("appointment_number", holder)),
            )
        )

    members = []
    for firm in history.members:
        address = Web3.to_checksum_address(firm)
        if not call("is_member", address):
            continue
        members.append(
            Member(
                address,
                int(call("tier_of", address)),
                int(call("reputation", address)),
                int(call("claimable", address)),
                int(call("owed", address)),
                bool(call("has_access", address)),
            )
        )

    settled: dict[bytes, IndicatorView] = {}
    if previous is not None and log is not None and not log.reread:
        named = {
            bytes(e.args[k]) for e in logged if e.block > previous.block_number
            for k in ("content_hash", "by_content_hash") if k in e.args
        }
        settled = {
            i.content_hash: i for i in previous.indicators
            if not i.pending and i.content_hash not in named
        }
    indicators = []
    for h in reversed(history.order):
        if h in settled:
            indicators.append(settled[h])
            continue
        state = system.indicator(h)
        terms = system.terms(h)
        decidable = state.status == Status.PENDING and bool(call("can_finalise", h))
        indicators.append(
            IndicatorView(
                content_hash=h,
                submitter=state.submitter,
                category=state.category,
                claimed_class=state.claimed_class,
                status=state.status,
                stage=stage_of(state.status, now, state.vote_opens, decidable),
                vote_opens=state.vote_opens,
                vote_closes=state.vote_closes,
                quorum=state.quorum,
                eligible_seats=terms.eligible_seats,
                appointment_mark=terms.appointment_mark,
                valid_votes=state.valid_votes,
                invalid_votes=state.invalid_votes,
                severity_x10=state.severity_x10,
                scope=state.scope,
                reward=state.reward,
                price_bps=terms.price_bps,
                votes=tuple(history.votes[h]),
                steps=tuple(sorted(history.steps[h], key=lambda step: step.block)),
            )
        )

    commitments = []
    for seq, (e, ts) in sorted(history.commits.items(), reverse=True):
        if seq in history.revealed_sequences:
            continue
        commitments.append(
            Commitment(
                e.args["firm"], bytes(e.args["commitment"]), seq, ts, _hex(e.tx_hash),
                ts + reveal_window,
            )
        )

    rule = system.price_rule()
    start = int(w3.eth.get_block(system.deploy_block)["timestamp"])
    prices = tuple(
        price_series(
            history.price_updates.get(c, []), history.price_rules, max(start, genesis_time), now,
            genesis_time, epoch_length, c,
        )
        for c in range(NUM_CATEGORIES)
    )

    debt_head, debt_tail = int(call("debt_head")), int(call("debt_tail"))
    return Snapshot(
        block_number=number,
        block_hash=bytes(latest["hash"]) if block_hash is None else block_hash,
        timestamp=now,
        chain_id=system.chain.chain_id,
        address=system.address,
        paused=bool(call("paused")),
        balance=system.balance(),
        unallocated=int(call("unallocated")),
        total_claimable=int(call("total_claimable")),
        total_owed=int(call("total_owed")),
        debts_queued=debt_tail - debt_head,
        surplus=system.surplus(),
        funded=history.funded,
        claimed=history.claimed,
        quorum=int(call("quorum")),
        panel_size=int(call("panel_size")),
        seats=tuple(seats),
        members=tuple(sorted(members, key=lambda m: (m.tier, m.address))),
        indicators=tuple(indicators),
        commitments=tuple(commitments),
        activity=tuple(
            step for _, step in sorted(
                enumerate(history.activity), key=lambda p: (p[1].block, p[0]), reverse=True
            )[:RECENT_ACTIVITY]
        ),
        prices=prices,
        epoch=epoch_of(now, genesis_time, epoch_length),
        epoch_length=epoch_length,
        genesis_time=genesis_time,
        access_epochs=int(call("access_epochs")),
        pool_open=bool(call("pool_open")),
        reveal_window=reveal_window,
        vote_window=int(call("vote_window")),
        price_rule=rule,
    )

