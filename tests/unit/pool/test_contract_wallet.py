"""A membership held by a contract wallet reads the pool through its owner's key (EIP-1271)."""

from __future__ import annotations

import pytest
from eth_account import Account

from sharing.chain.compile import load_artifact
from sharing.chain.contract import deploy
from sharing.pool.requests import DenyReason, PoolAccessDenied, make_request
from sharing.pool.store import PoolStore
from sharing.standards.stix import Tlp
from sharing.standards.synthetic import generate_indicator

OWNER = Account.from_key(b"\x07" * 32)
STRANGER = Account.from_key(b"\x08" * 32)


@pytest.fixture
def wallet_pool(system, actors, life):
    """A GREEN bundle in the pool, and a member wallet (owned by OWNER) with pool access."""
    chain = system.chain
    wallet = deploy(chain, load_artifact("SingleOwnerWallet"), OWNER.address,
                    sender=actors.governance).address
    system.register_member(wallet, 1)
    system.tx("grant_access", wallet, int(system.call("current_epoch")) + 1,
              sender=actors.governance)
    item = generate_indicator(41, tlp=Tlp.GREEN)
    life.submit(actors.firm_critical, item.content_hash, item.category, item.indicator_class,
                item.semantic_key)
    store = PoolStore(system, chain_id=chain.chain_id, pool_address=system.address)
    store.put(item.bundle_json, make_request(chain.key_of(actors.firm_critical), action="put",
                                             chain_id=chain.chain_id, pool=system.address,
                                             content_hash=item.content_hash))
    return store, wallet, item


def _get(store, wallet, item, key):
    request = make_request(key, action="get", chain_id=store.chain_id, pool=store.pool_address,
                           content_hash=item.content_hash, requester=wallet)
    return store.get(item.content_hash, request)


def test_contract_wallet__owner_signs__reads(wallet_pool) -> None:
    store, wallet, item = wallet_pool
    assert _get(store, wallet, item, OWNER).content_hash == item.content_hash


def test_contract_wallet__stranger_signs__bad_signature(wallet_pool) -> None:
    store, wallet, item = wallet_pool
    with pytest.raises(PoolAccessDenied) as info:
        _get(store, wallet, item, STRANGER)
    assert info.value.reason is DenyReason.BAD_SIGNATURE


def test_contract_wallet__owner_signs_for_a_plain_account__bad_signature(
    wallet_pool, actors
) -> None:
    """An account without code cannot be spoken for: EIP-1271 needs the requester's code."""
    store, _, item = wallet_pool
    with pytest.raises(PoolAccessDenied) as info:
        _get(store, actors.firm_core, item, OWNER)
    assert info.value.reason is DenyReason.BAD_SIGNATURE
