"""Play rounds of the sharing game on the AIS contracts and measure what the chain did.

One round is one epoch: the firms that decided to share commit, reveal, the
panel votes, anyone finalises, and then each firm's payoff is measured from
the chain alone -- the rewards the round's finalisations credited or owed
to it, plus the knowledge of the others' verified indicators if the
on-chain access rule lets it read them, minus its private sharing risk:

    payoff_i = K_i + beta * sum(K_j : j != i verified this round) * [has_access_i]
               + reward_wei_i / unit_wei - [shared_i] * r_i

With ``access_epochs = 1`` the access rule reads "verified this epoch",
which is the one-shot model's "a_i = C" (docs/models.md, "The sharing game").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from eth_utils import keccak

from sharing.bots.panel import PanelBot, Submission, ballots, decided_early
from sharing.chain.ais import (
    ZERO_ADDRESS,
    AisSystem,
    Status,
    commitment_of,
    new_salt,
    opaque_key,
)
from sharing.chain.batch import BatchDriver, LogDecoder, is_dev_node
from sharing.chain.connect import Chain
from sharing.chain.pesim import PesimSystem
from sharing.chain.pesim_equilibrium import fixed_equilibrium_messages, recommended_collateral
from sharing.errors import AccessDenied, InputError
from sharing.models.ids_game import IDSGame, parse_instance, social_optimum
from sharing.models.pesim import equilibrium_messages, lindahl_prices
from sharing.pesim_fixed import FixedMessage
from sharing.pool.access import make_request
from sharing.pool.store import PoolStore
from sharing.simulation import funding
from sharing.simulation.faults import node_guard
from sharing.simulation.regimes import NEUTRAL_PRICE, UNIT_WEI, Regime, TierParams
from sharing.standards.stix import CATEGORIES
from sharing.standards.synthetic import generate_indicator

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

REVEAL_WINDOW = 60
VOTE_WINDOW = 600
EPOCH = 86_400


@dataclass
class Firm:
    """A firm bot's fixed attributes."""

    address: str
    tier: int
    knowledge: float
    risk: float


@dataclass
class RoundResult:
    """What one round did, measured on chain."""

    shared: BoolArray
    verified: BoolArray
    access: BoolArray
    reward_wei: list[int]
    payoff: FloatArray
    junk_submitted: int = 0
    junk_verified: int = 0
    expired: int = 0
    transactions: int = 0
    pool_reads: int = 0
    pool_mismatches: int = 0
    pesim_tax_wei: dict[int, int] = field(default_factory=dict)


