"""Deploy and drive ``PesimSettlement``, the contract that settles PESIM rounds.

:class:`PesimSystem` is the contract wrapper, like
:class:`sharing.chain.ais.AisSystem`: deploy or attach, open a round,
register, submit, settle in either design (:class:`Design`), cancel,
withdraw, and read a round back from storage and from its events
(:class:`RoundInfo`, :class:`OnChainSettlement`).  It knows nothing of the
model: what to send comes from elsewhere.

The rest of PESIM on chain lives beside it:

* :mod:`sharing.chain.pesim_equilibrium`: the model's equilibrium (Naghizadeh
  & Liu, docs/models.md, "Interdependent security and PESIM") in fixed
  point, the collateral, the deviation search, and
  :func:`~sharing.chain.pesim_equilibrium.equilibrium_round`, which settles
  the equilibrium on chain and checks it against the model;
* :mod:`sharing.chain.pesim_deviations`: named unilateral deviations, measured
  on chain;
* :mod:`sharing.chain.pesim_gas`: the gas of one round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from eth_utils import keccak

from sharing import pesim_fixed as fx
from sharing.chain.compile import load_artifact
from sharing.chain.connect import Chain
from sharing.chain.contract import Handle, at, deploy
from sharing.errors import InputError

if TYPE_CHECKING:
    from sharing.chain.batch import BatchDriver, LogDecoder

CONTRACT = "PesimSettlement"
#: Role ids of the contract (snekmate ``access_control``).
GOVERNOR_ROLE_ID = keccak(text="GOVERNOR_ROLE")
PAUSER_ROLE_ID = keccak(text="PAUSER_ROLE")


class Design(IntEnum):
    """Where a round keeps its messages (``PesimSettlement.DESIGN_*``)."""

    STORAGE = 0
    CALLDATA = 1


#: The cheaper design at every N measured (``bench/pesim.py``, docs/pesim_onchain.md).
DEFAULT_DESIGN = Design.CALLDATA
#: Default windows of a round, in seconds.
REGISTRATION_PERIOD_S = 3_600
MESSAGE_PERIOD_S = 86_400

#: Functions whose gas grows with N: their cached limits are dropped when N changes.
_SIZE_DEPENDENT = ("open_round", "register", "submit", "settle", "settle_with_messages")
#: The block gas limit the settlement must fit in (mainnet's 30M).
BLOCK_GAS_LIMIT = 30_000_000


def settle_gas_cap(n: int) -> int:
    """Gas limit sent with a settlement of ``n`` participants, instead of an estimate.

    Estimating an O(N^2) settlement makes py-evm run it some twenty times
    (binary search); a bound is as safe and twenty times faster. The bound,
    ``400k + 30k N + 8k N^2``, is about 1.7 times the largest settlement
    measured (storage design, N = 32, every byte of calldata non-zero, see
    ``tests/unit/pesim_settlement/test_pesim_gas.py``) and stays below the
    block gas limit.
    """
    return min(400_000 + 30_000 * n + 8_000 * n * n, BLOCK_GAS_LIMIT)


class RoundStatus(IntEnum):
    """Round status codes of ``PesimSettlement``."""

    NONE = 0
    OPEN = 1
    SETTLED = 2
    CANCELLED = 3


@dataclass(frozen=True)
class RoundInfo:
    """What the chain holds about a round (``PesimSettlement.round_info``)."""

    n: int
    design: Design
    status: RoundStatus
    collateral_wei: int
    wei_per_unit: int
    registration_deadline: int
    message_deadline: int
    registered: int
    submitted: int


@dataclass(frozen=True)
class OnChainSettlement:
    """A settled round as its events report it.

    Attributes
    ----------
    round_id
        The round.
    participants
        Accounts in round order.
    taxes
        Rounded PESIM taxes in wei (``TaxSettled.tax_wei``; + pays).
    transfers
        What each actually paid (+) or received (-) after the collateral cap.
    credits
        What each can withdraw from this round.
    x_sum
        ``S_k = sum_i X_ik`` (``RoundSettled.x_sum``).
    submitted
        Bitmap of the participants that sent a message.
    defaults
        Participants given the default message.
    shortfall
        Wei the mechanism could not collect.
    gas_used
        Gas of the settlement transaction.
    """

    round_id: int
    participants: list[str]
    taxes: list[int]
    transfers: list[int]
    credits: list[int]
    x_sum: list[int]
    submitted: int
    defaults: list[int]
    shortfall: int
    gas_used: int

    @property
    def x_hat(self) -> list[Fraction]:
        """The outcome of eq. (6), exactly, in model units."""
        n = len(self.x_sum)
        return [Fraction(s, n * fx.X_SCALE) for s in self.x_sum]


@dataclass
class PesimSystem:
    """A deployed ``PesimSettlement`` plus the account that governs it.

    Every transaction names its sender; nothing is cached but gas limits,
    so several processes may drive one deployment.
    """

    chain: Chain
    contract: Handle
    governance: str
    _gas_shape: tuple[int, int] = field(default=(0, -1), repr=False)
    _logs: LogDecoder | None = field(default=None, repr=False)

    # ------------------------------------------------------------ set-up

    @classmethod
    def deploy(cls, chain: Chain, governance: str | None = None) -> PesimSystem:
        """Compile (cached) and deploy; ``governance`` holds every role."""
        gov = governance or chain.accounts[0]
        return cls(chain=chain, contract=deploy(chain, load_artifact(CONTRACT), sender=gov),
                   governance=gov)

    @classmethod
    def at(cls, chain: Chain, address: str, governance: str) -> PesimSystem:
        """Attach to an existing deployment."""
        return cls(chain=chain, contract=at(chain, load_artifact(CONTRACT), address),
                   governance=governance)

    @property
    def address(self) -> str:
        """Address of the contract."""
        return str(self.contract.address)

    def tx(self, fn: str, *args: Any, sender: str, value: int = 0) -> dict[str, Any]:
        """Send any transaction to the contract."""
        return self.contract.transact(fn, *args, sender=sender, value=value)

    def call(self, fn: str, *args: Any) -> Any:
        """Call any view of the contract."""
        return self.contract.call(fn, *args)

    def _size(self, n: int, design: Design) -> None:
        """Drop cached gas limits that were estimated for another N or another design."""
        if (n, int(design)) != self._gas_shape:
            for fn in _SIZE_DEPENDENT:
                self.contract.gas_limits.pop(fn, None)
            self._gas_shape = (n, int(design))

    def _decoder(self) -> LogDecoder:
        """The settlement's event decoder (web3 and raw receipts alike), built once."""
        if self._logs is None:
            from sharing.chain.batch import LogDecoder

            self._logs = LogDecoder(self.contract.artifact.abi, self.address)
        return self._logs

    # ------------------------------------------------------------ rounds

    def open_round(
        self,
        participants: Sequence[str],
        collateral_wei: int,
        wei_per_unit: int = fx.DEFAULT_WEI_PER_UNIT,
        design: Design = DEFAULT_DESIGN,
        registration_period: int = REGISTRATION_PERIOD_S,
        message_period: int = MESSAGE_PERIOD_S,
    ) -> int:
        """Open a round among ``participants`` (in PESIM's cyclic order); return its id."""
        self._size(len(participants), design)
        receipt = self.tx(
            "open_round", list(participants), collateral_wei, wei_per_unit, registration_period,
            message_period, int(design), sender=self.governance,
        )
        (event,) = self.contract.events(receipt, "RoundOpened")
        return int(event["round_id"])

    def register(self, round_id: int, participant: str) -> dict[str, Any]:
        """Post ``participant``'s collateral (read from the round)."""
        info = self.round_info(round_id)
        self._size(info.n, info.design)
        return self.tx("register", round_id, sender=participant, value=info.collateral_wei)

    def register_all(self, round_id: int) -> None:
        """Register every participant of the round."""
        for p in self.participants(round_id):
            self.register(round_id, p)

    def submit(self, round_id: int, participant: str, message: fx.FixedMessage) -> dict[str, Any]:
        """Send ``participant``'s fixed-point message."""
        info = self.round_info(round_id)
        self._size(info.n, info.design)
        return self.tx("submit", round_id, list(message.pi), list(message.x), sender=participant)

    def settle(
        self,
        round_id: int,
        sender: str | None = None,
        messages: Sequence[fx.FixedMessage | None] | None = None,
    ) -> OnChainSettlement:
        """Settle a round (anyone may); the design decides which entry point.

        For a ``CALLDATA`` round the messages are sent again as calldata:
        ``messages`` if given, else those the round's ``MessageSubmitted``
        events published (what an independent settler would do).
        """
        info = self.round_info(round_id)
        self._size(info.n, info.design)
        who = sender or self.governance
        for fn in ("settle", "settle_with_messages"):
            self.contract.gas_limits.setdefault(fn, settle_gas_cap(info.n))
        if info.design == Design.STORAGE:
            receipt = self.tx("settle", round_id, sender=who)
        else:
            msgs = list(messages) if messages is not None else self.messages_from_logs(round_id)
            if len(msgs) != info.n:
                raise InputError(
                    f"round {round_id} has {info.n} participants, got {len(msgs)} messages"
                )
            pis = [[] if m is None else list(m.pi) for m in msgs]
            xs = [[] if m is None else list(m.x) for m in msgs]
            receipt = self.tx("settle_with_messages", round_id, pis, xs, sender=who)
        return self.settlement_of(receipt)

    def cancel(self, round_id: int, sender: str | None = None) -> dict[str, Any]:
        """Cancel a round whose registration failed; registered collateral becomes withdrawable."""
        return self.tx("cancel", round_id, sender=sender or self.governance)

    def withdraw(self, account: str) -> dict[str, Any]:
        """Pull ``account``'s withdrawable balance."""
        return self.tx("withdraw", sender=account)

    # -------------------------------------------------------------- reads

    def round_info(self, round_id: int) -> RoundInfo:
        """The chain's record of a round."""
        v = [int(a) for a in self.call("round_info", round_id)]
        return RoundInfo(v[0], Design(v[1]), RoundStatus(v[2]), *v[3:])

    def participants(self, round_id: int) -> list[str]:
        """Participants of a round in order."""
        return [str(a) for a in self.call("participants", round_id)]

    def withdrawable(self, account: str) -> int:
        """Wei ``account`` can withdraw."""
        return int(self.call("withdrawable", account))

    def balance(self) -> int:
        """Wei held by the contract."""
        return int(self.chain.w3.eth.get_balance(self.contract.address))

    def messages_from_logs(
        self, round_id: int, from_block: int = 0
    ) -> list[fx.FixedMessage | None]:
        """Rebuild a round's messages from its ``MessageSubmitted`` events alone.

        ``from_block`` (e.g. the block of ``RoundOpened``) narrows the scan.
        """
        info = self.round_info(round_id)
        out: list[fx.FixedMessage | None] = [None] * info.n
        event = self.contract.contract.events.MessageSubmitted()
        for log in event.get_logs(argument_filters={"round_id": round_id}, from_block=from_block):
            a = log["args"]
            out[int(a["index"])] = fx.FixedMessage(tuple(a["pi"]), tuple(a["x"]))
        return out

    def settlement_of(self, receipt: dict[str, Any]) -> OnChainSettlement:
        """Decode a settlement receipt: ``TaxSettled``, ``DefaultMessageApplied``, ``RoundSettled``.

        Everything comes from the events, so any settlement can be audited from
        logs alone. Web3's receipts and the batch driver's raw ones both decode.
        """
        names = ("RoundSettled", "TaxSettled", "DefaultMessageApplied")
        ev = self._decoder().collect([receipt], names)
        (done,) = ev["RoundSettled"]
        rows = sorted(ev["TaxSettled"], key=lambda e: int(e["index"]))
        defaults = [int(e["index"]) for e in ev["DefaultMessageApplied"]]
        return OnChainSettlement(
            round_id=int(done["round_id"]),
            participants=[str(e["participant"]) for e in rows],
            taxes=[int(e["tax_wei"]) for e in rows],
            transfers=[int(e["transfer_wei"]) for e in rows],
            credits=[int(e["credited_wei"]) for e in rows],
            x_sum=[int(s) for s in done["x_sum"]],
            submitted=int(done["submitted"]),
            defaults=defaults,
            shortfall=int(done["shortfall_wei"]),
            gas_used=int(receipt["gasUsed"]),
        )

    # ----------------------------------------------------------- a round

    def run_round(
        self,
        participants: Sequence[str],
        messages: Sequence[fx.FixedMessage | None],
        collateral_wei: int,
        wei_per_unit: int = fx.DEFAULT_WEI_PER_UNIT,
        design: Design = DEFAULT_DESIGN,
        settler: str | None = None,
    ) -> OnChainSettlement:
        """Open, register everyone, submit the given messages, settle.

        ``None`` marks a participant that sends nothing; the clock is then
        moved past the message window before settling.
        """
        if len(messages) != len(participants):
            raise InputError("one message (or None) per participant")
        rid = self.open_round(participants, collateral_wei, wei_per_unit, design)
        self.register_all(rid)
        return self.submit_and_settle(rid, messages, settler)

    def submit_and_settle(
        self, round_id: int, messages: Sequence[fx.FixedMessage | None], settler: str | None = None
    ) -> OnChainSettlement:
        """Submit the non-``None`` messages of a registered round and settle it."""
        participants = self.participants(round_id)
        for p, m in zip(participants, messages, strict=True):
            if m is not None:
                self.submit(round_id, p, m)
        if any(m is None for m in messages):
            info = self.round_info(round_id)
            self.chain.advance_time(max(1, info.message_deadline - self.chain.timestamp()))
        return self.settle(round_id, sender=settler, messages=messages)

    def run_rounds(
        self,
        driver: BatchDriver,
        rounds: Sequence[tuple[Sequence[str], Sequence[fx.FixedMessage], int]],
        wei_per_unit: int = fx.DEFAULT_WEI_PER_UNIT,
        design: Design = DEFAULT_DESIGN,
    ) -> list[OnChainSettlement]:
        """:meth:`run_round` for independent ``(participants, messages, collateral)`` rounds.

        Through a development node's batch driver: every round's opening in
        one block, then every registration, every message, every settlement
        (four blocks, not four transactions a participant). The rounds share
        no state but the governance's nonce order, so each settles as it
        would alone.
        """
        if not rounds:
            return []
        if any(len(m) != len(p) for p, m, _c in rounds):  # before any round is opened
            raise InputError("one message per participant")
        largest = max(len(p) for p, _m, _c in rounds)
        self._size(largest, design)
        gov, c = self.governance, self.contract
        opens = [
            ("open_round", (list(p), collateral, wei_per_unit, REGISTRATION_PERIOD_S,
                            MESSAGE_PERIOD_S, int(design)), gov)
            for p, _m, collateral in rounds
        ]
        opened = self._decoder().collect(driver.transact_many(c, opens), ("RoundOpened",))
        ids = [int(e["round_id"]) for e in opened["RoundOpened"]]
        registrations, collaterals, submissions = [], [], []
        for rid, (participants, messages, collateral) in zip(ids, rounds, strict=True):
            for p, m in zip(participants, messages, strict=True):
                registrations.append(("register", (rid,), p))
                collaterals.append(collateral)
                submissions.append(("submit", (rid, list(m.pi), list(m.x)), p))
        driver.transact_many(c, registrations, values=collaterals)
        driver.transact_many(c, submissions)
        fn = "settle" if design == Design.STORAGE else "settle_with_messages"
        c.gas_limits.setdefault(fn, settle_gas_cap(largest))
        settles: list[tuple[str, tuple[Any, ...], str]] = [
            (fn, (rid,), gov)
            if design == Design.STORAGE
            else (fn, (rid, [list(m.pi) for m in msgs], [list(m.x) for m in msgs]), gov)
            for rid, (_p, msgs, _c) in zip(ids, rounds, strict=True)
        ]
        return [self.settlement_of(r) for r in driver.transact_many(c, settles)]
