"""Simulation throughput: 50 firms x 20 rounds, all regimes, on eth-tester and on a default anvil.

The anvil figures are set beside the node's ceiling measured in the same
run on a fresh default anvil (the machine is shared and noisy, so only the
ratio is comparable between runs): one process signing value transfers
locally and sending them in batches of 200 per JSON-RPC request, one block
per batch (:func:`ceiling`). Two ceilings are measured: with the standard
signer (eth-account, ``tx_per_s.ceiling.anvil``, the reference of the
target ``ratio.sim_to_ceiling.anvil >= 0.5``) and with the simulation's own
signer (coincurve, ``tx_per_s.ceiling_fast_signer.anvil``), which only the
node's speed bounds.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from eth_account import Account

from bench.ais import transfers_per_second
from sharing.chain.anvil import anvil_binary, free_port
from sharing.chain.batch import PINNED_BASE_FEE, TRANSFER_GAS, FastSigner, Rpc
from sharing.chain.connect import Chain, embedded_chain, rpc_chain
from sharing.simulation.run import SimulationConfig, simulate

FIRMS = int(os.environ.get("BENCH_SIM_FIRMS", "50"))
ROUNDS = int(os.environ.get("BENCH_SIM_ROUNDS", "20"))
#: Transactions per JSON-RPC request (and per block) in the ceiling measurement.
CEILING_BATCH = 200
CEILING_BATCHES = 15


@contextmanager
def default_anvil(*options: str) -> Iterator[tuple[str, int]]:
    """A fresh anvil with its defaults (10 accounts of 10,000 ether); its URL and process id.

    ``options`` are added to the command line (the national run bounds the node's history).
    """
    port = free_port()
    proc = subprocess.Popen(
        [str(anvil_binary()), "--port", str(port), "--silent", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                Rpc(url).call("eth_chainId")
                break
            except Exception:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def ceiling(url: str, fast: bool) -> float:
    """Value transfers per second: signed here, 200 per request, one block per request."""
    chain = rpc_chain(url)
    rpc = Rpc(url)
    chain_id = int(rpc.call("eth_chainId"), 16)
    sender, to = chain.accounts[0], chain.accounts[1]
    key = chain.key_of(sender)
    sign: Callable[[int], bytes]
    if fast:
        signer = FastSigner(key, chain_id)
        target = bytes.fromhex(to[2:])
        sign = lambda n: signer.sign(n, PINNED_BASE_FEE, TRANSFER_GAS, target, 1, b"")[0]  # noqa: E731
    else:
        account = Account.from_key(key)

        def sign(n: int) -> bytes:
            tx = {
                "nonce": n,
                "gasPrice": PINNED_BASE_FEE,
                "gas": TRANSFER_GAS,
                "to": to,
                "value": 1,
                "data": b"",
                "chainId": chain_id,
            }
            return bytes(account.sign_transaction(tx).raw_transaction)

    nonce = int(rpc.call("eth_getTransactionCount", sender, "pending"), 16)
    rpc.call("evm_setAutomine", False)
    started = time.perf_counter()
    for _ in range(CEILING_BATCHES):
        raw = [sign(nonce + i) for i in range(CEILING_BATCH)]
        nonce += CEILING_BATCH
        rpc.call("anvil_setNextBlockBaseFeePerGas", hex(PINNED_BASE_FEE))
        rpc.batch([("eth_sendRawTransaction", ["0x" + r.hex()]) for r in raw])
        rpc.call("evm_mine")
    seconds = time.perf_counter() - started
    rpc.call("evm_setAutomine", True)
    return CEILING_BATCH * CEILING_BATCHES / seconds


def _strip(result: dict) -> dict:  # type: ignore[type-arg]
    """The economic content of a result: no addresses (they differ between chains)."""
    return {
        k: {kk: vv for kk, vv in v.items() if kk != "rewards_wei"}
        for k, v in result["regimes"].items()
    }


def alliance_check() -> dict[str, float | int]:
    """The issue's acceptance run: 200 firms, 3 rounds, tiered and open, on a default anvil.

    What ``sharing simulate --firms 200 --rounds 3 --regime tiered,open --rpc-url URL``
    does, beside the ceiling measured on a fresh default anvil just before.
    """
    cfg = SimulationConfig(firms=200, rounds=3, regimes=("tiered", "open"), seed=0)
    out: dict[str, float | int] = {}
    with default_anvil() as (url, _):
        reference = ceiling(url, fast=False)
    with default_anvil() as (url, _):
        result = simulate(rpc_chain(url), cfg)
    tiered, open_ = result.regimes["tiered"].alliance, result.regimes["open"].alliance
    assert tiered is not None and open_ is not None
    out["tx_per_s.ceiling.anvil.200x3"] = round(reference, 1)
    out["tx_per_s.sim.anvil.200x3"] = result.chain.tx_per_s
    out["ratio.sim_to_ceiling.anvil.200x3"] = round(result.chain.tx_per_s / reference, 3)
    out["sim.200x3.tiered.all_share_unique"] = int(tiered.unique)
    out["sim.200x3.open.all_share_is_equilibrium"] = int(open_.all_share_is_equilibrium)
    out["sim.200x3.agree"] = int(result.agree and tiered.agree and open_.agree)
    return out


def run() -> dict[str, float | int]:
    cfg = SimulationConfig(firms=FIRMS, rounds=ROUNDS, seed=1)
    size = f"{FIRMS}x{ROUNDS}"
    out: dict[str, float | int] = {}
    result = simulate(embedded_chain(FIRMS + 10), cfg)
    out[f"seconds.sim.{size}.eth_tester"] = result.chain.seconds
    out[f"transactions.sim.{size}"] = result.chain.transactions
    out["tx_per_s.sim.eth_tester"] = result.chain.tx_per_s
    out["tx_per_s.transfer.eth_tester"] = round(transfers_per_second(embedded_chain(2)), 1)
    out[f"sim.{size}.agree"] = int(result.agree)
    with default_anvil() as (url, _):
        out["tx_per_s.ceiling.anvil"] = round(ceiling(url, fast=False), 1)
    with default_anvil() as (url, _):
        out["tx_per_s.ceiling_fast_signer.anvil"] = round(ceiling(url, fast=True), 1)
    with default_anvil() as (url, _):
        chain: Chain = rpc_chain(url)
        on_anvil = simulate(chain, cfg)
    out[f"seconds.sim.{size}.anvil"] = on_anvil.chain.seconds
    out["tx_per_s.sim.anvil"] = on_anvil.chain.tx_per_s
    out["ratio.sim_to_ceiling.anvil"] = round(
        on_anvil.chain.tx_per_s / out["tx_per_s.ceiling.anvil"], 3
    )
    out["ratio.sim_to_ceiling_fast_signer.anvil"] = round(
        on_anvil.chain.tx_per_s / out["tx_per_s.ceiling_fast_signer.anvil"], 3
    )
    out[f"sim.{size}.anvil.agree"] = int(on_anvil.agree)
    out.update(alliance_check())
    out[f"sim.{size}.same_result_both_chains"] = int(
        _strip(result.as_dict()) == _strip(on_anvil.as_dict())
    )
    return out
