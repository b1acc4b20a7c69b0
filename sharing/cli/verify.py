"""CLI: ``sharing verify`` - the deployment file's contracts checked against this checkout.

A member receives ``deployments/<chain id>.json`` from the alliance's
governance. Before trusting it with a key, ``verify`` checks, with reads
only, that every contract it names is at its address on this network and
is exactly what this checkout compiles (immutable values aside). Exit 1
when one is not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, deployment_option, emit, json_option, rpc_option
from sharing.errors import ChainError, InputError


@click.command()
@rpc_option
@deployment_option
@json_option
def verify(rpc_url: str | None, deployment_path: str | None, as_json: bool) -> None:
    """Check that each deployed contract is the one this checkout compiles."""
    from sharing.chain.connect import rpc_chain
    from sharing.chain.deployment import default_deployment_path, verify_deployment

    if not rpc_url:
        raise InputError("verify needs --rpc-url (or $SHARING_RPC_URL)")
    chain = rpc_chain(rpc_url, read_only=True)
    path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
    rows = verify_deployment(chain, path)
    result = {"deployment_file": str(path), "chain_id": chain.chain_id, "contracts": rows,
              "ok": all(r["matches"] for r in rows)}

    def render(r: dict[str, Any]) -> None:
        table = Table(title=f"{r['deployment_file']} on chain {r['chain_id']}")
        for col in ("contract", "address", "code", "verdict"):
            table.add_column(col)
        for row in r["contracts"]:
            verdict = "this checkout's code" if row["matches"] else f"NO: {row['why']}"
            table.add_row(row["contract"], str(row["address"]),
                          f"{row.get('code_bytes', '-')} bytes", verdict)
        console.print(table)

    emit(result, as_json, render)
    bad = [f"{r['contract']} at {r['address']}: {r['why']}" for r in rows if not r["matches"]]
    if bad:
        raise ChainError("deployment does not verify: " + "; ".join(bad))


COMMANDS: list[click.Command] = [verify]
