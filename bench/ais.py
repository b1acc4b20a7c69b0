"""Gas per AisAlliance entry point, lifecycle throughput, and an EVM lower bound for each call.

The lower bound is what any implementation must pay for what the call has
to do (Prague/Cancun schedule, EIP-2929 cold access, EIP-2200 SSTORE):
the intrinsic 21,000, the calldata actually sent (16 gas per non-zero
byte, 4 per zero byte), the storage the call must write (a new slot 22,100
= 20,000 + 2,100 cold; an update of a cold slot 5,000 = 2,900 + 2,100) and,
for claim, the value transfer to the sender (9,000 less the unused 2,300
stipend; the sender is already warm). Events and reads are left out: the
bound is what the state change costs, nothing more.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from typing import Any

from eth_utils import keccak

from sharing.chain.ais import AisSystem, new_salt
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import Chain, embedded_chain, rpc_chain

G_TX = 21_000
G_NONZERO = 16
G_ZERO = 4
G_NEW_SLOT = 22_100
G_UPDATE_SLOT = 5_000
# A value call to the (warm) sender: 9,000, of which the 2,300 stipend comes back unused.
G_VALUE_CALL = 9_000 - 2_300
REFUND_CLEAR = 4_800

INDICATORS = 12


def calldata_gas(data: bytes) -> int:
    return sum(G_NONZERO if b else G_ZERO for b in data)


def lower_bound(fn: str, data: bytes) -> int:
    """Minimal gas for ``fn`` given its calldata (see module docstring)."""
    base = G_TX + calldata_gas(data)
    must_store = {
        # the commitment (one new slot, binding sender and time)
        "commit": G_NEW_SLOT,
        # the indicator record and its semantic key's holder (two new slots: one observable,
        # one life); the spent commitment is cleared (refund)
        "reveal": 2 * G_NEW_SLOT + G_UPDATE_SLOT - REFUND_CLEAR,
        # one vote word updated (steady state: not the first vote)
        "vote": G_UPDATE_SLOT,
        # status, the firm's claimable balance, the pool's unallocated balance
        "finalise": 3 * G_UPDATE_SLOT,
        # the claimable balance cleared (refund capped at 1/5 of gas), and the transfer
        "claim": G_UPDATE_SLOT + G_VALUE_CALL,
        # the pool balance
        "fund": G_UPDATE_SLOT,
    }[fn]
    gas = base + must_store
    if fn == "claim":
        gas -= min(REFUND_CLEAR, gas // 5)
    return gas


def lifecycle(
    chain: Chain,
) -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, bytes], int, float]:
    """Deploy, then run INDICATORS full lifecycles; gas per function and throughput."""
    gov, *rest = chain.accounts
    firms, panel = rest[:3], rest[3:6]
    system = AisSystem.deploy(chain, governance=gov)
    for tier, firm in enumerate(firms):
        system.register_member(firm, tier)
    for p in panel:
        system.appoint_panellist(p)
    system.set_windows(60, 3_600)
    gas: dict[str, list[int]] = defaultdict(list)
    execution: dict[str, list[int]] = defaultdict(list)
    sample: dict[str, bytes] = {}
    w3 = chain.w3

    def record(fn: str, receipt: dict[str, Any]) -> None:
        gas[fn].append(int(receipt["gasUsed"]))
        data = bytes(w3.eth.get_transaction(receipt["transactionHash"])["input"])
        sample[fn] = data
        execution[fn].append(int(receipt["gasUsed"]) - G_TX - calldata_gas(data))

    record("fund", system.fund(10**21))
    start_tx = system.alliance.transactions
    started = time.perf_counter()
    for i in range(INDICATORS):
        firm = firms[i % 3]
        h = i.to_bytes(32, "big")
        salt = new_salt()
        terms = (i % 14, i % 2, keccak(h))  # category, class, a distinct semantic key
        record("commit", system.commit(firm, h, salt, *terms))
        chain.mine()
        record("reveal", system.reveal(firm, h, salt, *terms))
        chain.advance_time(60)
        for p in panel:
            record("vote", system.vote(p, h, True, 50 + i, i % 3))
        record("finalise", system.finalise(h))
        record("claim", system.claim(firm))
        record("fund", system.fund(10**15))
    seconds = time.perf_counter() - started
    return gas, execution, sample, system.alliance.transactions - start_tx, seconds


def transfers_per_second(chain: Chain, n: int = 200) -> float:
    a, b = chain.accounts[0], chain.accounts[1]
    started = time.perf_counter()
    for _ in range(n):
        tx = chain.w3.eth.send_transaction({"from": a, "to": b, "value": 1, "gas": 21_000})
        chain.w3.eth.wait_for_transaction_receipt(tx)
    return n / (time.perf_counter() - started)


def run() -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    gas, execution, sample, txs, seconds = lifecycle(embedded_chain(10))
    for fn, used in sorted(gas.items()):
        out[f"gas.{fn}"] = int(statistics.median(used))
        out[f"gas.{fn}.max"] = max(used)
        out[f"gas_lower_bound.{fn}"] = lower_bound(fn, sample[fn])
    # One indicator's whole life with a 3-seat panel (what a member and the panel pay together).
    out["gas.lifecycle_per_indicator"] = sum(
        out[f"gas.{fn}"] * (3 if fn == "vote" else 1)
        for fn in ("commit", "reveal", "vote", "finalise")
    )
    out["tx_per_s.lifecycle.eth_tester"] = round(txs / seconds, 1)
    out["tx_per_s.transfer.eth_tester"] = round(transfers_per_second(embedded_chain(2)), 1)
    with running_anvil(accounts=10) as node:
        chain = rpc_chain(node.url)
        _, execution_a, _, txs, seconds = lifecycle(chain)
        out["tx_per_s.lifecycle.anvil"] = round(txs / seconds, 1)
        out["tx_per_s.transfer.anvil"] = round(transfers_per_second(chain), 1)
        # Salts are random, so calldata gas differs; execution gas must agree to the unit.
        out["gas.execution_agrees.eth_tester_anvil"] = int(execution_a == execution)
    return out
