"""The N-firm sharing game: payoffs, pure equilibria and the uniqueness of cooperation.

Firm i's payoff ``u_i(a)`` (docs/models.md, "The sharing game"), the gain of
sharing over withholding, the two-firm bimatrix, every pure equilibrium by
enumeration, and the smallest and largest equilibria by best-response
cascades, for any N; :class:`SharingGame` fixes the parameters.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.equilibria import (
    Classification,
    EquilibriumSet,
    GameReport,
    analyse_game,
    classify_2x2,
    solve_bimatrix,
)
from sharing.models.numerics import FloatArray

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
    """Check and broadcast the model parameters (docs/models.md, "The sharing game").

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
    """Payoff of every firm at ``profile`` (True = share), docs/models.md / Simmons B.4.

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


# --------------------------------------------------------------------------- the class


@dataclass(frozen=True)
class SharingGame:
    """The sharing game with fixed parameters: a thin layer over the functions above.

    Examples
    --------
    >>> from sharing.models.sharing_game import design_per_firm
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

    def summary(self) -> EquilibriumSummary:
        """Everything known about the game's equilibria (see :class:`EquilibriumSummary`)."""
        smallest, largest = self.extremal_equilibria()
        is_equilibrium = self.cooperation_is_equilibrium()
        is_unique = self.cooperation_is_unique()
        pure = tuple(self.pure_equilibria()) if self.n_firms <= SUMMARY_ENUMERATED_FIRMS else None
        game = analyse_game(*self.matrices()) if self.n_firms == 2 else None
        return EquilibriumSummary(
            reward=self.reward,
            smallest=smallest,
            largest=largest,
            cooperation_is_equilibrium=is_equilibrium,
            cooperation_is_unique=is_unique,
            pure=pure,
            game=game,
        )


#: Largest N for which :meth:`SharingGame.summary` lists every pure equilibrium.
SUMMARY_ENUMERATED_FIRMS = 12


def profile_string(profile: Sequence[bool]) -> str:
    """A profile as letters, e.g. ``"CCD"`` (C: shares, D: withholds)."""
    return "".join("C" if s else "D" for s in profile)


@dataclass(frozen=True)
class EquilibriumSummary:
    """The equilibria of one N-firm game at its rewards.

    Attributes
    ----------
    reward
        The rewards of the game.
    smallest, largest
        The smallest and largest pure equilibria (best-response cascades).
    cooperation_is_equilibrium, cooperation_is_unique
        All-share is an equilibrium; it is the only one (mixed included).
    pure
        Every pure equilibrium, or None beyond :data:`SUMMARY_ENUMERATED_FIRMS` firms.
    game
        The two-firm game solved as a bimatrix (None for more firms).
    """

    reward: FloatArray
    smallest: Profile
    largest: Profile
    cooperation_is_equilibrium: bool
    cooperation_is_unique: bool
    pure: tuple[Profile, ...] | None
    game: GameReport | None

    def as_dict(self) -> dict[str, Any]:
        """Plain data (a game of ``sharing game design --json``)."""
        out: dict[str, Any] = {
            "reward": self.reward.tolist(),
            "smallest_equilibrium": profile_string(self.smallest),
            "largest_equilibrium": profile_string(self.largest),
            "cooperation_is_equilibrium": self.cooperation_is_equilibrium,
            "cooperation_is_unique": self.cooperation_is_unique,
        }
        if self.pure is not None:
            out["pure_equilibria"] = [profile_string(p) for p in self.pure]
        else:
            out["pure_equilibria"] = None
            out["note"] = "too many firms to enumerate profiles; extremal equilibria only"
        if self.game is not None:
            out["game"] = self.game.as_dict()
        return out
