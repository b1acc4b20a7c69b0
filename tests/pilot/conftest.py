"""Fixtures of the pilot tests: the node, the proxy and the people (pilot_world.py), the alliance."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from eth_utils import keccak
from pilot_world import (
    CLEARED,
    FUNDS_WEI,
    ROLES,
    Person,
    Pilot,
    start_node,
    start_proxy,
    stop_node,
)
from signer_fixtures import PASSWORD, write_keystore
from web3 import Web3


@pytest.fixture(scope="package")
def pilot_env() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in CLEARED:
            mp.delenv(name, raising=False)
        yield


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory, pilot_env: None) -> Iterator[Pilot]:
    """A block-a-second anvil, the proxy, and seven funded keystore accounts (nothing deployed)."""
    proc, url = start_node("--block-time", "1")
    proxy, server = start_proxy(url)
    tmp = tmp_path_factory.mktemp("pilot")
    try:
        w3 = Web3(Web3.HTTPProvider(url))
        faucet = w3.eth.accounts[0]
        people: dict[str, Person] = {}
        hashes = []
        for role in ROLES:
            key = keccak(text=f"pilot {role}")
            address = Account.from_key(key).address
            assert address not in w3.eth.accounts  # the node does not know these keys
            people[role] = Person(role, address,
                                  write_keystore(tmp / "keys" / f"{role}.json", key))
            hashes.append(w3.eth.send_transaction(
                {"from": faucet, "to": address, "value": FUNDS_WEI}))
        for h in hashes:
            w3.eth.wait_for_transaction_receipt(h, timeout=30)
        password = tmp / "password.txt"
        password.write_text(PASSWORD + "\n", encoding="utf-8")
        yield Pilot(url, proxy, w3, people, password, tmp / "deployments" / "pilot.json", tmp)
    finally:
        server.shutdown()
        stop_node(proc)


@pytest.fixture(scope="package")
def alliance(world: Pilot) -> Pilot:
    """The pilot alliance, set up through the CLI only.

    Deployed by governance's keystore; firm_a (critical) and firm_b (core)
    are members; panel_1..3 are independent panellists (quorum 2); windows
    of a minute to reveal and an hour to vote; 5 ether in the pool.
    """
    gov = "governance"
    r = world.as_(gov, "deploy", "--epoch-length", "3600")
    assert r.code == 0, r.err
    assert world.deployment.exists()
    for firm, tier in (("firm_a", "critical"), ("firm_b", "core")):
        assert world.as_(gov, "admin", "add-member", world.people[firm].address,
                         "--tier", tier).code == 0
    for seat in ("panel_1", "panel_2", "panel_3"):
        r = world.as_(gov, "admin", "appoint", world.people[seat].address, "--independent")
        assert r.code == 0, r.err
    assert world.as_(gov, "admin", "set-windows", "--reveal", "60", "--vote", "3600").code == 0
    assert world.as_(gov, "fund", "--ether", "5").code == 0
    return world


