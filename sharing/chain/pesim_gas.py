"""The gas of one PESIM round, measured on a fresh ``PesimSettlement`` (``bench/pesim.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sharing import pesim_fixed as fx
from sharing.chain.connect import Chain
from sharing.chain.pesim import MESSAGE_PERIOD_S, REGISTRATION_PERIOD_S, Design, PesimSystem
from sharing.chain.pesim_equilibrium import fixed_equilibrium_messages
from sharing.errors import InputError
from sharing.models.ids_game import random_instance
from sharing.models.pesim import equilibrium_messages, lindahl_prices


@dataclass(frozen=True)
class RoundGas:
    """Gas of one PESIM round of ``n`` participants in one design (from receipts).

    Attributes
    ----------
    open
        ``open_round`` (paid by governance).
    register
        Mean ``register`` (each participant, once).
    message
        Mean ``submit`` (each participant's message: the stored vectors in
        the storage design, the hash plus calldata in the calldata design).
    message_max
        Largest ``submit``.
    settle
        The settlement transaction (messages as calldata in the calldata design).
    """

    n: int
    design: Design
    open: int
    register: int
    message: int
    message_max: int
    settle: int

    @property
    def per_round(self) -> int:
        """Everything a round costs: open, N registrations, N messages, settlement."""
        return self.open + self.n * (self.register + self.message) + self.settle


def measure_round_gas(
    chain: Chain, n: int, design: Design, *, random_state: Any = 0
) -> RoundGas:
    """Run one round of ``n`` participants on a fresh deployment and read its gas.

    The messages are the model's equilibrium messages of a random
    weighted-effort instance (:func:`sharing.models.ids_game.random_instance`),
    so calldata has realistic magnitudes.  Needs ``n + 1`` funded accounts.
    """
    if len(chain.accounts) < n + 1:
        raise InputError(f"measuring N = {n} needs {n + 1} accounts, the chain has "
                         f"{len(chain.accounts)}")
    game = random_instance(n, risk="weighted", random_state=random_state)
    fixed = fixed_equilibrium_messages(equilibrium_messages(lindahl_prices(game)))
    system = PesimSystem.deploy(chain)
    members = chain.accounts[1 : n + 1]
    collateral = 10**18
    receipt = system.tx("open_round", list(members), collateral, fx.DEFAULT_WEI_PER_UNIT,
                        REGISTRATION_PERIOD_S, MESSAGE_PERIOD_S, int(design),
                        sender=system.governance)
    (event,) = system.contract.events(receipt, "RoundOpened")
    rid = int(event["round_id"])
    reg = [int(system.register(rid, p)["gasUsed"]) for p in members]
    sub = [int(system.submit(rid, p, m)["gasUsed"]) for p, m in zip(members, fixed, strict=True)]
    result = system.settle(rid, messages=fixed)
    return RoundGas(
        n=n,
        design=design,
        open=int(receipt["gasUsed"]),
        register=round(sum(reg) / n),
        message=round(sum(sub) / n),
        message_max=max(sub),
        settle=result.gas_used,
    )
