"""The main job: measure on chain whether cooperation is the equilibrium (docs/simulation.md).

For each regime, on one deployment (snapshots, no re-deploys):

1. the 2x2 empirical game: two firms of different tiers play each of the
   four profiles on its own snapshot; their measured payoffs form a
   bimatrix, solved and set beside the model's bimatrix for the same
   parameters (equal to 1 wei per payoff unit, the on-chain rounding);
2. the N-firm dynamics: every firm follows a strategy rule for R rounds on
   chain; the cooperation rate per round and where the population ends;
3. the N-firm game (:mod:`sharing.simulation.nfirm`): from all-share, every
   firm's unilateral deviation, and the best-response cascade from
   all-withhold, each profile on its own snapshot, beside the model's;
4. the verdict: is cooperation the unique equilibrium on chain, in the
   model, and do they agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sharing.bots.strategies import ADAPTIVE, STRATEGIES, Context, cooperation_rate, strategy
from sharing.chain.connect import Chain
from sharing.errors import InputError
from sharing.models.equilibria import solve_bimatrix
from sharing.models.sharing_game import GATED, OPEN, payoff_matrices
from sharing.pool.store import PoolStore
from sharing.simulation.engine import Alliance
from sharing.simulation.nfirm import measure_alliance_game
from sharing.simulation.regimes import REGIME_NAMES, UNIT_WEI, Regime, TierParams, build_regimes
from sharing.simulation.result import (
    ChainFacts,
    Equilibrium,
    RegimeResult,
    RunRecord,
    SimulationResult,
)

#: Panel used by the simulation: a colluding minority (1 of 5) next to honest,
#: noisy and lazy panellists; the contract sets the quorum to 3.
DEFAULT_PANEL = ("honest", "honest", "noisy", "lazy", "colluding")
#: Largest difference between the chain's and the model's payoffs: one wei.
MATRIX_TOLERANCE = 1.0 / UNIT_WEI * 1.0000001
#: With PESIM taxes the chain settles fixed-point messages (scale 1e-12): the
#: outcome and taxes then differ from the floating-point model by ~1e-12 units.
PESIM_TOLERANCE = 1e-9
PROFILES = ((True, True), (True, False), (False, True), (False, False))


@dataclass(frozen=True)
class SimulationConfig:
    """Everything that defines a run; same config and seed, same result, on any chain."""

    firms: int = 6
    rounds: int = 8
    regimes: tuple[str, ...] = REGIME_NAMES
    strategies: tuple[str, ...] = ("best-response",)
    seed: int = 0
    params: TierParams = TierParams()
    panel: tuple[str, ...] = DEFAULT_PANEL
    junk_rate: float = 0.3
    pair: tuple[int, int] = (0, 2)
    initial_share: float = 0.5
    #: Measure the N-firm game on chain in every regime (docs/simulation.md, "The whole alliance").
    alliance_game: bool = True

    def __post_init__(self) -> None:
        if self.firms < 2:
            raise InputError(f"--firms must be at least 2, got {self.firms}")
        if self.rounds < 1:
            raise InputError(f"--rounds must be at least 1, got {self.rounds}")
        unknown = [r for r in self.regimes if r not in REGIME_NAMES]
        if unknown:
            raise InputError(
                f"unknown regime {unknown[0]!r}: choose from {', '.join(REGIME_NAMES)} or all"
            )
        if not self.strategies:
            raise InputError("at least one strategy is needed")
        for name in self.strategies:
            strategy(name)
        if not 0.0 <= self.initial_share <= 1.0:
            raise InputError(f"--initial-share must be in [0, 1], got {self.initial_share}")
        if self.pair[0] == self.pair[1]:
            raise InputError("the 2x2 game needs two firms of different tiers")

    def lead_strategy(self) -> str:
        """The rule whose cooperation rate headlines a regime: the first adaptive one."""
        return next((s for s in self.strategies if s in ADAPTIVE), self.strategies[0])

    def tiers(self) -> list[int]:
        """Tier of each firm: the pair's tiers first, then round-robin."""
        first = list(self.pair)
        rest = [t % 3 for t in range(self.firms - 2)]
        return first + rest


def _equilibria(row: np.ndarray, col: np.ndarray) -> dict[str, Any]:
    eq = solve_bimatrix(row, col)
    pure = list(eq.pure_profiles)
    return {
        "equilibria": [
            Equilibrium(e.row.tolist(), e.col.tolist(), [float(p) for p in e.payoffs])
            for e in eq.equilibria
        ],
        "pure": ["CD"[a] + "CD"[b] for a, b in pure],
        "cooperation_unique": len(eq.equilibria) == 1 and pure == [(0, 0)] and not eq.continuum,
        "degenerate": bool(eq.degenerate),
    }


