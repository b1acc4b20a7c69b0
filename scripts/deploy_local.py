#!/usr/bin/env python3
"""Deploy the alliance locally and keep a node running for other tools.

    python scripts/deploy_local.py                 # embedded chain: deploy, print, exit
    python scripts/deploy_local.py --anvil         # start anvil, deploy, keep it up (Ctrl-C stops)
    python scripts/deploy_local.py --rpc-url URL   # deploy to a running node

With a node, the deployment file (deployments/<chain id>.json) is what later
commands read: `sharing quote --live --rpc-url URL ...`.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

from sharing.chain.ais import AisSystem, default_deployment_path, write_deployment
from sharing.chain.anvil import start_anvil
from sharing.chain.connect import connect
from sharing.errors import SharingError


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--anvil", action="store_true", help="start a local anvil node and keep it running"
    )
    where.add_argument("--rpc-url", help="JSON-RPC endpoint of a running node")
    parser.add_argument("--accounts", type=int, default=20, help="accounts of a started anvil")
    args = parser.parse_args()
    node = start_anvil(accounts=args.accounts) if args.anvil else None
    try:
        chain = connect(node.url if node else args.rpc_url)
        system = AisSystem.deploy(chain)
        path = default_deployment_path(chain)
        record = write_deployment(system, path)
        print(json.dumps({"deployment_file": str(path), **record}, indent=2))
        if node:
            print(f"anvil is running at {node.url}; Ctrl-C stops it", file=sys.stderr)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            while node.process.poll() is None:
                time.sleep(0.5)
        return 0
    except SharingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if node:
            node.stop()


if __name__ == "__main__":
    sys.exit(main())
