"""A hypothesis state machine over PESIM rounds of ``PesimSettlement`` (both designs) against a ghost.

Rules open rounds of 3-6 participants (storage or calldata design, random
collateral and wei per unit), register (or not: a round some never join is
cancelled, by anyone, once registration closes), submit random valid
messages (or nothing: the participant gets the default message), submit
malformed messages (negative price, negative investment, wrong length,
price or investment out of range), settle by an arbitrary account, cancel,
withdraw and move the clock. Each rule predicts the outcome (success, or the exact revert
reason), sends the transaction and updates the ghost; a refused
transaction must change nothing (round state, digests, balances).

What the contract promises, checked after every step:

* **books**: ``balance == total_withdrawable + locked_collateral``, where
  ``total_withdrawable`` is the sum of what every account can still pull
  (``withdrawable``) and ``locked_collateral`` is the collateral posted in
  rounds that are neither settled nor cancelled; both equal the ghost's
  (deposits minus withdrawals, per account and per round);
* **settlements**: in every settled round the taxes (``TaxSettled``) sum to
  exactly zero wei, each is within 1 wei of ``W * taxes_exact`` of the
  model (:func:`sharing.models.pesim.taxes_exact`) on the fixed-point
  messages as the chain saw them, with the default message of
  :func:`sharing.pesim_fixed.complete_profile` for non-submitters, and the
  taxes, transfers, credits, ``x_sum`` and shortfall equal the Python
  mirror :func:`sharing.pesim_fixed.settle` wei for wei; the credits sum to
  ``N * collateral``;
* **rounds**: status, registered and submitted bitmaps equal the ghost's;
* **outcomes**: every settled round's outcome is ``x_hat >= 0``
  (``RoundSettled.x_sum``) and so is every default message
  (``DefaultMessageApplied``): PESIM's incentive argument holds only there,
  and an outcome below zero is what made the price-zero attack pay
  (``docs/pesim_onchain.md``).

At the end of every sequence, from the events alone: each round settled at
most once (one ``RoundSettled``), no ``MessageSubmitted`` after a round's
settlement, and one message per submitter. Shared by the CI test
(``test_pesim_machine.py``) and the campaign (``campaign.py``).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import backends
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sharing import pesim_fixed as fx
from sharing.chain.connect import Chain
from sharing.chain.pesim import Design, OnChainSettlement, PesimSystem, RoundStatus
from sharing.errors import RevertError
from sharing.models.pesim import taxes_exact

REGISTRATION_S, MESSAGE_S = 3_600, 86_400
STEPS = [1, 600, REGISTRATION_S + 10, MESSAGE_S + 10]
COLLATERALS = [1, 10**15, 2 * 10**18, 10**21]
WEI_PER_UNIT = [1, 10**15, 10**18]
P = "pesim_settlement: "

#: Counts for the campaign report (process-wide).
STATS: Counter[str] = Counter()


@dataclass
class World:
    """One chain and one deployment, shared by every sequence (each runs on a snapshot)."""

    chain: Chain
    system: PesimSystem
    governance: str
    members: list[str]   # up to 6 participants
    outsider: str        # in no round; settles, cancels, withdraws (nothing)


_WORLD: World | None = None


def world() -> World:
    """Build the world once per process (on eth-tester, or titanoboa for the campaign: ``backends``)."""
    global _WORLD
    if _WORLD is None:
        chain = backends.new_chain(num_accounts=9)
        a = chain.accounts
        system = backends.deploy_pesim(chain, governance=a[0])
        _WORLD = World(chain, system, a[0], list(a[1:7]), a[7])
    return _WORLD


@dataclass
class RoundG:
    """The ghost of one round."""

    members: list[str]
    design: Design
    collateral: int
    wei_per_unit: int
    registration_deadline: int
    message_deadline: int
    registered: set[int] = field(default_factory=set)
    messages: list[fx.FixedMessage | None] = field(default_factory=list)
    status: RoundStatus = RoundStatus.OPEN
    digests: list[bytes] = field(default_factory=list)
    settlement: OnChainSettlement | None = None
    exact: list[Fraction] = field(default_factory=list)
    default_x: list[list[int]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.members)

    @property
    def full(self) -> bool:
        return len(self.registered) == self.n

    def bitmap(self, which: str) -> int:
        if which == "registered":
            return sum(1 << i for i in self.registered)
        return sum(1 << i for i, m in enumerate(self.messages) if m is not None)


# Message coordinates: mostly moderate, sometimes at the bounds (taxes beyond the collateral).
# A valid investment proposal is never negative: x_hat >= 0 is what PESIM's argument needs.
PRICES = st.one_of(st.integers(0, 3 * fx.PI_SCALE), st.sampled_from([0, 1, fx.MAX_PI]))
INVESTMENTS = st.one_of(st.integers(0, 5 * fx.X_SCALE), st.sampled_from([0, 1, fx.MAX_ABS_X]))
#: Below zero: a step the size of the reported attack, or beyond the old bound.
NEGATIVE_INVESTMENTS = st.one_of(st.integers(1, 10 * fx.X_SCALE),
                                 st.integers(fx.MAX_ABS_X, 2**200))
CORRUPTIONS = ["negative price", "short pi", "long x", "price out of range",
               "negative investment", "investment too high"]


class PesimMachine(RuleBasedStateMachine):
    """Random PESIM rounds driven by governance, members and an outsider."""

    def __init__(self) -> None:
        super().__init__()
        self.w = world()
        self.s = self.w.system
        self.chain = self.w.chain
        self.snap = self.chain.snapshot()
        STATS["sequences"] += 1

    @initialize()
    def start(self) -> None:
        self.chain.advance_time(86_400)  # stay ahead of the wall clock: block time = latest + 1
        self.rounds: dict[int, RoundG] = {}
        self.first_round = int(self.s.call("round_count")) + 1
        self.withdrawable = {a: self.s.withdrawable(a) for a in self.accounts}
        self.balance0 = self.s.balance()
        self.locked0 = int(self.s.call("locked_collateral"))
        self.deposited = self.withdrawn = 0
        self.block0 = self.chain.w3.eth.block_number + 1

    # -------------------------------------------------------------- helpers

    @property
    def accounts(self) -> list[str]:
        return [*self.w.members, self.w.outsider, self.w.governance]

    def now(self) -> int:
        """Timestamp of the block the next transaction will be mined in."""
        return self.chain.timestamp() + 1

    def pick_round(self, r: int) -> int:
        """A round id: one of this sequence's rounds, or now and then an unknown one."""
        ids = sorted(self.rounds)
        if not ids or r == 0:
            return self.first_round + len(ids) + 5
        return ids[r % len(ids)]

    def expect(self, fn: str, expected: str | None, send: Any) -> Any:
        """Run ``send()``; it must succeed iff ``expected`` is None, else revert with that reason."""
        STATS["transactions"] += 1
        try:
            out = send()
        except RevertError as exc:
            assert expected is not None, f"{fn} reverted ({exc.reason}); the ghost expected success"
            assert exc.reason == expected, f"{fn}: reverted with {exc.reason!r}, ghost expected {expected!r}"
            event(f"{fn}: {exc.reason.removeprefix(P)}")
            return None
        assert expected is None, f"{fn} succeeded; the ghost expected {expected!r}"
        event(f"{fn}: ok")
        return out

    def open_reason(self, rid: int) -> str | None:
        g = self.rounds.get(rid)
        if g is None:
            return P + "unknown round"
        if g.status != RoundStatus.OPEN:
            return P + "round not open"
        return None

    def submit_reason(self, rid: int, who: str) -> str | None:
        """Why a well-formed message from ``who`` would be refused (None: accepted)."""
        if (why := self.open_reason(rid)) is not None:
            return why
        g = self.rounds[rid]
        if who not in g.members:
            return P + "caller is not a participant"
        if not g.full:
            return P + "registration incomplete"
        if self.now() >= g.message_deadline:
            return P + "messages closed"
        if g.messages[g.members.index(who)] is not None:
            return P + "already submitted"
        return None

    def snapshot_state(self, rid: int) -> tuple[Any, ...]:
        """Everything a refused transaction must leave unchanged."""
        info = self.s.call("round_info", rid)
        n = len(self.rounds[rid].members) if rid in self.rounds else 0
        digests = [self.s.call("digest_of", rid, i) for i in range(n)]
        return (tuple(info), tuple(digests), self.s.balance(), self.s.call("total_withdrawable"),
                self.s.call("locked_collateral"), self.s.call("round_count"))

    # ---------------------------------------------------------------- rules

    @rule(n=st.integers(3, 6), design=st.sampled_from(list(Design)), order=st.permutations(range(6)),
          c=st.sampled_from(COLLATERALS), w=st.sampled_from(WEI_PER_UNIT))
    def open_round(self, n: int, design: Design, order: list[int], c: int, w: int) -> None:
        members = [self.w.members[i] for i in order[:n]]
        rid = self.expect("open_round", None, lambda: self.s.open_round(
            members, c, w, design, REGISTRATION_S, MESSAGE_S))
        info = self.s.round_info(rid)
        assert rid == self.first_round + len(self.rounds)
        assert (info.n, info.design, info.status) == (n, design, RoundStatus.OPEN)
        self.rounds[rid] = RoundG(members, design, c, w, info.registration_deadline,
                                  info.message_deadline, messages=[None] * n, digests=[b"\0" * 32] * n)

    @rule(r=st.integers(0, 20), who=st.integers(0, 6), wrong_value=st.booleans())
    def register(self, r: int, who: int, wrong_value: bool) -> None:
        rid = self.pick_round(r)
        acct = self.w.outsider if who == 6 else self.w.members[who]
        g = self.rounds.get(rid)
        collateral = g.collateral if g else 1
        value = collateral + 1 if wrong_value else collateral
        why = self.open_reason(rid)
        if why is None and g is not None:
            if acct not in g.members:
                why = P + "caller is not a participant"
            elif g.members.index(acct) in g.registered:
                why = P + "already registered"
            elif self.now() >= g.registration_deadline:
                why = P + "registration closed"
            elif wrong_value:
                why = P + "wrong collateral"
        before = self.snapshot_state(rid) if why else None
        ok = self.expect("register", why, lambda: self.s.tx("register", rid, sender=acct, value=value))
        if ok is None:
            assert self.snapshot_state(rid) == before
            return
        assert g is not None
        g.registered.add(g.members.index(acct))
        self.deposited += collateral

    @rule(r=st.integers(0, 20))
    def register_all_left(self, r: int) -> None:
        """Every unregistered member of an open round registers (so that rounds do complete)."""
        self._register_all(self.pick_round(r))

    def _register_all(self, rid: int) -> None:
        g = self.rounds.get(rid)
        if g is None or g.status != RoundStatus.OPEN:
            return
        for i, acct in enumerate(g.members):
            if i not in g.registered and self.now() < g.registration_deadline:
                self.expect("register", None, lambda a=acct: self.s.register(rid, a))
                g.registered.add(i)
                self.deposited += g.collateral

    @rule(r=st.integers(0, 20), who=st.integers(0, 6), data=st.data())
    def submit(self, r: int, who: int, data: st.DataObject) -> None:
        rid = self.pick_round(r)
        acct = self.w.outsider if who == 6 else self.w.members[who]
        g = self.rounds.get(rid)
        n = g.n if g else 3
        m = fx.FixedMessage(tuple(data.draw(st.lists(PRICES, min_size=n, max_size=n))),
                            tuple(data.draw(st.lists(INVESTMENTS, min_size=n, max_size=n))))
        why = self.submit_reason(rid, acct)
        before = self.snapshot_state(rid) if why else None
        ok = self.expect("submit", why, lambda: self.s.tx("submit", rid, list(m.pi), list(m.x), sender=acct))
        if ok is None:
            assert self.snapshot_state(rid) == before
            return
        assert g is not None
        i = g.members.index(acct)
        g.messages[i] = m
        g.digests[i] = fx.message_digest(m.pi, m.x)
        assert bytes(self.s.call("digest_of", rid, i)) == g.digests[i]

    @rule(r=st.integers(0, 20), who=st.integers(0, 5), kind=st.sampled_from(CORRUPTIONS),
          k=st.integers(0, 5), data=st.data())
    def submit_malformed(self, r: int, who: int, kind: str, k: int, data: st.DataObject) -> None:
        """A malformed message is refused with its named reason (when nothing else refuses it first)."""
        rid = self.pick_round(r)
        g = self.rounds.get(rid)
        if g is not None:  # prefer a member that could submit, so the format check is reached
            ready = [a for a in g.members if self.submit_reason(rid, a) is None]
            acct = ready[who % len(ready)] if ready else self.w.members[who]
        else:
            acct = self.w.members[who]
        n = g.n if g else 3
        pi = list(data.draw(st.lists(PRICES, min_size=n, max_size=n)))
        x = list(data.draw(st.lists(INVESTMENTS, min_size=n, max_size=n)))
        k %= n
        reason = {
            "negative price": "negative price", "price out of range": "price out of range",
            "negative investment": "negative investment", "investment too high": "investment out of range",
        }.get(kind, "wrong message length")
        if kind == "negative price":
            pi[k] = -data.draw(st.integers(1, fx.MAX_PI))
        elif kind == "price out of range":
            pi[k] = fx.MAX_PI + data.draw(st.integers(1, 2**200))
        elif kind == "negative investment":
            x[k] = -data.draw(NEGATIVE_INVESTMENTS)
        elif kind == "investment too high":
            x[k] = fx.MAX_ABS_X + data.draw(st.integers(1, 2**200))
        elif kind == "short pi":
            pi = pi[:-1]
        else:
            x = [*x, 0]
        why = self.submit_reason(rid, acct) or P + reason
        before = self.snapshot_state(rid)
        STATS["malformed"] += 1
        self.expect("submit", why, lambda: self.s.tx("submit", rid, pi, x, sender=acct))
        assert self.snapshot_state(rid) == before

    @rule(r=st.integers(0, 20), who=st.integers(0, 7), from_logs=st.booleans())
    def settle(self, r: int, who: int, from_logs: bool) -> None:
        """Anyone settles (member, outsider or governance); calldata rounds re-send the messages."""
        self.settle_round(self.pick_round(r), who, from_logs)

    def settle_round(self, rid: int, who: int, from_logs: bool) -> None:
        settler = self.accounts[who]
        g = self.rounds.get(rid)
        why = self.open_reason(rid)
        if why is None and g is not None:
            if not g.full:
                why = P + "registration incomplete"
            elif any(m is None for m in g.messages) and self.now() < g.message_deadline:
                why = P + "messages still open"
        msgs = None if (g is None or from_logs) else g.messages
        before = self.snapshot_state(rid) if why else None
        if g is None:
            out = self.expect("settle", why, lambda: self.s.tx("settle", rid, sender=settler))
        else:
            out = self.expect("settle", why, lambda: self.s.settle(rid, sender=settler, messages=msgs))
        if out is None:
            assert self.snapshot_state(rid) == before
            return
        assert g is not None
        self._record_settlement(rid, g, out)

    def _record_settlement(self, rid: int, g: RoundG, out: OnChainSettlement) -> None:
        expected = fx.settle(g.messages, g.wei_per_unit, g.collateral)
        assert out.round_id == rid and out.participants == g.members
        assert out.taxes == expected.taxes
        assert out.transfers == expected.transfers
        assert out.credits == expected.credits
        assert out.x_sum == expected.x_sum
        assert out.shortfall == expected.shortfall
        assert out.submitted == g.bitmap("submitted")
        assert out.defaults == [i for i, m in enumerate(g.messages) if m is None]
        # The model itself, on the messages as the chain saw them (defaults filled in).
        pi, x, _ = fx.complete_profile(g.messages)
        exact = [g.wei_per_unit * t for t in taxes_exact(
            [[Fraction(v, fx.PI_SCALE) for v in row] for row in pi],
            [[Fraction(v, fx.X_SCALE) for v in row] for row in x])]
        g.status, g.settlement, g.exact = RoundStatus.SETTLED, out, exact
        applied = self.s.contract.contract.events.DefaultMessageApplied().get_logs(
            argument_filters={"round_id": rid}, from_block=self.block0)
        g.default_x = [list(log["args"]["x"]) for log in applied]
        assert len(g.default_x) == len(out.defaults)
        for acct, credit in zip(g.members, out.credits, strict=True):
            self.withdrawable[acct] += credit
        STATS["settled"] += 1
        STATS["shortfalls"] += out.shortfall > 0
        STATS["defaults"] += len(out.defaults)
        event(f"settled with {len(out.defaults)} defaults{', shortfall' if out.shortfall else ''}")

    @rule(n=st.integers(3, 6), design=st.sampled_from(list(Design)), order=st.permutations(range(6)),
          c=st.sampled_from(COLLATERALS), w=st.sampled_from(WEI_PER_UNIT),
          silent=st.sets(st.integers(0, 5)), who=st.integers(0, 7), attacker=st.integers(-1, 5),
          data=st.data())
    def whole_round(self, n: int, design: Design, order: list[int], c: int, w: int,
                    silent: set[int], who: int, attacker: int, data: st.DataObject) -> None:
        """A round run to its end: open, everyone registers, some stay silent, anyone settles.

        The ``attacker`` (if any) first tries the price-zero attack: its own prices at
        zero and one investment proposal below zero (after seeing the earlier
        messages). It must be refused, change nothing, and leave it free to send a
        valid message.
        """
        self.open_round(n, design, order, c, w)
        rid = max(self.rounds)
        self._register_all(rid)
        g = self.rounds[rid]
        for i, acct in enumerate(g.members):
            if i in silent:
                continue
            m = fx.FixedMessage(tuple(data.draw(st.lists(PRICES, min_size=n, max_size=n))),
                                tuple(data.draw(st.lists(INVESTMENTS, min_size=n, max_size=n))))
            assert self.submit_reason(rid, acct) is None
            if i == attacker:
                k = data.draw(st.integers(0, n - 1))
                x = [*m.x[:k], -data.draw(NEGATIVE_INVESTMENTS), *m.x[k + 1:]]
                before = self.snapshot_state(rid)
                STATS["attacks"] += 1
                self.expect("submit", P + "negative investment",
                            lambda a=acct, x=x: self.s.tx("submit", rid, [0] * n, x, sender=a))
                assert self.snapshot_state(rid) == before
            self.expect("submit", None, lambda a=acct, m=m: self.s.submit(rid, a, m))
            g.messages[i] = m
            g.digests[i] = fx.message_digest(m.pi, m.x)
        if any(m is None for m in g.messages):
            self.chain.advance_time(max(1, g.message_deadline - self.chain.timestamp()))
        self.settle_round(rid, who, data.draw(st.booleans()))

    @rule(r=st.integers(0, 20), who=st.integers(0, 7))
    def cancel(self, r: int, who: int) -> None:
        rid = self.pick_round(r)
        g = self.rounds.get(rid)
        why = self.open_reason(rid)
        if why is None and g is not None:
            if g.full:
                why = P + "registration complete"
            elif self.now() < g.registration_deadline:
                why = P + "registration still open"
        before = self.snapshot_state(rid) if why else None
        ok = self.expect("cancel", why, lambda: self.s.cancel(rid, sender=self.accounts[who]))
        if ok is None:
            assert self.snapshot_state(rid) == before
            return
        assert g is not None
        g.status = RoundStatus.CANCELLED
        for i in g.registered:
            self.withdrawable[g.members[i]] += g.collateral
        STATS["cancelled"] += 1

    @rule(who=st.integers(0, 7))
    def withdraw(self, who: int) -> None:
        acct = self.accounts[who]
        owed = self.withdrawable[acct]
        why = None if owed else P + "nothing to withdraw"
        balance = self.s.balance()
        receipt = self.expect("withdraw", why, lambda: self.s.withdraw(acct))
        if receipt is None:
            assert self.s.balance() == balance
            return
        (ev,) = self.s.contract.events(receipt, "Withdrawn")
        assert int(ev["amount"]) == owed and self.s.balance() == balance - owed
        self.withdrawable[acct] = 0
        self.withdrawn += owed

    @rule(step=st.sampled_from(STEPS))
    def advance(self, step: int) -> None:
        self.chain.advance_time(step)

    # ----------------------------------------------------------- invariants

    @invariant()
    def books_balance(self) -> None:
        """Every wei held is withdrawable by someone or locked in an unsettled round."""
        STATS["invariant_checks"] += 1
        STATS["checked_states"] += 1  # one per step, plus one after `start`
        s = self.s
        total = int(s.call("total_withdrawable"))
        locked = int(s.call("locked_collateral"))
        assert s.balance() == total + locked
        assert s.balance() == self.balance0 + self.deposited - self.withdrawn
        for acct in self.accounts:
            assert s.withdrawable(acct) == self.withdrawable[acct]
        assert total == sum(self.withdrawable.values())
        assert locked == self.locked0 + sum(
            g.collateral * len(g.registered) for g in self.rounds.values() if g.status == RoundStatus.OPEN)

    @invariant()
    def rounds_match_ghost(self) -> None:
        STATS["invariant_checks"] += 1
        for rid, g in self.rounds.items():
            info = self.s.round_info(rid)
            assert info.status == g.status
            assert info.registered == g.bitmap("registered")
            assert info.submitted == g.bitmap("submitted")

    @invariant()
    def outcomes_never_negative(self) -> None:
        """Settled rounds: x_hat >= 0 and every default message >= 0, from the events."""
        for g in self.rounds.values():
            if g.settlement is None:
                continue
            STATS["invariant_checks"] += 1
            assert min(g.settlement.x_sum) >= 0
            assert all(min(x) >= 0 for x in g.default_x)

    @invariant()
    def settled_taxes_balance(self) -> None:
        """Settled rounds: taxes sum to 0 wei, each within 1 wei of the model's exact tax."""
        for g in self.rounds.values():
            if g.settlement is None:
                continue
            STATS["invariant_checks"] += 1
            out = g.settlement
            assert sum(out.taxes) == 0 and sum(out.transfers) == 0
            assert sum(g.exact) == 0
            assert all(abs(t - e) <= 1 for t, e in zip(out.taxes, g.exact, strict=True))
            assert sum(out.credits) == g.n * g.collateral

    def teardown(self) -> None:
        try:
            if hasattr(self, "rounds"):
                self._check_events()
        finally:
            self.chain.revert(self.snap)

    def _check_events(self) -> None:
        """From the logs alone: one settlement per round at most, no message after it."""
        STATS["invariant_checks"] += 1
        c = self.s.contract.contract
        settled: Counter[int] = Counter()
        settled_at: dict[int, int] = {}
        for log in c.events.RoundSettled().get_logs(from_block=self.block0):
            rid = int(log["args"]["round_id"])
            settled[rid] += 1
            settled_at[rid] = int(log["blockNumber"])
        messages: Counter[int] = Counter()
        for log in c.events.MessageSubmitted().get_logs(from_block=self.block0):
            rid = int(log["args"]["round_id"])
            messages[rid] += 1
            assert rid not in settled_at or int(log["blockNumber"]) < settled_at[rid]
        for rid, g in self.rounds.items():
            assert settled[rid] == (g.status == RoundStatus.SETTLED)
            assert messages[rid] == sum(m is not None for m in g.messages)
        assert set(settled) <= set(self.rounds)


def machine_settings_from_env() -> dict[str, int]:
    """CI sizes, overridable by ``SHARING_PESIM_EXAMPLES`` / ``SHARING_PESIM_STEPS``."""
    return {"max_examples": int(os.environ.get("SHARING_PESIM_EXAMPLES", "10")),
            "stateful_step_count": int(os.environ.get("SHARING_PESIM_STEPS", "25"))}