def empirical_game(alliance: Alliance, regime: Regime, seed: int) -> dict[str, Any]:
    """The 2x2 game of firms 0 and 1 (the configured pair), each profile on its own snapshot."""
    chain = alliance.chain
    n = len(alliance.firms)
    row = np.zeros((2, 2))
    col = np.zeros((2, 2))
    reads = mismatches = 0
    store = alliance.pool
    for a, b in PROFILES:
        snap = chain.snapshot()
        alliance.pool = PoolStore(
            alliance.system, chain_id=chain.chain_id, pool_address=alliance.system.address
        )
        alliance.pool_readers = (0, 1)  # only the pair's payoffs enter the 2x2 game
        shares = np.zeros(n, dtype=bool)
        shares[0], shares[1] = a, b
        try:
            res = alliance.play_round(shares, seed=seed)
        finally:
            alliance.pool, alliance.pool_readers = store, None
            chain.revert(snap)
        i, j = 1 - int(a), 1 - int(b)
        # Only the pair acts; idle firms' knowledge never reaches the pair.
        row[i, j], col[i, j] = res.payoff[0], res.payoff[1]
        reads += res.pool_reads
        mismatches += res.pool_mismatches
    f0, f1 = alliance.firms[0], alliance.firms[1]
    model_row, model_col = payoff_matrices(
        [f0.knowledge, f1.knowledge],
        [f0.risk, f1.risk],
        [regime.paid(f0.tier), regime.paid(f1.tier)],
        OPEN if regime.pool_open else GATED,
        alliance.params.beta,
    )
    tolerance = MATRIX_TOLERANCE
    if alliance.pesim is not None:
        # Regime 5: each firm also gets its PESIM utility at the model's equilibrium,
        # -g_i(x*) - l_i.x*, whatever it does with its indicators.
        model_row = model_row + alliance.pesim.model_utility[0]
        model_col = model_col + alliance.pesim.model_utility[1]
        tolerance = PESIM_TOLERANCE
    diff = float(max(np.abs(row - model_row).max(), np.abs(col - model_col).max()))
    return {
        "tiers": [f0.tier, f1.tier],
        "empirical_matrix": [row.tolist(), col.tolist()],
        "model_matrix": [model_row.tolist(), model_col.tolist()],
        "max_difference": diff,
        "matrices_agree": diff <= tolerance,
        "tolerance": tolerance,
        "empirical": _equilibria(row, col),
        "model": _equilibria(model_row, model_col),
        "pool_reads": reads,
        "pool_mismatches": mismatches,
    }


def dynamics(
    alliance: Alliance,
    regime: Regime,
    cfg: SimulationConfig,
    rule_name: str,
    progress: Callable[[int], None],
) -> dict[str, Any]:
    """N firms all following ``rule_name`` for ``cfg.rounds`` rounds on chain."""
    rule = strategy(rule_name)
    # One random stream per (seed, regime, rule): runs replay exactly, in any order.
    stream = [cfg.seed, REGIME_NAMES.index(regime.name), sorted(STRATEGIES).index(rule_name)]
    rng = np.random.default_rng(stream)
    k = alliance.knowledge
    ctx = Context(
        knowledge=k,
        risk=np.array([f.risk for f in alliance.firms]),
        reward=np.array([regime.paid(f.tier) for f in alliance.firms]),
        pool_open=regime.pool_open,
        beta=alliance.params.beta,
        initial_share=cfg.initial_share,
    )
    rewards = [0] * len(alliance.firms)
    totals = {"junk_submitted": 0, "junk_verified": 0, "expired": 0, "transactions": 0}
    payoff_by_tier: dict[str, list[float]] = {t: [] for t in ("critical", "core", "small")}
    tiers = np.array([f.tier for f in alliance.firms])
    for _ in range(cfg.rounds):
        shares = np.array([rule.decide(i, ctx, rng) for i in range(len(alliance.firms))])
        res = alliance.play_round(shares)
        ctx.actions.append(res.shared)
        ctx.payoffs.append(res.payoff)
        rewards = [x + y for x, y in zip(rewards, res.reward_wei, strict=True)]
        for key in totals:
            totals[key] += getattr(res, key)
        for t, name in enumerate(("critical", "core", "small")):
            if np.any(tiers == t):
                payoff_by_tier[name].append(float(res.payoff[tiers == t].mean()))
        progress(1)
    rate = cooperation_rate(ctx.actions)
    return {
        "cooperation_rate": rate,
        "final_cooperation": rate[-1],
        "rewards_wei": {f.address: w for f, w in zip(alliance.firms, rewards, strict=True)},
        "rewards_wei_total": sum(rewards),
        "rewards_wei_by_tier": {
            name: sum(w for w, t in zip(rewards, tiers, strict=True) if t == k)
            for k, name in enumerate(("critical", "core", "small"))
        },
        "payoff_by_tier": payoff_by_tier,
        **totals,
    }


