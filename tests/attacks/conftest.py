"""Fixtures of the attack tests (helpers live in ``attack_helpers.py``)."""

from __future__ import annotations

import pytest

from sharing.chain.ais import AisSystem


@pytest.fixture
def everyone(actors) -> list[str]:
    return [actors.governance, actors.firm_critical, actors.firm_core, actors.firm_small,
            actors.panellist_a, actors.panellist_b, actors.panellist_c, actors.attacker,
            actors.funder]


@pytest.fixture
def rogue(system: AisSystem, actors) -> str:
    """The attacker as an admitted member (small-business tier): the insider threat."""
    system.register_member(actors.attacker, 2)
    return actors.attacker
