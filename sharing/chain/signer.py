"""Where a firm's private key comes from, and the one object that holds it.

A member of a real network sends from a key its node does not hold, so the
key must be loaded here and every transaction signed locally
(:mod:`sharing.chain.transactions`). The sources follow the conventions of
the Ethereum tool chain (foundry's ``cast`` and ``forge``, geth), so that a
firm can reuse the key files it already has:

* a keystore file: Web3 Secret Storage JSON (version 3, scrypt or pbkdf2) as
  written by geth, eth-account (``Account.encrypt``) or ``cast wallet
  import``; its password comes from a file (``--password-file``), from
  ``$SHARING_KEYSTORE_PASSWORD``, or from a prompt that does not echo, in
  that order, and the prompt only when standard input is a terminal;
* an account name: the keystore file of that name in foundry's keystore
  folder, ``~/.foundry/keystores`` (``$SHARING_KEYSTORE_DIR`` overrides it,
  for tests and for firms that keep keys elsewhere);
* ``$SHARING_PRIVATE_KEY``, a hex key, for automation (a CI job, a service
  whose secret store fills the environment).

What is never done, and why:

* a key is never read from the command line: a command line is visible to
  every user of the machine (``ps``) and kept in shell histories;
* a key is never printed, logged or serialised: :class:`Signer` shows only
  its address (``repr``, ``str``) and refuses to be pickled, so a debugging
  print, a log line or a traceback cannot carry it away;
* an error never quotes the key or the password, only where they came from.

Errors a user can fix (wrong password, unreadable or invalid keystore,
malformed key, unknown account) are one-line :class:`sharing.errors.InputError`.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.datastructures import SignedMessage, SignedTransaction
from eth_account.messages import SignableMessage
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3

from sharing.errors import InputError

#: Environment variable holding a hex private key (automation).
PRIVATE_KEY_ENV = "SHARING_PRIVATE_KEY"
#: Environment variable holding a keystore's password (automation).
PASSWORD_ENV = "SHARING_KEYSTORE_PASSWORD"
#: Environment variable overriding the folder that ``--account NAME`` looks in.
KEYSTORE_DIR_ENV = "SHARING_KEYSTORE_DIR"
#: foundry's keystore folder, where ``cast wallet import NAME`` writes ``NAME``.
FOUNDRY_KEYSTORES = Path("~/.foundry/keystores")

_HEX_KEY = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")

#: How a password is asked for interactively (``getpass.getpass``, no echo).
Prompt = Callable[[str], str]


class Signer:
    """A private key held in memory, known to the outside by its address only.

    Build one with :meth:`from_key`, :meth:`from_keystore` or
    :func:`load_signer`; attach it to a chain with
    ``Chain.add_signer(signer)``, after which every transaction whose sender
    is ``signer.address`` is signed here and sent raw.

    Parameters
    ----------
    account : LocalAccount
        eth-account's holder of the key.
    source : str
        Where the key came from (``"keystore /path"``, ``"$SHARING_PRIVATE_KEY"``),
        for messages; never the key itself.

    Attributes
    ----------
    address : ChecksumAddress
        The account the key controls.
    source : str
        Where the key came from.
    """

    __slots__ = ("_account", "address", "source")

    def __init__(self, account: LocalAccount, source: str) -> None:
        self._account = account
        self.address: ChecksumAddress = Web3.to_checksum_address(account.address)
        self.source = source

    # ------------------------------------------------------------ builders

    @classmethod
    def from_key(cls, key: str | bytes, source: str = "a private key") -> Signer:
        """A signer from a raw key: 32 bytes, or 64 hex digits with or without ``0x``.

        Raises
        ------
        InputError
            The key is not 32 bytes, or not a valid secp256k1 key (zero, or not
            below the curve order). The message names ``source``, never the key.
        """
        if isinstance(key, str):
            text = key.strip()
            if not _HEX_KEY.fullmatch(text):
                raise InputError(
                    f"{source} is not a private key: expected 64 hex digits (0x optional)"
                )
            raw = bytes.fromhex(text.removeprefix("0x"))
        else:
            raw = bytes(key)
            if len(raw) != 32:
                raise InputError(f"{source} is not a private key: expected 32 bytes")
        try:
            account = Account.from_key(raw)
        except ValueError:
            raise InputError(
                f"{source} is not a valid secp256k1 private key (zero or above the curve order)"
            ) from None
        return cls(account, source)

    @classmethod
    def from_keystore(cls, path: str | Path, password: str) -> Signer:
        """Decrypt a Web3 Secret Storage keystore file.

        Raises
        ------
        InputError
            The file cannot be read, is not a version 3 keystore, the password
            is wrong, or the address it declares is not the key's.
        """
        keystore = read_keystore(path)
        where = f"keystore {path}"
        try:
            raw = Account.decrypt(keystore, password)
        except Exception as exc:  # noqa: BLE001 - eth-keyfile raises several unrelated types
            if "mac mismatch" in str(exc).lower():
                raise InputError(f"wrong password for {where}") from None
            raise InputError(
                f"{where} is not a valid keystore ({exc.__class__.__name__}: {_first_line(exc)})"
            ) from None
        signer = cls.from_key(bytes(raw), source=where)
        declared = keystore.get("address")
        if isinstance(declared, str) and declared:
            try:
                same = Web3.to_checksum_address(_with_0x(declared)) == signer.address
            except ValueError:
                same = False
            if not same:
                raise InputError(
                    f"{where} declares address {declared} but holds the key of {signer.address}"
                )
        return signer

    # ------------------------------------------------------------ signing

    def sign_transaction(self, tx: Mapping[str, Any]) -> SignedTransaction:
        """Sign a complete transaction (chain id, nonce, fees and gas filled in)."""
        return self._account.sign_transaction(dict(tx))

    def sign_message(self, message: SignableMessage) -> SignedMessage:
        """Sign an EIP-191 message: the pool's requests, EIP-712 typed data (version 0x01)."""
        return self._account.sign_message(message)

    # ------------------------------------------------------------ never leak

    def __repr__(self) -> str:
        return f"Signer({self.address})"

    def __str__(self) -> str:
        return str(self.address)

    def __reduce__(self) -> Any:
        # pickle, multiprocessing and deepcopy would write the key out of the process.
        raise TypeError("a Signer holds a private key and is never serialised")

    def __copy__(self) -> Signer:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Signer:
        return self


