"""The deviation audit: how long it takes, what it found, and what the surplus sweep costs.

Figures: the audit's rows and best gain (wei; 0 or less means no move pays),
its wall time on eth-tester, and the gas of `sweep_surplus` after ether was
forced in (the cost of keeping the books honest under forced ether).
"""

from __future__ import annotations

import time

from sharing.chain.ais import AisSystem
from sharing.chain.compile import load_artifact
from sharing.chain.connect import embedded_chain
from sharing.chain.contract import deploy
from sharing.simulation.deviations import ACCOUNTS_NEEDED, audit_deviations


def sweep_gas() -> int:
    chain = embedded_chain(3)
    gov, attacker, to = chain.accounts
    system = AisSystem.deploy(chain, governance=gov)
    system.fund(10**18)
    feeder = deploy(chain, load_artifact("AttackForceFeeder"), sender=attacker, value=10**17)
    feeder.transact("force", system.address, sender=attacker)
    return int(system.tx("sweep_surplus", to, sender=gov)["gasUsed"])


def run() -> dict[str, float | int]:
    started = time.perf_counter()
    result = audit_deviations(embedded_chain(num_accounts=ACCOUNTS_NEEDED))
    seconds = time.perf_counter() - started
    return {
        "audit.deviations.rows": len(result["deviations"]),
        "audit.deviations.paying": sum(r["pays"] for r in result["deviations"]),
        "audit.deviations.best_gain_wei": int(result["best_gain"]),
        "time_s.audit_deviations.eth_tester": round(seconds, 1),
        "gas.sweep_surplus": sweep_gas(),
    }
