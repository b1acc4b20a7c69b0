"""CLI: ``sharing indicator hash`` / ``submit`` - a STIX bundle file to the chain.

``submit`` checks everything it can before it sends anything: the bundle
(valid STIX 2.1, one indicator, a valid CVSS vector if it claims one), the
category, the node (reachable, the expected chain id), the deployment file
(this network, code at the address), the firm (an unlocked account of the
node, a member of the alliance) and the content (not already taken). A
mistake costs one line on stderr, a non-zero exit and no transaction.
Only then does it commit, wait for a later block, and reveal.

Register with ``cli.add_command`` for each of :data:`COMMANDS`; until then,
``python -m sharing.cli.indicator indicator ...`` runs it under the same
one-line error path as ``sharing``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, deployment_option, emit, json_option, rpc_option
from sharing.errors import ChainError, InputError


def _load_bundle(path: str) -> Any:
    from sharing.standards.stix import load_indicator_bundle

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read bundle {path}: {exc.__class__.__name__}") from None
    try:
        return load_indicator_bundle(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - stix2-validator raises its own errors on odd input
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise InputError(f"{path}: invalid STIX 2.1 bundle: {first}") from None


def _describe(ib: Any) -> dict[str, Any]:
    from sharing.standards.stix import category_name

    return {
        "content_hash": ib.hash_hex,
        "indicator_id": ib.indicator_id,
        "tlp": ib.tlp.label if ib.tlp is not None else None,
        "categories": sorted(category_name(c) for c in ib.tactics),
        "cvss": ib.cvss.vector if ib.cvss is not None else None,
        "score_x10": ib.cvss.score_x10 if ib.cvss is not None else None,
        "canonical_bytes": len(ib.canonical_json),
    }


def _render(r: dict[str, Any]) -> None:
    t = Table(title="Indicator bundle" if "transactions" not in r else "Indicator submitted")
    t.add_column("field")
    t.add_column("value")
    for key, value in r.items():
        t.add_row(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    console.print(t)


@click.group()
def indicator() -> None:
    """Hash and submit STIX 2.1 indicator bundles."""


@indicator.command("hash")
@click.option("--bundle", "bundle_path", required=True, help="STIX 2.1 bundle (JSON file).")
@json_option
def hash_command(bundle_path: str, as_json: bool) -> None:
    """The content hash the chain would hold for a bundle, and what the bundle claims."""
    emit(_describe(_load_bundle(bundle_path)), as_json, _render)


def _category(ib: Any, requested: str | None) -> int:
    from sharing.standards.stix import category_code, category_name

    if requested is None:
        if len(ib.tactics) != 1:
            raise InputError(
                "the bundle names "
                + (f"{len(ib.tactics)} ATT&CK tactics" if ib.tactics else "no ATT&CK tactic")
                + "; choose one with --category"
            )
        return int(next(iter(ib.tactics)))
    code = int(category_code(int(requested) if requested.isdigit() else requested))
    if ib.tactics and code not in ib.tactics:
        names = ", ".join(sorted(category_name(c) for c in ib.tactics))
        raise InputError(
            f"--category {requested!r} is not a tactic of the bundle ({names}); "
            "the panel would reject it"
        )
    return code


def _wait_for_next_block(chain: Any, block: int, timeout: float = 120.0) -> None:
    """Return once a block after ``block`` exists (a dev node mines one; others are awaited)."""
    import time

    deadline = time.monotonic() + timeout
    while chain.w3.eth.block_number <= block:
        chain.mine()  # `evm_mine` on a dev node; a public node ignores it and we wait
        if chain.w3.eth.block_number > block:
            return
        if time.monotonic() > deadline:
            raise ChainError(
                f"no block after the commit (block {block}) within {timeout:.0f} s; "
                "the commitment stays valid for the reveal window"
            )
        time.sleep(0.5)


@indicator.command("submit")
@click.option("--bundle", "bundle_path", required=True, help="STIX 2.1 bundle (JSON file).")
@click.option("--firm", required=True, help="Member account that submits (unlocked on the node).")
@click.option("--category", default=None, help="ATT&CK tactic (default: the bundle's only one).")
@click.option("--class", "claimed_class", default="root", show_default=True,
              help="root | specific.")
@click.option("--chain-id", "expected_chain_id", type=int, default=None,
              help="Refuse to send unless the node reports this chain id.")
@rpc_option
@deployment_option
@json_option
def submit(
    bundle_path: str,
    firm: str,
    category: str | None,
    claimed_class: str,
    expected_chain_id: int | None,
    rpc_url: str | None,
    deployment_path: str | None,
    as_json: bool,
) -> None:
    """Commit and reveal a bundle for a member firm; every check comes before the first send."""
    from web3 import Web3

    from sharing.chain.ais import (
        commitment_of,
        default_deployment_path,
        load_deployment,
        new_salt,
    )
    from sharing.chain.connect import rpc_chain
    from sharing.standards.semantic_key import semantic_key
    from sharing.standards.stix import class_code

    # Offline checks: the bundle, its category and class, the firm's address.
    ib = _load_bundle(bundle_path)
    cat = _category(ib, category)
    cls = int(class_code(claimed_class))
    if not Web3.is_address(firm):
        raise InputError(f"--firm {firm!r} is not an Ethereum address")
    account = Web3.to_checksum_address(firm)
    if not rpc_url:
        raise InputError("submit needs --rpc-url (the embedded chain ends with this process)")
    # The node and the deployment.
    chain = rpc_chain(rpc_url)
    if expected_chain_id is not None and chain.chain_id != expected_chain_id:
        raise ChainError(
            f"the node at {rpc_url} is chain {chain.chain_id}, not chain {expected_chain_id}; "
            "nothing sent"
        )
    path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
    system = load_deployment(chain, path)
    # The firm and the content.
    if account not in chain.accounts:
        raise ChainError(
            f"account {account} is not unlocked on the node at {rpc_url}; nothing sent"
        )
    if not system.is_member(account):
        raise ChainError(
            f"{account} is not a member of the alliance at {system.address}; nothing sent"
        )
    key = semantic_key(ib.canonical_json)
    refusal = system.reveal_refusal(account, ib.content_hash, key)
    if refusal is not None:
        raise ChainError(f"{refusal}; nothing sent")
    # Send: commit, then reveal in a later block.
    salt = new_salt()
    commitment = commitment_of(ib.content_hash, salt, account, cat, cls, key)
    first = system.tx("commit", commitment, sender=account)
    _wait_for_next_block(chain, int(first["blockNumber"]))
    second = system.reveal(account, ib.content_hash, salt, cat, cls, key)
    after = system.indicator(ib.content_hash)
    result = _describe(ib) | {
        "firm": account,
        "category": cat,
        "class": claimed_class,
        "alliance": system.address,
        "chain_id": chain.chain_id,
        "transactions": [first["transactionHash"].hex(), second["transactionHash"].hex()],
        "semantic_key": "0x" + key.hex(),
        "vote_opens": after.vote_opens,
        "vote_closes": after.vote_closes,
    }
    emit(result, as_json, _render)


COMMANDS: list[click.Command] = [indicator]

