"""Shared CLI helpers: one spelling per flag, one output path, one error path."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
import numpy as np
from rich.console import Console

if TYPE_CHECKING:
    from sharing.chain.signer import Signer
    from sharing.chain.transactions import TxPolicy

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of tables."
)

#: Piped output gets 120 columns, not rich's default of 80, so tables stay readable in logs.
console = Console(width=None if sys.stdout.isatty() else 120)


def to_jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and fractions into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return f if math.isfinite(f) else None
    if hasattr(value, "numerator") and hasattr(value, "denominator") and not isinstance(value, int):
        return float(value)
    return value


def emit(result: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], None]) -> None:
    """Print ``result`` as JSON (``--json``) or through the human ``render`` function."""
    if as_json:
        click.echo(json.dumps(to_jsonable(result), indent=2, sort_keys=False))
    else:
        render(result)


rpc_option = click.option(
    "--rpc-url",
    envvar="SHARING_RPC_URL",
    default=None,
    metavar="URL",
    help="JSON-RPC endpoint (default: $SHARING_RPC_URL, else the embedded chain).",
)

deployment_option = click.option(
    "--deployment",
    "deployment_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Deployment file (default: deployments/<chain id>.json).",
)


# ------------------------------------------------------------ signing and fees
# A firm on a real network signs its own transactions (sharing.chain.signer).
# There is deliberately no --private-key: a command line is visible to every
# user of the machine and kept in shell histories. A raw key comes from
# $SHARING_PRIVATE_KEY only.


def signer_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--keystore FILE``, ``--account NAME`` and ``--password-file FILE``.

    The command receives ``keystore``, ``account`` and ``password_file`` and
    passes them to :func:`signer_from_options`.
    """
    for option in reversed(
        [
            click.option(
                "--keystore",
                envvar="SHARING_KEYSTORE",
                default=None,
                metavar="FILE",
                help="Keystore file (Web3 Secret Storage JSON) holding the sender's key "
                "(default: $SHARING_KEYSTORE).",
            ),
            click.option(
                "--account",
                envvar="SHARING_ACCOUNT",
                default=None,
                metavar="NAME",
                help="Keystore NAME in ~/.foundry/keystores, as `cast wallet import NAME` "
                "writes it ($SHARING_KEYSTORE_DIR overrides the folder).",
            ),
            click.option(
                "--password-file",
                default=None,
                metavar="FILE",
                help="File holding the keystore password (else $SHARING_KEYSTORE_PASSWORD, "
                "else a prompt that does not echo). Without a keystore, the key comes "
                "from $SHARING_PRIVATE_KEY.",
            ),
        ]
    ):
        command = option(command)
    return command


def signer_from_options(
    keystore: str | None, account: str | None, password_file: str | None
) -> Signer | None:
    """The signer named by :func:`signer_options` and the environment, or None.

    None means no key was given: transactions are then sent from the node's
    unlocked accounts, as on a development chain.
    """
    from sharing.chain.signer import load_signer

    return load_signer(keystore=keystore, account=account, password_file=password_file)


def fee_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--max-fee-gwei``, ``--priority-fee-gwei``, ``--confirmations``, ``--tx-timeout``.

    The command receives ``max_fee_gwei``, ``priority_fee_gwei``,
    ``confirmations`` and ``tx_timeout`` and passes them to
    :func:`policy_from_options`.
    """
    for option in reversed(
        [
            click.option(
                "--max-fee-gwei",
                envvar="SHARING_MAX_FEE_GWEI",
                default=None,
                metavar="GWEI",
                help="Cap on the fee per gas; refuse to send when the base fee is above it "
                "(default: $SHARING_MAX_FEE_GWEI, else no cap).",
            ),
            click.option(
                "--priority-fee-gwei",
                default=None,
                metavar="GWEI",
                help="Tip per gas (default: the node's suggestion).",
            ),
            click.option(
                "--confirmations",
                type=int,
                default=1,
                show_default=True,
                help="Blocks, the transaction's included, before it counts as done.",
            ),
            click.option(
                "--tx-timeout",
                type=float,
                default=120.0,
                show_default=True,
                metavar="SECONDS",
                help="Give up waiting (and print the transaction hash) after this long.",
            ),
        ]
    ):
        command = option(command)
    return command


def policy_from_options(
    max_fee_gwei: str | None,
    priority_fee_gwei: str | None,
    confirmations: int,
    tx_timeout: float,
) -> TxPolicy:
    """The transaction policy of :func:`fee_options` (fees converted exactly to wei)."""
    from sharing.chain.transactions import TxPolicy

    return TxPolicy.from_gwei(max_fee_gwei, priority_fee_gwei, confirmations, tx_timeout)