# ------------------------------------------------------------ key sources


def keystore_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder ``--account NAME`` looks in: ``$SHARING_KEYSTORE_DIR``, else foundry's."""
    env = os.environ if environ is None else environ
    return Path(env.get(KEYSTORE_DIR_ENV) or FOUNDRY_KEYSTORES).expanduser()


def account_keystore(name: str, directory: Path | None = None) -> Path:
    """The keystore file of account ``name``: ``<folder>/<name>`` (or ``<name>.json``).

    ``cast wallet import NAME`` writes ``NAME`` without an extension; a file
    saved by hand as ``NAME.json`` is found too.

    Raises
    ------
    InputError
        ``name`` is not a plain file name, or no such file exists.
    """
    folder = keystore_dir() if directory is None else directory
    if not _ACCOUNT_NAME.fullmatch(name) or name in {".", ".."}:
        raise InputError(f"--account {name!r} is not an account name (a file name in {folder})")
    for candidate in (folder / name, folder / f"{name}.json"):
        if candidate.is_file():
            return candidate
    raise InputError(
        f"no account {name!r} in {folder}: import its key there first "
        f"(`cast wallet import {name} --interactive`) or set ${KEYSTORE_DIR_ENV}"
    )


def read_keystore(path: str | Path) -> dict[str, Any]:
    """Read a keystore file as JSON, checking it looks like Web3 Secret Storage.

    Raises
    ------
    InputError
        The file is unreadable, not JSON, or has no ``crypto`` section.
    """
    p = Path(path)
    text = _read_text(p, f"keystore {p}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise InputError(f"{p} is not a keystore file (not JSON)") from None
    if not isinstance(data, dict) or not isinstance(
        data.get("crypto", data.get("Crypto")), dict
    ):
        raise InputError(f"{p} is not a keystore file (no 'crypto' section)")
    if data.get("version") != 3:
        raise InputError(
            f"{p} is a version {data.get('version')!r} keystore; only version 3 is supported"
        )
    return data


def _read_text(path: Path, what: str) -> str:
    """``path`` as UTF-8 text, or one line naming ``what`` (never its content)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} is not UTF-8 text") from None


def read_password_file(path: str | Path) -> str:
    """The password in ``path``, without its final line ending.

    Only one trailing line ending (LF or CR LF) is removed, as ``echo pw > file``
    adds it; other whitespace is part of the password.
    """
    text = _read_text(Path(path), f"password file {path}")
    return text.removesuffix("\n").removesuffix("\r")


def keystore_password(
    keystore: Path,
    password_file: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    prompt: Prompt | None = None,
    interactive: bool | None = None,
) -> str:
    """The password of ``keystore``: from a file, the environment, or a no-echo prompt.

    Parameters
    ----------
    keystore : Path
        The keystore it unlocks (named in the prompt and in errors).
    password_file : path, optional
        Read first when given.
    environ : mapping, optional
        Where ``$SHARING_KEYSTORE_PASSWORD`` is looked up (``os.environ``).
    prompt : callable, optional
        Asks for the password (``getpass.getpass``: nothing is echoed).
    interactive : bool, optional
        Whether a prompt may be shown; by default, when stdin is a terminal.

    Raises
    ------
    InputError
        No source gives a password: a script must not hang on a prompt.
    """
    if password_file is not None:
        return read_password_file(password_file)
    env = os.environ if environ is None else environ
    if PASSWORD_ENV in env:
        return env[PASSWORD_ENV]
    can_ask = sys.stdin.isatty() if interactive is None else interactive
    if not can_ask:
        raise InputError(
            f"keystore {keystore} needs a password: give --password-file, "
            f"set ${PASSWORD_ENV}, or run in a terminal to be asked"
        )
    ask = prompt or getpass.getpass
    return ask(f"Password for keystore {keystore}: ")


def load_signer(
    keystore: str | Path | None = None,
    account: str | None = None,
    password_file: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    prompt: Prompt | None = None,
    interactive: bool | None = None,
) -> Signer | None:
    """The signer the options and the environment name, or None for none.

    The precedence is the explicit one first: ``keystore`` (a file, or a
    folder together with ``account``), then ``account`` in the keystore
    folder, then ``$SHARING_PRIVATE_KEY``. None means "send from the node's
    unlocked accounts", today's behaviour on a development node.

    Parameters
    ----------
    keystore : path, optional
        A keystore file, or a folder holding ``account``.
    account : str, optional
        An account name in the keystore folder (:func:`keystore_dir`).
    password_file : path, optional
        The keystore's password (see :func:`keystore_password`).
    environ, prompt, interactive
        As in :func:`keystore_password`; ``environ`` also supplies the key.

    Raises
    ------
    InputError
        Contradictory options, or any failure to load the key.
    """
    env = os.environ if environ is None else environ
    path: Path | None = None
    if keystore is not None:
        path = Path(keystore).expanduser()
        if path.is_dir():
            if account is None:
                raise InputError(f"--keystore {path} is a folder: name the account with --account")
            path = account_keystore(account, path)
        elif account is not None:
            raise InputError("give --keystore FILE or --account NAME, not both")
    elif account is not None:
        path = account_keystore(account, keystore_dir(env))
    if path is not None:
        password = keystore_password(
            path, password_file, environ=env, prompt=prompt, interactive=interactive
        )
        return Signer.from_keystore(path, password)
    if password_file is not None:
        raise InputError("--password-file needs --keystore or --account")
    key = env.get(PRIVATE_KEY_ENV)
    if key:
        return Signer.from_key(key, source=f"${PRIVATE_KEY_ENV}")
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _with_0x(address: str) -> str:
    return address if address.startswith(("0x", "0X")) else f"0x{address}"
