"""The indicator-sharing game of Simmons (sections B.4-B.5), as restated in SPEC 5.1.

Firm i holds knowledge ``K_i``, pays a risk ``r_i`` when it shares and receives
the mechanism's reward ``R_i`` for sharing.  The shared pool is *open* (anyone
reads it) or *gated* (only contributors read it).  With absorption ``beta``::

    u_i(a) = K_i + beta * sum_{j != i, a_j = C} K_j * [open or a_i = C]
                 - [a_i = C] * (r_i - R_i)

so the gain of sharing over withholding, the others' actions fixed, is::

    gain_i = beta * K(others sharing) * [gated] + R_i - r_i

Open pool: the gain does not depend on the others, so each firm's choice is
dominant (defection when ``R_i < r_i``: a prisoner's dilemma).  Gated pool: the
gain grows with the others' sharing - a supermodular game (strategic
complements).  Its smallest and largest pure equilibria are reached by
best-response cascades from all-withhold and all-share, and every equilibrium,
mixed ones included, lies between them (Milgrom and Roberts 1990, Thm 5).  So
cooperation is the *unique* equilibrium exactly when the cascade from
all-withhold, where a firm joins only if it strictly gains, ends with everyone
sharing.  The reward designs below are built on that cascade: the cheapest
rewards making (C, ..., C) unique are those of the cheapest activation order.

Strategy index 0 is C (share), 1 is D (withhold); a profile is a sequence of
booleans, True meaning share.  The literal Tables 1 and 2 of the paper and the
paper's own verbal parameters are checked by :func:`check_simmons_tables` and
:func:`reconstruct_simmons_tables`.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.equilibria import (
    SHARING_NAMES,
    Classification,
    EquilibriumSet,
    classify_2x2,
    profile_label,
    select_equilibrium,
    solve_bimatrix,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Pool = Literal["open", "gated"]
Profile = tuple[bool, ...]

OPEN: Pool = "open"
GATED: Pool = "gated"
POOLS: tuple[Pool, Pool] = (OPEN, GATED)
COOPERATE, DEFECT = 0, 1

#: Tolerance (absolute, in payoff units) below which a gain counts as a tie.
GAIN_TOL = 1e-9
#: Default margin added to a reward whose infimum is not attained.
DEFAULT_EPSILON = 1e-6
#: Largest N for which pure equilibria are enumerated profile by profile.
MAX_ENUMERATED_FIRMS = 16


# --------------------------------------------------------------------------- inputs


def _vector(value: Any, n: int, name: str) -> FloatArray:
    try:
        arr = np.array(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name}: not a list of numbers") from None
    if arr.size == 1:
        arr = np.full(n, float(arr[0]))
    if arr.size != n:
        raise InputError(f"{name}: expected 1 or {n} values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: values must be finite")
    return arr


def validate(
    knowledge: Any, risk: Any, reward: Any = 0.0, pool: str = GATED, beta: float = 1.0
) -> tuple[FloatArray, FloatArray, FloatArray, Pool, float]:
    """Check and broadcast the model parameters (SPEC 5.1).

    ``risk`` and ``reward`` may be scalars (same for every firm).  Knowledge and
    ``beta`` must be non-negative: the supermodularity that the uniqueness
    results rely on needs it.

    Raises
    ------
    InputError
        On fewer than two firms, negative knowledge or beta, an unknown pool, or
        a length mismatch.
    """
    try:
        k = np.array(knowledge, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError("knowledge: not a list of numbers") from None
    if k.size < 2:
        raise InputError(f"knowledge: need at least two firms, got {k.size}")
    if not np.all(np.isfinite(k)) or np.any(k < 0):
        raise InputError("knowledge: values must be finite and non-negative")
    r = _vector(risk, k.size, "risk")
    rew = _vector(reward, k.size, "reward")
    if pool not in POOLS:
        raise InputError(f"pool: expected one of {', '.join(POOLS)}, got {pool!r}")
    b = float(beta)
    if not np.isfinite(b) or b < 0:
        raise InputError(f"beta: must be finite and non-negative, got {beta}")
    return k, r, rew, cast(Pool, pool), b


def _profile(profile: Sequence[bool] | BoolArray, n: int) -> BoolArray:
    arr = np.asarray(profile, dtype=bool).reshape(-1)
    if arr.size != n:
        raise InputError(f"profile: expected {n} actions, got {arr.size}")
    return arr


# --------------------------------------------------------------------------- payoffs


def utilities(
    profile: Sequence[bool] | BoolArray,
    knowledge: Any,
    risk: Any,
    reward: Any = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
) -> FloatArray:
    """Payoff of every firm at ``profile`` (True = share), SPEC 5.1 / Simmons B.4.

    Examples
    --------
    >>> utilities([True, False], [3, 1], 0.5, pool="gated").tolist()
    [2.5, 1.0]
    """
    k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
    s = _profile(profile, k.size).astype(np.float64)
    others = s @ k - s * k
    access = np.ones_like(s) if pool_ == OPEN else s
    return k + b * others * access - s * (r - rew)


def sharing_gain(
    profile: Sequence[bool] | BoolArray,
    knowledge: Any,
    risk: Any,
    reward: Any = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
) -> FloatArray:
    """``u_i(C, a_-i) - u_i(D, a_-i)`` for every firm, the others as in ``profile``.

    Equals ``beta * K(other sharers) * [gated] + R_i - r_i``.
    """
    k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
    s = _profile(profile, k.size).astype(np.float64)
    others = s @ k - s * k
    return (b * others if pool_ == GATED else np.zeros_like(k)) + rew - r


def payoff_matrices(
    knowledge: Any, risk: Any, reward: Any = 0.0, pool: str = GATED, beta: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """Build the 2x2 bimatrix of the two-firm game: row = firm 0, column = firm 1.

    Index 0 is C (share), 1 is D (withhold), as in Simmons' Tables 1 and 2.

    Examples
    --------
    >>> a, b = payoff_matrices([3, 1], 0.5, pool="open")
    >>> a.tolist(), b.tolist()
    ([[3.5, 2.5], [4.0, 3.0]], [[3.5, 4.0], [0.5, 1.0]])
    """
    k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
    if k.size != 2:
        raise InputError(f"a bimatrix needs exactly two firms, got {k.size}")
    a_mat = np.empty((2, 2))
    b_mat = np.empty((2, 2))
    for i, j in itertools.product((COOPERATE, DEFECT), repeat=2):
        u = utilities([i == COOPERATE, j == COOPERATE], k, r, rew, pool_, b)
        a_mat[i, j], b_mat[i, j] = u
    return a_mat, b_mat


def payoff_by_sharers(
    n_firms: int,
    knowledge: float,
    risk: float,
    reward: float = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
) -> FloatArray:
    """Payoff of a firm among ``n_firms`` identical ones, by own action and sharers.

    Returns
    -------
    numpy.ndarray, shape (2, n_firms)
        ``[0, m]``: the firm shares and ``m`` others share; ``[1, m]``: it withholds.
    """
    if n_firms < 2:
        raise InputError(f"n_firms: need at least two firms, got {n_firms}")
    k, r, rew, pool_, b = validate([knowledge] * n_firms, risk, reward, pool, beta)
    m = np.arange(n_firms, dtype=np.float64)
    share = k[0] + b * m * k[0] - (r[0] - rew[0])
    withhold = k[0] + (b * m * k[0] if pool_ == OPEN else 0.0 * m)
    return np.vstack([share, withhold])


# --------------------------------------------------------------------------- equilibria


def _all_profiles(n: int) -> BoolArray:
    """Every profile of n firms, one per row, profile index = bitmask (bit i = firm i)."""
    idx = np.arange(2**n, dtype=np.int64)
    return ((idx[:, None] >> np.arange(n)) & 1).astype(bool)


def pure_equilibria(
    knowledge: Any,
    risk: Any,
    reward: Any = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
    tol: float = GAIN_TOL,
    max_firms: int = MAX_ENUMERATED_FIRMS,
) -> list[Profile]:
    """Every pure Nash equilibrium of the N-firm game, by enumerating all 2^N profiles.

    A profile is an equilibrium when no sharer gains more than ``tol`` by
    withholding and no withholder gains more than ``tol`` by sharing.

    Raises
    ------
    InputError
        If N exceeds ``max_firms`` (use :func:`extremal_equilibria` instead).
    """
    k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
    n = k.size
    if n > max_firms:
        raise InputError(f"{n} firms: too many to enumerate (at most {max_firms})")
    prof = _all_profiles(n)
    s = prof.astype(np.float64)
    others = (s @ k)[:, None] - s * k
    gain = (b * others if pool_ == GATED else 0.0) + (rew - r)
    stable = np.where(prof, gain >= -tol, gain <= tol).all(axis=1)
    return [tuple(bool(v) for v in row) for row in prof[stable]]


def extremal_equilibria(
    knowledge: Any,
    risk: Any,
    reward: Any = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
    tol: float = GAIN_TOL,
) -> tuple[Profile, Profile]:
    """Smallest and largest pure equilibria, for any N, by best-response cascades.

    From all-withhold, firms repeatedly switch to sharing while they *strictly*
    gain (more than ``tol``); from all-share, they keep sharing while they do not
    lose.  The gain is non-decreasing in the others' sharing, so both sequences
    are monotone and end in at most N rounds at the smallest and the largest
    equilibrium (Topkis; Milgrom and Roberts 1990).  Every equilibrium, mixed
    included, lies between them.
    """
    k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
    ends: list[Profile] = []
    for start in (False, True):
        s = np.full(k.size, start)
        for _ in range(k.size + 1):
            gain = sharing_gain(s, k, r, rew, pool_, b)
            nxt = gain > tol if not start else gain >= -tol
            if np.array_equal(nxt, s):
                break
            s = nxt
        ends.append(tuple(bool(v) for v in s))
    return ends[0], ends[1]


def cooperation_is_equilibrium(
    knowledge: Any,
    risk: Any,
    reward: Any = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
    tol: float = GAIN_TOL,
) -> bool:
    """Whether all-share is a Nash equilibrium (every firm's gain at all-share >= -tol)."""
    k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
    return bool(np.all(sharing_gain(np.ones(k.size, bool), k, r, rew, pool_, b) >= -tol))


def cooperation_is_unique(
    knowledge: Any,
    risk: Any,
    reward: Any = 0.0,
    pool: str = GATED,
    beta: float = 1.0,
    tol: float = GAIN_TOL,
) -> bool:
    """Whether all-share is the *unique* equilibrium, mixed equilibria included.

    True exactly when the smallest equilibrium (cascade from all-withhold with
    strict gains) is all-share.  A tie (gain within ``tol`` of zero) blocks the
    cascade, because an indifferent firm can withhold in another equilibrium.
    """
    smallest, _ = extremal_equilibria(knowledge, risk, reward, pool, beta, tol)
    return all(smallest)


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


# --------------------------------------------------------------------------- designs


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


def _needs(k: FloatArray, r: FloatArray, pool: Pool, beta: float, shared: float) -> FloatArray:
    """Reward each firm must strictly exceed to share once ``shared`` knowledge is pooled."""
    return r - (beta * shared if pool == GATED else 0.0)


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
        order = _cheapest_order(k, r, b)
        exact = True
        note = "gated pool: least-total cascade by dynamic programming over subsets"
    else:
        order = _greedy_order(k, r, b)
        exact = False
        note = f"gated pool, {n} firms: greedy cascade (cheapest next firm), not proven least"
    bound = np.empty(n)
    shared = 0.0
    for i in order:
        bound[i] = r[i] - b * shared
        shared += k[i]
    return _finish("per-firm", pool_, bound, order, exact, eps, {}, {}, note)


def _cheapest_order(k: FloatArray, r: FloatArray, beta: float) -> list[int]:
    """Activation order of least total reward, by DP over subsets (popcount layers).

    Ties in the total are broken by the number of firms whose bound is not
    attained (each costs an extra epsilon in the recommended design), then in
    favour of activating the most knowledgeable firms first; deterministic.
    """
    n = k.size
    masks = np.arange(2**n, dtype=np.int64)
    bits = (masks[:, None] >> np.arange(n)) & 1
    shared = bits @ k
    popcount = bits.sum(axis=1)
    cost = np.full(2**n, np.inf)
    n_strict = np.zeros(2**n, dtype=np.int64)
    cost[0] = 0.0
    tie = 1e-12 * max(1.0, float(np.abs(r).sum()))

    def step(i: int, src: npt.NDArray[np.int64]) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        c = r[i] - beta * shared[src]
        return np.maximum(c, 0.0), (c >= -GAIN_TOL).astype(np.int64)

    for layer in range(n):
        layer_masks = masks[popcount == layer]
        for i in range(n):
            src = layer_masks[(layer_masks >> i) & 1 == 0]
            add, strict = step(i, src)
            cand, cand_strict = cost[src] + add, n_strict[src] + strict
            dst = src | (1 << i)
            better = (cand < cost[dst] - tie) | (
                (np.abs(cand - cost[dst]) <= tie) & (cand_strict < n_strict[dst])
            )
            cost[dst[better]] = cand[better]
            n_strict[dst[better]] = cand_strict[better]
    order: list[int] = []
    mask = 2**n - 1
    # Backtrack from the full set, choosing as *last* the firm with least knowledge
    # among the optimal choices: the most knowledgeable firms then go first, which
    # gives the unpaid followers the widest margin.
    by_knowledge = sorted(range(n), key=lambda i: (k[i], i))
    while mask:
        for i in by_knowledge:
            if mask >> i & 1:
                prev = mask & ~(1 << i)
                add, strict = step(i, np.array([prev]))
                if (
                    abs(cost[prev] + add[0] - cost[mask]) <= tie
                    and n_strict[prev] + strict[0] == n_strict[mask]
                ):
                    order.append(i)
                    mask = prev
                    break
        else:  # pragma: no cover - the DP table always has a predecessor
            raise RuntimeError("reward DP: no predecessor found")
    return order[::-1]


def _greedy_order(k: FloatArray, r: FloatArray, beta: float) -> list[int]:
    """Cheapest-next activation order (ties: most knowledge first)."""
    remaining = list(range(k.size))
    order: list[int] = []
    shared = 0.0
    while remaining:
        best = min(remaining, key=lambda i: (max(r[i] - beta * shared, 0.0), -k[i], i))
        order.append(best)
        remaining.remove(best)
        shared += k[best]
    return order


def _minimal_scale(
    k: FloatArray, r: FloatArray, weights: FloatArray, pool: Pool, beta: float
) -> tuple[float, list[int], bool]:
    """Least ``t`` such that rewards ``lambda * w`` with any ``lambda > t`` make all-share unique.

    With a common scale the set of firms that can be activated only grows as
    more share, so the cascade's end does not depend on the order: the greedy
    raise-until-the-next-firm-joins is exact.  Returns ``(t, order, feasible)``.
    """
    n = k.size
    active = np.zeros(n, dtype=bool)
    order: list[int] = []
    t = -np.inf
    while not active.all():
        need = _needs(k, r, pool, beta, float(k[active].sum()))
        with np.errstate(divide="ignore", invalid="ignore"):
            thr = np.where(weights > 0, need / np.where(weights > 0, weights, 1.0), 0.0)
        thr = np.where(weights > 0, thr, np.where(need < 0, -np.inf, np.inf))
        thr = np.where(active, np.inf, thr)
        joinable = (~active) & (thr <= t)
        if not joinable.any():
            t_next = float(thr.min())
            if not np.isfinite(t_next):
                return t, order, False
            t = t_next
            joinable = (~active) & (thr <= t)
        order.extend(int(i) for i in np.flatnonzero(joinable))
        active |= joinable
    return t, order, True


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
    t, order, _ = _minimal_scale(k, r, np.ones_like(k), pool_, b)
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
    t, order, feasible = _minimal_scale(k, r, k, pool_, b)
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

    Each firm gets its tier's reward (SPEC 2: the reward depends on the sector
    tier).  Exact by dynamic programming over subsets keeping, for each set of
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
        req, order = _tier_dp(k, r, b, tier_of, len(names), counts)
        note = "gated pool: least-total tier rewards by DP over subsets with Pareto fronts"
    else:
        order = _greedy_order(k, r, b)
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


