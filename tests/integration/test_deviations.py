"""The deviation audit on chain: no strategic move beats honest sharing; the audit can see one that does."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sharing.bots.strategic import MOVES, reissue
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import embedded_chain, rpc_chain
from sharing.cli import main
from sharing.simulation.deviations import ACCOUNTS_NEEDED, DeviationAudit, audit_deviations
from sharing.standards.semantic_key import semantic_key
from sharing.standards.stix import load_indicator_bundle
from sharing.standards.synthetic import generate_indicator


@pytest.fixture(scope="module")
def embedded() -> dict:
    """One full audit on the embedded chain, shared by the tests that read it (about 20 s)."""
    return audit_deviations(embedded_chain(num_accounts=ACCOUNTS_NEEDED))


def test_audit__no_move_pays_for_any_tier_on_the_embedded_chain(embedded):
    result = embedded
    rows = [r for r in result["deviations"] if not r["name"].startswith("pesim ")]
    assert {(r["tier"], r["name"]) for r in rows} == {
        (t, m) for t in ("critical", "core", "small") for m in MOVES
    }
    assert result["any_pays"] is False and result["best_gain"] <= 0
    by = {(r["tier"], r["name"]): r for r in rows}
    for tier in ("critical", "core", "small"):
        # The chain refused what the rules refuse, with the named reason ...
        for move in ("reworded-duplicate", "revoke-reissue", "copy-peer"):
            assert by[tier, move]["refused"] == ["ais_alliance: duplicate observable"]
        assert by[tier, "panel-timing"]["refused"] == ["ais_alliance: seat not eligible"]
        # ... and each move that reaches a vote loses strictly (the panel rejects it).
        for move in ("withhold", "junk", "copy-peer", "misdeclared-category", "panel-timing",
                     "bribe-minority"):
            assert by[tier, move]["gain"] < 0, (tier, move)
        # Moves refused outright, or a bribe the median absorbs, gain exactly nothing.
        for move in ("reworded-duplicate", "revoke-reissue", "bribe-inflate"):
            assert by[tier, move]["gain"] == 0, (tier, move)


def test_audit__pesim_rows__attack_refused_nothing_pays_for_any_tier(embedded):
    """The PESIM round of the tiered-pesim regime (one member per tier, collateral one
    unit): the price-zero attack's moves below zero are refused, the rest lose or tie."""
    rows = [r for r in embedded["deviations"] if r["name"].startswith("pesim ")]
    assert {r["tier"] for r in rows} == {"critical", "core", "small"}
    assert not any(r["pays"] for r in rows)
    below = [r for r in rows if r["name"].startswith("pesim below-zero")]
    assert below and all(r["refused"] == ["pesim_settlement: negative investment"] for r in below)
    played = [r for r in rows if not r["refused"]]
    assert played and all(r["gain"] <= 2 for r in played)  # 2 wei: the settlement's rounding


def test_audit__bribed_majority_pays__the_measure_can_fail():
    """Buying 2 of 3 seats is outside the threat model (a majority decides by design):
    the audit must report it as paying, or it could not report anything."""
    audit = DeviationAudit.create(embedded_chain(num_accounts=ACCOUNTS_NEEDED))
    audit.bribed_seats = 2
    (row,) = [r for r in audit.run(["bribe-minority"]) if r.tier == "small"]
    assert row.pays and row.gain > 0


def test_reissue__same_key_new_hash_still_a_valid_bundle():
    ind = generate_indicator(np.random.default_rng(7), tlp="green")
    for revoked in (False, True):
        again = reissue(ind, seed=3, revoked=revoked)
        assert again.semantic_key == semantic_key(ind.bundle_json)
        assert again.content_hash != ind.content_hash
        assert load_indicator_bundle(again.bundle_json).content_hash == again.content_hash


def test_cli_audit_deviations__json_and_exit_zero(capsys, embedded):
    main(["audit", "deviations", "--json"])  # exit status 1 would raise SystemExit
    out = json.loads(capsys.readouterr().out)
    assert out["deviations"] == embedded["deviations"]  # the CLI prints the library's audit
    assert out["any_pays"] is False
    assert set(out["deviations"][0]) >= {"name", "tier", "payoff_honest", "payoff_deviation",
                                         "gain", "pays"}


@pytest.mark.anvil
def test_audit__no_move_pays_on_anvil_same_payoffs_as_embedded(embedded):
    with running_anvil(accounts=ACCOUNTS_NEEDED) as node:
        on_anvil = audit_deviations(rpc_chain(node.url))
    assert on_anvil["any_pays"] is False and on_anvil["chain"] != embedded["chain"]
    assert on_anvil["deviations"] == embedded["deviations"]  # the same wei, move for move
