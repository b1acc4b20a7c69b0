"""The AisSystem views the role commands stand on, on the embedded chain."""

from __future__ import annotations

import pytest

from sharing.chain.ais import WouldRevert
from sharing.errors import Revert


def test_revealed_hashes__any_chunk_size_same_list(system, actors, life) -> None:
    first, second = b"\x01" * 32, b"\x02" * 32
    life.submit(actors.firm_core, first)
    life.submit(actors.firm_small, second)
    everything = system.revealed_hashes()
    assert everything[-2:] == [first, second]
    assert system.revealed_hashes(chunk=1) == everything == system.revealed_hashes(chunk=3)


def test_member_status__access_until_follows_verified_and_grants(system, actors, life) -> None:
    status = system.member_status(actors.firm_core)
    assert status["member"] and status["tier"] == 1 and status["access_until_epoch"] is None
    life.verify(actors.firm_core, b"\x03" * 32)
    status = system.member_status(actors.firm_core)
    epoch, epochs = status["current_epoch"], int(system.call("access_epochs"))
    assert status["pool_access"] and status["access_until_epoch"] == epoch + epochs - 1
    assert status["claimable_wei"] + status["owed_wei"] > 0 and status["reputation"] > 0
    system.tx("grant_access", actors.firm_small, epoch + 9, sender=actors.governance)
    assert system.member_status(actors.firm_small)["access_until_epoch"] == epoch + 9
    outsider = system.member_status(actors.attacker)
    assert outsider["member"] is False and outsider["tier"] is None
    assert outsider["access_until_epoch"] is None


def test_seat_of__holders_and_others(system, actors) -> None:
    seats = {system.seat_of(p) for p in (actors.panellist_a, actors.panellist_b,
                                         actors.panellist_c)}
    assert seats == {0, 1, 2}
    assert system.seat_of(actors.firm_core) is None


def test_simulate__names_the_revert_and_sends_nothing(system, actors) -> None:
    before = system.chain.w3.eth.get_transaction_count(actors.attacker)
    with pytest.raises(WouldRevert) as info:
        system.simulate("register_member", actors.attacker, 1, sender=actors.attacker)
    assert info.value.reason == Revert.MISSING_ROLE and "nothing sent" in str(info.value)
    assert system.chain.w3.eth.get_transaction_count(actors.attacker) == before
    system.simulate("register_member", actors.attacker, 1, sender=actors.governance)  # would pass


def test_is_valid_signature__an_account_without_code_accepts_nothing(system, actors) -> None:
    assert system.is_valid_signature(actors.firm_core, b"\x00" * 32, b"\x00" * 65) is False
