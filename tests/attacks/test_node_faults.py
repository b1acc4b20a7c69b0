"""The node dies in the middle of a simulation: one line naming where; after a restart the books hold.

anvil runs with ``--state FILE`` (it dumps its state when it stops). The
simulation is run through the real CLI (``sharing simulate --rpc-url``);
the node is stopped just as a round starts sending its votes. Then:

* the CLI prints one line (no traceback) naming the round, the phase and
  the alliance, and exits non-zero;
* anvil restarts from its saved state (clock put back after the last block);
* the ledger rebuilt from events equals storage, the balance is claimable
  plus unallocated, and no indicator was paid twice;
* ``sharing books`` reports the same and lists what the dead round left
  pending; ``--finish`` (``--advance-clock`` on a dev node) resumes from what
  the chain says and pays each of those indicators once; the books still hold.
"""

from __future__ import annotations

import json
import re

import pytest
from attack_helpers import run_cli

from sharing.chain.ais import AisSystem, Status
from sharing.chain.anvil import start_anvil
from sharing.chain.connect import rpc_chain
from sharing.simulation import faults
from sharing.simulation.engine import Alliance

pytestmark = pytest.mark.anvil
ACCOUNTS = 14


def test_node_dies_mid_round__one_line_then_books_hold_after_restart(tmp_path, capsys, monkeypatch):
    state = tmp_path / "anvil-state.json"
    node = start_anvil(accounts=ACCOUNTS, state=state)
    restarted = None
    try:
        real = Alliance._transact_many
        seen = {"vote": 0, "block": None}

        def dying(self, calls):
            # The fifth phase of votes (a profile of the N-firm game): the node goes down.
            if calls and calls[0][0] == "vote":
                seen["vote"] += 1
                if seen["vote"] == 5:
                    seen["block"] = self.chain.w3.eth.block_number
                    node.stop()
            return real(self, calls)

        monkeypatch.setattr(Alliance, "_transact_many", dying)
        code, out, err = run_cli(capsys, "simulate", "--rpc-url", node.url, "--firms", "3", "--rounds", "4",
                                 "--regime", "tiered", "--seed", "3", "--json")
        monkeypatch.undo()
        assert code != 0 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err, err
        m = re.search(r"round (\d+), phase 'vote' \(connection refused\).*alliance (0x[0-9a-fA-F]{40})", err)
        assert m, err
        assert int(m.group(1)) >= 5  # four rounds of the 2x2 game come first

        # Restart from the saved state: nothing after the kill, nothing lost before it.
        restarted = faults.restart_from_state(state, node.port, accounts=ACCOUNTS)
        chain = rpc_chain(restarted.url)
        assert chain.w3.eth.block_number == seen["block"] + 1  # + the block that fixes the clock
        system = AisSystem.at(chain, m.group(2), chain.accounts[0])
        check = faults.check_books(system)
        assert check.ok, check.problems
        assert check.balance == check.total_claimable + check.unallocated
        assert check.pending  # the dead round's indicators: revealed, not decided
        paid_before = {h: system.indicator(h).reward for h in check.pending}
        assert set(paid_before.values()) == {0}

        # The operator's view: `sharing books` says the same, and lists the pending indicators.
        args = ("books", "--rpc-url", restarted.url, "--alliance", m.group(2), "--json")
        code, out, err = run_cli(capsys, *args)
        report = json.loads(out)
        assert code == 0 and report["ok"] and not report["problems"], err
        assert sorted(p["content_hash"] for p in report["pending"]) == sorted("0x" + h.hex() for h in check.pending)
        assert report["balance"] == check.balance and report["finalised"] == []
        # --finish without moving the clock: only what the contract can decide now.
        decidable = {p["content_hash"] for p in report["pending"] if p["can_finalise"]}
        code, out, err = run_cli(capsys, *args, "--finish")
        report = json.loads(out)
        assert code == 0 and set(report["finalised"]) == decidable, err
        # Resume from what the chain says (dev node: move the clock past the windows):
        # each pending indicator finalised once, paid once.
        code, out, err = run_cli(capsys, *args, "--finish", "--advance-clock")
        report = json.loads(out)
        assert code == 0 and report["ok"] and report["pending"] == [], err
        done = decidable | set(report["finalised"])
        assert sorted(done) == sorted("0x" + h.hex() for h in check.pending)
        after = faults.check_books(system)
        assert after.ok and not after.pending, after.problems
        for h in check.pending:
            assert system.indicator(h).status in (Status.VERIFIED, Status.REJECTED, Status.EXPIRED)
        assert faults.finish_interrupted(system) == []  # nothing left to do, nothing done twice
        code, out, err = run_cli(capsys, *args, "--finish", "--advance-clock")
        assert code == 0 and json.loads(out)["finalised"] == []
    finally:
        node.stop()
        if restarted is not None:
            restarted.stop()


def test_node_guard__embedded_chain_errors_pass_through():
    """The guard only speaks for a remote node; on the embedded chain it stays out of the way."""
    from sharing.chain.connect import embedded_chain

    chain = embedded_chain(2)
    with pytest.raises(ZeroDivisionError), faults.node_guard(chain, lambda: (1, "vote"), "0x0"):
        raise ZeroDivisionError
