"""Governance entry points: happy path with storage and event, each revert, each refused role."""


import pytest
from chain_asserts import reverts

from sharing.chain.ais import GOVERNOR_ROLE, PAUSER_ROLE, AisSystem
from sharing.chain.compile import load_artifact
from sharing.chain.contract import deploy
from sharing.errors import Revert
from sharing.quote import DEFAULT_PRICE_RULE, DEFAULT_SCHEDULE, PriceRule, RewardSchedule

ZERO = "0x0000000000000000000000000000000000000000"


# ------------------------------------------------------------------ deployment

def test_constructor__defaults_match_python_schedule(system: AisSystem):
    assert system.schedule() == DEFAULT_SCHEDULE
    assert system.price_rule() == DEFAULT_PRICE_RULE
    assert system.call("hasRole", GOVERNOR_ROLE, system.governance)
    assert system.call("hasRole", PAUSER_ROLE, system.governance)
    assert system.call("hasRole", b"\x00" * 32, system.governance)


@pytest.mark.parametrize("epoch", [59, 365 * 86_400 + 1])
def test_constructor__epoch_out_of_bounds__reverts(chain, actors, epoch):
    with reverts(Revert.EPOCH_LENGTH_OUT_OF_BOUNDS):
        deploy(chain, load_artifact("AisAlliance"), epoch, sender=actors.governance)


def test_set_role_admin__not_exported(system: AisSystem):
    names = {e.get("name") for e in system.alliance.artifact.abi}
    assert "set_role_admin" not in names
    assert {"grantRole", "revokeRole", "renounceRole", "hasRole", "paused"} <= names


def test_grant_role__by_non_admin__reverts(system: AisSystem, actors):
    with reverts(Revert.MISSING_ROLE):
        system.tx("grantRole", GOVERNOR_ROLE, actors.attacker, sender=actors.attacker)


def test_grant_role__admin_delegates_governance(system: AisSystem, actors):
    system.tx("grantRole", GOVERNOR_ROLE, actors.spare[0], sender=actors.governance)
    system.tx("register_member", actors.spare[1], 2, sender=actors.spare[0])
    assert system.is_member(actors.spare[1])


# --------------------------------------------------------------------- members

def test_register_member__stores_tier_and_logs(system: AisSystem, actors):
    r = system.register_member(actors.spare[0], 1)
    assert system.is_member(actors.spare[0])
    assert system.call("tier_of", actors.spare[0]) == 1
    assert system.alliance.events(r, "MemberRegistered") == [{"firm": actors.spare[0], "tier": 1}]


@pytest.mark.parametrize(
    ("who", "tier", "reason"),
    [
        ("zero", 0, Revert.ZERO_ADDRESS),
        ("new", 3, Revert.UNKNOWN_TIER),
        ("member", 0, Revert.ALREADY_A_MEMBER),
    ],
)
def test_register_member__bad_input__reverts(system: AisSystem, actors, who, tier, reason):
    firm = {"zero": ZERO, "new": actors.spare[0], "member": actors.firm_core}[who]
    with reverts(reason):
        system.register_member(firm, tier)


@pytest.mark.parametrize("caller", ["attacker", "firm_critical", "panellist_a"])
def test_register_member__not_governor__reverts(system: AisSystem, actors, caller):
    with reverts(Revert.MISSING_ROLE):
        system.tx("register_member", actors.spare[0], 0, sender=getattr(actors, caller))


def test_set_member_tier__changes_tier(system: AisSystem, actors):
    r = system.tx("set_member_tier", actors.firm_small, 0, sender=actors.governance)
    assert system.call("tier_of", actors.firm_small) == 0
    assert system.alliance.events(r, "MemberTierChanged") == [{"firm": actors.firm_small, "tier": 0}]


