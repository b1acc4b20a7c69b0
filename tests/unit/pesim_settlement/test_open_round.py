"""open_round(), pause(): happy path with storage and event, each revert, each refused role."""

import pytest
from pesim_helpers import COLLATERAL, MESSAGE_S, REGISTRATION_S, WEI_PER_UNIT, open_round, reverts
from web3 import Web3

from sharing import pesim_fixed as fx
from sharing.chain.pesim import GOVERNOR_ROLE_ID, PAUSER_ROLE_ID, Design, RoundStatus
from sharing.errors import Revert

ZERO = "0x0000000000000000000000000000000000000000"


def test_constructor__roles_and_constants(pesim, roles):
    assert pesim.call("hasRole", GOVERNOR_ROLE_ID, roles.governance)
    assert pesim.call("hasRole", PAUSER_ROLE_ID, roles.governance)
    assert not pesim.call("hasRole", GOVERNOR_ROLE_ID, roles.outsider)
    # the Python mirror uses the contract's constants
    assert pesim.call("X_SCALE") == fx.X_SCALE and pesim.call("PI_SCALE") == fx.PI_SCALE
    assert pesim.call("MAX_ABS_X") == fx.MAX_ABS_X and pesim.call("MAX_PI") == fx.MAX_PI
    assert pesim.call("MAX_N") == fx.MAX_N and pesim.call("MIN_N") == fx.MIN_N
    assert pesim.call("MAX_WEI_PER_UNIT") == fx.MAX_WEI_PER_UNIT
    assert pesim.call("MAX_COLLATERAL_WEI") == fx.MAX_COLLATERAL_WEI
    names = {e.get("name") for e in pesim.contract.artifact.abi}
    assert "set_role_admin" not in names


def test_open_round__stores_terms_and_logs(pesim, roles, design, chain):
    before = pesim.call("round_count")
    receipt = pesim.tx("open_round", roles.members, COLLATERAL, WEI_PER_UNIT, REGISTRATION_S,
                       MESSAGE_S, int(design), sender=roles.governance)
    rid = before + 1
    assert pesim.call("round_count") == rid
    now = chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    info = pesim.round_info(rid)
    assert (info.n, info.design, info.status) == (3, design, RoundStatus.OPEN)
    assert (info.collateral_wei, info.wei_per_unit) == (COLLATERAL, WEI_PER_UNIT)
    assert info.registration_deadline == now + REGISTRATION_S
    assert info.message_deadline == now + REGISTRATION_S + MESSAGE_S
    assert (info.registered, info.submitted) == (0, 0)
    assert pesim.participants(rid) == roles.members
    assert [pesim.call("index_of", rid, m) for m in roles.members] == [0, 1, 2]
    assert pesim.contract.events(receipt, "RoundOpened") == [{
        "round_id": rid, "participants": roles.members, "design": int(design),
        "collateral_wei": COLLATERAL, "wei_per_unit": WEI_PER_UNIT,
        "registration_deadline": now + REGISTRATION_S,
        "message_deadline": now + REGISTRATION_S + MESSAGE_S,
    }]


def addresses(k: int) -> list[str]:
    return [Web3.to_checksum_address(f"0x{i + 1:040x}") for i in range(k)]


def test_open_round__largest_round(pesim):
    rid = open_round(pesim, addresses(fx.MAX_N))
    assert pesim.round_info(rid).n == fx.MAX_N
    assert pesim.participants(rid) == addresses(fx.MAX_N)


def test_open_round__not_governor__reverts(pesim, roles):
    with reverts(Revert.MISSING_ROLE):
        pesim.tx("open_round", roles.members, COLLATERAL, WEI_PER_UNIT, REGISTRATION_S, MESSAGE_S,
                 1, sender=roles.outsider)


@pytest.mark.parametrize("size", [0, 1])
def test_open_round__too_few_participants__reverts(pesim, roles, size):
    with reverts(Revert.TOO_FEW_PARTICIPANTS):
        open_round(pesim, roles.members[:size])


def test_open_round__too_many_participants__reverts(pesim, chain):
    # 33 entries do not even decode as a DynArray[address, 32]
    with pytest.raises(Exception):  # noqa: B017 - an ABI decoding revert carries no reason
        open_round(pesim, addresses(fx.MAX_N + 1))


def test_open_round__duplicate_participant__reverts(pesim, roles):
    with reverts(Revert.DUPLICATE_PARTICIPANT):
        open_round(pesim, [roles.member_a, roles.member_b, roles.member_a])


def test_open_round__zero_address__reverts(pesim, roles):
    with reverts(Revert.PESIM_ZERO_ADDRESS):
        open_round(pesim, [roles.member_a, ZERO])


@pytest.mark.parametrize("collateral", [0, fx.MAX_COLLATERAL_WEI + 1])
def test_open_round__collateral_out_of_bounds__reverts(pesim, roles, collateral):
    with reverts(Revert.COLLATERAL_OUT_OF_BOUNDS):
        open_round(pesim, roles.members, collateral=collateral)


@pytest.mark.parametrize("wei", [0, fx.MAX_WEI_PER_UNIT + 1])
def test_open_round__wei_per_unit_out_of_bounds__reverts(pesim, roles, wei):
    with reverts(Revert.WEI_PER_UNIT_OUT_OF_BOUNDS):
        open_round(pesim, roles.members, wei_per_unit=wei)


@pytest.mark.parametrize("periods", [(59, 600), (600, 59), (30 * 86_400 + 1, 600), (600, 30 * 86_400 + 1)])
def test_open_round__period_out_of_bounds__reverts(pesim, roles, periods):
    with reverts(Revert.PERIOD_OUT_OF_BOUNDS):
        pesim.open_round(roles.members, COLLATERAL, WEI_PER_UNIT, Design.CALLDATA, *periods)


def test_open_round__unknown_design__reverts(pesim, roles):
    with reverts(Revert.UNKNOWN_DESIGN):
        pesim.tx("open_round", roles.members, COLLATERAL, WEI_PER_UNIT, REGISTRATION_S, MESSAGE_S,
                 2, sender=roles.governance)


def test_pause__stops_opening_and_registering_only(pesim, roles):
    rid = open_round(pesim, roles.members)
    r = pesim.tx("pause", sender=roles.governance)
    assert pesim.contract.events(r, "Paused") == [{"account": roles.governance}]
    assert pesim.call("paused")
    with reverts(Revert.PAUSED):
        open_round(pesim, roles.members)
    with reverts(Revert.PAUSED):
        pesim.register(rid, roles.member_a)
    pesim.tx("unpause", sender=roles.governance)
    assert not pesim.call("paused")
    pesim.register(rid, roles.member_a)


def test_pause__not_pauser__reverts(pesim, roles):
    with reverts(Revert.MISSING_ROLE):
        pesim.tx("pause", sender=roles.outsider)
    pesim.tx("pause", sender=roles.governance)
    with reverts(Revert.MISSING_ROLE):
        pesim.tx("unpause", sender=roles.outsider)


def test_unpause__not_paused__reverts(pesim, roles):
    with reverts(Revert.NOT_PAUSED):
        pesim.tx("unpause", sender=roles.governance)


def test_index_of__outsider__reverts(pesim, roles):
    rid = open_round(pesim, roles.members)
    with reverts(Revert.CALLER_IS_NOT_A_PARTICIPANT):
        pesim.call("index_of", rid, roles.outsider)
