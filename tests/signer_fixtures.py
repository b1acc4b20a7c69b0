"""Helpers shared by the signer tests (library and CLI options); fixtures in conftest.py."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account

from sharing.chain.signer import PASSWORD_ENV, PRIVATE_KEY_ENV

PASSWORD = "correct horse battery staple"
#: Variables a developer's machine may set that must not leak into a test.
ENVIRONMENT = (PRIVATE_KEY_ENV, PASSWORD_ENV, "SHARING_KEYSTORE", "SHARING_ACCOUNT",
               "SHARING_MAX_FEE_GWEI")
#: A cheap scrypt work factor: the tests exercise the format, not the hardness.
CHEAP_SCRYPT = 2**10


def write_keystore(path: Path, key: bytes, password: str = PASSWORD, *, kdf: str = "scrypt",
                   with_address: bool = True) -> Path:
    """A keystore as eth-account writes it; without its address, as ``cast wallet import`` does."""
    iterations = CHEAP_SCRYPT if kdf == "scrypt" else 1_000
    data = Account.encrypt(key, password, kdf=kdf, iterations=iterations)
    if not with_address:
        data.pop("address")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path
