"""The batch driver's pieces that need no node: the fast signer, log decoding, funding sizes."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from sharing.chain.ais import CONTRACT
from sharing.chain.batch import FastSigner, LogDecoder, derive_keys
from sharing.chain.compile import load_artifact
from sharing.chain.connect import ANVIL_MNEMONIC
from sharing.simulation.funding import plan

KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")


@pytest.mark.parametrize(
    "nonce,value,data", [(0, 0, b""), (7, 10**18, b"\x01\x02"), (2**20, 1, b"x" * 100)]
)
def test_fast_signer__same_bytes_as_eth_account(nonce: int, value: int, data: bytes) -> None:
    to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    raw, tx_hash = FastSigner(KEY, 31337).sign(
        nonce, 10**9, 50_000, bytes.fromhex(to[2:]), value, data
    )
    reference = Account.from_key(KEY).sign_transaction(
        {
            "nonce": nonce,
            "gasPrice": 10**9,
            "gas": 50_000,
            "to": to,
            "value": value,
            "data": data,
            "chainId": 31337,
        }
    )
    assert raw == bytes(reference.raw_transaction)
    assert tx_hash == bytes(reference.hash)
    assert Account.recover_transaction(raw) == Account.from_key(KEY).address


@settings(max_examples=60, deadline=None)
@given(
    nonce=st.integers(0, 2**64 - 1),
    gas_price=st.integers(0, 2**80),
    gas=st.integers(21_000, 2**40),
    value=st.integers(0, 2**256 - 1),
    data=st.binary(max_size=300),
    chain_id=st.sampled_from([1, 31337, 11155111, 2**32]),
)
def test_fast_signer__any_field_sizes__same_bytes_as_eth_account(
    nonce: int, gas_price: int, gas: int, value: int, data: bytes, chain_id: int
) -> None:
    """The hand-written RLP agrees with eth-account at every length boundary (0, 1 byte < 0x80, 55, 56+)."""
    to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    raw, tx_hash = FastSigner(KEY, chain_id).sign(
        nonce, gas_price, gas, bytes.fromhex(to[2:]), value, data
    )
    reference = Account.from_key(KEY).sign_transaction(
        {
            "nonce": nonce,
            "gasPrice": gas_price,
            "gas": gas,
            "to": to,
            "value": value,
            "data": data,
            "chainId": chain_id,
        }
    )
    assert raw == bytes(reference.raw_transaction)
    assert tx_hash == bytes(reference.hash)


def test_derive_keys__are_the_dev_mnemonic_accounts() -> None:
    (first, eleventh) = derive_keys(ANVIL_MNEMONIC, [0, 10])
    assert first == KEY
    expected = Account.from_mnemonic(ANVIL_MNEMONIC, account_path="m/44'/60'/0'/0/10")
    assert eleventh == bytes(expected.key)


def test_log_decoder__decodes_indexed_and_plain_arguments() -> None:
    abi = load_artifact(CONTRACT).abi
    address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    decoder = LogDecoder(abi, address)
    event = next(e for e in abi if e.get("type") == "event" and e["name"] == "RewardCredited")
    types = [i["type"] for i in event["inputs"]]
    topic0 = keccak(text=f"RewardCredited({','.join(types)})")
    firm = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    values = {"firm": firm, "amount": 123, "content_hash": b"\x11" * 32}
    indexed = [i for i in event["inputs"] if i.get("indexed")]
    plain = [i for i in event["inputs"] if not i.get("indexed")]
    sample = {
        i["name"]: values.get(i["name"], 5 if "int" in i["type"] else b"\x22" * 32)
        for i in event["inputs"]
    }
    log = {
        "address": address.lower(),
        "topics": ["0x" + topic0.hex()]
        + ["0x" + encode([i["type"]], [sample[i["name"]]]).hex() for i in indexed],
        "data": "0x" + encode([i["type"] for i in plain], [sample[i["name"]] for i in plain]).hex(),
    }
    other = dict(log, address="0x" + "00" * 20)  # same event from another contract: ignored
    (decoded,) = decoder.events({"logs": [log, other]}, "RewardCredited")
    assert decoded == {k: (to_checksum_address(v) if k == "firm" else v) for k, v in sample.items()}
    assert decoder.events({"logs": [log]}, "IndicatorFinalised") == []


def test_funding_plan__sized_by_the_run_and_within_a_default_account() -> None:
    small = plan(firms=200, panellists=5, rounds=3, max_reward_wei=5 * 10**16, gas_price_wei=10**9)
    large = plan(
        firms=1000, panellists=5, rounds=100, max_reward_wei=5 * 10**16, gas_price_wei=10**9
    )
    assert small.pool_wei == 5 * 10**16 * 200 * 4
    assert large.pool_wei > small.pool_wei and large.panellist_gas_wei > small.panellist_gas_wei
    # the national run fits a default anvil account (10,000 ether) with the gas of every actor
    total = large.pool_wei + large.governance_gas_wei + 1000 * large.firm_gas_wei
    assert total + 5 * large.panellist_gas_wei < 10_000 * 10**18
