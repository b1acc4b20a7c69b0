"""Which chain the state machines run on: eth-tester (CI, the default) or titanoboa (the campaign).

``SHARING_CAMPAIGN_BACKEND=boa`` (set by ``campaign.py --backend boa``) puts
the machines on :mod:`boa_backend`; anything else unset means eth-tester.
titanoboa lives in the campaign's own venv (``.venv-campaign``), so it is
imported here only when asked for: ``make test`` never loads it.
"""

from __future__ import annotations

import os

from sharing.chain.ais import AisSystem
from sharing.chain.compile import load_artifact
from sharing.chain.connect import Chain, embedded_chain
from sharing.chain.contract import Handle, deploy
from sharing.chain.pesim import PesimSystem

ENV = "SHARING_CAMPAIGN_BACKEND"
#: The test adversary that forces ether into a contract without calling it (a selfdestruct).
FORCE_FEEDER = "AttackForceFeeder"
BACKENDS = ("eth-tester", "boa")


def selected() -> str:
    """The backend named by ``$SHARING_CAMPAIGN_BACKEND`` (default eth-tester)."""
    name = os.environ.get(ENV, "eth-tester") or "eth-tester"
    if name not in BACKENDS:
        raise ValueError(f"{ENV}={name!r}: choose one of {', '.join(BACKENDS)}")
    return name


def new_chain(num_accounts: int) -> Chain:
    """A fresh chain with funded accounts on the selected backend."""
    if selected() == "boa":
        import boa_backend  # titanoboa: the campaign's venv only

        return boa_backend.boa_chain(num_accounts)
    return embedded_chain(num_accounts=num_accounts)


def deploy_ais(chain: Chain, governance: str, epoch_length: int) -> AisSystem:
    """:meth:`AisSystem.deploy` on ``chain``'s backend."""
    if chain.kind == "boa":
        import boa_backend

        assert isinstance(chain, boa_backend.BoaChain)
        return boa_backend.deploy_ais(chain, governance=governance, epoch_length=epoch_length)
    return AisSystem.deploy(chain, governance=governance, epoch_length=epoch_length)


def deploy_pesim(chain: Chain, governance: str) -> PesimSystem:
    """:meth:`PesimSystem.deploy` on ``chain``'s backend."""
    if chain.kind == "boa":
        import boa_backend

        assert isinstance(chain, boa_backend.BoaChain)
        return boa_backend.deploy_pesim(chain, governance=governance)
    return PesimSystem.deploy(chain, governance=governance)


def deploy_force_feeder(chain: Chain, sender: str, value: int) -> Handle:
    """An ``AttackForceFeeder`` holding ``value`` wei from ``sender``, on ``chain``'s backend.

    Its ``force(target)`` selfdestructs into ``target``: the wei arrive without
    any function of the target running.
    """
    artifact = load_artifact(FORCE_FEEDER)
    if chain.kind == "boa":
        import boa_backend

        assert isinstance(chain, boa_backend.BoaChain)
        return boa_backend.deploy(chain, artifact, sender=sender, value=value)
    return deploy(chain, artifact, sender=sender, value=value)