def _tier_dp(
    k: FloatArray,
    r: FloatArray,
    beta: float,
    tier_of: npt.NDArray[np.int64],
    n_tiers: int,
    counts: FloatArray,
) -> tuple[FloatArray, list[int]]:
    """Per-tier requirements of least total cost, and an order achieving them."""
    n = k.size
    start = tuple([-np.inf] * n_tiers)
    # front[mask] maps a requirement vector to (previous mask, previous vector, firm added)
    fronts: dict[int, dict[tuple[float, ...], tuple[int, tuple[float, ...], int]]] = {
        0: {start: (-1, start, -1)}
    }
    for layer in range(n):
        for mask in [m for m in fronts if bin(m).count("1") == layer]:
            shared = float(sum(k[i] for i in range(n) if mask >> i & 1))
            for vec in list(fronts[mask]):
                for i in range(n):
                    if mask >> i & 1:
                        continue
                    new = list(vec)
                    t = int(tier_of[i])
                    new[t] = max(new[t], float(r[i] - beta * shared))
                    _pareto_add(fronts.setdefault(mask | 1 << i, {}), tuple(new), (mask, vec, i))
    full = fronts[2**n - 1]

    def total(vec: tuple[float, ...]) -> float:
        return float(np.dot(counts, np.maximum(vec, 0.0)))

    best = min(full, key=lambda v: (total(v), v))
    order: list[int] = []
    mask, vec = 2**n - 1, best
    while mask:
        prev_mask, prev_vec, firm = fronts[mask][vec]
        order.append(firm)
        mask, vec = prev_mask, prev_vec
    return np.array(best, dtype=np.float64), order[::-1]


