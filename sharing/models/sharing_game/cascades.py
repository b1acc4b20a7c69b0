"""Activation orders: in which order firms can be brought to share, and at what cost.

In a gated pool a firm's gain from sharing grows with the knowledge already
pooled, so the rewards that make all-share the unique equilibrium are those
of an activation *cascade* (docs/models.md, "The sharing game").  The
cheapest order is a dynamic programme over subsets (:func:`cheapest_order`,
:func:`tier_requirements` for one reward per tier), with a greedy order
beyond (:func:`greedy_order`); a common scale of given weights is exact by a
greedy raise (:func:`minimal_scale`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sharing.models.numerics import FloatArray
from sharing.models.sharing_game.game import GAIN_TOL, GATED, Pool


def _needs(k: FloatArray, r: FloatArray, pool: Pool, beta: float, shared: float) -> FloatArray:
    """Reward each firm must strictly exceed to share once ``shared`` knowledge is pooled."""
    return r - (beta * shared if pool == GATED else 0.0)


def cheapest_order(k: FloatArray, r: FloatArray, beta: float) -> list[int]:
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


def greedy_order(k: FloatArray, r: FloatArray, beta: float) -> list[int]:
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


def minimal_scale(
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


def tier_requirements(
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