def test_set_member_tier__reverts(system: AisSystem, actors):
    with reverts(Revert.NOT_A_MEMBER):
        system.tx("set_member_tier", actors.attacker, 0, sender=actors.governance)
    with reverts(Revert.UNKNOWN_TIER):
        system.tx("set_member_tier", actors.firm_small, 7, sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_member_tier", actors.firm_small, 0, sender=actors.firm_small)


def test_remove_member__revokes_membership_and_access(system: AisSystem, actors):
    system.tx("grant_access", actors.firm_core, 10, sender=actors.governance)
    assert system.has_access(actors.firm_core)
    r = system.tx("remove_member", actors.firm_core, sender=actors.governance)
    assert not system.is_member(actors.firm_core)
    assert not system.has_access(actors.firm_core)
    assert system.alliance.events(r, "MemberRemoved") == [{"firm": actors.firm_core}]
    with reverts(Revert.NOT_A_MEMBER):
        system.call("tier_of", actors.firm_core)


def test_remove_member__reverts(system: AisSystem, actors):
    with reverts(Revert.NOT_A_MEMBER):
        system.tx("remove_member", actors.attacker, sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx("remove_member", actors.firm_core, sender=actors.firm_critical)


def test_grant_access__until_epoch_inclusive(system: AisSystem, actors):
    assert not system.has_access(actors.firm_small)
    r = system.tx("grant_access", actors.firm_small, 1, sender=actors.governance)
    assert system.alliance.events(r, "AccessGranted") == [{"firm": actors.firm_small, "until_epoch": 1}]
    assert system.has_access(actors.firm_small)
    system.chain.advance_time(86_400)  # epoch 1
    assert system.has_access(actors.firm_small)
    system.chain.advance_time(86_400)  # epoch 2
    assert not system.has_access(actors.firm_small)


def test_grant_access__reverts(system: AisSystem, actors):
    with reverts(Revert.NOT_A_MEMBER):
        system.tx("grant_access", actors.attacker, 5, sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx("grant_access", actors.firm_small, 5, sender=actors.firm_small)


# ---------------------------------------------------------------------- panel

def test_appoint_panellist__takes_free_seat_and_raises_quorum(system: AisSystem, actors):
    assert system.call("panel_size") == 3 and system.call("quorum") == 2
    r = system.appoint_panellist(actors.spare[0], actors.firm_core)
    assert system.call("is_panellist", actors.spare[0])
    assert system.call("panellist_affiliation", actors.spare[0]) == actors.firm_core
    assert system.call("seat_holder", 3) == actors.spare[0]
    assert system.call("panel_size") == 4
    assert system.call("quorum") == 3  # 2 of 4 is not a strict majority
    assert system.alliance.events(r, "PanellistAppointed") == [
        {"panellist": actors.spare[0], "seat": 3, "affiliation": actors.firm_core}
    ]
    assert system.alliance.events(r, "QuorumChanged") == [{"quorum": 3}]


def test_appoint_panellist__reverts(system: AisSystem, actors):
    with reverts(Revert.ZERO_ADDRESS):
        system.appoint_panellist(ZERO)
    with reverts(Revert.ALREADY_A_PANELLIST):
        system.appoint_panellist(actors.panellist_a)
    with reverts(Revert.MISSING_ROLE):
        system.tx("appoint_panellist", actors.spare[0], ZERO, sender=actors.panellist_a)


def test_appoint_panellist__panel_full__reverts(system: AisSystem, actors):
    from eth_account import Account

    for i in range(13):
        system.appoint_panellist(Account.create(f"seat{i}").address)
    assert system.call("panel_size") == 16
    with reverts(Revert.PANEL_IS_FULL):
        system.appoint_panellist(actors.spare[0])


def test_remove_panellist__frees_seat_and_keeps_quorum_feasible(system: AisSystem, actors):
    r = system.tx("remove_panellist", actors.panellist_c, sender=actors.governance)
    assert not system.call("is_panellist", actors.panellist_c)
    assert system.call("seat_holder", 2) == ZERO
    assert system.alliance.events(r, "PanellistRemoved") == [{"panellist": actors.panellist_c, "seat": 2}]
    assert system.call("quorum") == 2
    system.tx("remove_panellist", actors.panellist_b, sender=actors.governance)
    assert system.call("quorum") == 1  # lowered so the single panellist can still decide
    system.appoint_panellist(actors.spare[0])
    assert system.call("seat_holder", 1) == actors.spare[0]  # lowest free seat reused


def test_remove_panellist__reverts(system: AisSystem, actors):
    with reverts(Revert.NOT_A_PANELLIST):
        system.tx("remove_panellist", actors.attacker, sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx("remove_panellist", actors.panellist_a, sender=actors.panellist_b)


def test_set_quorum__within_majority_bounds(system: AisSystem, actors):
    r = system.set_quorum(3)
    assert system.call("quorum") == 3
    assert system.alliance.events(r, "QuorumChanged") == [{"quorum": 3}]
    with reverts(Revert.QUORUM_OUT_OF_BOUNDS):
        system.set_quorum(4)
    with reverts(Revert.QUORUM_OUT_OF_BOUNDS):
        system.set_quorum(0)
    with reverts(Revert.QUORUM_WOULD_NOT_BE_A_MAJORITY):
        system.set_quorum(1)
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_quorum", 2, sender=actors.attacker)


# ------------------------------------------------------------------ parameters

def test_set_windows__bounds(system: AisSystem, actors):
    r = system.set_windows(60, 30 * 86_400)
    assert (system.call("reveal_window"), system.call("vote_window")) == (60, 30 * 86_400)
    assert system.alliance.events(r, "WindowsChanged") == [{"reveal_window": 60, "vote_window": 30 * 86_400}]
    for bad in ((59, 600), (600, 59), (30 * 86_400 + 1, 600), (600, 30 * 86_400 + 1)):
        with reverts(Revert.WINDOW_OUT_OF_BOUNDS):
            system.set_windows(*bad)
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_windows", 600, 600, sender=actors.firm_core)


def test_set_access_rule__bounds_and_open_pool(system: AisSystem, actors):
    assert not system.has_access(actors.firm_core)
    r = system.set_access_rule(2, True)
    assert system.call("pool_open") and system.call("access_epochs") == 2
    assert system.has_access(actors.firm_core)
    assert not system.has_access(actors.attacker)  # open to members, not to everyone
    assert system.alliance.events(r, "AccessRuleChanged") == [{"access_epochs": 2, "pool_open": True}]
    for bad in (0, 521):
        with reverts(Revert.ACCESS_EPOCHS_OUT_OF_BOUNDS):
            system.set_access_rule(bad, False)
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_access_rule", 2, True, sender=actors.firm_core)


def test_set_reject_penalty__bounds(system: AisSystem, actors):
    r = system.tx("set_reject_penalty", 10_000, sender=actors.governance)
    assert system.call("reject_penalty") == 10_000
    assert system.alliance.events(r, "RejectPenaltyChanged") == [{"penalty": 10_000}]
    with reverts(Revert.PENALTY_OUT_OF_BOUNDS):
        system.tx("set_reject_penalty", 10_001, sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_reject_penalty", 1, sender=actors.firm_core)


def test_set_reward_schedule__stores_and_logs(system: AisSystem):
    flat = RewardSchedule((10**17,) * 3, (10_000, 10_000), (0, 10_000, 10_000, 10_000, 10_000),
                          (10_000,) * 3)
    r = system.set_reward_schedule(flat)
    assert system.schedule() == flat
    (ev,) = system.alliance.events(r, "RewardScheduleChanged")
    assert list(ev["base_reward_wei"]) == list(flat.base_wei)


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        (RewardSchedule((101 * 10**18, 0, 0)), Revert.REWARD_OUT_OF_BOUNDS),
        (RewardSchedule((1, 2, 0)), Revert.TIERS_OUT_OF_ORDER),
        (RewardSchedule(class_bps=(999, 10_000)), Revert.MULTIPLIER_OUT_OF_BOUNDS),
        (RewardSchedule(class_bps=(50_001, 10_000)), Revert.MULTIPLIER_OUT_OF_BOUNDS),
        (RewardSchedule(severity_bps=(0, 0, 0, 0, 50_001)), Revert.MULTIPLIER_OUT_OF_BOUNDS),
        (RewardSchedule(severity_bps=(0, 5, 4, 6, 7)), Revert.SEVERITY_OUT_OF_ORDER),
        (RewardSchedule(scope_bps=(999, 10_000, 10_000)), Revert.MULTIPLIER_OUT_OF_BOUNDS),
        (RewardSchedule(scope_bps=(20_000, 10_000, 30_000)), Revert.SCOPE_OUT_OF_ORDER),
    ],
)
def test_set_reward_schedule__outside_bounds__reverts(system: AisSystem, schedule, reason):
    with reverts(reason):
        system.set_reward_schedule(schedule)
    assert system.schedule() == DEFAULT_SCHEDULE


def test_set_reward_schedule__not_governor__reverts(system: AisSystem, actors):
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_reward_schedule", [1, 1, 1], [10_000] * 2, [0] * 5, [10_000] * 3,
                  sender=actors.firm_critical)


def test_set_price_rule__stores_and_logs(system: AisSystem):
    rule = PriceRule(12_000, 1_000, 30_000, 5_000, 10_000)
    r = system.set_price_rule(rule)
    assert system.price_rule() == rule
    assert system.alliance.events(r, "PriceRuleChanged") == [
        {"base_bps": 12_000, "min_bps": 1_000, "max_bps": 30_000, "decay_bps": 5_000, "recovery_bps": 10_000}
    ]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        (PriceRule(10_000, 999, 20_000, 9_000, 0), Revert.PRICE_BOUNDS_OUT_OF_ORDER),
        (PriceRule(10_000, 5_000, 30_001, 9_000, 0), Revert.PRICE_BOUNDS_OUT_OF_ORDER),
        (PriceRule(4_000, 5_000, 20_000, 9_000, 0), Revert.PRICE_BOUNDS_OUT_OF_ORDER),
        (PriceRule(25_000, 5_000, 20_000, 9_000, 0), Revert.PRICE_BOUNDS_OUT_OF_ORDER),
        (PriceRule(10_000, 5_000, 20_000, 4_999, 0), Revert.DECAY_OUT_OF_BOUNDS),
        (PriceRule(10_000, 5_000, 20_000, 10_001, 0), Revert.DECAY_OUT_OF_BOUNDS),
        (PriceRule(10_000, 5_000, 20_000, 9_000, 10_001), Revert.RECOVERY_OUT_OF_BOUNDS),
    ],
)
def test_set_price_rule__outside_bounds__reverts(system: AisSystem, rule, reason):
    with reverts(reason):
        system.set_price_rule(rule)