def _pareto_add(
    front: dict[tuple[float, ...], tuple[int, tuple[float, ...], int]],
    vec: tuple[float, ...],
    how: tuple[int, tuple[float, ...], int],
) -> None:
    """Insert ``vec`` into a Pareto front of requirement vectors (lower is better)."""
    for other in front:
        if all(o <= v for o, v in zip(other, vec, strict=True)):
            return
    for other in [o for o in front if all(v <= o_ for v, o_ in zip(vec, o, strict=True))]:
        del front[other]
    front[vec] = how


# --------------------------------------------------------------------------- the class


@dataclass(frozen=True)
class SharingGame:
    """The sharing game with fixed parameters: a thin layer over the functions above.

    Examples
    --------
    >>> g = SharingGame.create([1, 3], 0.3, pool="gated")
    >>> g.classify().label
    'stag-hunt'
    >>> g.with_reward(design_per_firm([1, 3], 0.3).recommended).cooperation_is_unique()
    True
    """

    knowledge: FloatArray
    risk: FloatArray
    reward: FloatArray
    pool: Pool = GATED
    beta: float = 1.0

    @classmethod
    def create(
        cls, knowledge: Any, risk: Any, reward: Any = 0.0, pool: str = GATED, beta: float = 1.0
    ) -> SharingGame:
        """Validate and broadcast the parameters."""
        k, r, rew, pool_, b = validate(knowledge, risk, reward, pool, beta)
        return cls(k, r, rew, pool_, b)

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return int(self.knowledge.size)

    @property
    def params(self) -> tuple[FloatArray, FloatArray, FloatArray, Pool, float]:
        """``(knowledge, risk, reward, pool, beta)`` for the module functions."""
        return self.knowledge, self.risk, self.reward, self.pool, self.beta

    def with_reward(self, reward: Any) -> SharingGame:
        """Return the same game under another reward vector."""
        return replace(self, reward=validate(self.knowledge, self.risk, reward)[2])

    def utilities(self, profile: Sequence[bool] | BoolArray) -> FloatArray:
        """Payoffs at ``profile`` (see :func:`utilities`)."""
        return utilities(profile, *self.params)

    def sharing_gain(self, profile: Sequence[bool] | BoolArray) -> FloatArray:
        """Gains from sharing at ``profile`` (see :func:`sharing_gain`)."""
        return sharing_gain(profile, *self.params)

    def matrices(self) -> tuple[FloatArray, FloatArray]:
        """Return the 2x2 bimatrix (two firms only)."""
        return payoff_matrices(*self.params)

    def solve(self) -> EquilibriumSet:
        """All equilibria of the two-firm game, with nashpy, cross-checked."""
        return solve_bimatrix(*self.matrices())

    def classify(self) -> Classification:
        """Class of the two-firm game (see :func:`sharing.models.equilibria.classify_2x2`)."""
        return classify_2x2(*self.matrices())

    def pure_equilibria(self) -> list[Profile]:
        """Pure equilibria by enumeration (N up to :data:`MAX_ENUMERATED_FIRMS`)."""
        return pure_equilibria(*self.params)

    def extremal_equilibria(self) -> tuple[Profile, Profile]:
        """Smallest and largest pure equilibria (any N)."""
        return extremal_equilibria(*self.params)

    def cooperation_is_equilibrium(self) -> bool:
        """All-share is an equilibrium."""
        return cooperation_is_equilibrium(*self.params)

    def cooperation_is_unique(self) -> bool:
        """All-share is the unique equilibrium (mixed included)."""
        return cooperation_is_unique(*self.params)


