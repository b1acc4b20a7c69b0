"""CLI: ``sharing serve`` - the TAXII 2.1 server (and the dashboard) over an alliance's pool.

``sharing serve --demo --port 8000 --tokens-out tokens.json`` starts an
embedded chain with a populated alliance (:mod:`sharing.server.demo`) and
writes ``{address: bearer token}`` for its members, so a TAXII client can
connect at once (docs/taxii.md).  Without ``--demo`` it serves a deployed
alliance: ``--rpc-url``, ``--deployment`` and the pool's database file
``--pool``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sharing.cli._common import deployment_option, rpc_option
from sharing.errors import InputError

if TYPE_CHECKING:
    from sharing.server.context import ServerContext


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds bearer tokens or a secret)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _secret(path: str | None) -> bytes | None:
    """The token secret from a file (created with 32 random bytes if missing)."""
    if path is None:
        return None
    file = Path(path)
    if not file.exists():
        _write_private(file, os.urandom(32).hex())
    try:
        secret = bytes.fromhex(file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError) as exc:
        raise InputError(
            f"--token-secret-file {path}: not hex ({exc.__class__.__name__})"
        ) from None
    if len(secret) < 16:
        raise InputError(f"--token-secret-file {path}: at least 16 bytes of hex, please")
    return secret


@click.command("serve")
@click.option("--demo", is_flag=True, help="Embedded chain with a populated alliance.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--domain", default=None, metavar="HOST:PORT",
              help="Sign-in domain clients connect to (default: HOST:PORT).")
@click.option("--tokens-out", type=click.Path(dir_okay=False), default=None,
              help="With --demo: write {address: token} of the demo members here (mode 0600).")
@click.option("--pool", "pool_path", type=click.Path(dir_okay=False), envvar="SHARING_POOL",
              default=None, help="The pool's SQLite database (default: $SHARING_POOL, else "
              "<deployment file>.pool.sqlite, as `sharing pool` uses).")
@click.option("--report", "report_dir", type=click.Path(file_okay=False), default=None,
              help="A `sharing simulate --report` folder for the dashboard.")
@click.option("--token-secret-file", default=None, metavar="FILE",
              help="Hex HMAC secret for tokens (created if missing), so tokens survive a "
              "restart; default: a new secret each start.")
@rpc_option
@deployment_option
def serve(
    demo: bool,
    host: str,
    port: int,
    domain: str | None,
    tokens_out: str | None,
    pool_path: str | None,
    report_dir: str | None,
    token_secret_file: str | None,
    rpc_url: str | None,
    deployment_path: str | None,
) -> None:
    """Serve TAXII 2.1 at /taxii2/, sign-in at /auth/ and the dashboard at /."""
    import uvicorn

    from sharing.server.app import create_app

    if domain is None and host in ("0.0.0.0", "::"):
        raise InputError(f"--host {host} listens everywhere: give --domain HOST:PORT, the "
                         "address clients connect to (the sign-in messages name it)")
    domain = domain or f"{host}:{port}"
    report = Path(report_dir) if report_dir else None
    if demo:
        if rpc_url or pool_path or deployment_path:
            raise InputError(
                "--demo runs its own chain and pool: drop --rpc-url, --pool and --deployment"
            )
        from sharing.server.demo import build_demo_context

        click.echo("building the demo alliance on an embedded chain ...", err=True)
        ctx, tokens = build_demo_context(domain=domain, report_dir=report)
        if tokens_out:
            _write_private(Path(tokens_out), json.dumps(tokens, indent=2) + "\n")
            click.echo(f"tokens of {len(tokens)} demo members written to {tokens_out}", err=True)
    else:
        if tokens_out:
            raise InputError("--tokens-out is for --demo; members get tokens with `sharing token`")
        ctx = _deployed_context(rpc_url, deployment_path, pool_path, domain, report,
                                _secret(token_secret_file))
    click.echo(f"dashboard at http://{domain}/", err=True)
    click.echo(f"TAXII 2.1 discovery at http://{domain}/taxii2/", err=True)
    uvicorn.run(create_app(ctx), host=host, port=port, log_level="info")


def _deployed_context(
    rpc_url: str | None,
    deployment_path: str | None,
    pool_path: str | None,
    domain: str,
    report: Path | None,
    secret: bytes | None,
) -> ServerContext:
    from sharing.chain.connect import rpc_chain
    from sharing.chain.deployment import default_deployment_path, load_deployment
    from sharing.cli.pool import default_pool_path
    from sharing.pool.sightings import SightingStore
    from sharing.pool.store import PoolStore
    from sharing.server.auth import TokenAuthority
    from sharing.server.chain_view import BlockPinnedView
    from sharing.server.context import ServerContext

    if not rpc_url:
        raise InputError("serve needs --rpc-url (or --demo for an embedded chain)")
    chain = rpc_chain(rpc_url)
    path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
    system = load_deployment(chain, path)
    pool_path = pool_path or str(default_pool_path(path))
    if not Path(pool_path).exists():
        raise InputError(f"no pool database at {pool_path}: members fill it with `sharing pool "
                         "put`; give --pool if it lives elsewhere")
    view = BlockPinnedView(system)
    pool = PoolStore(view, chain_id=chain.chain_id, pool_address=system.address, path=pool_path)
    return ServerContext(
        chain=chain,
        system=system,
        pool=pool,
        auth=TokenAuthority(domain=domain, chain_id=chain.chain_id, secret=secret),
        report_dir=report,
        sightings=SightingStore(pool_path),
        chain_view=view,
    )


COMMANDS: list[click.Command] = [serve]
