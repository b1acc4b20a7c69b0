"""Firm and panel bots.

Public names are re-exported here and imported on first use.
"""

from sharing._lazy import lazy

__getattr__, __dir__ = lazy(
    __name__,
    {
        "AlwaysShare": "sharing.bots.strategies",
        "BestResponse": "sharing.bots.strategies",
        "Context": "sharing.bots.strategies",
        "FictitiousPlay": "sharing.bots.strategies",
        "Imitation": "sharing.bots.strategies",
        "NeverShare": "sharing.bots.strategies",
        "PanelBot": "sharing.bots.panel",
        "Strategy": "sharing.bots.strategies",
        "Submission": "sharing.bots.panel",
        "Vote": "sharing.bots.panel",
        "ballots": "sharing.bots.panel",
        "cooperation_rate": "sharing.bots.strategies",
        "strategy": "sharing.bots.strategies",
    },
)
