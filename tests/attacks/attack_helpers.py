"""Helpers of the attack tests: the books before and after, the attacker's standing.

Every attack test asserts two things: the specific revert reason that
stopped the attacker, and that the books did not move (or moved exactly as
the honest outcome requires). :func:`books` takes one picture of everything
an attacker could hope to change: the contract's balance, the pool, every
account's claimable / owed / reputation / membership / access, and the
commit counter. PESIM attack tests can add their own ``*_books`` helper here.
"""

from __future__ import annotations

from dataclasses import dataclass

from chain_asserts import reverts as reverts  # re-exported for the tests here

from sharing.chain.ais import AisSystem

#: Revert reason of ``AttackReentrantClaimer`` when it refuses ether.
REFUSING_ETHER = "attack: refusing ether"


@dataclass(frozen=True)
class Books:
    """Everything of value the alliance holds, at one block."""

    balance: int
    total_claimable: int
    unallocated: int
    total_owed: int
    commit_count: int
    accounts: dict[str, tuple[int, int, int, bool, bool]]

    def of(self, account: str) -> tuple[int, int, int, bool, bool]:
        """``(claimable, owed, reputation, is_member, has_access)`` of one account."""
        return self.accounts[account]


def books(system: AisSystem, accounts: list[str]) -> Books:
    call = system.call
    return Books(
        balance=system.balance(),
        total_claimable=call("total_claimable"),
        unallocated=call("unallocated"),
        total_owed=call("total_owed"),
        commit_count=call("commit_count"),
        accounts={a: (call("claimable", a), call("owed", a), call("reputation", a),
                      system.is_member(a), system.has_access(a)) for a in accounts},
    )


def assert_balanced(system: AisSystem) -> None:
    """The balance is exactly what firms can claim plus the unallocated pool."""
    assert system.balance() == system.call("total_claimable") + system.call("unallocated")


def fill_panel(system: AisSystem, actors) -> list[str]:
    """Appoint independent panellists until all 16 seats are taken; return them by seat."""
    extra = [actors.governance, actors.funder, *actors.spare]
    for p in extra[: 16 - system.call("panel_size")]:
        system.appoint_panellist(p)
    seats = [system.call("seat_holder", i) for i in range(16)]
    assert len(set(seats)) == 16 and system.call("quorum") == 9
    return seats


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``sharing ARGS`` in process; return the exit code, stdout and stderr."""
    from sharing.cli import main

    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
