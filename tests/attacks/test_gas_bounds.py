"""Unbounded gas on a user-called path: every one measured at its worst case, under a stated cap.

Every loop in ``AisAlliance`` runs over a constant: the panel
(``MAX_PANEL = 16`` seats; the median's insertion sort is 16 x 16 at most)
and the debt queue (``AUTO_SETTLE_DEBTS = 8`` per ``fund``,
``MAX_SETTLE_DEBTS = 64`` per ``settle_debts``). No attacker can make a
user-called function cost more than the worst cases built here:

* commit - the first commitment ever (the counter leaves zero);
* reveal - the larger of a fresh reveal (new slots: head, ballot, terms,
  semantic key) and one that supersedes a younger rival's other bytes of
  the same observable (its head rewritten SUPERSEDED, an extra event);
* vote - the 16th valid vote, by seat 15 (the highest ballot entry);
* finalise - 16 valid votes cast in descending order (the insertion sort's
  worst case), the category's first verified report, and a reward split
  between a credit and a new debt (every money branch); and an early
  decision at quorum (9 of 16 eligible seats) with the 7 other seats
  re-filled after the reveal (silent, may not vote), each read to see that
  nobody is left to wait for;
* fund - settles AUTO_SETTLE_DEBTS debts of 8 different firms;
* settle_debts(64) - 64 debts of 64 different firms;
* claim - a firm's first claim.

The caps are about 25 % above what was measured, and far below a block (30 M gas).
"""

from __future__ import annotations

import pytest

from sharing.chain.ais import AisSystem, Status, commitment_of, new_salt
from sharing.chain.connect import embedded_chain

#: Gas caps per user-called function (measured worst case plus about 25 %).
CAPS = {
    "commit": 94_000,  # measured 75,023
    "reveal": 191_000,  # 152,716 (superseding a rival's other bytes of the observable)
    "vote": 56_000,  # 44,259
    "finalise": 480_000,  # 368,589
    "finalise_silent_seats": 480_000,  # 219,324
    "fund": 390_000,  # 311,492
    "settle_debts_64": 2_670_000,  # 2,129,458
    "claim": 44_000,  # 35,342
}
BLOCK_GAS = 30_000_000
N_DEBTS = 8 + 8 + 64


@pytest.fixture(scope="module")
def worst() -> dict[str, int]:
    chain = embedded_chain(num_accounts=17 + N_DEBTS + 2)
    gov, panel, firms = chain.accounts[0], chain.accounts[1:17], chain.accounts[17:]
    s = AisSystem.deploy(chain, governance=gov)
    s.set_windows(3_600, 3_600)
    for f in firms:
        s.register_member(f, 0)
    for p in panel:
        s.appoint_panellist(p)
    gas: dict[str, int] = {}

    # commit: the very first; reveal: a fresh observable, then superseding a younger rival
    # that revealed the same observable in other bytes (its head is rewritten SUPERSEDED).
    h, rival, key = b"\xee" * 32, b"\xed" * 32, b"\xec" * 32
    salt_old, salt_young = b"\x11" * 32, b"\x22" * 32
    c = commitment_of(h, salt_old, firms[0], 3, 0, key)
    gas["commit"] = s.tx("commit", c, sender=firms[0])["gasUsed"]
    s.commit(firms[1], rival, salt_young, 3, 0, key)
    chain.mine()
    fresh = s.reveal(firms[1], rival, salt_young, 3, 0, key)["gasUsed"]
    gas["reveal"] = max(fresh, s.reveal(firms[0], h, salt_old, 3, 0, key)["gasUsed"])
    assert s.indicator(rival).status == Status.SUPERSEDED

    # vote by seat 15 as the 16th valid vote; finalise with 16 descending scores,
    # a 1-wei pool (a credit and a debt), the category's first verified report.
    s.fund(1)
    chain.advance_time(3_600)
    for seat, p in enumerate(panel):
        r = s.vote(p, h, True, 100 - seat, 2 - seat % 3)
    gas["vote"] = r["gasUsed"]
    assert s.indicator(h).valid_votes == 16
    r = s.finalise(h)
    gas["finalise"] = r["gasUsed"]
    names = [n for n, _ in s.alliance.all_events(r)]
    assert names == ["IndicatorFinalised", "PriceIndexUpdated", "ReputationChanged", "RewardCredited", "RewardOwed"]

    # N_DEBTS more debts, one per firm, through a one-seat panel.
    for p in panel[1:]:
        s.tx("remove_panellist", p, sender=gov)
    hashes = [bytes([0xD0, i]) + b"\x00" * 30 for i in range(N_DEBTS)]
    salts = [new_salt() for _ in hashes]
    debtors = firms[2 : 2 + N_DEBTS]
    s.alliance.transact_many([("commit", (commitment_of(x, y, f, 4, 0),), f) for x, y, f in zip(hashes, salts, debtors, strict=True)])
    chain.mine()
    s.alliance.transact_many([("reveal", (x, x, 4, 0, y), f) for x, y, f in zip(hashes, salts, debtors, strict=True)])
    chain.advance_time(3_600)
    s.alliance.transact_many([("vote", (x, True, 95, 2), panel[0]) for x in hashes])
    s.alliance.transact_many([("finalise", (x,), gov) for x in hashes])
    assert s.call("debt_tail") - s.call("debt_head") == N_DEBTS + 1

    # fund: settles the first debt (finalise's) and 7 more, all in full, 8 different firms.
    r = s.fund(s.call("total_owed") + 10**18)
    gas["fund"] = r["gasUsed"]
    assert len(s.alliance.events(r, "DebtSettled")) == 8
    s.fund(1)  # 8 more
    assert s.call("debt_tail") - s.call("debt_head") == 65
    r = s.tx("settle_debts", 64, sender=firms[-1])
    gas["settle_debts_64"] = r["gasUsed"]
    assert len({e["firm"] for e in s.alliance.events(r, "DebtSettled")}) == 64
    gas["claim"] = s.claim(debtors[-2])["gasUsed"]

    # finalise early at quorum: 16 eligible seats at reveal (quorum 9); 7 of them re-filled
    # after the reveal (silent, may not vote: each is read and passed over), 9 vote valid;
    # a 1-wei pool, the category's first report.
    for p in panel[1:]:
        s.appoint_panellist(p)
    h = b"\xef" * 32
    salt = new_salt()
    s.commit(firms[0], h, salt, 13, 0)
    chain.mine()
    s.reveal(firms[0], h, salt, 13, 0)
    assert s.terms(h).eligible_count == 16 and s.indicator(h).quorum == 9
    spare = firms[-2:] + [gov] + debtors[:4]
    for old, new in zip(panel[9:], spare, strict=True):
        s.tx("remove_panellist", old, sender=gov)
        s.appoint_panellist(new)
    chain.advance_time(3_600)
    for p in panel[:9]:
        s.vote(p, h, True, 100, 2)
    assert s.call("can_finalise", h) and s.call("panel_size") == 16
    r = s.finalise(h)
    gas["finalise_silent_seats"] = r["gasUsed"]
    assert len(s.alliance.events(r, "RewardOwed")) == 1
    return gas


@pytest.mark.parametrize("fn", sorted(CAPS))
def test_gas__worst_case_below_cap(worst, fn):
    assert worst[fn] <= CAPS[fn], f"{fn} used {worst[fn]:,} gas, cap {CAPS[fn]:,}"
    assert worst[fn] < BLOCK_GAS // 10


def test_gas__settle_debts_linear_in_count(worst):
    """Per debt, settlement costs a bounded amount: the 64-debt call is 64 small steps."""
    assert worst["settle_debts_64"] / 64 < 40_000
