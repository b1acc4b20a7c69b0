"""The deviation audit: every strategic move of a member, measured on chain against honest sharing.

The product's claim is that, under the tiered rewards, honest sharing is the
best a firm can do. "Best" is checked here against the mechanism itself:
for each firm tier and each move of :data:`sharing.bots.strategic.MOVES`,
one round is played on its own chain snapshot - the other firms share
honestly, an honest panel votes, bribed seats vote what they were paid for
- and the deviating firm's payoff is measured from what the chain did:

    payoff = K_i + beta * sum(K_j : peer j verified this round) * [has_access_i]
             + wei credited or owed to i this round / unit_wei
             - r_i * [i revealed real content] - bribes paid

in wei (``round(units * unit_wei)`` for the float terms, the chain's wei
as they are). Bribes are priced at zero: a move that does not pay even
with free bribes does not pay. The round, the access rule (E = 1 epoch)
and the units are those of :mod:`sharing.simulation.engine`, so the
honest payoff here is the engine's payoff of a sharer in a round where
everyone shares.

Under the price rule the audit uses (the contract's default: each verified
report lowers its tactic's index by 10 %), the deviating firm's own tactic
is first crowded by verified peer reports, so that declaring another
tactic would earn more if the panel let it through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sharing.bots.panel import PanelBot, Submission
from sharing.bots.strategic import MOVES, reissue
from sharing.chain.ais import AisSystem, Status, new_salt
from sharing.chain.connect import Chain
from sharing.errors import ChainError, RevertError
from sharing.quote import DEFAULT_PRICE_RULE
from sharing.simulation.regimes import TIERS, UNIT_WEI, Regime, TierParams, build_regimes
from sharing.standards.stix import CATEGORIES
from sharing.standards.synthetic import SyntheticIndicator, generate_indicator

REVEAL_WINDOW = 60
VOTE_WINDOW = 600
EPOCH = 86_400
FUND_WEI = 10**22
#: Accounts used: governance, one firm per tier, three panel seats, two seats appointed later.
ACCOUNTS_NEEDED = 1 + 3 + 3 + 2


@dataclass(frozen=True)
class DeviationRow:
    """One (tier, move) measurement."""

    name: str
    tier: str
    payoff_honest: int
    payoff_deviation: int
    refused: tuple[str, ...] = ()
    #: Final status of each indicator the deviating firm got on chain (e.g. "rejected").
    outcome: tuple[str, ...] = ()
    #: A move "pays" when it beats honest sharing by more than this many wei: none for
    #: the alliance (exact wei), the fixed-point quantisation for PESIM.
    tolerance_wei: int = 0

    @property
    def gain(self) -> int:
        """Deviation payoff minus honest payoff, wei."""
        return self.payoff_deviation - self.payoff_honest

    @property
    def pays(self) -> bool:
        """Whether the move beats honest sharing."""
        return self.gain > self.tolerance_wei

    def as_dict(self) -> dict[str, Any]:
        """The JSON row of ``sharing audit deviations``."""
        return {
            "name": self.name,
            "tier": self.tier,
            "payoff_honest": self.payoff_honest,
            "payoff_deviation": self.payoff_deviation,
            "gain": self.gain,
            "pays": self.pays,
            "refused": list(self.refused),
            "outcome": list(self.outcome),
        }


@dataclass
class _Play:
    """What one firm puts on chain in a round, and what it cost it."""

    submissions: list[Submission] = field(default_factory=list)
    risk: float = 0.0
    refused: list[str] = field(default_factory=list)


@dataclass
class DeviationAudit:
    """A deployed alliance ready to measure deviations, one snapshot each."""

    chain: Chain
    system: AisSystem
    firms: list[str]
    panel: list[str]
    growth: list[str]
    params: TierParams
    regime: Regime
    seed: int
    unit_wei: int = UNIT_WEI
    #: Seats of the three-seat panel a bribing move buys: 1 is a minority (the threat
    #: model); 2 buys the majority, which no mechanism survives - the tests use it to
    #: show the audit does see a move that pays.
    bribed_seats: int = 1
    #: Indicators drawn so far, by (firm, tag): each is built and validated once.
    _drawn: dict[tuple[int, int], SyntheticIndicator] = field(default_factory=dict, repr=False)

    @classmethod
    def create(
        cls, chain: Chain, params: TierParams | None = None, seed: int = 1
    ) -> DeviationAudit:
        """Deploy the alliance under the tiered regime with an honest three-seat panel."""
        if len(chain.accounts) < ACCOUNTS_NEEDED:
            raise ChainError(
                f"the deviation audit needs {ACCOUNTS_NEEDED} unlocked accounts, the chain has "
                f"{len(chain.accounts)}"
            )
        params = params or TierParams()
        regime = build_regimes(params)["tiered"]
        a = chain.accounts
        gov, firms, panel, growth = a[0], a[1:4], a[4:7], a[7:9]
        system = AisSystem.deploy(chain, governance=gov, epoch_length=EPOCH)
        for tier, firm in enumerate(firms):
            system.register_member(firm, tier)
        for p in panel:
            system.appoint_panellist(p)
        system.set_windows(REVEAL_WINDOW, VOTE_WINDOW)
        system.set_access_rule(1, False)
        system.set_reward_schedule(regime.schedule(UNIT_WEI))
        system.set_price_rule(DEFAULT_PRICE_RULE)
        system.fund(FUND_WEI)
        return cls(chain, system, list(firms), list(panel), list(growth), params, regime, seed)

    # ------------------------------------------------------------------ rounds

    def _indicator(self, who: int, tag: int) -> SyntheticIndicator:
        """The indicator ``who`` shares under ``tag`` - the same one in every round."""
        drawn = self._drawn.get((who, tag))
        if drawn is None:
            drawn = generate_indicator(np.random.default_rng([self.seed, who, tag]), tlp="green")
            self._drawn[who, tag] = drawn
        return drawn

    def _submit(
        self, play: _Play, firm: str, sub: Submission, cat: int, cls: int, key: bytes
    ) -> None:
        """Commit and reveal (a refused reveal is recorded, and costs nothing)."""
        s = self.system
        salt = new_salt()
        s.commit(firm, sub.content_hash, salt, cat, cls, key)
        self.chain.mine()
        try:
            s.reveal(firm, sub.content_hash, salt, cat, cls, key)
        except RevertError as exc:
            play.refused.append(exc.reason)
            return
        play.submissions.append(sub)

    def _crowd(self, category: int, tier: int) -> None:
        """Verify peer reports in ``category`` in an earlier epoch, lowering its price index."""
        s = self.system
        peers = [f for j, f in enumerate(self.firms) if j != tier]
        crowd = [self._indicator(100 + k, 0) for k in range(3)]
        for k, ind in enumerate(crowd):
            salt = new_salt()
            terms = (category, ind.indicator_class, ind.semantic_key)
            s.commit(peers[k % 2], ind.content_hash, salt, *terms)
            self.chain.mine()
            s.reveal(peers[k % 2], ind.content_hash, salt, *terms)
        self.chain.advance_time(REVEAL_WINDOW)
        for ind in crowd:
            for p in self.panel:
                s.vote(p, ind.content_hash, True, 70, 1)
            s.finalise(ind.content_hash)

    def measure(self, tier: int, move: str) -> tuple[int, list[str], list[str]]:
        """Play one round in which the firm of ``tier`` makes ``move``; its payoff in wei.

        The chain is left as it was (snapshot and revert around the round).
        """
        s, chain = self.system, self.chain
        snap = chain.snapshot()
        try:
            me = self.firms[tier]
            own = self._indicator(tier, 1)
            self._crowd(own.category, tier)
            self._next_epoch()
            peers: dict[str, _Play] = {}
            for j, firm in enumerate(self.firms):
                if j == tier:
                    continue
                ind = self._indicator(j, 1)
                play = _Play(risk=self.params.risk[j])
                sub = Submission(ind.content_hash, firm, True, ind.score_x10, ind.scope)
                self._submit(play, firm, sub, ind.category, ind.indicator_class, ind.semantic_key)
                peers[firm] = play
            mine = self._deviate(tier, me, own, move, peers)
            chain.advance_time(REVEAL_WINDOW)
            bribed: set[str] = set()
            if move in ("bribe-minority", "bribe-inflate"):
                bribed = set(self.panel[: self.bribed_seats])
            if move == "panel-timing":
                for p in self.growth:  # seated after the reveal, bribed
                    s.appoint_panellist(p)
                bribed = set(self.growth)
            plays = [*peers.values(), mine]
            self._vote(plays, me, bribed, mine.refused)
            chain.advance_time(VOTE_WINDOW)
            reward, verified_peers, outcome = self._finalise(peers, me, mine)
            access = s.has_access(me)
            wei = self._wei
            pooled = wei(self.params.beta * verified_peers) if access else 0
            payoff = wei(self.params.knowledge[tier]) + pooled + reward - wei(mine.risk)
            return payoff, mine.refused, outcome
        finally:
            chain.revert(snap)

    def _finalise(
        self, peers: dict[str, _Play], me: str, mine: _Play
    ) -> tuple[int, float, list[str]]:
        """Finalise every indicator of the round, read from the receipts.

        Returns the wei credited or owed to ``me``, the knowledge of the peers
        verified, and the final status of each of ``me``'s indicators.
        """
        s = self.system
        reward, verified_peers, outcome = 0, 0.0, []
        for firm, play in [*peers.items(), (me, mine)]:
            for sub in play.submissions:
                r = s.finalise(sub.content_hash)
                for name in ("RewardCredited", "RewardOwed"):
                    reward += sum(int(e["amount"]) for e in s.alliance.events(r, name)
                                  if e["firm"] == me)
                (final,) = s.alliance.events(r, "IndicatorFinalised")
                status = Status(final["status"])
                if firm == me:
                    outcome.append(status.name.lower())
                elif status == Status.VERIFIED:
                    verified_peers += self.params.knowledge[self.firms.index(firm)]
        return reward, verified_peers, outcome

    def _wei(self, units: float) -> int:
        """A payoff term in wei: each term rounded once, so equal terms cancel exactly."""
        return round(units * self.unit_wei)

    def _deviate(
        self, tier: int, me: str, own: SyntheticIndicator, move: str, peers: dict[str, _Play]
    ) -> _Play:
        """Put the deviating firm's move on chain."""
        play = _Play()
        key = own.semantic_key
        genuine = Submission(own.content_hash, me, True, own.score_x10, own.scope)
        if move in ("honest", "reworded-duplicate", "revoke-reissue", "bribe-inflate"):
            play.risk = self.params.risk[tier]
            self._submit(play, me, genuine, own.category, own.indicator_class, key)
            if move in ("reworded-duplicate", "revoke-reissue"):
                again = reissue(own, seed=self.seed + tier, revoked=move == "revoke-reissue")
                sub = Submission(again.content_hash, me, True, own.score_x10, own.scope)
                self._submit(play, me, sub, own.category, own.indicator_class, again.semantic_key)
        elif move in ("junk", "panel-timing", "bribe-minority"):
            junk = self._indicator(tier, 2)
            sub = Submission(junk.content_hash, me, False, junk.score_x10, junk.scope)
            self._submit(play, me, sub, junk.category, junk.indicator_class, junk.semantic_key)
        elif move == "copy-peer":
            peer = next(iter(peers))
            j = self.firms.index(peer)
            ind = self._indicator(j, 1)
            copied = reissue(ind, seed=self.seed + 17 * (tier + 1))
            sub = Submission(copied.content_hash, me, True, ind.score_x10, ind.scope)
            self._submit(play, me, sub, ind.category, ind.indicator_class, copied.semantic_key)
        elif move == "misdeclared-category":
            play.risk = self.params.risk[tier]
            prices = {c: self.system.price_index(c) for c in range(len(CATEGORIES))}
            best = max(prices, key=lambda c: (prices[c], c != own.category))
            lie = Submission(own.content_hash, me, True, own.score_x10, own.scope,
                             terms_true=best == own.category)
            self._submit(play, me, lie, best, own.indicator_class, key)
        elif move != "withhold":
            raise ValueError(f"unknown move {move!r}")
        return play

    def _vote(self, plays: list[_Play], me: str, bribed: set[str], refused: list[str]) -> None:
        """Honest seats vote the truth; bribed seats vote the briber's indicators valid at 10.0."""
        s = self.system
        rng = np.random.default_rng(self.seed)
        seats = [*self.panel, *(p for p in self.growth if p in bribed)]
        for play in plays:
            for sub in play.submissions:
                for p in seats:
                    kind = "colluding" if p in bribed else "honest"
                    vote = PanelBot(p, kind, allies={me}).vote(sub, rng)
                    assert vote is not None  # honest and colluding seats always vote
                    try:
                        s.vote(p, sub.content_hash, vote.valid, vote.score_x10, vote.scope)
                    except RevertError as exc:
                        refused.append(exc.reason)

    def _next_epoch(self) -> None:
        now = self.chain.timestamp()
        genesis = int(self.system.call("GENESIS_TIME"))
        self.chain.advance_time(genesis + ((now - genesis) // EPOCH + 1) * EPOCH - now + 1)

    # ------------------------------------------------------------------- audit

    def run(self, moves: list[str] | None = None) -> list[DeviationRow]:
        """Every (tier, move): the honest payoff and the deviation's, each on its own snapshot."""
        rows = []
        for tier, name in enumerate(TIERS):
            honest, _, _ = self.measure(tier, "honest")
            for move in moves or list(MOVES):
                payoff, refused, outcome = self.measure(tier, move)
                rows.append(
                    DeviationRow(
                        move, name, honest, payoff, tuple(dict.fromkeys(refused)), tuple(outcome)
                    )
                )
        return rows


def pesim_rows(chain: Chain, params: TierParams | None = None) -> list[DeviationRow]:
    """The PESIM round of the tiered-pesim regime: every named deviation of each member.

    One participant per tier with its security cost (total-effort risk, the
    regime's instance), a collateral of one payoff unit, everyone else
    sending the equilibrium messages (:mod:`sharing.chain.pesim_deviations`).
    The payoff is the mechanism's utility with the outcome binding; a
    message the contract refuses cannot be played and gains nothing.
    """
    from sharing.chain.pesim import PesimSystem
    from sharing.chain.pesim_deviations import measure_deviations
    from sharing.models.ids_game import parse_instance

    params = params or TierParams()
    game = parse_instance("total-effort", list(params.security_cost))
    system = PesimSystem.deploy(chain, governance=chain.accounts[0])
    measured = measure_deviations(
        system, game, chain.accounts[1:4], collateral_wei=UNIT_WEI, wei_per_unit=UNIT_WEI
    )
    rows = []
    for r in measured:
        if r.kind == "honest":
            continue
        honest = round(r.payoff_honest * UNIT_WEI)
        gain = 0 if r.gain_wei is None else r.gain_wei  # a refused message cannot be played
        rows.append(
            DeviationRow(
                f"pesim {r.name}",
                TIERS[r.index],
                honest,
                honest + gain,
                () if r.refused is None else (r.refused,),
                ("defaulted",) if r.shortfall_wei else (),
                tolerance_wei=math.floor(r.tolerance * UNIT_WEI),
            )
        )
    return rows


def audit_deviations(
    chain: Chain, params: TierParams | None = None, seed: int = 1
) -> dict[str, Any]:
    """The deviation audit as ``sharing audit deviations --json`` prints it.

    The alliance's moves (:class:`DeviationAudit`) and the PESIM
    settlement's (:func:`pesim_rows`), on the same chain.
    """
    rows = DeviationAudit.create(chain, params, seed).run() + pesim_rows(chain, params)
    return {
        "chain": chain.kind,
        "regime": "tiered",
        "deviations": [r.as_dict() for r in rows],
        "any_pays": any(r.pays for r in rows),
        "best_gain": max(r.gain for r in rows),
    }
