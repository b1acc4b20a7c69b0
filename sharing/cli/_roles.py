"""What every role command shares: the node, the deployment, the sender, the checks, the send.

A role command (``sharing admin ...``, ``member``, ``panel``, ``fund``,
``claim``, ``finalise``, ``pool``) takes the same options -
``--rpc-url``, ``--deployment``, a signer (``--keystore``/``--account``/
``--password-file``/``$SHARING_PRIVATE_KEY``), ``--from`` for a node's
unlocked account, the fee options and ``--json`` - through
:func:`role_options`, and opens a :class:`Session` with :func:`open_session`.

The sender is the signer's address when a key is given (its transactions
are signed here and sent raw); without one, ``--from`` names an account
the node has unlocked (a development node). Every command checks what it
can with calls first and then simulates its transaction from the sender
(:meth:`sharing.chain.ais.AisSystem.simulate`), so that a mistake costs one
line on stderr, a non-zero exit and no transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from sharing.cli._common import (
    console,
    deployment_option,
    fee_options,
    json_option,
    policy_from_options,
    rpc_option,
    signer_from_options,
    signer_options,
)
from sharing.errors import ChainError, InputError

if TYPE_CHECKING:
    from sharing.chain.ais import AisSystem
    from sharing.chain.connect import Chain
    from sharing.chain.signer import Signer

#: The options :func:`open_session` reads (all other keyword arguments are the command's own).
SESSION_OPTIONS = (
    "rpc_url",
    "deployment_path",
    "keystore",
    "account",
    "password_file",
    "sender",
    "max_fee_gwei",
    "priority_fee_gwei",
    "confirmations",
    "tx_timeout",
)


def role_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the node, deployment, signer, ``--from``, fee and ``--json`` options."""
    command = json_option(command)
    command = fee_options(command)
    command = click.option(
        "--from",
        "sender",
        default=None,
        metavar="ADDRESS",
        help="Send from this account unlocked on the node (a development node) when no key "
        "is given; with a key, the key's address is the sender.",
    )(command)
    command = signer_options(command)
    command = deployment_option(command)
    return rpc_option(command)


@dataclass
class Session:
    """A connected chain, the deployed alliance, and who sends (None: read-only)."""

    chain: Chain
    system: AisSystem
    deployment_path: Path
    sender: str | None
    signed: bool

    def require_sender(self, what: str) -> str:
        """The sender, or a one-line error saying how to name one."""
        if self.sender is None:
            raise InputError(
                f"{what} needs a sender: --keystore FILE, --account NAME or $SHARING_PRIVATE_KEY "
                "(or --from ADDRESS for an account unlocked on a development node)"
            )
        return self.sender

    def send(self, fn: str, *args: Any, value: int = 0) -> dict[str, Any]:
        """Simulate ``fn`` from the sender (a revert is refused, nothing sent), then send it."""
        sender = self.require_sender(fn)
        self.system.simulate(fn, *args, sender=sender, value=value)
        return self.system.tx(fn, *args, sender=sender, value=value)

    def require_role(self, role_name: str) -> str:
        """The sender, checked to hold ``GOVERNOR_ROLE`` or ``PAUSER_ROLE``."""
        from sharing.chain import ais
        from sharing.chain.ais import WouldRevert
        from sharing.errors import Revert

        sender = self.require_sender(role_name.lower())
        if not self.system.has_role(getattr(ais, role_name), sender):
            raise WouldRevert(
                Revert.MISSING_ROLE,
                role_name,
                f"{sender} does not hold {role_name} on the alliance at {self.system.address}",
            )
        return sender


def open_session(
    *,
    rpc_url: str | None,
    deployment_path: str | None,
    keystore: str | None,
    account: str | None,
    password_file: str | None,
    sender: str | None,
    max_fee_gwei: str | None = None,
    priority_fee_gwei: str | None = None,
    confirmations: int = 1,
    tx_timeout: float = 120.0,
    default_sender: Callable[[AisSystem], str | None] | None = None,
) -> Session:
    """Connect, load the deployment, and settle who sends; nothing is sent here.

    ``default_sender`` may name a sender when neither a key nor ``--from``
    does (governance commands use the deployment's governance account if
    the node has it unlocked).
    """
    from web3 import Web3

    from sharing.chain.connect import rpc_chain
    from sharing.chain.deployment import default_deployment_path, load_deployment

    if not rpc_url:
        raise InputError(
            "this command needs --rpc-url (or $SHARING_RPC_URL): the embedded chain ends "
            "with this process"
        )
    if sender is not None and not Web3.is_address(sender):
        raise InputError(f"--from {sender!r} is not an Ethereum address")
    policy = policy_from_options(max_fee_gwei, priority_fee_gwei, confirmations, tx_timeout)
    signer: Signer | None = signer_from_options(keystore, account, password_file)
    # Without a key or --from the command may only read: a public endpoint with no
    # unlocked account serves it (a command that must send says it needs a sender).
    chain = rpc_chain(rpc_url, signers=[signer] if signer else [], policy=policy,
                      read_only=signer is None and sender is None)
    path = Path(deployment_path) if deployment_path else default_deployment_path(chain)
    system = load_deployment(chain, path)
    who: str | None
    if signer is not None:
        who = signer.address
        if sender is not None and Web3.to_checksum_address(sender) != who:
            raise InputError(
                f"{sender} (--from/--firm) is not the address of the key given ({who}); "
                "drop it: the key's address sends"
            )
    elif sender is not None:
        who = Web3.to_checksum_address(sender)
        if who not in chain.accounts:
            raise ChainError(
                f"--from {who} is not unlocked on the node at {rpc_url}; give its key "
                "(--keystore, --account or $SHARING_PRIVATE_KEY); nothing sent"
            )
    else:
        who = default_sender(system) if default_sender is not None else None
    return Session(chain=chain, system=system, deployment_path=path, sender=who,
                   signed=signer is not None)


def session_from(opts: dict[str, Any], **extra: Any) -> Session:
    """:func:`open_session` on the options :func:`role_options` added."""
    return open_session(**{k: opts[k] for k in SESSION_OPTIONS}, **extra)


def governance_default(system: AisSystem) -> str | None:
    """The deployment's governance account, when the node has it unlocked (a dev node)."""
    return system.governance if system.governance in system.chain.accounts else None


def parse_address(value: str, what: str) -> str:
    """An address argument in checksum form, or a one-line error naming it."""
    from web3 import Web3

    if not Web3.is_address(value):
        raise InputError(f"{what} {value!r} is not an Ethereum address")
    return str(Web3.to_checksum_address(value))


def parse_hash(value: str, what: str = "HASH") -> bytes:
    """A 32-byte content hash given as 64 hex digits (``0x`` optional)."""
    text = value[2:] if value.lower().startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InputError(f"{what} {value!r} is not a content hash (0x and 64 hex digits)")
    return raw


def tx_hash(receipt: dict[str, Any]) -> str:
    """A receipt's transaction hash as ``0x...``."""
    text = receipt["transactionHash"].hex()
    return text if text.startswith("0x") else "0x" + text


def render_fields(title: str) -> Callable[[dict[str, Any]], None]:
    """A renderer printing a result's fields as a two-column table."""

    def render(result: dict[str, Any]) -> None:
        table = Table(title=title)
        table.add_column("field")
        table.add_column("value")
        for key, value in result.items():
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            table.add_row(key, shown)
        console.print(table)

    return render