# --------------------------------------------------------------------------- Simmons


@dataclass(frozen=True)
class PaperClaim:
    """What the paper says a table's equilibria are (transcribed input, not a result)."""

    text: str
    pure: tuple[str, ...]
    n_mixed: int
    classification: str | None


@dataclass(frozen=True)
class PrintedTable:
    """A payoff table as printed in the paper (row = Company 1, strategies C, D)."""

    name: str
    caption: str
    row: tuple[tuple[float, float], tuple[float, float]]
    col: tuple[tuple[float, float], tuple[float, float]]
    claim: PaperClaim


#: Simmons, Tables 1 and 2, transcribed literally (the second is also captioned
#: "Matrix 1: No Incentives" in the paper), with the claims of section B.5.
SIMMONS_TABLES: tuple[PrintedTable, PrintedTable] = (
    PrintedTable(
        name="Table 1",
        caption="Matrix 1: No Incentives",
        row=((3.5, 0.5), (4.0, 1.0)),
        col=((3.5, 4.0), (0.5, 1.0)),
        claim=PaperClaim(
            text="three equilibria: (C,C), (D,D) and a mixed one - a stag hunt (B.4-B.5)",
            pure=("(C,C)", "(D,D)"),
            n_mixed=1,
            classification="stag-hunt",
        ),
    ),
    PrintedTable(
        name="Table 2",
        caption="Matrix 1: No Incentives (sic; the incentives table)",
        row=((3.9, 0.9), (4.0, 1.0)),
        col=((4.3, 3.0), (0.9, 1.0)),
        claim=PaperClaim(
            text="the equilibrium is consistently (C,C): the unique equilibrium (B.5)",
            pure=("(C,C)",),
            n_mixed=0,
            classification=None,
        ),
    ),
)