def test_set_price_rule__not_governor__reverts(system: AisSystem, actors):
    with reverts(Revert.MISSING_ROLE):
        system.tx("set_price_rule", 10_000, 5_000, 20_000, 9_000, 0, sender=actors.attacker)


# ---------------------------------------------------------------------- pause

def test_pause__blocks_lifecycle_not_money(system: AisSystem, actors, life):
    h = b"\x01" * 32
    life.verify(actors.firm_core, h)
    h2 = b"\x02" * 32
    salt = life.submit(actors.firm_small, h2)
    r = system.tx("pause", sender=actors.governance)
    assert system.call("paused")
    assert system.alliance.events(r, "Paused") == [{"account": actors.governance}]
    with reverts(Revert.PAUSED):
        system.commit(actors.firm_core, b"\x03" * 32, salt)
    with reverts(Revert.PAUSED):
        system.reveal(actors.firm_small, h2, salt, 0, 0)
    life.open_voting()
    with reverts(Revert.PAUSED):
        system.vote(actors.panellist_a, h2, True, 50, 0)
    with reverts(Revert.PAUSED):
        system.finalise(h2)
    # Money never trapped by a pause.
    system.fund(1, sender=actors.funder)
    assert system.claim(actors.firm_core)["status"] == 1
    with reverts(Revert.PAUSED):
        system.tx("pause", sender=actors.governance)
    r = system.tx("unpause", sender=actors.governance)
    assert not system.call("paused")
    assert system.alliance.events(r, "Unpaused") == [{"account": actors.governance}]
    with reverts(Revert.NOT_PAUSED):
        system.tx("unpause", sender=actors.governance)


