"""The simulation: regimes, the on-chain round engine, the verdict, the report.

Public names are re-exported here and imported on first use.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "Alliance": "sharing.simulation.engine",
        "Firm": "sharing.simulation.engine",
        "Regime": "sharing.simulation.regimes",
        "RoundResult": "sharing.simulation.engine",
        "SimulationConfig": "sharing.simulation.run",
        "TierParams": "sharing.simulation.regimes",
        "build_regimes": "sharing.simulation.regimes",
        "dynamics": "sharing.simulation.run",
        "empirical_game": "sharing.simulation.run",
        "simulate": "sharing.simulation.run",
        "write_report": "sharing.simulation.report",
    },
)