@dataclass(frozen=True)
class GameReport:
    """A 2x2 game with everything computed about it."""

    row: FloatArray
    col: FloatArray
    equilibria: EquilibriumSet
    classification: Classification
    risk_dominant: str | None
    payoff_dominant: str | None
    selection_notes: tuple[str, ...]

    @property
    def pure_labels(self) -> tuple[str, ...]:
        """Labels of the pure equilibria, e.g. ``("(C,C)", "(D,D)")``."""
        names = SHARING_NAMES if self.row.shape == (2, 2) else None
        return tuple(e.label(names) for e in self.equilibria.equilibria if e.is_pure)


def analyse_game(row: Any, col: Any) -> GameReport:
    """Solve, classify and select for a bimatrix game (any shape; classes for 2x2 only).

    In a 2x2 game the strategies are named C and D (index 0 and 1), as in the
    sharing game; otherwise ``r<i>`` and ``c<j>``.
    """
    result = solve_bimatrix(row, col)
    a, b = np.asarray(row, dtype=np.float64), np.asarray(col, dtype=np.float64)
    sel = select_equilibrium(a, b, result.pure_profiles)
    names = SHARING_NAMES if a.shape == (2, 2) else None
    return GameReport(
        row=a,
        col=b,
        equilibria=result,
        classification=classify_2x2(a, b),
        risk_dominant=profile_label(sel.risk_dominant, names) if sel.risk_dominant else None,
        payoff_dominant=profile_label(sel.payoff_dominant, names) if sel.payoff_dominant else None,
        selection_notes=sel.notes,
    )


