"""One exception tree for the whole package.

Every error a user can cause derives from :class:`SharingError`; the CLI
prints its message as one line and exits non-zero.  Contract revert reasons
are kept here as constants so that tests and the CLI match on names, never
on string literals scattered through the code.
"""

from __future__ import annotations


class SharingError(Exception):
    """Root of every error raised on purpose by ``sharing``."""

    exit_code = 1


class InputError(SharingError, ValueError):
    """A user-supplied value is malformed or out of range."""

    exit_code = 2


class SolverError(SharingError, RuntimeError):
    """A numerical solver did not converge to the requested tolerance."""


class ChainError(SharingError):
    """The chain could not be reached, or it is not the chain we expected."""


class DeploymentError(ChainError):
    """A deployment file is missing, stale or for another network."""


class RevertError(ChainError):
    """A contract call reverted; ``reason`` is the revert string."""

    def __init__(self, reason: str, function: str | None = None) -> None:
        self.reason = reason
        self.function = function
        where = f"{function}: " if function else ""
        super().__init__(f"{where}reverted: {reason}")


class AccessDenied(SharingError, PermissionError):
    """A pool read was refused by the on-chain access rule or the TLP marking."""