@pytest.mark.parametrize("fn", ["pause", "unpause"])
def test_pause__not_pauser__reverts(system: AisSystem, actors, fn):
    if fn == "unpause":
        system.tx("pause", sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx(fn, sender=actors.panellist_a)


def test_renounce_role__own_role_only(system: AisSystem, actors):
    with reverts(Revert.RENOUNCE_OTHERS):
        system.tx("renounceRole", PAUSER_ROLE, actors.governance, sender=actors.attacker)
    r = system.tx("renounceRole", PAUSER_ROLE, actors.governance, sender=actors.governance)
    assert not system.call("hasRole", PAUSER_ROLE, actors.governance)
    assert system.alliance.events(r, "RoleRevoked") == [
        {"role": PAUSER_ROLE, "account": actors.governance, "sender": actors.governance}
    ]
    with reverts(Revert.MISSING_ROLE):
        system.tx("pause", sender=actors.governance)


def test_revoke_role__admin_removes_a_governor(system: AisSystem, actors):
    system.tx("grantRole", GOVERNOR_ROLE, actors.spare[0], sender=actors.governance)
    system.tx("revokeRole", GOVERNOR_ROLE, actors.spare[0], sender=actors.governance)
    with reverts(Revert.MISSING_ROLE):
        system.tx("register_member", actors.spare[1], 2, sender=actors.spare[0])
    with reverts(Revert.MISSING_ROLE):
        system.tx("revokeRole", GOVERNOR_ROLE, actors.governance, sender=actors.attacker)