@dataclass(frozen=True)
class TableCheck:
    """A printed table, what it implies, and whether that agrees with the paper."""

    table: PrintedTable
    game: GameReport
    equilibria_agree: bool
    classification_agrees: bool | None
    agrees: bool


def check_simmons_tables() -> list[TableCheck]:
    """Solve Simmons' printed Tables 1 and 2 literally and compare with the paper's claims.

    ``agrees`` is computed: same pure equilibria, same number of mixed ones and,
    where the paper names a class, the same class.
    """
    checks = []
    for table in SIMMONS_TABLES:
        game = analyse_game(table.row, table.col)
        eq_ok = (
            set(game.pure_labels) == set(table.claim.pure)
            and game.equilibria.n_mixed == table.claim.n_mixed
        )
        cls_ok = (
            None
            if table.claim.classification is None
            else game.classification.label == table.claim.classification
        )
        checks.append(TableCheck(table, game, eq_ok, cls_ok, eq_ok and cls_ok is not False))
    return checks


@dataclass(frozen=True)
class Reconstruction:
    """The model u_i of SPEC 5.1 at one reading of the paper's verbal parameters."""

    name: str
    reading: str
    table: PrintedTable
    knowledge: tuple[float, float]
    risk: tuple[float, float]
    reward: tuple[float, float]
    pool: Pool
    beta: float
    game: GameReport
    row_matches_printed: bool
    col_matches_printed: bool
    max_abs_difference: float
    same_equilibria_as_printed: bool
    agrees_with_claim: bool


