"""Simulation throughput: 50 firms x 20 rounds, all regimes, on eth-tester and on anvil.

Reported next to each chain's raw throughput for plain value transfers, so
the driver's own overhead (bots, STIX bundles, pool signatures, measuring
payoffs) is visible as the gap between the two.
"""

from __future__ import annotations

import os

from bench.ais import transfers_per_second
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import embedded_chain, rpc_chain
from sharing.simulation.run import SimulationConfig, simulate

FIRMS = int(os.environ.get("BENCH_SIM_FIRMS", "50"))
ROUNDS = int(os.environ.get("BENCH_SIM_ROUNDS", "20"))


def run() -> dict[str, float | int]:
    cfg = SimulationConfig(firms=FIRMS, rounds=ROUNDS, seed=1)
    size = f"{FIRMS}x{ROUNDS}"
    out: dict[str, float | int] = {}
    result = simulate(embedded_chain(FIRMS + 10), cfg)
    out[f"seconds.sim.{size}.eth_tester"] = result["chain"]["seconds"]
    out[f"transactions.sim.{size}"] = result["chain"]["transactions"]
    out["tx_per_s.sim.eth_tester"] = result["chain"]["tx_per_s"]
    out["tx_per_s.transfer.eth_tester"] = round(transfers_per_second(embedded_chain(2)), 1)
    out[f"sim.{size}.agree"] = int(result["agree"])
    with running_anvil(accounts=FIRMS + 10) as node:
        chain = rpc_chain(node.url)
        on_anvil = simulate(chain, cfg)
        out[f"seconds.sim.{size}.anvil"] = on_anvil["chain"]["seconds"]
        out["tx_per_s.sim.anvil"] = on_anvil["chain"]["tx_per_s"]
        out["tx_per_s.transfer.anvil"] = round(transfers_per_second(chain), 1)
    strip = lambda r: {k: {kk: vv for kk, vv in v.items() if kk != "rewards_wei"}  # noqa: E731
                       for k, v in r["regimes"].items()}
    out[f"sim.{size}.same_result_both_chains"] = int(strip(result) == strip(on_anvil))
    return out
