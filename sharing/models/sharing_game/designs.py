"""Mechanism design: the least rewards that make sharing the unique equilibrium.

Per firm, uniform, proportional to knowledge (Simmons' "proportional
incentives") or one reward per tier (docs/rules.md: the reward depends on the
sector tier); each design is exact where proven (dynamic programming over
activation orders, :mod:`~.cascades`), flagged otherwise.
:func:`design_report` verifies the designs by the uniqueness test itself.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sharing.errors import InputError
from sharing.models.numerics import FloatArray
from sharing.models.sharing_game.cascades import (
    cheapest_order,
    greedy_order,
    minimal_scale,
    tier_requirements,
)
from sharing.models.sharing_game.game import (
    DEFAULT_EPSILON,
    GAIN_TOL,
    GATED,
    OPEN,
    BoolArray,
    EquilibriumSummary,
    Pool,
    SharingGame,
    cooperation_is_unique,
    validate,
)


@dataclass(frozen=True)
class Thresholds:
    """Reward thresholds of the N-firm game, per firm.

    Attributes
    ----------
    equilibrium : numpy.ndarray
        All-share is an equilibrium iff ``R_i >= equilibrium[i]`` for every i
        (weak inequality, attained): ``r_i - beta * (K_total - K_i) * [gated]``,
        floored at 0.
    dominance : numpy.ndarray
        Sharing is strictly dominant for firm i iff ``R_i > r_i`` (strict; the
        infimum ``max(r_i, 0)`` is not attained when ``r_i >= 0``).  Same in
        both pools: with nobody else sharing, the gated gain is ``R_i - r_i``.
    unique_uniform : float
        A common reward R makes all-share the unique equilibrium iff
        ``R > unique_uniform`` (or ``R >= 0`` when it is negative); see
        :func:`design_uniform`.
    """

    equilibrium: FloatArray
    dominance: FloatArray
    unique_uniform: float


def thresholds(knowledge: Any, risk: Any, pool: str = GATED, beta: float = 1.0) -> Thresholds:
    """All-share thresholds of the pool: equilibrium, unique (common reward), dominance.

    For N identical firms in a gated pool this reads: all-share is an equilibrium
    iff ``R >= r - beta * (N - 1) * K`` and unique iff ``R > r``, the same as
    dominance - gating buys coordination, not uniqueness, unless firms differ.
    """
    k, r, _, pool_, b = validate(knowledge, risk, 0.0, pool, beta)
    others = k.sum() - k
    eq = np.maximum(r - (b * others if pool_ == GATED else 0.0), 0.0)
    uniform = design_uniform(k, r, pool_, b)
    return Thresholds(eq, np.maximum(r, 0.0), float(uniform.levels["reward"]))


@dataclass(frozen=True)
class RewardDesign:
    """Smallest rewards that make all-share the unique equilibrium.

    Attributes
    ----------
    scheme : str
        ``per-firm`` (any reward per firm, least total), ``uniform`` (one reward
        for all), ``proportional`` (``R_i = rate * K_i``, Simmons' "proportional
        incentives"), or ``per-tier`` (one reward per tier, least total).
    infimum : numpy.ndarray
        Per-firm rewards at the infimum.  Where ``strict`` is True the infimum
        is *not* enough: the firm's reward must strictly exceed it (at equality
        the firm is indifferent and withholding stays an equilibrium).
    recommended : numpy.ndarray
        ``infimum + epsilon`` where strict, else the infimum: sufficient.
    strict : numpy.ndarray of bool
        See ``infimum``.
    order : tuple of int
        The activation order (cascade) the design relies on: each firm strictly
        gains from sharing once the firms before it share.
    exact : bool
        The design is provably the least total (False: heuristic order for
        large N).
    feasible : bool
        False when no reward of the scheme works (e.g. proportional rewards to a
        firm with no knowledge that still loses by sharing).
    levels, recommended_levels : dict
        The scheme's own parameters (``reward``, ``rate`` or one entry per tier).
    epsilon : float
        The margin used for ``recommended``.
    note : str
        How the numbers were obtained.
    """

    scheme: str
    pool: Pool
    infimum: FloatArray
    recommended: FloatArray
    strict: BoolArray
    order: tuple[int, ...]
    exact: bool
    feasible: bool
    levels: dict[str, float]
    recommended_levels: dict[str, float]
    epsilon: float
    note: str = ""
    tiers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_infimum(self) -> float:
        """Sum of the per-firm infimum rewards (the budget's infimum)."""
        return float(self.infimum.sum())

    @property
    def total_recommended(self) -> float:
        """Sum of the recommended rewards."""
        return float(self.recommended.sum())

    def as_dict(self) -> dict[str, Any]:
        """Plain data; the reward vectors and totals are None when infeasible."""
        feasible = self.feasible
        return {
            "scheme": self.scheme,
            "feasible": feasible,
            "infimum": self.infimum.tolist() if feasible else None,
            "strict": self.strict.tolist(),
            "recommended": self.recommended.tolist() if feasible else None,
            "total_infimum": self.total_infimum if feasible else None,
            "total_recommended": self.total_recommended if feasible else None,
            "levels": self.levels,
            "recommended_levels": self.recommended_levels,
            "order": list(self.order),
            "exact": self.exact,
            "note": self.note,
        }


def _finish(
    scheme: str,
    pool: Pool,
    bound: FloatArray,
    order: Sequence[int],
    exact: bool,
    epsilon: float,
    levels: dict[str, float],
    recommended_levels: dict[str, float],
    note: str,
    feasible: bool = True,
    tiers: tuple[str, ...] = (),
) -> RewardDesign:
    """Build a design from per-firm strict bounds ``R_i > bound_i`` (floored at 0).

    A bound within :data:`GAIN_TOL` below zero counts as binding: a reward of 0
    would leave a gain indistinguishable from a tie.
    """
    strict = bound >= -GAIN_TOL
    infimum = np.maximum(bound, 0.0)
    recommended = np.where(strict, infimum + epsilon, infimum)
    return RewardDesign(
        scheme=scheme,
        pool=pool,
        infimum=infimum,
        recommended=recommended,
        strict=strict,
        order=tuple(int(i) for i in order),
        exact=exact,
        feasible=feasible,
        levels=levels,
        recommended_levels=recommended_levels,
        epsilon=epsilon,
        note=note,
        tiers=tiers,
    )


def _check_epsilon(epsilon: float) -> float:
    """Check the margin: it must exceed the tie tolerance, or a recommendation reads as a tie."""
    if not np.isfinite(epsilon) or epsilon <= 10 * GAIN_TOL:
        raise InputError(f"epsilon: must be a number above {10 * GAIN_TOL:g}, got {epsilon}")
    return float(epsilon)


def design_per_firm(
    knowledge: Any,
    risk: Any,
    pool: str = GATED,
    beta: float = 1.0,
    epsilon: float = DEFAULT_EPSILON,
    max_exact: int = 20,
) -> RewardDesign:
    """Least-total per-firm rewards making all-share the unique equilibrium.

    Open pool: ``R_i > r_i`` for every firm (necessary and sufficient: a firm
    with ``R_i <= r_i`` may withhold while the others share).  Gated pool: all
    firms must be activated by a cascade, firm ``i`` needing
    ``R_i > r_i - beta * K(firms activated before it)``; the cost of adding a
    firm depends only on the set already active, so the cheapest order is a
    dynamic programme over subsets (exact up to ``max_exact`` firms, vectorised;
    beyond, the greedy cheapest-next order, flagged ``exact=False``).  Any
    reward vector with a smaller total leaves a non-cooperative equilibrium.
    """
    k, r, _, pool_, b = validate(knowledge, risk, 0.0, pool, beta)
    eps = _check_epsilon(epsilon)
    n = k.size
    if pool_ == OPEN:
        return _finish(
            "per-firm",
            pool_,
            r.copy(),
            range(n),
            True,
            eps,
            {},
            {},
            "open pool: sharing must be strictly dominant for every firm (R_i > r_i)",
        )
    if n <= max_exact:
        order = cheapest_order(k, r, b)
        exact = True
        note = "gated pool: least-total cascade by dynamic programming over subsets"
    else:
        order = greedy_order(k, r, b)
        exact = False
        note = f"gated pool, {n} firms: greedy cascade (cheapest next firm), not proven least"
    bound = np.empty(n)
    shared = 0.0
    for i in order:
        bound[i] = r[i] - b * shared
        shared += k[i]
    return _finish("per-firm", pool_, bound, order, exact, eps, {}, {}, note)


def design_uniform(
    knowledge: Any,
    risk: Any,
    pool: str = GATED,
    beta: float = 1.0,
    epsilon: float = DEFAULT_EPSILON,
) -> RewardDesign:
    """Smallest common reward R (same for every firm) making all-share unique.

    Exact for any N: with firms sorted by risk, R must exceed
    ``max_k (r_(k) - beta * sum_{l<k} K_(l))`` in a gated pool, ``max_i r_i``
    in an open one.
    """
    k, r, _, pool_, b = validate(knowledge, risk, 0.0, pool, beta)
    eps = _check_epsilon(epsilon)
    t, order, _ = minimal_scale(k, r, np.ones_like(k), pool_, b)
    level = max(t, 0.0)
    rec = level + eps if t >= -GAIN_TOL else level
    bound = np.full(k.size, t)
    return _finish(
        "uniform",
        pool_,
        bound,
        order,
        True,
        eps,
        {"reward": level},
        {"reward": rec},
        "one reward for every firm; the cascade's end is order-independent, so exact",
    )


def design_proportional(
    knowledge: Any,
    risk: Any,
    pool: str = GATED,
    beta: float = 1.0,
    epsilon: float = DEFAULT_EPSILON,
) -> RewardDesign:
    """Smallest rate rho with ``R_i = rho * K_i`` making all-share unique.

    Simmons' incentive is "proportional ... to their overall cybersecurity
    knowledge" (B.4); this is the least such proportion.  The recommended rate
    adds ``epsilon / min K_i`` so that every firm clears its bound by at least
    ``epsilon``.  Infeasible when a firm without knowledge still loses by sharing.
    """
    k, r, _, pool_, b = validate(knowledge, risk, 0.0, pool, beta)
    eps = _check_epsilon(epsilon)
    t, order, feasible = minimal_scale(k, r, k, pool_, b)
    if not feasible:
        inf = np.full(k.size, np.inf)
        return RewardDesign(
            "proportional",
            pool_,
            inf,
            inf,
            np.ones(k.size, bool),
            tuple(order),
            True,
            False,
            {"rate": float("inf")},
            {"rate": float("inf")},
            eps,
            "no proportional reward works: a firm with zero knowledge loses by sharing",
        )
    rate = max(t, 0.0)
    positive = k[k > 0]
    # t is a rate, not a payoff: decide whether it is attained with the same
    # tie tolerance as the uniqueness test, by running that test.
    binding = t >= 0 or not cooperation_is_unique(k, r, rate * k, pool_, b)
    rec_rate = rate + eps / float(positive.min()) if binding else rate
    infimum = rate * k
    strict = np.full(k.size, binding) & (k > 0)
    return RewardDesign(
        "proportional",
        pool_,
        infimum,
        rec_rate * k,
        strict,
        tuple(order),
        True,
        True,
        {"rate": rate},
        {"rate": rec_rate},
        eps,
        "R_i = rate * K_i; the cascade's end is order-independent, so exact",
    )


def design_per_tier(
    knowledge: Any,
    risk: Any,
    tiers: Sequence[Hashable],
    pool: str = GATED,
    beta: float = 1.0,
    epsilon: float = DEFAULT_EPSILON,
    max_exact: int = 12,
) -> RewardDesign:
    """Least-total rewards with one reward per tier (e.g. critical / core / small).

    Each firm gets its tier's reward (docs/rules.md: the reward depends on the
    sector tier).  Exact by dynamic programming over subsets keeping, for each set of
    active firms, the Pareto front of per-tier requirements (up to
    ``max_exact`` firms); beyond, the per-firm greedy order, flagged inexact.
    """
    k, r, _, pool_, b = validate(knowledge, risk, 0.0, pool, beta)
    eps = _check_epsilon(epsilon)
    labels = [str(t) for t in tiers]
    if len(labels) != k.size:
        raise InputError(f"tiers: expected {k.size} labels, got {len(labels)}")
    names = list(dict.fromkeys(labels))
    tier_of = np.array([names.index(t) for t in labels])
    counts = np.bincount(tier_of, minlength=len(names)).astype(np.float64)
    exact = True
    if pool_ == OPEN:
        req = np.array([r[tier_of == t].max() for t in range(len(names))])
        order: list[int] = list(range(k.size))
        note = "open pool: each tier's reward must exceed the largest risk in the tier"
    elif k.size <= max_exact:
        req, order = tier_requirements(k, r, b, tier_of, len(names), counts)
        note = "gated pool: least-total tier rewards by DP over subsets with Pareto fronts"
    else:
        order = greedy_order(k, r, b)
        req = np.full(len(names), -np.inf)
        shared = 0.0
        for i in order:
            req[tier_of[i]] = max(req[tier_of[i]], r[i] - b * shared)
            shared += k[i]
        exact = False
        note = f"gated pool, {k.size} firms: greedy order, not proven least"
    bound = req[tier_of]
    levels = {name: float(max(req[t], 0.0)) for t, name in enumerate(names)}
    rec = {
        name: float(max(req[t], 0.0) + eps if req[t] >= -GAIN_TOL else 0.0)
        for t, name in enumerate(names)
    }
    return _finish(
        "per-tier", pool_, bound, order, exact, eps, levels, rec, note, tiers=tuple(labels)
    )


# --------------------------------------------------------------------------- verified designs


@dataclass(frozen=True)
class CheckedDesign:
    """A design with the uniqueness test run at its rewards: computed, not assumed."""

    design: RewardDesign
    unique_at_recommended: bool
    unique_at_infimum: bool

    @classmethod
    def check(cls, design: RewardDesign, game: SharingGame) -> CheckedDesign:
        """Run the cascade test of ``game`` at the design's recommended and infimum rewards."""
        feasible = design.feasible
        return cls(
            design,
            feasible and game.with_reward(design.recommended).cooperation_is_unique(),
            feasible and game.with_reward(design.infimum).cooperation_is_unique(),
        )

    def as_dict(self) -> dict[str, Any]:
        """The design's plain data and the two verdicts."""
        return {
            **self.design.as_dict(),
            "unique_at_recommended": self.unique_at_recommended,
            "unique_at_infimum": self.unique_at_infimum,
        }


#: How ``strict`` reads, stated in every design report.
STRICTNESS = (
    "where 'strict' is true the reward must strictly exceed its infimum (at the "
    "infimum the firm is indifferent and withholding remains an equilibrium); "
    "'recommended' adds epsilon there"
)


@dataclass(frozen=True)
class DesignReport:
    """Everything ``sharing game design`` reports: thresholds, designs, the games before and after.

    ``pool``, ``beta``, ``tiers`` and ``epsilon`` are kept as given; the games
    are without rewards (``baseline``) and with the per-firm design's
    recommended rewards (``resulting_game``).
    """

    knowledge: FloatArray
    risk: FloatArray
    pool: str
    beta: float
    tiers: list[str] | None
    epsilon: float
    thresholds: Thresholds
    designs: tuple[CheckedDesign, ...]
    baseline: EquilibriumSummary
    resulting_game: EquilibriumSummary

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the schema of ``sharing game design --json``)."""
        th = self.thresholds
        return {
            "parameters": {
                "knowledge": self.knowledge.tolist(),
                "risk": self.risk.tolist(),
                "pool": self.pool,
                "beta": self.beta,
                "tiers": self.tiers,
                "epsilon": self.epsilon,
            },
            "strictness": STRICTNESS,
            "thresholds": {
                "sharing_dominant_if_reward_above": th.dominance.tolist(),
                "all_share_equilibrium_if_reward_at_least": th.equilibrium.tolist(),
                "all_share_unique_if_common_reward_above": th.unique_uniform,
            },
            "designs": [d.as_dict() for d in self.designs],
            "baseline": self.baseline.as_dict(),
            "resulting_game": self.resulting_game.as_dict(),
        }


def design_report(
    knowledge: Any,
    risk: Any,
    pool: str = GATED,
    beta: float = 1.0,
    tiers: list[str] | None = None,
    epsilon: float = DEFAULT_EPSILON,
) -> DesignReport:
    """Every design for one game (per tier only when ``tiers`` is given), each verified.

    Raises
    ------
    InputError
        On invalid parameters, tiers or epsilon.
    """
    base = SharingGame.create(knowledge, risk, 0.0, pool, beta)
    k, r = base.knowledge, base.risk
    designs = [
        design_per_firm(k, r, pool, beta, epsilon),
        design_uniform(k, r, pool, beta, epsilon),
        design_proportional(k, r, pool, beta, epsilon),
    ]
    if tiers is not None:
        designs.append(design_per_tier(k, r, tiers, pool, beta, epsilon))
    th = thresholds(k, r, pool, beta)
    checked = tuple(CheckedDesign.check(d, base) for d in designs)
    return DesignReport(
        knowledge=k,
        risk=r,
        pool=pool,
        beta=beta,
        tiers=tiers,
        epsilon=epsilon,
        thresholds=th,
        designs=checked,
        baseline=base.summary(),
        resulting_game=base.with_reward(designs[0].recommended).summary(),
    )
