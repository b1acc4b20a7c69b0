"""Gas of PESIM on chain (area ``pesim``): per message and per settlement, N = 2..32, both designs.

Each figure comes from the receipts of one round on a fresh ``PesimSettlement``
deployment on the embedded chain (eth-tester and anvil agree to the unit),
with the model's equilibrium messages of a random weighted-effort instance
(``sharing.chain.pesim_gas.measure_round_gas``):

* ``pesim.gas.message.storage.nN``: one ``submit`` that stores the message
  (N words; O(N^2) storage writes per round);
* ``pesim.gas.commit.calldata.nN``: one ``submit`` that stores only the
  message hash (the message travels as calldata and in the event);
* ``pesim.gas.settle.<design>.nN``: the settlement (in the calldata design
  with every message sent again as calldata);
* ``pesim.gas.round.<design>.nN``: open + N registrations + N messages +
  settlement, what a whole round costs the alliance;
* ``pesim.gas.settle_block_share.<design>.n32``: settlement gas over a 30M block.
"""

from __future__ import annotations

from sharing.chain.connect import embedded_chain
from sharing.chain.pesim import BLOCK_GAS_LIMIT, Design
from sharing.chain.pesim_gas import measure_round_gas

SIZES = (2, 4, 8, 16, 32)


def run() -> dict[str, float | int]:
    chain = embedded_chain(max(SIZES) + 2)
    out: dict[str, float | int] = {}
    for n in SIZES:
        for design in (Design.STORAGE, Design.CALLDATA):
            g = measure_round_gas(chain, n, design, random_state=n)
            name = design.name.lower()
            step = "message" if design == Design.STORAGE else "commit"
            out[f"pesim.gas.{step}.{name}.n{n}"] = g.message
            out[f"pesim.gas.settle.{name}.n{n}"] = g.settle
            out[f"pesim.gas.register.{name}.n{n}"] = g.register
            out[f"pesim.gas.open.{name}.n{n}"] = g.open
            out[f"pesim.gas.round.{name}.n{n}"] = g.per_round
            if n == max(SIZES):
                out[f"pesim.gas.settle_block_share.{name}.n{n}"] = g.settle / BLOCK_GAS_LIMIT
    return out
