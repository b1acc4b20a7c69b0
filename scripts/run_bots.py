#!/usr/bin/env python3
"""Run the firm and panel bots on a chain: the embedded one, a started anvil, or any node.

    python scripts/run_bots.py --firms 50 --rounds 20               # embedded chain
    python scripts/run_bots.py --anvil --firms 50 --rounds 20       # anvil with enough accounts
    python scripts/run_bots.py --rpc-url URL --firms 8 --rounds 5   # a running node

Prints the verdict per regime as JSON (the same as `sharing simulate --json`)
and, with --report DIR, writes the HTML report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sharing.chain.anvil import running_anvil
from sharing.chain.connect import connect
from sharing.errors import SharingError
from sharing.simulation.regimes import REGIME_NAMES
from sharing.simulation.run import SimulationConfig, simulate


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--anvil", action="store_true", help="start anvil for this run")
    where.add_argument("--rpc-url", help="JSON-RPC endpoint of a running node")
    parser.add_argument("--firms", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--regime", action="append", choices=[*REGIME_NAMES, "all"], default=None)
    parser.add_argument("--strategy", default="best-response")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    regimes = REGIME_NAMES if not args.regime or "all" in args.regime else tuple(args.regime)
    try:
        cfg = SimulationConfig(
            firms=args.firms,
            rounds=args.rounds,
            regimes=regimes,
            strategies=(args.strategy,),
            seed=args.seed,
        )
        if args.anvil:
            with running_anvil(accounts=args.firms + 10) as node:
                result = simulate(connect(node.url), cfg)
        else:
            result = simulate(connect(args.rpc_url, num_accounts=args.firms + 10), cfg)
        if args.report:
            from sharing.simulation.report import write_report

            result.report = str(write_report(result, args.report))
        print(json.dumps(result.as_dict(), indent=2))
        return 0 if result.agree else 3
    except SharingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
