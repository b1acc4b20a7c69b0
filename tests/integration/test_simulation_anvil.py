"""The simulation on a default anvil (10 accounts, 10,000 ether): batched, funded to size, same result."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from sharing.chain.anvil import anvil_binary, free_port
from sharing.chain.batch import Rpc
from sharing.chain.connect import embedded_chain, rpc_chain
from sharing.errors import ChainError
from sharing.simulation.run import SimulationConfig, simulate

pytestmark = pytest.mark.anvil

#: More firms than a default anvil has accounts: the rest are derived and funded.
CFG = SimulationConfig(firms=12, rounds=2, regimes=("tiered", "open"), seed=3)


def _anvil(*options: str) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([str(anvil_binary()), "--port", str(port), "--silent", *options])
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                Rpc(url).call("eth_chainId")
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def default_anvil() -> Iterator[str]:
    yield from _anvil()


@pytest.fixture
def interval_anvil() -> Iterator[str]:
    """anvil mining a block every second, as a real chain does."""
    yield from _anvil("--block-time", "1")


def mining_mode(url: str) -> tuple[bool, int | None]:
    """(automine, interval seconds) of the node."""
    automine, interval = Rpc(url).batch(
        [("anvil_getAutomine", []), ("anvil_getIntervalMining", [])]
    )
    return bool(automine), interval


def economic(result: dict) -> dict:
    """What must not depend on the chain: everything but timing and addresses."""
    out = {k: v for k, v in result.items() if k != "chain"}
    for g in out["regimes"].values():
        g["rewards_wei"] = sorted(g["rewards_wei"].values())
    return out


def test_simulate__default_anvil__batched_same_result_as_the_embedded_chain(default_anvil):
    chain = rpc_chain(default_anvil)
    assert len(chain.accounts) == 10
    on_anvil = simulate(chain, CFG).as_dict()
    embedded = simulate(embedded_chain(CFG.firms + 10), CFG).as_dict()
    assert economic(on_anvil) == economic(embedded)
    tiered, open_ = (
        on_anvil["regimes"]["tiered"]["alliance"],
        on_anvil["regimes"]["open"]["alliance"],
    )
    assert tiered["unique"] and tiered["agree"] and tiered["cascade"] == [CFG.firms]
    assert not open_["all_share_is_equilibrium"] and open_["agree"]
    # many transactions per block: far fewer blocks than transactions
    blocks = chain.w3.eth.block_number
    assert on_anvil["chain"]["transactions"] > 3 * blocks


def test_simulate__the_node_mines_afterwards_as_it_did_before(default_anvil, interval_anvil):
    """The batch driver pauses the node's own mining for a phase and gives it back unchanged."""
    cfg = SimulationConfig(firms=4, rounds=1, regimes=("tiered",), seed=3)
    assert mining_mode(default_anvil) == (True, None)
    assert simulate(rpc_chain(default_anvil), cfg).agree
    assert mining_mode(default_anvil) == (True, None)

    assert mining_mode(interval_anvil) == (False, 1)
    result = simulate(rpc_chain(interval_anvil), cfg)
    assert result.agree and result.regimes["tiered"].alliance is not None
    assert result.regimes["tiered"].alliance.unique
    assert mining_mode(interval_anvil) == (False, 1)  # not switched to automining
    chain = rpc_chain(interval_anvil)
    block = chain.w3.eth.block_number
    time.sleep(2.5)
    assert chain.w3.eth.block_number >= block + 2  # still a block a second


def test_simulate__funder_short__one_line_and_nothing_sent(default_anvil):
    chain = rpc_chain(default_anvil)
    funder = chain.accounts[0]
    Rpc(default_anvil).call("anvil_setBalance", funder, hex(10**18))  # 1 ether
    before = chain.w3.eth.block_number
    with pytest.raises(ChainError) as err:
        simulate(chain, CFG)
    message = str(err.value)
    assert "\n" not in message and "short; nothing was sent" in message and funder in message
    assert chain.w3.eth.block_number == before
    assert chain.w3.eth.get_transaction_count(funder) == 0


def test_simulate__default_anvil__pesim_collateral_is_funded_for_derived_firms(default_anvil):
    cfg = SimulationConfig(
        firms=12, rounds=1, regimes=("tiered-pesim",), seed=3, strategies=("always",)
    )
    result = simulate(rpc_chain(default_anvil), cfg)
    game = result.regimes["tiered-pesim"].alliance
    assert result.agree and game is not None and game.unique