@dataclass
class Alliance:
    """A deployed alliance with its firms and panel, ready to play rounds.

    Deploys once; :meth:`configure` applies a regime; callers snapshot and
    revert around experiments, so nothing is re-compiled or re-deployed.
    """

    chain: Chain
    system: AisSystem
    firms: list[Firm]
    panel: list[PanelBot]
    params: TierParams
    rng: np.random.Generator
    unit_wei: int = UNIT_WEI
    junk_rate: float = 0.0
    ally: str | None = None
    pool: PoolStore | None = None
    seconds: float = 0.0
    #: What the round in progress is doing (named if the node dies: ``faults.NodeLost``).
    phase: str = "idle"
    #: The PESIM security-investment rounds of regime 5, if configured.
    pesim: PesimRounds | None = None
    #: Firms that read the pool store each round (None: every firm).
    pool_readers: tuple[int, ...] | None = None
    #: Batched sending and reading on a development node (anvil); None elsewhere.
    driver: BatchDriver | None = None
    #: Decodes the alliance's events from receipts of either path.
    logs: LogDecoder | None = None
    #: Transactions sent to other contracts than the alliance (the PESIM settlements).
    other_transactions: int = 0
    _round: int = field(default=0, repr=False)
    _genesis: int | None = field(default=None, repr=False)

    @classmethod
    def create(
        cls,
        chain: Chain,
        tiers: list[int],
        params: TierParams,
        panel_kinds: tuple[str, ...],
        seed: int,
        junk_rate: float = 0.0,
        rounds: int = 1,
        max_reward_wei: int = 0,
        pesim: bool = False,
    ) -> Alliance:
        """Deploy, register the firms and appoint the panel; fund the pool for ``rounds``.

        On anvil, accounts beyond the node's are derived and funded here,
        and every round is sent through the batch driver. The funder's
        balance is checked against the run (:mod:`sharing.simulation.funding`)
        before the first transaction.
        """
        need = 1 + len(tiers) + len(panel_kinds)
        driver = BatchDriver(chain) if is_dev_node(chain) else None
        accounts = funding.actors(chain, need, driver)
        gov = accounts[0]
        firm_addrs = accounts[1 : 1 + len(tiers)]
        panel_addrs = accounts[1 + len(tiers) : need]
        budget = funding.plan(
            len(tiers),
            len(panel_addrs),
            rounds,
            max_reward_wei,
            int(chain.w3.eth.gas_price),
            pesim=pesim,
        )
        funding.check_and_fund(chain, driver, gov, firm_addrs, panel_addrs, budget)
        system = AisSystem.deploy(chain, governance=gov, epoch_length=EPOCH)
        registrations = [
            ("register_member", (a, t), gov) for a, t in zip(firm_addrs, tiers, strict=True)
        ]
        appointments = [("appoint_panellist", (a, ZERO_ADDRESS), gov) for a in panel_addrs]
        if driver is not None:
            driver.transact_many(system.alliance, registrations + appointments)
        else:
            system.alliance.transact_many(registrations)
            for a in panel_addrs:
                system.appoint_panellist(a)
        system.set_windows(REVEAL_WINDOW, VOTE_WINDOW)
        if budget.pool_wei:
            system.fund(budget.pool_wei)
        firms = [
            Firm(a, t, params.knowledge[t], params.risk[t])
            for a, t in zip(firm_addrs, tiers, strict=True)
        ]
        ally = firm_addrs[-1] if "colluding" in panel_kinds else None
        panel = [
            PanelBot(a, kind, allies={ally} if (kind == "colluding" and ally) else set())
            for a, kind in zip(panel_addrs, panel_kinds, strict=True)
        ]
        return cls(
            chain,
            system,
            firms,
            panel,
            params,
            np.random.default_rng(seed),
            junk_rate=junk_rate,
            ally=ally,
            driver=driver,
            logs=LogDecoder(system.alliance.artifact.abi, system.address),
        )

    def _transact_many(self, calls: list[tuple[str, tuple[Any, ...], str]]) -> list[dict[str, Any]]:
        """One phase of a round: batched on anvil, pipelined one by one elsewhere."""
        if self.driver is not None:
            return self.driver.transact_many(self.system.alliance, calls)
        return self.system.alliance.transact_many(calls)

    def _new_block(self) -> None:
        """What follows goes in a later block (on anvil, mined only if a read comes first)."""
        if self.driver is not None:
            self.driver.new_block()
        else:
            self.chain.mine()

    def _advance_time(self, seconds: int) -> None:
        """Move the clock; on anvil the next phase's block carries the new time."""
        if self.driver is not None:
            self.driver.advance_time(seconds)
        else:
            self.chain.advance_time(seconds)

    def _timestamp(self) -> int:
        """The latest block's time (on anvil after the block a moved clock is due)."""
        return self.driver.timestamp() if self.driver is not None else self.chain.timestamp()

    def _view(self, fn: str) -> Any:
        """One argument-less view of the alliance contract (raw JSON-RPC on anvil)."""
        if self.driver is not None:
            return self.driver.call_many(self.system.alliance, [(fn, ())])[0]
        return self.system.call(fn)

    def _access(self) -> BoolArray:
        """``has_access`` of every firm (one batched request on anvil)."""
        s = self.system
        if self.driver is not None:
            calls = [("has_access", (f.address,)) for f in self.firms]
            return np.array(self.driver.call_many(s.alliance, calls), dtype=bool)
        return np.array([s.has_access(f.address) for f in self.firms], dtype=bool)

    # ------------------------------------------------------------------ set-up

    def configure(self, regime: Regime) -> None:
        """Apply ``regime`` on chain: schedule, neutral price index, pool rule, E = 1."""
        s = self.system
        self.phase = f"configure {regime.name}"
        with node_guard(self.chain, self._where, s.address):
            s.set_reward_schedule(regime.schedule(self.unit_wei))
            s.set_price_rule(NEUTRAL_PRICE)
            s.set_access_rule(1, regime.pool_open)
            self.pesim = PesimRounds.deploy(self) if regime.pesim else None
        self.phase = "idle"

    def _where(self) -> tuple[int, str]:
        """The round being played (1-based, counting every round of this alliance) and its phase."""
        return self._round + 1, self.phase

    @property
    def knowledge(self) -> FloatArray:
        """Knowledge per firm."""
        return np.array([f.knowledge for f in self.firms])

    # ------------------------------------------------------------------- round

    def play_round(self, shares: BoolArray, seed: int | None = None) -> RoundResult:
        """Play one round on chain with these sharing decisions; measure payoffs.

        Raises
        ------
        faults.NodeLost
            If the node stops answering: one line naming the round and phase.
        """
        with node_guard(self.chain, self._where, self.system.address):
            result = self._play_round(shares, seed)
        self.phase = "idle"
        return result

    def _play_round(self, shares: BoolArray, seed: int | None) -> RoundResult:
        started = time.perf_counter()
        rng = self.rng if seed is None else np.random.default_rng(seed)
        s = self.system
        tx0 = s.alliance.transactions
        self.phase = "advance"
        self._advance_to_next_epoch()
        subs: list[Submission] = []
        terms: list[tuple[bytes, int, int]] = []
        bundles: dict[bytes, str] = {}
        draw = _bundled if self.pool is not None else _sealed
        for f, share in zip(self.firms, shares, strict=True):
            if share:
                ind = draw(rng)
                subs.append(Submission(ind.content_hash, f.address, True, ind.score_x10, ind.scope))
                terms.append((ind.semantic_key, ind.category, ind.indicator_class))
                bundles[ind.content_hash] = ind.bundle_json
        junk = 0
        if self.ally is not None and self.junk_rate > 0 and rng.random() < self.junk_rate:
            ind = draw(rng)
            subs.append(Submission(ind.content_hash, self.ally, False, ind.score_x10, ind.scope))
            terms.append((ind.semantic_key, ind.category, ind.indicator_class))
            junk = 1
        salts = [new_salt() for _ in subs]
        self.phase = "commit"
        self._transact_many(
            [
                (
                    "commit",
                    (commitment_of(sub.content_hash, salt, sub.submitter, c, k, key),),
                    sub.submitter,
                )
                for sub, salt, (key, c, k) in zip(subs, salts, terms, strict=True)
            ]
        )
        self._new_block()  # a reveal is refused in its commit's block (estimates run on the latest)
        self.phase = "reveal"
        self._transact_many(
            [
                ("reveal", (sub.content_hash, key, c, k, salt), sub.submitter)
                for sub, salt, (key, c, k) in zip(subs, salts, terms, strict=True)
            ]
        )
        self._advance_time(REVEAL_WINDOW)
        self.phase = "vote"
        quorum = int(self._view("quorum"))
        votes = []
        decided: list[Submission] = []
        undecided: list[Submission] = []
        for sub in subs:
            cast = ballots(self.panel, sub, rng)
            votes += [
                ("vote", (sub.content_hash, v.valid, v.score_x10, v.scope), bot.address)
                for bot, v in cast
            ]
            (decided if decided_early(self.panel, sub, cast, quorum) else undecided).append(sub)
        self._transact_many(votes)
        gov = s.governance
        self.phase = "finalise"
        receipts = self._transact_many([("finalise", (sub.content_hash,), gov) for sub in decided])
        if undecided:
            self._advance_time(VOTE_WINDOW)
            receipts += self._transact_many(
                [("finalise", (sub.content_hash,), gov) for sub in undecided]
            )
        self.phase = "measure"
        result = self._measure(shares, subs, receipts, junk)
        if self.pool is not None:
            self.phase = "pool reads"
            self._read_pool(result, subs, bundles)
        extra_tx = 0
        if self.pesim is not None:
            self.phase = "pesim settlement"
            extra_tx = self.pesim.settle_round(result)
        result.transactions = s.alliance.transactions - tx0 + extra_tx
        self.seconds += time.perf_counter() - started
        self._round += 1
        return result

    def _measure(
        self, shares: BoolArray, subs: list[Submission], receipts: list[dict[str, Any]], junk: int
    ) -> RoundResult:
        logs = self.logs
        assert logs is not None
        index = {f.address: i for i, f in enumerate(self.firms)}
        n = len(self.firms)
        reward = [0] * n
        found = logs.collect(receipts, ("RewardCredited", "RewardOwed", "IndicatorFinalised"))
        for ev in found["RewardCredited"] + found["RewardOwed"]:
            reward[index[ev["firm"]]] += int(ev["amount"])
        statuses = {ev["content_hash"]: Status(ev["status"]) for ev in found["IndicatorFinalised"]}
        verified = np.zeros(n, dtype=bool)
        junk_verified = expired = 0
        for sub in subs:
            status = statuses[sub.content_hash]
            if status == Status.EXPIRED:
                expired += 1
            if not sub.genuine:
                junk_verified += status == Status.VERIFIED
            elif status == Status.VERIFIED:
                verified[index[sub.submitter]] = True
        access = self._access()
        k = self.knowledge
        pooled = float(k @ verified)
        readable = (pooled - k * verified) * access
        payoff = (
            k
            + self.params.beta * readable
            + np.array(reward, dtype=np.float64) / self.unit_wei
            - shares * np.array([f.risk for f in self.firms])
        )
        return RoundResult(
            np.array(shares, dtype=bool),
            verified,
            access,
            reward,
            payoff,
            junk_submitted=junk,
            junk_verified=junk_verified,
            expired=expired,
        )

    def _read_pool(
        self, result: RoundResult, subs: list[Submission], bundles: dict[bytes, str]
    ) -> None:
        """Measure access through the off-chain pool: signed puts, then signed reads.

        Each verified bundle is put by its submitter; each firm then lists
        what it may read. The knowledge it reads replaces the access-rule
        estimate in its payoff, and any disagreement with ``has_access`` is
        counted (it must be zero).
        """
        assert self.pool is not None
        s, chain = self.system, self.chain
        chain_id = chain.chain_id
        index = {f.address: i for i, f in enumerate(self.firms)}
        mine: dict[bytes, int] = {}
        for sub in subs:
            if sub.genuine and result.verified[index[sub.submitter]]:
                req = make_request(
                    chain.key_of(sub.submitter),
                    action="put",
                    chain_id=chain_id,
                    pool=s.address,
                    content_hash=sub.content_hash,
                )
                self.pool.put(bundles[sub.content_hash], req)
                mine[sub.content_hash] = index[sub.submitter]
        k = self.knowledge
        readers = range(len(self.firms)) if self.pool_readers is None else self.pool_readers
        for i in readers:
            f = self.firms[i]
            req = make_request(
                chain.key_of(f.address), action="list", chain_id=chain_id, pool=s.address
            )
            try:
                seen = {b.content_hash for b in self.pool.readable(req)}
            except AccessDenied:
                seen = set()
            result.pool_reads += 1
            others = [h for h, j in mine.items() if j != i]
            read = [h for h in others if h in seen]
            value = float(sum(k[mine[h]] for h in read))
            if others and bool(read) != bool(result.access[i]):
                result.pool_mismatches += 1
            expected = float(sum(k[mine[h]] for h in others)) * result.access[i]
            result.payoff[i] += self.params.beta * (value - expected)

    def _advance_to_next_epoch(self) -> None:
        now = self._timestamp()
        if self._genesis is None:  # immutable: read once
            self._genesis = int(self._view("GENESIS_TIME"))
        genesis = self._genesis
        next_epoch_start = genesis + ((now - genesis) // EPOCH + 1) * EPOCH
        self._advance_time(next_epoch_start - now + 1)


@dataclass(frozen=True)
class Drawn:
    """What a firm commits and reveals in a round, and the bundle the pool would store."""

    content_hash: bytes
    semantic_key: bytes
    category: int
    indicator_class: int
    score_x10: int
    scope: int
    bundle_json: str


def _bundled(rng: np.random.Generator) -> Drawn:
    """A full synthetic STIX bundle (built and validated: ~60 ms), for rounds the pool reads."""
    ind = generate_indicator(rng, tlp="green")
    return Drawn(
        ind.content_hash,
        ind.semantic_key,
        ind.category,
        ind.indicator_class,
        ind.score_x10,
        ind.scope,
        ind.bundle_json,
    )


def _sealed(rng: np.random.Generator) -> Drawn:
    """Sealed content for rounds nobody reads off chain (the dynamics, the N-firm profiles).

    The chain sees only hashes and declared terms: a fresh content hash with
    its own hash as semantic key (opaque content, :func:`~sharing.chain.ais.opaque_key`),
    and drawn terms (category, class, a score of 0.1 to 10.0, scope). Under the
    regimes' neutral multipliers the reward depends on none of them, so the
    payoffs are those of a full bundle, without its 60 ms of STIX building.
    """
    content_hash = keccak(rng.bytes(32))
    return Drawn(
        content_hash,
        opaque_key(content_hash),
        int(rng.integers(len(CATEGORIES))),
        int(rng.integers(2)),
        int(rng.integers(1, 101)),
        int(rng.integers(3)),
        "",
    )


@dataclass
class PesimRounds:
    """Regime 5: each round the firms also settle PESIM taxes on their security investments.

    The firms are split into groups of 3 to 32 (PESIM needs N >= 3; the
    contract takes at most 32); each group is one interdependent-security
    game with total-effort risk and its tiers' unit costs (docs/models.md), and
    settles a round with the model's equilibrium messages. A firm's payoff
    gains its measured utility in the mechanism, ``-g_i(x_hat) - tax_i``,
    with ``x_hat`` and the tax read from the settlement's events.
    """

    alliance: Alliance
    system: PesimSystem
    groups: list[list[int]]
    games: list[IDSGame]
    messages: list[list[FixedMessage]]
    collateral: list[int]
    model_utility: FloatArray

    @classmethod
    def deploy(cls, alliance: Alliance) -> PesimRounds:
        """Deploy the settlement contract and precompute each group's equilibrium."""
        n = len(alliance.firms)
        if n < 3:
            raise InputError("the PESIM regime needs at least 3 firms (PESIM needs N >= 3)")
        k = -(-n // 32)
        sizes = [n // k + (1 if g < n % k else 0) for g in range(k)]
        groups, start = [], 0
        for size in sizes:
            groups.append(list(range(start, start + size)))
            start += size
        system = PesimSystem.deploy(alliance.chain, governance=alliance.system.governance)
        games, messages, collateral = [], [], []
        model_utility = np.zeros(n)
        cost = alliance.params.security_cost
        for group in groups:
            game = parse_instance("total-effort", [cost[alliance.firms[i].tier] for i in group])
            opt = social_optimum(game)
            lp = lindahl_prices(game, opt)
            msgs = equilibrium_messages(lp)
            taxes = lp.equilibrium_taxes()
            for j, i in enumerate(group):
                model_utility[i] = -game.user_cost(j, opt.x) - float(taxes[j])
            games.append(game)
            messages.append(fixed_equilibrium_messages(msgs))
            collateral.append(recommended_collateral(game, alliance.unit_wei))
        return cls(alliance, system, groups, games, messages, collateral, model_utility)

    def settle_round(self, result: RoundResult) -> int:
        """Settle one PESIM round per group; add each firm's utility to its payoff."""
        a = self.alliance
        tx0 = self.system.contract.transactions
        accounts = [[a.firms[i].address for i in group] for group in self.groups]
        rounds = list(zip(accounts, self.messages, self.collateral, strict=True))
        if a.driver is not None:  # every group's round at once, a block per step
            settled = self.system.run_rounds(a.driver, rounds, wei_per_unit=a.unit_wei)
        else:
            settled = [
                self.system.run_round(p, msgs, collateral, wei_per_unit=a.unit_wei)
                for p, msgs, collateral in rounds
            ]
        for group, game, out in zip(self.groups, self.games, settled, strict=True):
            x_hat = np.array([float(v) for v in out.x_hat])
            for j, i in enumerate(group):
                utility = -game.user_cost(j, x_hat) - out.transfers[j] / a.unit_wei
                result.payoff[i] += utility
                result.pesim_tax_wei[i] = out.transfers[j]
        sent = self.system.contract.transactions - tx0
        a.other_transactions += sent
        return sent
