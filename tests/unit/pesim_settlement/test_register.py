"""register(): collateral posted exactly once per participant, before registration closes."""

from pesim_helpers import COLLATERAL, REGISTRATION_S, open_round, reverts

from sharing.chain.pesim import Design
from sharing.errors import Revert


def test_register__posts_collateral_and_logs(pesim, roles, chain):
    rid = open_round(pesim, roles.members)
    before = pesim.balance()
    r = pesim.register(rid, roles.member_b)
    assert pesim.round_info(rid).registered == 0b010
    assert pesim.balance() == before + COLLATERAL
    assert pesim.call("locked_collateral") == COLLATERAL
    assert pesim.contract.events(r, "ParticipantRegistered") == [
        {"round_id": rid, "participant": roles.member_b, "index": 1, "collateral_wei": COLLATERAL}]
    assert pesim.contract.events(r, "RegistrationCompleted") == []


def test_register__last_one_completes_registration(pesim, roles):
    rid = open_round(pesim, roles.members)
    pesim.register(rid, roles.member_c)
    pesim.register(rid, roles.member_a)
    r = pesim.register(rid, roles.member_b)
    info = pesim.round_info(rid)
    assert info.registered == 0b111
    assert pesim.contract.events(r, "RegistrationCompleted") == [
        {"round_id": rid, "message_deadline": info.message_deadline}]
    assert pesim.call("locked_collateral") == 3 * COLLATERAL


def test_register__outsider__reverts(pesim, roles):
    rid = open_round(pesim, roles.members)
    with reverts(Revert.CALLER_IS_NOT_A_PARTICIPANT):
        pesim.tx("register", rid, sender=roles.outsider, value=COLLATERAL)


def test_register__twice__reverts(pesim, roles):
    rid = open_round(pesim, roles.members)
    pesim.register(rid, roles.member_a)
    with reverts(Revert.ALREADY_REGISTERED):
        pesim.register(rid, roles.member_a)


def test_register__wrong_collateral__reverts(pesim, roles):
    rid = open_round(pesim, roles.members)
    for value in (0, COLLATERAL - 1, COLLATERAL + 1):
        with reverts(Revert.WRONG_COLLATERAL):
            pesim.tx("register", rid, sender=roles.member_a, value=value)
    assert pesim.balance() == 0


def test_register__after_deadline__reverts(pesim, roles, chain):
    rid = open_round(pesim, roles.members)
    chain.advance_time(REGISTRATION_S)
    with reverts(Revert.REGISTRATION_CLOSED):
        pesim.register(rid, roles.member_a)


def test_register__unknown_round__reverts(pesim, roles):
    with reverts(Revert.UNKNOWN_ROUND):
        pesim.tx("register", 99, sender=roles.member_a, value=COLLATERAL)


def test_register__cancelled_round__reverts(pesim, roles, chain):
    rid = open_round(pesim, roles.members, Design.STORAGE)
    chain.advance_time(REGISTRATION_S)
    pesim.cancel(rid)
    with reverts(Revert.ROUND_NOT_OPEN):
        pesim.tx("register", rid, sender=roles.member_a, value=COLLATERAL)