def simulate(
    chain: Chain, cfg: SimulationConfig, progress: Callable[[int], None] = lambda _n: None
) -> SimulationResult:
    """Run every regime of ``cfg`` on ``chain``; see the module docstring."""
    started = time.perf_counter()
    regimes = build_regimes(cfg.params)
    max_reward = max(max(regimes[n].schedule().base_wei) for n in cfg.regimes)
    alliance = Alliance.create(
        chain,
        cfg.tiers(),
        cfg.params,
        cfg.panel,
        cfg.seed,
        cfg.junk_rate,
        rounds=cfg.rounds,
        max_reward_wei=max_reward,
        pesim=any(regimes[n].pesim for n in cfg.regimes),
    )
    tx0 = alliance.system.alliance.transactions + alliance.other_transactions
    base = chain.snapshot()
    out: dict[str, RegimeResult] = {}
    for name in cfg.regimes:
        regime = regimes[name]
        alliance.configure(regime)
        game = empirical_game(alliance, regime, cfg.seed)
        progress(1)
        nfirm = None
        if cfg.alliance_game:
            nfirm = measure_alliance_game(alliance, regime, cfg.seed)
            progress(1)
        runs = {}
        for rule_name in cfg.strategies:
            snap = chain.snapshot()
            runs[rule_name] = dynamics(alliance, regime, cfg, rule_name, progress)
            chain.revert(snap)
        lead = runs[cfg.lead_strategy()]
        emp_unique = game["empirical"]["cooperation_unique"]
        model_unique = game["model"]["cooperation_unique"]
        agree = emp_unique == model_unique and game["matrices_agree"]
        out[name] = RegimeResult(
            description=regime.description,
            reward_per_tier=list(regime.reward),
            reward_wei_per_tier=list(regime.schedule().base_wei),
            pool_open=regime.pool_open,
            empirical_matrix=game["empirical_matrix"],
            model_matrix=game["model_matrix"],
            max_difference=game["max_difference"],
            matrices_agree=game["matrices_agree"],
            equilibria=game["empirical"]["equilibria"],
            model_equilibria=game["model"]["equilibria"],
            cooperation_unique=emp_unique,
            model_cooperation_unique=model_unique,
            agree=agree and (nfirm is None or nfirm.agree),
            pool_reads=game["pool_reads"],
            pool_mismatches=game["pool_mismatches"],
            cooperation_rate=lead["cooperation_rate"],
            final_cooperation=lead["final_cooperation"],
            rewards_wei=lead["rewards_wei"],
            rewards_wei_total=lead["rewards_wei_total"],
            rewards_wei_by_tier=lead["rewards_wei_by_tier"],
            payoff_by_tier=lead["payoff_by_tier"],
            junk_submitted=sum(r["junk_submitted"] for r in runs.values()),
            junk_verified=sum(r["junk_verified"] for r in runs.values()),
            expired=sum(r["expired"] for r in runs.values()),
            transactions=sum(r["transactions"] for r in runs.values()),
            strategy=cfg.lead_strategy(),
            cooperation_by_strategy={k: r["cooperation_rate"] for k, r in runs.items()},
            final_cooperation_by_strategy={k: r["final_cooperation"] for k, r in runs.items()},
            alliance=nfirm,
        )
        chain.revert(base)
        base = chain.snapshot()
    transactions = alliance.system.alliance.transactions + alliance.other_transactions - tx0
    seconds = time.perf_counter() - started
    return SimulationResult(
        config=RunRecord(
            firms=cfg.firms,
            rounds=cfg.rounds,
            strategies=list(cfg.strategies),
            initial_share=cfg.initial_share,
            seed=cfg.seed,
            knowledge=list(cfg.params.knowledge),
            risk=list(cfg.params.risk),
            beta=cfg.params.beta,
            panel=list(cfg.panel),
            unit_wei=UNIT_WEI,
            tiers=cfg.tiers(),
            pair=list(cfg.pair),
        ),
        regimes=out,
        agree=all(r.agree for r in out.values()),
        chain=ChainFacts(
            kind=chain.kind,
            chain_id=chain.chain_id,
            transactions=transactions,
            seconds=round(seconds, 2),
            tx_per_s=round(transactions / seconds, 1) if seconds else 0.0,
        ),
    )
