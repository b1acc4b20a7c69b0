"""Deploy and drive the AIS alliance contract: one object for the CLI, bots and tests.

The deployment file and deploying the whole system are in
:mod:`sharing.chain.deployment` (its names stay importable from here).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import IntEnum
from types import EllipsisType
from typing import Any

from eth_abi import encode
from eth_utils import keccak
from web3 import Web3

from sharing.chain.compile import load_artifact
from sharing.chain.connect import Chain
from sharing.chain.contract import Handle, at, deploy, translate_reverts
from sharing.errors import Revert, RevertError
from sharing.quote import PriceRule, RewardSchedule

CONTRACT = "AisAlliance"
GOVERNOR_ROLE = keccak(text="GOVERNOR_ROLE")
PAUSER_ROLE = keccak(text="PAUSER_ROLE")
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class WouldRevert(RevertError):
    """A transaction refused before it was sent: the contract would revert with ``reason``.

    ``reason`` is the contract's string (a :class:`sharing.errors.Revert`
    name); the message says what was wrong, and that nothing was sent.
    """

    def __init__(self, reason: str, function: str, detail: str | None = None) -> None:
        super().__init__(reason, function)
        why = f"{detail} ({reason})" if detail else f"would revert: {reason}"
        self.args = (f"{function}: {why}; nothing sent",)


def hex_0x(value: Any) -> str:
    """Any bytes-like or hex value as ``0x`` + lower-case hex."""
    text = value.hex() if isinstance(value, bytes | bytearray) else str(value)
    return text.lower() if text.startswith("0x") else "0x" + text.lower()


class Status(IntEnum):
    """Indicator status codes of ``AisAlliance``."""

    NONE = 0
    PENDING = 1
    VERIFIED = 2
    REJECTED = 3
    EXPIRED = 4
    SUPERSEDED = 5


@dataclass(frozen=True)
class IndicatorState:
    """What the chain holds about one indicator (``AisAlliance.indicator``)."""

    submitter: str
    sequence: int
    category: int
    claimed_class: int
    status: Status
    vote_opens: int
    vote_closes: int
    quorum: int
    valid_votes: int
    invalid_votes: int
    severity_x10: int
    scope: int
    reward: int


@dataclass(frozen=True)
class IndicatorTerms:
    """What the reveal fixed (``AisAlliance.indicator_terms``)."""

    eligible_seats: int
    price_bps: int
    appointment_mark: int

    @property
    def eligible_count(self) -> int:
        """Number of seats eligible to vote on the indicator."""
        return bin(self.eligible_seats).count("1")


def commitment_of(
    content_hash: bytes,
    salt: bytes,
    sender: str,
    category: int = 0,
    claimed_class: int = 0,
    semantic_key: bytes | None = None,
) -> bytes:
    """The commitment the contract checks at reveal.

    ``keccak256(abi_encode(content_hash, semantic_key, category, claimed_class, salt, sender))``:
    everything that decides the reward is bound before anyone sees it.
    ``semantic_key`` defaults to the content hash itself (opaque content, see
    :func:`opaque_key`).
    """
    key = opaque_key(content_hash) if semantic_key is None else semantic_key
    return keccak(
        encode(
            ["bytes32", "bytes32", "uint256", "uint256", "bytes32", "address"],
            [content_hash, key, category, claimed_class, salt, sender],
        )
    )


def opaque_key(content_hash: bytes) -> bytes:
    """The semantic key of content the caller cannot normalise: its own hash.

    Real bundles carry the key of :mod:`sharing.standards.semantic_key`; the
    panel checks that the declared key is the content's and votes invalid
    otherwise, so an opaque key never dodges the duplicate rule of a real one.
    """
    return content_hash


def ballot_quorum(eligible: int, governance_quorum: int, panel_size: int) -> int:
    """An indicator's quorum, fixed at its reveal (mirror of ``AisAlliance.reveal``).

    A strict majority of the seats eligible for it, raised to governance's
    quorum taken as a fraction of the whole panel and applied to those seats
    (rounded up): ``max(n // 2 + 1, ceil(quorum * n / panel_size))``. So a
    supermajority set by governance carries over, and a firm with its own
    panellists (not eligible for its indicators) needs no more than others.
    """
    if eligible < 1 or panel_size < eligible:
        raise ValueError("an indicator needs 1..panel_size eligible seats")
    return max(eligible // 2 + 1, -(-governance_quorum * eligible // panel_size))


def decided_status(valid: int, invalid: int, quorum: int) -> Status:
    """The side a ballot has decided (mirror of ``AisAlliance._decided``).

    VERIFIED needs at least ``quorum`` valid votes *and* more valid than
    invalid votes; REJECTED the same for the invalid side; else PENDING.
    """
    if valid >= quorum and valid > invalid:
        return Status.VERIFIED
    if invalid >= quorum and invalid > valid:
        return Status.REJECTED
    return Status.PENDING


def vote_refusals(
    *,
    seat: int | None,
    status: Status,
    own_firm: bool,
    now: int,
    vote_opens: int,
    vote_closes: int,
    eligible_seats: int,
    appointment_mark: int,
    appointment: int,
    voted: bool,
) -> list[tuple[str, str]]:
    """Every reason ``AisAlliance.vote`` would refuse a seat's vote, in the contract's order.

    Each is the contract's revert string and a phrase for people. The first
    is the revert the contract gives; an empty list means the vote would be
    accepted at time ``now``. The one rule behind ``sharing panel pending``
    and ``vote`` and the dashboard's "awaiting your vote": a seat may vote on
    a pending indicator of another firm, inside its window, when the reveal
    counted the seat (its bit in ``eligible_seats``) and the holder's
    appointment is no later than the reveal's mark, once.
    """
    if seat is None:
        return [(Revert.CALLER_IS_NOT_A_PANELLIST, "holds no seat")]
    found: list[tuple[str, str]] = []
    if status != Status.PENDING:
        found.append((Revert.INDICATOR_NOT_PENDING, "not pending"))
    if own_firm:
        found.append((Revert.PANELLIST_VOTES_ON_OWN_FIRM, "its own firm's indicator"))
    if now < vote_opens:
        found.append((Revert.VOTING_NOT_OPEN, "voting not open yet"))
    if not (eligible_seats >> seat) & 1 or appointment > appointment_mark:
        found.append((Revert.SEAT_NOT_ELIGIBLE,
                      "seat not eligible (appointed after the reveal, or excluded at the reveal)"))
    if now >= vote_closes:
        found.append((Revert.VOTING_CLOSED, "voting closed"))
    if voted:
        found.append((Revert.SEAT_ALREADY_VOTED, "already voted"))
    return found


def new_salt() -> bytes:
    """A fresh 32-byte secret for a commitment."""
    return secrets.token_bytes(32)


@dataclass
class AisSystem:
    """The deployed alliance plus the account that governs it.

    Every transaction names its sender; the object keeps no hidden state
    beyond the contract handle, so several processes may drive one chain.
    """

    chain: Chain
    alliance: Handle
    governance: str
    #: The block the alliance was deployed in (0 if unknown): where event scans start.
    deploy_block: int = 0

    # ------------------------------------------------------------ set-up

    @classmethod
    def deploy(
        cls, chain: Chain, governance: str | None = None, epoch_length: int = 86_400
    ) -> AisSystem:
        """Compile (cached) and deploy the alliance; ``governance`` holds every role."""
        gov = governance or chain.accounts[0]
        handle = deploy(chain, load_artifact(CONTRACT), epoch_length, sender=gov)
        block = int(handle.deploy_receipt["blockNumber"]) if handle.deploy_receipt else 0
        return cls(chain=chain, alliance=handle, governance=gov, deploy_block=block)

    @classmethod
    def at(cls, chain: Chain, address: str, governance: str, deploy_block: int = 0) -> AisSystem:
        """Attach to an existing deployment."""
        return cls(
            chain=chain,
            alliance=at(chain, load_artifact(CONTRACT), address),
            governance=governance,
            deploy_block=deploy_block,
        )

    @property
    def address(self) -> str:
        """Address of the alliance contract."""
        return str(self.alliance.address)

    def tx(self, fn: str, *args: Any, sender: str, value: int = 0) -> dict[str, Any]:
        """Send any transaction to the alliance."""
        return self.alliance.transact(fn, *args, sender=sender, value=value)

    def call(self, fn: str, *args: Any) -> Any:
        """Call any view of the alliance."""
        return self.alliance.call(fn, *args)

    def simulate(self, fn: str, *args: Any, sender: str, value: int = 0) -> None:
        """Run ``fn`` as a call from ``sender`` at the latest block; nothing is sent.

        Raises
        ------
        WouldRevert
            The transaction would revert; ``reason`` is the contract's string.
        """
        tx = {"from": sender, "to": self.address, "value": value,
              "data": self.alliance.calldata(fn, *args)}
        try:
            with translate_reverts(fn):
                self.chain.w3.eth.call(tx)  # type: ignore[arg-type]
        except RevertError as exc:
            raise WouldRevert(exc.reason, fn) from None

    def has_role(self, role: bytes, account: str) -> bool:
        """Whether ``account`` holds ``role`` (``GOVERNOR_ROLE``, ``PAUSER_ROLE``)."""
        return bool(self.call("hasRole", role, Web3.to_checksum_address(account)))

    def paused(self) -> bool:
        """Whether governance paused the alliance (commits, reveals, votes, finalising)."""
        return bool(self.call("paused"))

    def seat_of(self, panellist: str) -> int | None:
        """The panel seat ``panellist`` holds, or None."""
        who = Web3.to_checksum_address(panellist)
        if not self.call("is_panellist", who):
            return None
        for seat in range(int(self.call("MAX_PANEL"))):
            if self.call("seat_holder", seat) == who:
                return seat
        return None  # pragma: no cover - is_panellist and seat_holder agree

    def vote_refusals(
        self, panellist: str, content_hash: bytes, seat: int | None | EllipsisType = ...
    ) -> list[tuple[str, str]]:
        """:func:`vote_refusals` for ``panellist`` on ``content_hash``, read from the chain now.

        ``seat`` is the panellist's seat when the caller already read it
        (:meth:`seat_of` costs a call per seat).
        """
        who = Web3.to_checksum_address(panellist)
        if seat is ...:
            seat = self.seat_of(who)
        state = self.indicator(content_hash)
        terms = self.terms(content_hash)
        affiliation = str(self.call("panellist_affiliation", who))
        return vote_refusals(
            seat=seat,
            status=state.status,
            own_firm=who == state.submitter
            or (affiliation != ZERO_ADDRESS and affiliation == state.submitter),
            now=self.chain.timestamp(),
            vote_opens=state.vote_opens,
            vote_closes=state.vote_closes,
            eligible_seats=terms.eligible_seats,
            appointment_mark=terms.appointment_mark,
            appointment=int(self.call("appointment_number", who)),
            voted=bool(self.call("has_voted", content_hash, who)),
        )

    def member_status(self, account: str) -> dict[str, Any]:
        """What the chain holds about a firm: tier, reputation, money, pool access, seat.

        ``access_until_epoch`` is the last epoch the pool access rule lets the
        firm read in (from its last verified indicator or a grant), None if
        neither gives it access; ``access_until_time`` is when that epoch ends.
        """
        who = Web3.to_checksum_address(account)
        member = self.is_member(who)
        epoch = int(self.call("current_epoch"))
        granted = int(self.call("access_granted_until_plus_one", who)) - 1
        last = int(self.call("last_verified_epoch_plus_one", who))
        earned = last - 1 + int(self.call("access_epochs")) - 1 if last else -1
        until = max(granted, earned)
        genesis, length = int(self.call("GENESIS_TIME")), int(self.call("EPOCH_LENGTH"))
        pool_open = bool(self.call("pool_open"))
        return {
            "address": who,
            "member": member,
            "tier": int(self.call("tier_of", who)) if member else None,
            "reputation": int(self.call("reputation", who)),
            "claimable_wei": int(self.call("claimable", who)),
            "owed_wei": int(self.call("owed", who)),
            "pool_access": self.has_access(who),
            "pool_open": pool_open,
            "current_epoch": epoch,
            "access_until_epoch": until if until >= epoch and member else None,
            "access_until_time": genesis + (until + 1) * length if until >= epoch and member
            else None,
            "panel_seat": self.seat_of(who),
        }

    def revealed_hashes(self, chunk: int = 10_000) -> list[bytes]:
        """Content hashes of every ``IndicatorRevealed`` event since the deployment, oldest first.

        A hash revealed again after a supersede appears once. Logs are asked
        for ``chunk`` blocks at a time: hosted endpoints refuse wider ranges.
        """
        event = self.alliance.contract.events.IndicatorRevealed()
        latest = int(self.chain.w3.eth.block_number)
        logs: list[Any] = []
        with translate_reverts("eth_getLogs"):
            for start in range(self.deploy_block, latest + 1, chunk):
                end = min(start + chunk - 1, latest)
                logs.extend(event.get_logs(from_block=start, to_block=end))
        seen: dict[bytes, None] = {}
        for log in logs:
            seen.setdefault(bytes(log["args"]["content_hash"]), None)
        return list(seen)

    # -------------------------------------------------------- governance

    def register_member(self, firm: str, tier: int) -> dict[str, Any]:
        """Admit ``firm`` in sector ``tier`` (0 critical, 1 core, 2 small)."""
        return self.tx("register_member", firm, tier, sender=self.governance)

    def appoint_panellist(self, panellist: str, affiliation: str | None = None) -> dict[str, Any]:
        """Give ``panellist`` a seat; ``affiliation`` is its firm, if any."""
        aff = affiliation or ZERO_ADDRESS
        return self.tx("appoint_panellist", panellist, aff, sender=self.governance)

    def set_quorum(self, quorum: int) -> dict[str, Any]:
        """Set the votes on one side needed to decide."""
        return self.tx("set_quorum", quorum, sender=self.governance)

    def set_windows(self, reveal_s: int, vote_s: int) -> dict[str, Any]:
        """Set the reveal and vote windows in seconds."""
        return self.tx("set_windows", reveal_s, vote_s, sender=self.governance)

    def set_access_rule(self, access_epochs: int, pool_open: bool) -> dict[str, Any]:
        """Gate (or open) the pool."""
        return self.tx("set_access_rule", access_epochs, pool_open, sender=self.governance)

    def set_reward_schedule(self, schedule: RewardSchedule) -> dict[str, Any]:
        """Replace the reward tables."""
        return self.tx(
            "set_reward_schedule",
            list(schedule.base_wei),
            list(schedule.class_bps),
            list(schedule.severity_bps),
            list(schedule.scope_bps),
            sender=self.governance,
        )

    def set_price_rule(self, rule: PriceRule) -> dict[str, Any]:
        """Replace the dynamic price rule."""
        return self.tx(
            "set_price_rule",
            rule.base_bps,
            rule.min_bps,
            rule.max_bps,
            rule.decay_bps,
            rule.recovery_bps,
            sender=self.governance,
        )

    def fund(self, amount_wei: int, sender: str | None = None) -> dict[str, Any]:
        """Add ``amount_wei`` to the reward pool."""
        return self.tx("fund", sender=sender or self.governance, value=amount_wei)

    # ---------------------------------------------------------- lifecycle

    def commit(
        self,
        firm: str,
        content_hash: bytes,
        salt: bytes,
        category: int = 0,
        claimed_class: int = 0,
        semantic_key: bytes | None = None,
    ) -> dict[str, Any]:
        """Commit to an indicator and its priced terms (the firm keeps the salt)."""
        commitment = commitment_of(content_hash, salt, firm, category, claimed_class, semantic_key)
        return self.tx("commit", commitment, sender=firm)

    def reveal(
        self,
        firm: str,
        content_hash: bytes,
        salt: bytes,
        category: int = 0,
        claimed_class: int = 0,
        semantic_key: bytes | None = None,
    ) -> dict[str, Any]:
        """Reveal a commitment (in a later block than the commit, with the same terms)."""
        key = opaque_key(content_hash) if semantic_key is None else semantic_key
        return self.tx(
            "reveal", content_hash, key, category, claimed_class, salt, sender=firm
        )

    def vote(
        self, panellist: str, content_hash: bytes, valid: bool, score_x10: int, scope: int
    ) -> dict[str, Any]:
        """Cast a panel vote."""
        return self.tx("vote", content_hash, valid, score_x10, scope, sender=panellist)

    def finalise(self, content_hash: bytes, sender: str | None = None) -> dict[str, Any]:
        """Finalise a decided indicator (anyone may)."""
        return self.tx("finalise", content_hash, sender=sender or self.governance)

    def claim(self, firm: str) -> dict[str, Any]:
        """Pull ``firm``'s claimable rewards."""
        return self.tx("claim", sender=firm)

    # -------------------------------------------------------------- views

    def indicator(self, content_hash: bytes) -> IndicatorState:
        """The chain's record of an indicator."""
        values = self.call("indicator", content_hash)
        raw = [0] + [int(v) for v in values[1:]]
        return IndicatorState(
            submitter=str(values[0]),
            sequence=raw[1],
            category=raw[2],
            claimed_class=raw[3],
            status=Status(raw[4]),
            vote_opens=raw[5],
            vote_closes=raw[6],
            quorum=raw[7],
            valid_votes=raw[8],
            invalid_votes=raw[9],
            severity_x10=raw[10],
            scope=raw[11],
            reward=raw[12],
        )

    def terms(self, content_hash: bytes) -> IndicatorTerms:
        """Eligible seats, price index and appointment mark fixed at the reveal."""
        seats, price, mark = self.call("indicator_terms", content_hash)
        return IndicatorTerms(int(seats), int(price), int(mark))

    def key_holder(self, semantic_key: bytes) -> bytes | None:
        """The content hash holding ``semantic_key`` on chain, if any."""
        held = bytes(self.call("key_holder", semantic_key))
        return None if held == bytes(32) else held

    def eligible_panel(self, firm: str) -> list[str]:
        """The panellists who could vote on an indicator ``firm`` revealed now.

        The seats held now, less ``firm``'s own and those affiliated with it
        (the set ``reveal`` fixes); empty means a reveal would be refused.
        """
        firm = Web3.to_checksum_address(firm)
        holders = [str(self.call("seat_holder", i)) for i in range(int(self.call("MAX_PANEL")))]
        return [
            h for h in holders
            if h not in (ZERO_ADDRESS, firm) and self.call("panellist_affiliation", h) != firm
        ]

    def reveal_refusal(self, firm: str, content_hash: bytes, semantic_key: bytes) -> str | None:
        """Why a commitment ``firm`` made now could not be revealed; ``None`` if it could.

        The panel and duplicate rules of ``AisAlliance.reveal`` (docs/rules.md), for
        the youngest commitment there is: it supersedes nobody. Lets a client
        refuse before the commit instead of spending it on a reveal that fails.
        """
        if int(self.call("panel_size")) == 0:
            return f"the alliance at {self.address} has no panel yet"
        if not self.eligible_panel(firm):
            return (
                f"every panel seat of the alliance at {self.address} is {firm}'s own or "
                "affiliated with it: nobody could vote on its indicator"
            )
        own = self.indicator(content_hash)
        if own.status not in (Status.NONE, Status.SUPERSEDED) and not (
            own.status == Status.EXPIRED and own.submitter == firm
        ):
            return (
                f"content 0x{content_hash.hex()} is already held by {own.submitter} "
                f"({own.status.name.lower()})"
            )
        holder = self.key_holder(semantic_key)
        if holder is None or holder == content_hash:
            return None
        held = self.indicator(holder)
        if held.status == Status.REJECTED or (
            held.status == Status.EXPIRED and held.submitter == firm
        ):
            return None
        return (
            f"the observable of 0x{content_hash.hex()} (semantic key 0x{semantic_key.hex()}) "
            f"is already held by 0x{holder.hex()} of {held.submitter} "
            f"({held.status.name.lower()})"
        )

    def surplus(self) -> int:
        """Wei held beyond the books (forced in outside ``fund``)."""
        return int(self.call("surplus"))

    def schedule(self) -> RewardSchedule:
        """The reward tables in force."""
        return RewardSchedule(
            base_wei=tuple(self.call("base_reward_wei", i) for i in range(3)),
            class_bps=tuple(self.call("class_mult_bps", i) for i in range(2)),
            severity_bps=tuple(self.call("severity_mult_bps", i) for i in range(5)),
            scope_bps=tuple(self.call("scope_mult_bps", i) for i in range(3)),
        )

    def price_rule(self) -> PriceRule:
        """The dynamic price rule in force."""
        return PriceRule(
            base_bps=self.call("price_base_bps"),
            min_bps=self.call("price_min_bps"),
            max_bps=self.call("price_max_bps"),
            decay_bps=self.call("price_decay_bps"),
            recovery_bps=self.call("price_recovery_bps"),
        )

    def price_index(self, category: int) -> int:
        """A category's price index now."""
        return int(self.call("price_index", category))

    def balance(self) -> int:
        """Wei held by the alliance contract."""
        return int(self.chain.w3.eth.get_balance(self.alliance.address))

    # Views the off-chain pool relies on (``sharing.pool.access.ChainView``).

    def is_member(self, account: str) -> bool:
        """Whether ``account`` is a current member."""
        return bool(self.call("is_member", Web3.to_checksum_address(account)))

    def has_access(self, account: str) -> bool:
        """The on-chain pool access rule."""
        return bool(self.call("has_access", Web3.to_checksum_address(account)))

    def is_revealed(self, content_hash: bytes) -> bool:
        """Whether an indicator with this hash has been revealed (any status after)."""
        return self.indicator(content_hash).status != Status.NONE

    def is_valid_signature(self, account: str, digest: bytes, signature: bytes) -> bool:
        """Whether contract ``account`` accepts ``signature`` for ``digest`` (EIP-1271).

        The pool's check for a membership held by a contract wallet: an
        account without code, or one that reverts or answers anything but
        the magic value ``0x1626ba7e``, does not accept it.
        """
        who = Web3.to_checksum_address(account)
        w3 = self.chain.w3
        if not w3.eth.get_code(who):
            return False
        data = keccak(text="isValidSignature(bytes32,bytes)")[:4] + encode(
            ["bytes32", "bytes"], [digest, signature]
        )
        try:
            answer = bytes(w3.eth.call({"to": who, "data": data}))
        except Exception:  # noqa: BLE001 - a reverting or odd wallet simply does not accept
            return False
        return answer[:4] == bytes.fromhex("1626ba7e")

    def submitter_of(self, content_hash: bytes) -> str | None:
        """The firm that holds the indicator, if revealed."""
        state = self.indicator(content_hash)
        return None if state.status == Status.NONE else state.submitter

    # -------------------------------------------------------- deployment


# The deployment file's functions moved to sharing.chain.deployment; these names stay
# importable from here for existing callers.
_MOVED = frozenset({
    "DEPLOYMENT_FORMAT", "SETTLEMENT", "default_deployment_path", "deploy_system",
    "load_deployment", "load_settlement", "read_deployment", "require_evm", "write_deployment",
})


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from sharing.chain import deployment

        return getattr(deployment, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
