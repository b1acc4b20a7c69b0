"""Governance attacks: outsiders calling governance, governance outside its bounds, acting while paused.

* Every role-gated function of the ABI is called by the attacker with
  arguments that would otherwise succeed: each reverts with the missing-role
  reason and changes nothing. A new state-changing function that is neither
  in the gated table nor in the user table fails this test until reviewed.
* Random reward tables and price rules (hypothesis): accepted exactly when
  they lie inside the hard bounds, and a rejected one leaves the rules as
  they were.
"""

from __future__ import annotations

from dataclasses import astuple

from attack_helpers import assert_balanced, books, reverts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharing import quote as q
from sharing.chain.ais import GOVERNOR_ROLE, PAUSER_ROLE, AisSystem, Status, new_salt
from sharing.errors import Revert, RevertError

ADMIN_ROLE = b"\x00" * 32
#: Functions anyone (or any member / panellist) may call; everything else must be role-gated.
USER_FUNCTIONS = {"commit", "reveal", "vote", "finalise", "fund", "settle_debts", "claim", "renounceRole"}
MAX_BASE = 100 * 10**18
MAX_MULT, MIN_MULT = 50_000, 1_000


def gated_calls(actors) -> dict[str, tuple]:
    """Arguments that succeed when governance sends them."""
    a = actors
    return {
        "grantRole": (GOVERNOR_ROLE, a.attacker),
        "revokeRole": (GOVERNOR_ROLE, a.governance),
        "pause": (),
        "unpause": (),  # checked while paused, see below
        "register_member": (a.attacker, 0),
        "set_member_tier": (a.firm_small, 0),
        "remove_member": (a.firm_core,),
        "grant_access": (a.attacker, 10**6),
        "appoint_panellist": (a.attacker, "0x" + "00" * 20),
        "remove_panellist": (a.panellist_a,),
        "set_quorum": (3,),
        "set_windows": (60, 60),
        "set_access_rule": (520, True),
        "set_reject_penalty": (0,),
        "set_reward_schedule": ([MAX_BASE] * 3, [MAX_MULT] * 2, [MAX_MULT] * 5, [MAX_MULT] * 3),
        "set_price_rule": (30_000, 30_000, 30_000, 10_000, 10_000),
        "sweep_surplus": (a.funder,),
    }


def rules(system: AisSystem, actors) -> tuple:
    c = system.call
    return (astuple(system.schedule()), astuple(system.price_rule()), c("quorum"), c("panel_size"),
            c("reveal_window"), c("vote_window"), c("access_epochs"), c("pool_open"), c("reject_penalty"),
            c("paused"), [c("seat_holder", i) for i in range(16)],
            [c("hasRole", role, who) for role in (ADMIN_ROLE, GOVERNOR_ROLE, PAUSER_ROLE)
             for who in (actors.attacker, actors.governance)])


def test_outsider__every_gated_function_reverts_and_changes_nothing(system: AisSystem, actors, everyone):
    abi = system.alliance.artifact.abi
    mutating = {f["name"] for f in abi if f["type"] == "function" and f["stateMutability"] not in ("view", "pure")}
    calls = gated_calls(actors)
    assert mutating - USER_FUNCTIONS == set(calls), "review the access control of new functions"
    for caller, states in ((actors.attacker, (False, True)), (actors.firm_critical, (False,)),
                           (actors.panellist_a, (False,))):
        for paused in states:
            if paused:
                system.tx("pause", sender=actors.governance)
            before = (books(system, everyone), rules(system, actors))
            for fn, args in calls.items():
                if fn == ("pause" if paused else "unpause"):
                    continue
                with reverts(Revert.MISSING_ROLE):
                    system.tx(fn, *args, sender=caller)
            assert (books(system, everyone), rules(system, actors)) == before
            if paused:
                system.tx("unpause", sender=actors.governance)
    # The same arguments do go through for governance: the table is not vacuous.
    for fn, args in calls.items():
        if fn not in ("pause", "unpause", "revokeRole", "sweep_surplus"):  # needs a surplus
            system.tx(fn, *args, sender=actors.governance)


