"""A national-scale run: 1,000 members, 100 rounds, tiered rewards, the N-firm equilibrium check.

``make national`` (not part of ``make test`` or the default ``make bench``).
On a fresh default anvil, beside the node's ceiling measured just before
(:func:`bench.sim.ceiling`). Memory is the peak resident size of this
process and of the node (``VmHWM``), read when the run ends. The size can
be lowered to measure scaling: ``NATIONAL_FIRMS=200 NATIONAL_ROUNDS=20``;
figures are named by size.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

from bench.sim import ceiling, default_anvil
from sharing.chain.connect import rpc_chain
from sharing.simulation.run import SimulationConfig, simulate

FIRMS = int(os.environ.get("NATIONAL_FIRMS", "1000"))
ROUNDS = int(os.environ.get("NATIONAL_ROUNDS", "100"))
#: anvil keeps every block, receipt and historical state in memory by default (2 GB after
#: 100,000 transactions); the run reads only the latest state and fresh receipts, so the
#: node keeps no historical states and the transactions of its last 4 blocks (measured at
#: 1,000 x 20: 420 MiB against 783 MiB when it kept 64).
NODE_OPTIONS = ("--prune-history", "--transaction-block-keeper", "4")


def _peak_kib(pid: int) -> int:
    """Peak resident memory of process ``pid`` in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run() -> dict[str, float | int]:
    size = f"{FIRMS}x{ROUNDS}"
    cfg = SimulationConfig(firms=FIRMS, rounds=ROUNDS, regimes=("tiered",), seed=1)
    out: dict[str, float | int] = {}
    with default_anvil() as (url, _):
        out[f"national.{size}.tx_per_s.ceiling.anvil"] = round(ceiling(url, fast=False), 1)
    with default_anvil(*NODE_OPTIONS) as (url, pid):
        started = time.perf_counter()
        result = simulate(rpc_chain(url), cfg)
        wall = time.perf_counter() - started
        node_kib = _peak_kib(pid)
    tiered = result.regimes["tiered"]
    game = tiered.alliance
    assert game is not None
    own_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out[f"national.{size}.seconds"] = round(wall, 1)
    out[f"national.{size}.transactions"] = result.chain.transactions
    out[f"national.{size}.tx_per_s"] = result.chain.tx_per_s
    out[f"national.{size}.ratio.sim_to_ceiling"] = round(
        result.chain.tx_per_s / out[f"national.{size}.tx_per_s.ceiling.anvil"], 3
    )
    out[f"national.{size}.memory_mib.driver"] = round(own_kib / 1024, 1)
    out[f"national.{size}.memory_mib.anvil"] = round(node_kib / 1024, 1)
    out[f"national.{size}.all_share_unique"] = int(game.unique)
    out[f"national.{size}.all_share_is_equilibrium"] = int(game.all_share_is_equilibrium)
    out[f"national.{size}.agree"] = int(result.agree)
    out[f"national.{size}.profiles_measured"] = game.profiles_measured
    out[f"national.{size}.final_cooperation"] = tiered.final_cooperation
    return out
