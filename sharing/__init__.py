"""Automated Indicator Sharing on Vyper contracts, with its economics checked by machine."""

from sharing.errors import (
    AccessDenied,
    ChainError,
    DeploymentError,
    InputError,
    RevertError,
    SharingError,
    SolverError,
)

__all__ = [
    "AccessDenied",
    "ChainError",
    "DeploymentError",
    "InputError",
    "RevertError",
    "SharingError",
    "SolverError",
]