def test_renounce_for_someone_else__reverts(system: AisSystem, actors):
    before = rules(system, actors)
    for role in (ADMIN_ROLE, GOVERNOR_ROLE, PAUSER_ROLE):
        with reverts(Revert.RENOUNCE_OTHERS):
            system.tx("renounceRole", role, actors.governance, sender=actors.attacker)
    assert rules(system, actors) == before


def schedule_ok(base, cls, sev, scope) -> bool:
    return (all(b <= MAX_BASE for b in base) and base[0] >= base[1] >= base[2]
            and all(MIN_MULT <= m <= MAX_MULT for m in cls)
            and all(m <= MAX_MULT for m in sev) and list(sev) == sorted(sev)
            and all(MIN_MULT <= m <= MAX_MULT for m in scope) and list(scope) == sorted(scope))


def price_ok(base, lo, hi, decay, rec) -> bool:
    return 1_000 <= lo <= base <= hi <= 30_000 and 5_000 <= decay <= 10_000 and rec <= 10_000


near = st.one_of(st.integers(0, 60_000), st.sampled_from([0, 999, 1_000, 50_000, 50_001, 2**256 - 1]))
wei = st.one_of(st.integers(0, 2 * MAX_BASE), st.sampled_from([MAX_BASE, MAX_BASE + 1, 2**256 - 1]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.lists(wei, min_size=3, max_size=3), cls=st.lists(near, min_size=2, max_size=2),
       sev=st.lists(near, min_size=5, max_size=5), scope=st.lists(near, min_size=3, max_size=3))
def test_reward_schedule__accepted_iff_inside_bounds(chain, deployed: AisSystem, actors, base, cls, sev, scope):
    snap = chain.snapshot()
    try:
        before = deployed.schedule()
        try:
            deployed.tx("set_reward_schedule", base, cls, sev, scope, sender=actors.governance)
            accepted = True
        except RevertError as exc:
            accepted = False
            assert exc.reason.startswith("ais_alliance: ")
            assert deployed.schedule() == before
        assert accepted == schedule_ok(base, cls, sev, scope)
        if accepted:
            assert deployed.schedule() == q.RewardSchedule(tuple(base), tuple(cls), tuple(sev), tuple(scope))
    finally:
        chain.revert(snap)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=st.tuples(*[st.one_of(st.integers(0, 35_000), st.sampled_from([999, 1_000, 30_000, 30_001, 2**256 - 1]))] * 5))
def test_price_rule__accepted_iff_inside_bounds(chain, deployed: AisSystem, actors, rule):
    snap = chain.snapshot()
    try:
        before = deployed.price_rule()
        try:
            deployed.tx("set_price_rule", *rule, sender=actors.governance)
            accepted = True
        except RevertError:
            accepted = False
            assert deployed.price_rule() == before
        assert accepted == price_ok(*rule)
    finally:
        chain.revert(snap)


