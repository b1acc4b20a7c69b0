"""PesimSettlement fixtures: one deployment per session, a snapshot around every test.

Role-named actors (bound to accounts here only): ``governance`` opens rounds,
``member_a/b/c`` (and ``member_d``) are participants in that cyclic order,
``outsider`` is in no round, ``settler`` is an unrelated account that settles.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pesim_helpers import Roles

from sharing.chain.compile import load_artifact
from sharing.chain.connect import Chain
from sharing.chain.contract import Handle, deploy
from sharing.chain.pesim import Design, PesimSystem


@pytest.fixture(scope="session")
def roles(actors) -> Roles:
    return Roles(actors.governance, actors.firm_critical, actors.firm_core, actors.firm_small,
                 actors.spare[0], actors.attacker, actors.funder)


@pytest.fixture(scope="session")
def pesim_deployed(chain: Chain, roles: Roles) -> PesimSystem:
    return PesimSystem.deploy(chain, governance=roles.governance)


@pytest.fixture
def pesim(chain: Chain, pesim_deployed: PesimSystem) -> Iterator[PesimSystem]:
    snap = chain.snapshot()
    try:
        yield pesim_deployed
    finally:
        chain.revert(snap)


@pytest.fixture(scope="session")
def harness(chain: Chain, roles: Roles) -> Handle:
    return deploy(chain, load_artifact("PesimMathHarness"), sender=roles.governance)


@pytest.fixture(params=[Design.STORAGE, Design.CALLDATA], ids=["storage", "calldata"])
def design(request) -> Design:
    return request.param


