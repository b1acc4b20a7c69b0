"""CLI: ``sharing pool put | get | list`` - the off-chain pool, as a member uses it.

The pool is the SQLite store of :class:`sharing.pool.store.PoolStore`, by
default ``<deployment file>.pool.sqlite`` beside the deployment file
(``--pool PATH`` or ``$SHARING_POOL`` elsewhere), gated by the alliance on
chain. Every command signs its request (EIP-712 typed data,
docs/pool_requests.md) with the member's key - the keystore or
``$SHARING_PRIVATE_KEY``, or for ``--from`` an account of a development
node - and hands it to the store, which checks it exactly as it would for a
remote client. ``get`` and ``list`` without a sender see TLP:CLEAR only;
with ``--wallet ADDRESS`` they read for a membership held by a contract
wallet that accepts the key's signature (EIP-1271).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from sharing.cli._common import console, emit
from sharing.cli._roles import (
    Session,
    parse_address,
    parse_hash,
    render_fields,
    role_options,
    session_from,
)
from sharing.errors import InputError

pool_option = click.option(
    "--pool",
    "pool_path",
    envvar="SHARING_POOL",
    default=None,
    metavar="PATH",
    help="Pool database (default: $SHARING_POOL, else <deployment file>.pool.sqlite).",
)


def default_pool_path(deployment_path: Path) -> Path:
    """``deployments/<chain id>.pool.sqlite`` for ``deployments/<chain id>.json``."""
    return deployment_path.with_suffix(".pool.sqlite")


def _store(session: Session, pool_path: str | None) -> Any:
    from sharing.pool.store import PoolStore

    path = Path(pool_path) if pool_path else default_pool_path(session.deployment_path)
    return PoolStore(session.system, chain_id=session.chain.chain_id,
                     pool_address=session.system.address, path=path)


wallet_option = click.option(
    "--wallet",
    default=None,
    metavar="ADDRESS",
    help="Read for a membership held by this contract wallet, which accepts the key's "
    "signature (EIP-1271).",
)


def _request(session: Session, action: str, content_hash: bytes | None = None,
             recipients: tuple[str, ...] = (), wallet: str | None = None) -> Any:
    """A request signed by the sender's key (for ``wallet``, if given), or None without one."""
    from sharing.pool.requests import make_request

    if session.sender is None:
        if wallet is not None:
            raise InputError("--wallet needs the key of its owner (--keystore, --account or "
                             "$SHARING_PRIVATE_KEY)")
        return None
    signer = session.chain.signer_of(session.sender)
    key: Any = signer if signer is not None else session.chain.key_of(session.sender)
    requester = parse_address(wallet, "--wallet") if wallet else None
    return make_request(key, action=action, chain_id=session.chain.chain_id,
                        pool=session.system.address, content_hash=content_hash,
                        recipients=recipients, requester=requester)


@click.group()
def pool() -> None:
    """Put and read STIX bundles in the alliance's off-chain pool."""


@pool.command("put")
@click.option("--bundle", "bundle_path", required=True, help="STIX 2.1 bundle (JSON file).")
@click.option("--recipient", "recipients", multiple=True, metavar="ADDRESS",
              help="For TLP:AMBER+STRICT: a member that may read it (repeatable).")
@pool_option
@role_options
def put(bundle_path: str, recipients: tuple[str, ...], pool_path: str | None,
        **opts: Any) -> None:
    """Store a bundle the sender revealed on chain."""
    from sharing.cli.indicator import _load_bundle

    described = _load_bundle(bundle_path)
    named = tuple(parse_address(r, "--recipient") for r in recipients)
    session = session_from(opts)
    session.require_sender("pool put")
    with _store(session, pool_path) as store:
        text = Path(bundle_path).read_text(encoding="utf-8")
        done = store.put(text, _request(session, "put", described.content_hash, named))
        result = {"content_hash": described.hash_hex, "created": done.created,
                  "tlp": described.tlp.label if described.tlp else None,
                  "recipients": list(named), "submitter": session.sender,
                  "pool": str(Path(pool_path) if pool_path
                              else default_pool_path(session.deployment_path))}
    emit(result, opts["as_json"], render_fields("pool put"))


@pool.command("get")
@click.argument("content_hash", metavar="HASH")
@click.option("--out", "out_path", default=None, metavar="FILE",
              help="Write the bundle here (default: print it).")
@wallet_option
@pool_option
@role_options
def get(content_hash: str, out_path: str | None, wallet: str | None, pool_path: str | None,
        **opts: Any) -> None:
    """Read one bundle (as canonical JSON: re-hash it to check it against the chain)."""
    digest = parse_hash(content_hash)
    session = session_from(opts)
    with _store(session, pool_path) as store:
        stored = store.get(digest, _request(session, "get", digest, wallet=wallet))
    if out_path is not None:
        try:
            Path(out_path).write_text(stored.json_text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {out_path}: {exc.__class__.__name__}") from None
    result = {"content_hash": "0x" + digest.hex(), "tlp": stored.tlp.label,
              "submitter": stored.submitter, "recipients": list(stored.recipients),
              "bytes": len(stored.json_text.encode("utf-8")), "out": out_path}
    if out_path is None:
        result["bundle"] = stored.json_text
    if opts["as_json"]:
        emit(result, True, render_fields("pool get"))
    elif out_path is None:
        click.echo(stored.json_text)
    else:
        render_fields("pool get")(result)


@pool.command("list")
@wallet_option
@pool_option
@role_options
def list_command(wallet: str | None, pool_path: str | None, **opts: Any) -> None:
    """The bundles the sender may read (without a sender: TLP:CLEAR only)."""
    session = session_from(opts)
    with _store(session, pool_path) as store:
        readable = store.readable(_request(session, "list", wallet=wallet))
        total = len(store)
    rows = [{"content_hash": b.hash_hex, "tlp": b.tlp.label, "submitter": b.submitter,
             "put_at": b.put_at} for b in readable]
    reader = parse_address(wallet, "--wallet") if wallet else session.sender
    result = {"reader": reader, "readable": rows, "count": len(rows), "stored": total}

    def render(r: dict[str, Any]) -> None:
        table = Table(title=f"Pool: {r['count']} of {r['stored']} readable by "
                            f"{r['reader'] or 'anyone (unsigned)'}")
        for col in ("content hash", "TLP", "submitter"):
            table.add_column(col)
        for row in r["readable"]:
            table.add_row(row["content_hash"], row["tlp"], row["submitter"])
        console.print(table)

    emit(result, opts["as_json"], render)


COMMANDS: list[click.Command] = [pool]
