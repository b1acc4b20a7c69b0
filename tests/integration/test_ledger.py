"""Every indicator's history and every wei, rebuilt from events alone, equals the contract state."""

from sharing.chain.ais import AisSystem, Status
from sharing.chain.connect import embedded_chain
from sharing.chain.ledger import rebuild
from sharing.demo import run_demo


def test_ledger__rebuild_from_events_matches_storage(chain, system, actors, life):
    # Money paths: credits, a debt queue, settlement, claims.
    life.verify(actors.firm_critical, b"\x01" * 32, score_x10=95, scope=2, category=1)
    life.verify(actors.firm_core, b"\x02" * 32, score_x10=95, scope=2, category=2)
    life.verify(actors.firm_critical, b"\x03" * 32, score_x10=95, scope=2, category=3)
    life.verify(actors.firm_small, b"\x04" * 32, score_x10=95, scope=2, category=4)
    life.verify(actors.firm_critical, b"\x06" * 32, score_x10=95, scope=2, category=5)
    assert system.call("total_owed") > 0  # the pool ran dry: a debt is queued
    life.submit(actors.firm_small, b"\x05" * 32)
    life.open_voting()
    system.vote(actors.panellist_a, b"\x05" * 32, False, 0, 0)
    system.vote(actors.panellist_b, b"\x05" * 32, False, 0, 0)
    system.vote(actors.panellist_c, b"\x05" * 32, False, 0, 0)
    system.finalise(b"\x05" * 32)
    system.claim(actors.firm_core)
    system.fund(10**18, sender=actors.funder)
    ledger = rebuild(system)

    for h, hist in ledger.indicators.items():
        st = system.indicator(h)
        assert (hist.submitter, hist.status, hist.severity_x10, hist.scope, hist.reward) == (
            st.submitter, st.status, st.severity_x10, st.scope, st.reward)
        assert len(hist.votes) == st.valid_votes + st.invalid_votes
    assert ledger.indicators[b"\x05" * 32].status == Status.REJECTED
    for firm in (actors.firm_critical, actors.firm_core, actors.firm_small):
        assert ledger.claimable[firm] == system.call("claimable", firm)
        assert ledger.owed[firm] == system.call("owed", firm)
        assert ledger.reputation[firm] == system.call("reputation", firm)
    assert ledger.unallocated == system.call("unallocated")
    assert ledger.total_owed == system.call("total_owed")
    assert ledger.total_claimable == system.call("total_claimable")
    assert ledger.funded - ledger.claimed == system.balance()


def test_ledger__demo_history_shows_the_defeated_front_runner():
    chain = embedded_chain(10)
    result = run_demo(chain, seed=11)
    system = AisSystem.at(chain, result["chain"]["address"], chain.accounts[0])
    ledger = rebuild(system)
    small, core = chain.accounts[3], chain.accounts[2]
    superseded = [h for h in ledger.indicators.values() if h.superseded]
    assert len(superseded) == 1
    assert superseded[0].superseded == [small] and superseded[0].submitter == core
    assert superseded[0].status == Status.VERIFIED
    paid = sum(h.reward for h in ledger.indicators.values())
    assert paid == sum(r["reward_wei"] for r in result["indicators"])
    assert ledger.claimed == sum(f["claimed_wei"] for f in result["firms"])
