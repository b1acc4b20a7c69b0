"""Automated Indicator Sharing on Vyper contracts, with its economics checked by machine.

The public API, importable from here (loaded on first use):

- chain: :func:`connect`, :class:`AisSystem`, :func:`rebuild` (the ledger from events);
- money: :func:`quote` and its schedule types;
- simulation: :func:`simulate`, :class:`SimulationConfig`, :func:`run_demo`;
- errors: the :class:`SharingError` tree.
"""

from sharing._lazy import lazy
from sharing.errors import (
    AccessDenied,
    ChainError,
    DeploymentError,
    InputError,
    RevertError,
    SharingError,
    SolverError,
)

__getattr__, __dir__ = lazy(
    __name__,
    {
        "connect": "sharing.chain.connect",
        "AisSystem": "sharing.chain.ais",
        "rebuild": "sharing.chain.ledger",
        "quote": "sharing.quote",
        "RewardSchedule": "sharing.quote",
        "PriceRule": "sharing.quote",
        "simulate": "sharing.simulation.run",
        "SimulationConfig": "sharing.simulation.run",
        "run_demo": "sharing.demo",
    },
)

__all__ = [
    "AccessDenied",
    "AisSystem",
    "ChainError",
    "DeploymentError",
    "InputError",
    "PriceRule",
    "RevertError",
    "RewardSchedule",
    "SharingError",
    "SolverError",
    "SimulationConfig",
    "connect",
    "quote",
    "rebuild",
    "run_demo",
    "simulate",
]
