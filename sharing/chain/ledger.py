"""Rebuild the alliance's state from its events alone (the rules it replays: docs/rules.md).

An auditor who trusts nothing but the logs replays them in order and gets
every indicator's history and every wei: who committed, revealed, voted,
what was decided and paid, what is owed, claimable and unallocated. The
tests compare this reconstruction with the contract's own storage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sharing.chain.ais import AisSystem, Status


@dataclass
class IndicatorHistory:
    """One indicator's life as the events tell it."""

    submitter: str = ""
    category: int = 0
    claimed_class: int = 0
    status: Status = Status.NONE
    votes: list[dict[str, Any]] = field(default_factory=list)
    severity_x10: int = 0
    scope: int = 0
    reward: int = 0
    superseded: list[str] = field(default_factory=list)
    #: Semantic key, price index and eligible seats fixed at its (last) reveal.
    semantic_key: bytes = b""
    price_bps: int = 0
    eligible_seats: int = 0
    #: Wei credited or owed carrying its hash (its reward, once, if all is well).
    paid: int = 0
    #: VERIFIED finalisations of its hash (at most one, if all is well).
    verified_count: int = 0


@dataclass
class Ledger:
    """The alliance's books and indicators, rebuilt from logs."""

    indicators: dict[bytes, IndicatorHistory] = field(default_factory=dict)
    claimable: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    owed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reputation: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    members: dict[str, int] = field(default_factory=dict)
    unallocated: int = 0
    funded: int = 0
    claimed: int = 0
    swept: int = 0
    events: int = 0

    def verified_by_key(self) -> dict[bytes, list[bytes]]:
        """Content hashes VERIFIED under each semantic key (one each, if all is well)."""
        found: dict[bytes, list[bytes]] = defaultdict(list)
        for h, hist in self.indicators.items():
            if hist.verified_count:
                found[hist.semantic_key].append(h)
        return dict(found)

    @property
    def total_claimable(self) -> int:
        """Sum of claimable balances."""
        return sum(self.claimable.values())

    @property
    def total_owed(self) -> int:
        """Sum of owed rewards."""
        return sum(self.owed.values())

    def apply(self, name: str, a: dict[str, Any]) -> None:
        """Fold one event into the ledger."""
        self.events += 1
        if name == "MemberRegistered" or name == "MemberTierChanged":
            self.members[a["firm"]] = a["tier"]
        elif name == "MemberRemoved":
            self.members.pop(a["firm"], None)
        elif name == "IndicatorRevealed":
            old = self.indicators.get(a["content_hash"])
            hist = IndicatorHistory(a["firm"], a["category"], a["claimed_class"], Status.PENDING)
            hist.semantic_key, hist.price_bps = a["semantic_key"], a["price_bps"]
            hist.eligible_seats = a["eligible_seats"]
            if old is not None:
                hist.superseded, hist.paid = old.superseded, old.paid
                hist.verified_count = old.verified_count
            self.indicators[a["content_hash"]] = hist
        elif name == "IndicatorSuperseded":
            displaced = self.indicators[a["content_hash"]]
            displaced.superseded.append(a["displaced"])
            if a["by_content_hash"] != a["content_hash"]:
                displaced.status = Status.SUPERSEDED
        elif name == "VoteCast":
            self.indicators[a["content_hash"]].votes.append(
                {k: a[k] for k in ("panellist", "valid", "score_x10", "scope")}
            )
        elif name == "IndicatorFinalised":
            h = self.indicators[a["content_hash"]]
            h.status = Status(a["status"])
            h.severity_x10, h.scope, h.reward = a["severity_x10"], a["scope"], a["reward"]
            h.verified_count += h.status == Status.VERIFIED
        elif name == "ReputationChanged":
            self.reputation[a["firm"]] = a["reputation"]
        elif name == "PoolFunded":
            self.funded += a["amount"]
            self.unallocated += a["amount"]
        elif name == "RewardCredited":
            self.unallocated -= a["amount"]
            self.claimable[a["firm"]] += a["amount"]
            self.indicators[a["content_hash"]].paid += a["amount"]
        elif name == "RewardOwed":
            self.owed[a["firm"]] += a["amount"]
            self.indicators[a["content_hash"]].paid += a["amount"]
        elif name == "DebtSettled":
            self.unallocated -= a["amount"]
            self.owed[a["firm"]] -= a["amount"]
            self.claimable[a["firm"]] += a["amount"]
        elif name == "RewardClaimed":
            self.claimable[a["firm"]] -= a["amount"]
            self.claimed += a["amount"]
        elif name == "SurplusSwept":
            self.swept += a["amount"]


@dataclass(frozen=True)
class LoggedEvent:
    """One decoded event of the alliance and where it happened (block, transaction)."""

    name: str
    args: dict[str, Any]
    block: int
    block_hash: bytes
    tx_hash: bytes
    log_index: int


def events(
    system: AisSystem, from_block: int = 0, to_block: int | None = None
) -> list[LoggedEvent]:
    """Every event of the alliance between two blocks, decoded, in chain order.

    ``to_block`` defaults to the latest block. Events of imported modules the
    books do not account for (role changes) are left out. Read-only:
    :func:`rebuild` folds these; the dashboard also shows each step's
    transaction and draws the price index from them.
    """
    contract = system.alliance.contract
    logs = system.chain.w3.eth.get_logs(
        {
            "address": contract.address,
            "fromBlock": from_block,
            "toBlock": "latest" if to_block is None else to_block,
        }
    )
    by_topic = {}
    for abi in system.alliance.artifact.abi:
        if abi.get("type") == "event":
            event = getattr(contract.events, abi["name"])()
            by_topic[event.topic] = (abi["name"], event)
    decoded = []
    for log in sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"])):
        found = by_topic.get("0x" + bytes(log["topics"][0]).hex())
        if found is None:
            continue
        name, event = found
        decoded.append(
            LoggedEvent(
                name,
                dict(event.process_log(log)["args"]),
                int(log["blockNumber"]),
                bytes(log["blockHash"]),
                bytes(log["transactionHash"]),
                int(log["logIndex"]),
            )
        )
    return decoded


def rebuild(system: AisSystem, from_block: int = 0) -> Ledger:
    """Replay every event of the alliance since ``from_block``, in chain order."""
    ledger = Ledger()
    for event in events(system, from_block):
        ledger.apply(event.name, event.args)
    return ledger
