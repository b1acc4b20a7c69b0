"""The role commands' offline input rules: exact ether, content hashes, addresses, pool paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from sharing.cli._roles import parse_address, parse_hash
from sharing.cli.fund import ether_to_wei
from sharing.cli.pool import default_pool_path
from sharing.errors import InputError


@pytest.mark.parametrize("text, wei", [
    ("1", 10**18), ("2.5", 25 * 10**17), ("0.000000000000000001", 1),
    (" 3 ", 3 * 10**18), ("1e-3", 10**15),
])
def test_ether_to_wei__exact(text: str, wei: int) -> None:
    assert ether_to_wei(text) == wei


@pytest.mark.parametrize("text, needle", [
    ("0", "positive"), ("-2", "positive"), ("nan", "positive"), ("inf", "positive"),
    ("one", "not a number"), ("0.0000000000000000001", "finer than a wei"),
])
def test_ether_to_wei__refused(text: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        ether_to_wei(text)


def test_parse_hash__with_or_without_0x() -> None:
    assert parse_hash("0x" + "ab" * 32) == bytes.fromhex("ab" * 32)
    assert parse_hash("AB" * 32) == bytes.fromhex("ab" * 32)
    for bad in ("0x1234", "zz" * 32, "0x" + "ab" * 33, ""):
        with pytest.raises(InputError, match="not a content hash"):
            parse_hash(bad)


def test_parse_address__checksummed_or_named_error() -> None:
    lower = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    assert parse_address(lower, "ADDRESS") == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    with pytest.raises(InputError, match="--firm 'nobody' is not an Ethereum address"):
        parse_address("nobody", "--firm")


def test_default_pool_path__beside_the_deployment() -> None:
    assert default_pool_path(Path("deployments/31337.json")) == Path(
        "deployments/31337.pool.sqlite")
