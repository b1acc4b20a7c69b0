"""CLI: ``sharing token`` - a bearer token for a TAXII client, by Sign-In with Ethereum.

The member's key signs the server's EIP-4361 message locally (the signer
options of every sending command: a keystore, a foundry account or
``$SHARING_PRIVATE_KEY``; never a key on the command line).  Before
signing, the message is checked: it must name the server the user asked
for (its domain), the signer's address and a URI on that server, so a
server cannot get a signature for another site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from sharing.cli._common import emit, json_option, signer_options
from sharing.errors import ChainError, InputError


def _render(result: dict[str, Any]) -> None:
    if result.get("written_to"):
        click.echo(
            f"token for {result['address']} (expires at {result['expires_at']}) written to "
            f"{result['written_to']}"
        )
    else:
        click.echo(result["token"])


def _fields(message: str) -> dict[str, str]:
    lines = message.splitlines()
    found: dict[str, str] = {}
    if lines:
        found["domain"] = lines[0].split(" wants you to sign in", 1)[0]
    if len(lines) > 1:
        found["address"] = lines[1].strip()
    for line in lines:
        key, sep, value = line.partition(": ")
        if sep:
            found[key.strip().lower()] = value.strip()
    return found


@click.command("token")
@click.option("--server", required=True, metavar="URL",
              help="The server's base URL, e.g. http://127.0.0.1:8000/")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write the token to this file (mode 0600) instead of stdout.")
@signer_options
@json_option
def token(
    server: str,
    out: str | None,
    keystore: str | None,
    account: str | None,
    password_file: str | None,
    as_json: bool,
) -> None:
    """Sign in to a server with a member key (EIP-4361) and print a bearer token."""
    import httpx

    from sharing.cli._common import signer_from_options
    from sharing.cli.serve import _write_private

    signer = signer_from_options(keystore, account, password_file)
    if signer is None:
        raise InputError(
            "token needs a signer: --keystore FILE, --account NAME or $SHARING_PRIVATE_KEY"
        )
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"--server {server!r} is not an http(s) URL")
    base = f"{parts.scheme}://{parts.netloc}"
    try:
        with httpx.Client(timeout=30.0) as client:
            nonce = client.get(f"{base}/auth/nonce", params={"address": signer.address})
            nonce.raise_for_status()
            message = str(nonce.json()["message"])
            fields = _fields(message)
            if fields.get("domain") != parts.netloc:
                raise InputError(
                    f"the server asks to sign in to {fields.get('domain')!r}, not "
                    f"{parts.netloc!r}: connect with --server {parts.scheme}://"
                    f"{fields.get('domain')}/ if that is the server you mean; nothing signed"
                )
            if fields.get("address") != signer.address or not fields.get("uri", "").startswith(
                base
            ):
                raise InputError("the server's sign-in message names another address or "
                                 "site; nothing signed")
            from eth_account.messages import encode_defunct

            signature = signer.sign_message(encode_defunct(text=message)).signature
            reply = client.post(
                f"{base}/auth/token",
                json={"message": message, "signature": "0x" + bytes(signature).hex()},
            )
    except httpx.HTTPError as exc:
        raise ChainError(f"cannot reach {base}: {exc.__class__.__name__}: {exc}") from None
    body = reply.json()
    if reply.status_code != 200:
        raise InputError(f"the server refused the sign-in: {body.get('error', reply.text)}")
    result: dict[str, Any] = {
        "address": body["address"],
        "expires_at": body["expires_at"],
        "token": body["token"],
    }
    if out:
        _write_private(Path(out), body["token"] + "\n")
        result = {"address": body["address"], "expires_at": body["expires_at"],
                  "written_to": out}
    emit(result, as_json, _render)


COMMANDS: list[click.Command] = [token]
