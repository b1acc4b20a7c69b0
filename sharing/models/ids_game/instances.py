"""IDS instances: random ones for experiments, and parsed from command-line options."""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sharing.errors import InputError
from sharing.models.ids_game.game import IDSGame
from sharing.models.ids_game.risks import (
    ConvexRisk,
    RiskModel,
    TotalEffortRisk,
    WeightedEffortRisk,
)
from sharing.models.numerics import FloatArray, RandomState, as_rng

_RISK_NAMES = ("total-effort", "weighted")


def random_instance(
    n: int,
    *,
    risk: str = "weighted",
    spillover: float = 0.5,
    cost_range: tuple[float, float] = (0.05, 0.95),
    random_state: RandomState = None,
) -> IDSGame:
    """Random IDS instance for experiments and the N = 200 timing.

    Weighted effort: ``w_ii = 1`` and off-diagonal ``w_ij ~ U(0, 2 s / (N-1))``
    with ``s = spillover``, so that a user's total protection from the others
    is ``s`` on average and at most ``2 s``; with ``s < 0.5`` ``W`` is strictly
    diagonally dominant (a P-matrix: the NE is unique).  Costs are uniform on
    ``cost_range``.

    Parameters
    ----------
    n
        Number of users.
    risk
        ``"weighted"`` or ``"total-effort"``.
    spillover
        Mean total weight of the other users' investments.
    cost_range
        Bounds of the uniform costs.
    random_state
        Seed or Generator.
    """
    if n < 1:
        raise InputError(f"the number of users must be positive, got {n}")
    lo, hi = cost_range
    if not 0 < lo <= hi:
        raise InputError(f"cost range must satisfy 0 < low <= high, got {cost_range}")
    rng = as_rng(random_state)
    costs = rng.uniform(lo, hi, size=n)
    if risk == "total-effort":
        return IDSGame(TotalEffortRisk(n), costs)
    if risk != "weighted":
        raise InputError(f"unknown random risk {risk!r}; use 'weighted' or 'total-effort'")
    if spillover < 0:
        raise InputError("spillover must be non-negative")
    w = rng.uniform(0.0, 2.0 * spillover / max(n - 1, 1), size=(n, n))
    np.fill_diagonal(w, 1.0)
    return IDSGame(WeightedEffortRisk(w), costs)


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _parse_number(token: str, what: str) -> float:
    if not re.fullmatch(_NUM, token.strip()):
        raise InputError(f"{what}: {token.strip()!r} is not a number")
    return float(token)


def parse_costs(text: str | Sequence[float]) -> FloatArray:
    """Parse ``"0.2,0.3,0.5"`` (commas and/or spaces) into a cost vector."""
    if isinstance(text, str):
        tokens = [t for t in re.split(r"[,\s]+", text.strip()) if t]
        if not tokens:
            raise InputError("costs: give at least one cost, e.g. --costs 0.2,0.3,0.5")
        return np.array([_parse_number(t, "costs") for t in tokens])
    return np.asarray(text, dtype=np.float64)


def parse_weights(text: str | Sequence[Sequence[float]]) -> FloatArray:
    """Parse ``"1 0.4; 0.3 1.2"`` (rows separated by ``;``) into a weight matrix."""
    if not isinstance(text, str):
        return np.asarray(text, dtype=np.float64)
    rows = [r for r in text.strip().split(";") if r.strip()]
    parsed = [
        [_parse_number(t, "weights") for t in re.split(r"[,\s]+", r.strip()) if t] for r in rows
    ]
    if not parsed:
        raise InputError("weights: give rows separated by ';', e.g. \"1 0.4; 0.3 1.2\"")
    lengths = {len(r) for r in parsed}
    if len(lengths) != 1:
        raise InputError(f"weights: rows have different lengths {sorted(lengths)}")
    return np.array(parsed)


def _load_user_risk(spec: str, n: int) -> RiskModel:
    target, _, attr = spec.rpartition(":")
    if not target or not attr:
        raise InputError(f"custom risk must be 'module:name' or 'file.py:name', got {spec!r}")
    try:
        if target.endswith(".py"):
            path = Path(target)
            if not path.is_file():
                raise InputError(f"custom risk file {target!r} not found")
            mod_spec = importlib.util.spec_from_file_location(f"_sharing_risk_{path.stem}", path)
            if mod_spec is None or mod_spec.loader is None:
                raise InputError(f"cannot load {target!r}")
            module = importlib.util.module_from_spec(mod_spec)
            mod_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
        obj = getattr(module, attr)
    except InputError:
        raise
    except (ImportError, AttributeError, SyntaxError, OSError) as exc:
        raise InputError(f"cannot load custom risk {spec!r}: {exc}") from exc
    if isinstance(obj, RiskModel):
        if obj.n != n:
            raise InputError(f"custom risk {spec!r} has {obj.n} users but {n} costs were given")
        return obj
    if callable(obj):
        return ConvexRisk(n, obj, name=spec)
    raise InputError(f"custom risk {spec!r} is neither a RiskModel nor a callable")


def parse_instance(
    risk: str = "total-effort",
    costs: str | Sequence[float] | None = None,
    weights: str | Sequence[Sequence[float]] | None = None,
    *,
    random_n: int | None = None,
    seed: int | None = None,
    spillover: float = 0.5,
) -> IDSGame:
    """Build an :class:`IDSGame` from command-line style options.

    Parameters
    ----------
    risk
        ``"total-effort"``, ``"weighted"``, or a user risk ``"module:name"`` /
        ``"path/file.py:name"`` naming a :class:`RiskModel` or a callable
        ``x -> (f_1(x), ..., f_N(x))`` (checked for Assumptions 1-2).
    costs
        ``"0.2,0.3,0.5"`` or a sequence.  Optional with ``random_n``.
    weights
        ``"1 0.4; 0.3 1.2"`` (weighted risk only).
    random_n, seed, spillover
        Generate a random instance of ``random_n`` users
        (:func:`random_instance`); given ``costs`` replace the random ones.

    Raises
    ------
    InputError
        Unknown risk, bad numbers, shape mismatch, non-positive cost,
        non-convex custom risk.
    """
    if random_n is not None:
        if random_n < 1:
            raise InputError(f"--random must be a positive number of users, got {random_n}")
        if risk not in _RISK_NAMES:
            raise InputError(f"--random works with 'weighted' or 'total-effort', not {risk!r}")
        if weights is not None:
            raise InputError("--random generates the weights; do not pass --weights")
        game = random_instance(random_n, risk=risk, spillover=spillover, random_state=seed)
        if costs is not None:
            return IDSGame(game.risk, parse_costs(costs))
        return game
    if costs is None:
        raise InputError("give --costs (e.g. --costs 0.2,0.3,0.5) or --random N")
    c = parse_costs(costs)
    if risk == "total-effort":
        if weights is not None:
            raise InputError("--weights only applies to --risk weighted")
        return IDSGame(TotalEffortRisk(c.size), c)
    if risk == "weighted":
        if weights is None:
            raise InputError('--risk weighted needs --weights, e.g. "1 0.4; 0.3 1.2"')
        w = parse_weights(weights)
        if w.shape != (c.size, c.size):
            raise InputError(
                f"weights must be {c.size}x{c.size} for {c.size} costs, got "
                f"{w.shape[0]}x{w.shape[1] if w.ndim == 2 else 0}"
            )
        return IDSGame(WeightedEffortRisk(w), c)
    if ":" in risk:
        return IDSGame(_load_user_risk(risk, c.size), c)
    raise InputError(
        f"unknown risk {risk!r}: use 'total-effort', 'weighted' or a custom 'module:name'"
    )
