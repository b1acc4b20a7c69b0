"""Suite-wide settings: hypothesis profiles chosen by ``HYPOTHESIS_PROFILE``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("campaign", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# ----------------------------------------------------------------- chain fixtures
# Role-named actors are bound to accounts here only (docs/style.md). The chain
# and the deployed alliance are built once per session; every test that uses
# them runs between a snapshot and a revert.

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402

from sharing.chain.ais import AisSystem, new_salt  # noqa: E402
from sharing.chain.connect import Chain, embedded_chain  # noqa: E402

REVEAL_WINDOW = 600
VOTE_WINDOW = 3_600
EPOCH = 86_400
POOL_FUNDS = 10 * 10**18


@dataclass
class Actors:
    governance: str
    firm_critical: str
    firm_core: str
    firm_small: str
    panellist_a: str
    panellist_b: str
    panellist_c: str
    attacker: str
    funder: str
    spare: list[str]


@pytest.fixture(scope="session")
def chain() -> Chain:
    return embedded_chain(num_accounts=20)


@pytest.fixture(scope="session")
def actors(chain: Chain) -> Actors:
    a = chain.accounts
    return Actors(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], list(a[9:]))


@pytest.fixture(scope="session")
def deployed(chain: Chain, actors: Actors) -> AisSystem:
    """The alliance of the demo: one firm per tier, three independent panellists, quorum 2."""
    system = AisSystem.deploy(chain, governance=actors.governance, epoch_length=EPOCH)
    system.register_member(actors.firm_critical, 0)
    system.register_member(actors.firm_core, 1)
    system.register_member(actors.firm_small, 2)
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.appoint_panellist(p)
    system.set_windows(REVEAL_WINDOW, VOTE_WINDOW)
    system.fund(POOL_FUNDS, sender=actors.funder)
    return system


@pytest.fixture
def system(chain: Chain, deployed: AisSystem) -> Iterator[AisSystem]:
    snap = chain.snapshot()
    try:
        yield deployed
    finally:
        chain.revert(snap)


class Lifecycle:
    """Steps of an indicator's life, for tests that need an indicator in some state."""

    def __init__(self, system: AisSystem, actors: Actors) -> None:
        self.system = system
        self.actors = actors

    def submit(self, firm: str, content_hash: bytes, category: int = 0,
               claimed_class: int = 0, semantic_key: bytes | None = None) -> bytes:
        """Commit to the content and its terms, mine a block, reveal; return the salt."""
        salt = new_salt()
        self.system.commit(firm, content_hash, salt, category, claimed_class, semantic_key)
        self.system.chain.mine()
        self.system.reveal(firm, content_hash, salt, category, claimed_class, semantic_key)
        return salt

    def open_voting(self) -> None:
        self.system.chain.advance_time(REVEAL_WINDOW)

    def close_voting(self) -> None:
        self.system.chain.advance_time(VOTE_WINDOW)

    def verify(self, firm: str, content_hash: bytes, score_x10: int = 75, scope: int = 1,
               category: int = 0, claimed_class: int = 0) -> dict:
        """Submit, the whole panel votes valid, finalise at once; return the finalise receipt."""
        self.submit(firm, content_hash, category, claimed_class)
        self.open_voting()
        for p in (self.actors.panellist_a, self.actors.panellist_b, self.actors.panellist_c):
            self.system.vote(p, content_hash, True, score_x10, scope)
        return self.system.finalise(content_hash)


@pytest.fixture
def life(system: AisSystem, actors: Actors) -> Lifecycle:
    return Lifecycle(system, actors)


# ----------------------------------------------------------------- signer fixtures

@pytest.fixture
def signer_environment(monkeypatch, tmp_path) -> None:
    """No key, password or keystore folder of the machine running the tests leaks in."""
    from signer_fixtures import ENVIRONMENT

    from sharing.chain.signer import KEYSTORE_DIR_ENV

    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(KEYSTORE_DIR_ENV, str(tmp_path / "keystores"))


@pytest.fixture
def key() -> bytes:
    """A fresh private key."""
    from eth_account import Account

    return bytes(Account.create().key)
