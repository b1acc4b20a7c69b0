"""PESIM's messages: every user's price and investment proposals, and what they imply.

User ``i`` sends ``m_i = (pi_i, x_i)``: a price proposal ``pi_i in R^N_+`` and
an investment proposal ``x_i in R^N``.  The outcome is their mean ``x_hat``
(eq. (6)); the Lindahl price a profile quotes user ``i`` is ``pi_{i+1} -
pi_{i+2}`` (indices modulo ``N``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sharing.errors import InputError
from sharing.models.numerics import FloatArray


@dataclass(frozen=True)
class MessageProfile:
    """A PESIM message profile: row ``i`` of ``pi`` and ``x`` is user ``i``'s message.

    Attributes
    ----------
    pi
        ``(N, N)`` price proposals, ``pi[i] in R^N_+``.
    x
        ``(N, N)`` investment proposals, ``x[i] in R^N``.
    """

    pi: FloatArray
    x: FloatArray

    def __post_init__(self) -> None:
        pi, x = check_profile(self.pi, self.x, dtype=np.float64)
        object.__setattr__(self, "pi", pi)
        object.__setattr__(self, "x", x)

    @property
    def n(self) -> int:
        """Number of users."""
        return int(self.pi.shape[0])

    def outcome(self) -> FloatArray:
        """Return ``x_hat``, eq. (6)."""
        return outcome(self.x)

    def replace(self, i: int, pi_i: npt.ArrayLike, x_i: npt.ArrayLike) -> MessageProfile:
        """Return the profile with user ``i``'s message replaced."""
        pi = self.pi.copy()
        x = self.x.copy()
        pi[i] = pi_i
        x[i] = x_i
        return MessageProfile(pi, x)

    def as_list(self) -> list[dict[str, list[float]]]:
        """Return ``[{"pi": [...], "x": [...]}, ...]``, the profile as plain data."""
        return [{"pi": p.tolist(), "x": q.tolist()} for p, q in zip(self.pi, self.x, strict=True)]


def check_profile(
    pi: Any, x: Any, dtype: type | np.dtype[Any]
) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Check a message profile: ``(N, N)`` proposals, finite, prices non-negative.

    Returns the two arrays of ``dtype`` (``object`` for exact arithmetic).

    Raises
    ------
    InputError
        On a shape mismatch, a non-finite entry or a negative price proposal.
    """
    pi_a = np.array(pi, dtype=dtype)
    x_a = np.array(x, dtype=dtype)
    if pi_a.ndim != 2 or pi_a.shape[0] != pi_a.shape[1] or pi_a.shape[0] == 0:
        raise InputError(f"price proposals must form an (N, N) array, got shape {pi_a.shape}")
    if x_a.shape != pi_a.shape:
        raise InputError(
            f"investment proposals must have the shape of the prices {pi_a.shape}, got {x_a.shape}"
        )
    if dtype is not object:
        if not (np.all(np.isfinite(pi_a)) and np.all(np.isfinite(x_a))):
            raise InputError("messages must be finite")
    if np.any(pi_a < 0):
        i, j = np.argwhere(pi_a < 0)[0]
        raise InputError(f"price proposals must be non-negative, got pi[{i}][{j}] = {pi_a[i, j]}")
    return pi_a, x_a


def outcome(x: npt.ArrayLike) -> FloatArray:
    """Investment outcome ``x_hat = (1/N) sum_i x_i``, eq. (6)."""
    xa = np.asarray(x, dtype=np.float64)
    return np.asarray(xa.mean(axis=0))


def prices_from_messages(pi: npt.ArrayLike) -> FloatArray:
    """The Lindahl prices a message profile quotes: ``l_i = pi_{i+1} - pi_{i+2}``."""
    pa = np.asarray(pi, dtype=np.float64)
    n = pa.shape[0]
    return np.asarray(pa[(np.arange(n) + 1) % n] - pa[(np.arange(n) + 2) % n])