#: How the verbal parameters are read (stated in every output).
SIMMONS_READING = (
    "Company 1 has three times the knowledge of Company 2: K = 3 and 1 (Company 2 "
    "normalised to 1); 'a risk of -0.5' is r = 0.5 for both firms (Table 1, no "
    "reward); Table 2 lowers the risk to r = 0.3 and adds 'proportional incentives "
    "valued at 0.2 percent of their overall cybersecurity knowledge', read both as "
    "R_i = 0.002 K_i (0.2 percent literally) and as R_i = 0.2 K_i (0.2 as a "
    "fraction); beta = 1; both pools; both orientations (Company 1 as the row "
    "player or as the column player), since the paper does not say which is which"
)


def reconstruct_simmons_tables(beta: float = 1.0) -> list[Reconstruction]:
    """Rebuild Tables 1 and 2 from the paper's verbal parameters with the model u_i.

    Every reading in :data:`SIMMONS_READING` is computed and compared with the
    printed matrices entry by entry (``*_matches_printed``, within 1e-9) and by
    equilibria; nothing is assumed to match.
    """
    printed = {c.table.name: c for c in check_simmons_tables()}
    cases: list[tuple[str, str, PrintedTable, float, float]] = [
        ("Table 1", "no reward, r = 0.5", SIMMONS_TABLES[0], 0.5, 0.0),
        ("Table 2", "r = 0.3, R_i = 0.002 K_i (0.2 percent)", SIMMONS_TABLES[1], 0.3, 0.002),
        ("Table 2", "r = 0.3, R_i = 0.2 K_i (0.2 as a fraction)", SIMMONS_TABLES[1], 0.3, 0.2),
    ]
    out = []
    for name, reading, table, risk, rate in cases:
        for knowledge in ((3.0, 1.0), (1.0, 3.0)):
            for pool in POOLS:
                reward = (rate * knowledge[0], rate * knowledge[1])
                a, b = payoff_matrices(knowledge, risk, reward, pool, beta)
                game = analyse_game(a, b)
                pa, pb = np.array(table.row), np.array(table.col)
                ref = printed[table.name].game
                who = "row" if knowledge[0] > knowledge[1] else "column"
                out.append(
                    Reconstruction(
                        name=f"{name}: {reading}, {pool} pool, Company 1 as {who} player",
                        reading=reading,
                        table=table,
                        knowledge=knowledge,
                        risk=(risk, risk),
                        reward=reward,
                        pool=pool,
                        beta=beta,
                        game=game,
                        row_matches_printed=bool(np.allclose(a, pa, atol=1e-9, rtol=0)),
                        col_matches_printed=bool(np.allclose(b, pb, atol=1e-9, rtol=0)),
                        max_abs_difference=float(max(np.abs(a - pa).max(), np.abs(b - pb).max())),
                        same_equilibria_as_printed=(
                            set(game.pure_labels) == set(ref.pure_labels)
                            and game.equilibria.n_mixed == ref.equilibria.n_mixed
                        ),
                        agrees_with_claim=(
                            set(game.pure_labels) == set(table.claim.pure)
                            and game.equilibria.n_mixed == table.claim.n_mixed
                        ),
                    )
                )
    return out