def test_quorum__never_below_a_strict_majority_whatever_governance_asks(system: AisSystem, actors):
    """For every panel size 0..16, the boundary asks (0, N/2, N+1, 17) are refused."""
    spare = [actors.funder, *actors.spare, actors.attacker]
    for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
        system.tx("remove_panellist", p, sender=actors.governance)
    for size in range(17):
        if size:
            system.appoint_panellist(spare[size - 1] if size <= len(spare) else [actors.panellist_a, actors.panellist_b, actors.panellist_c][size - 1 - len(spare)])
        current = system.call("quorum")
        assert 2 * current > size
        for ask in sorted({0, size // 2, size + 1, 17}):
            ok = 1 <= ask <= max(size, 1) and 2 * ask > size
            if ok:
                continue  # accepted values are covered by the unit tests; here, the refusals
            with reverts(Revert.QUORUM_OUT_OF_BOUNDS if not 1 <= ask <= max(size, 1) else Revert.QUORUM_WOULD_NOT_BE_A_MAJORITY):
                system.set_quorum(ask)
            assert system.call("quorum") == current


def test_pause_during_vote__nothing_lost_indicator_expires_and_returns(system: AisSystem, actors, life, everyone):
    """A pauser freezing the votes until the window closes costs the firm time, never wei."""
    h = b"\x9a" * 32
    life.submit(actors.firm_core, h)
    life.open_voting()
    system.vote(actors.panellist_a, h, True, 80, 1)
    system.tx("pause", sender=actors.governance)
    with reverts(Revert.PAUSED):
        system.vote(actors.panellist_b, h, True, 80, 1)
    life.close_voting()
    before = books(system, everyone)
    system.tx("unpause", sender=actors.governance)
    system.finalise(h)
    assert system.indicator(h).status == Status.EXPIRED
    assert books(system, everyone).accounts == before.accounts
    life.verify(actors.firm_core, h)  # back through the lifecycle, paid once
    assert system.indicator(h).status == Status.VERIFIED
    assert_balanced(system)


def test_price_griefing__junk_never_moves_a_price_floods_stop_at_the_floor(system: AisSystem, actors, rogue, life):
    rule = q.DEFAULT_PRICE_RULE
    cat, other = 5, 6
    # Rejected and expired spam in a category: its price does not move; the spammer loses reputation.
    for i in range(4):
        h = bytes([0xE0, i]) + b"\x00" * 30
        life.submit(rogue, h, category=cat)
        life.open_voting()
        if i % 2 == 0:
            for p in (actors.panellist_a, actors.panellist_b, actors.panellist_c):
                system.vote(p, h, False, 0, 0)
        else:
            life.close_voting()
        system.finalise(h)
    assert system.price_index(cat) == rule.base_bps
    assert system.call("reputation", rogue) == -2 * system.call("reject_penalty")
    # A flood of verified reports drives the price down to the floor and no further.
    p = rule.base_bps
    for i in range(9):
        life.verify(rogue, bytes([0xF0, i]) + b"\x00" * 30, category=cat)
        p = q.decayed_price(p, rule)
        assert system.price_index(cat) == p >= rule.min_bps
    assert system.price_index(cat) == rule.min_bps
    assert system.price_index(other) == rule.base_bps  # other categories untouched
    # ... and it recovers with time, capped by the ceiling.
    system.chain.advance_time(86_400 * 100)
    assert system.price_index(cat) == rule.max_bps


def test_spam_commits__cost_the_spammer_only(system: AisSystem, actors, rogue, life):
    """Commitments that are never revealed block nobody and change nobody's costs."""
    def honest_gas(h: bytes) -> tuple[int, int]:
        salt = b"\x5a" * 32  # fixed: calldata gas depends on the salt's bytes
        c = system.commit(actors.firm_core, h, salt)["gasUsed"]
        system.chain.mine()
        r = system.reveal(actors.firm_core, h, salt)["gasUsed"]
        return c, r

    system.commit(actors.firm_critical, b"\x01" * 32, new_salt())  # commit_count leaves zero
    snap = system.chain.snapshot()
    baseline = honest_gas(b"\x33" * 32)
    system.chain.revert(snap)
    count = system.call("commit_count")
    spent = 0
    for i in range(150):
        spent += system.commit(rogue, i.to_bytes(32, "big"), new_salt())["gasUsed"]
    assert system.call("commit_count") == count + 150
    assert spent >= 150 * 40_000  # the spammer pays for every slot it fills
    assert honest_gas(b"\x33" * 32) == baseline
    system.chain.advance_time(600)  # the spam lapses; nothing to clean up, nothing stuck
    system.tx("remove_member", rogue, sender=actors.governance)
    with reverts(Revert.CALLER_IS_NOT_A_MEMBER):
        system.commit(rogue, b"\x44" * 32, new_salt())
