"""The node dies in the middle of a simulation: stop cleanly, say where, and check the books after.

Three pieces, used by :class:`sharing.simulation.engine.Alliance` and by an
operator after a crash:

* :func:`node_guard` turns a lost connection inside a round into
  :class:`NodeLost`, one line naming the round, the phase and the alliance,
  and makes every later request on that connection fail with the same
  error (so that clean-up code such as a snapshot revert cannot bury it
  under a traceback). Nothing is retried and nothing more is sent: a
  transaction whose receipt was not seen is left to the chain to tell.
* :func:`restart_from_state` starts anvil again from its ``--state`` file
  and puts its clock back after the last block (anvil restores blocks and
  logs but not the offset of ``evm_increaseTime``; without this the next
  block would go back in time and the contract's epoch arithmetic would
  underflow).
* :func:`check_books` rebuilds the ledger from events and compares it with
  storage, checks ``balance == total_claimable + unallocated`` and that
  every indicator was paid at most once, exactly its reward;
  :func:`finish_interrupted` resumes from what the chain says: it finalises
  the indicators the dead round left pending, and never commits or reveals
  (the salts of unrevealed commitments died with the process; those
  commitments lapse, which costs nobody anything).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from sharing.chain.ais import AisSystem, Status
from sharing.chain.anvil import AnvilNode, start_anvil
from sharing.chain.connect import Chain
from sharing.chain.ledger import rebuild
from sharing.errors import ChainError

#: Errors that mean "the node is gone", as opposed to a revert or a bad request.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
    TimeoutError,
)


class NodeLost(ChainError):
    """The node stopped answering during a simulation round."""

    def __init__(self, round_no: int, phase: str, alliance: str, cause: str) -> None:
        self.round_no = round_no
        self.phase = phase
        self.alliance = alliance
        super().__init__(
            f"the node stopped answering in round {round_no}, phase '{phase}' ({cause}); "
            f"nothing more was sent. Restart it from its saved state and run "
            f"`sharing books --alliance {alliance} --rpc-url URL`"
        )


def _cause(exc: BaseException) -> str:
    text = str(exc)
    if "Connection refused" in text or "Failed to establish" in text:
        return "connection refused"
    if isinstance(exc, requests.exceptions.Timeout | TimeoutError):
        return "timed out"
    return exc.__class__.__name__


def _poison(chain: Chain, lost: NodeLost) -> None:
    """Make every later request on this connection raise ``lost`` (no silent retries)."""
    provider: Any = chain.w3.provider

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise lost

    provider.make_request = refuse
    if hasattr(provider, "_request_func_cache"):
        provider._request_func_cache = (None, None)  # rebuilt around `refuse` on next use


@contextmanager
def node_guard(
    chain: Chain, where: Callable[[], tuple[int, str]], alliance: str
) -> Iterator[None]:
    """Turn a lost node inside the block into :class:`NodeLost` naming ``where()``."""
    if chain.kind != "rpc":
        yield  # the embedded chain lives in this process: it cannot be lost
        return
    try:
        yield
    except TRANSPORT_ERRORS as exc:
        round_no, phase = where()
        lost = NodeLost(round_no, phase, alliance, _cause(exc))
        _poison(chain, lost)
        raise lost from None


def restart_from_state(state: Path, port: int, accounts: int = 20) -> AnvilNode:
    """Start anvil from ``state`` on ``port`` with its clock after the last block."""
    node = start_anvil(accounts=accounts, port=port, state=state)
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(node.url))
    last = int(w3.eth.get_block("latest")["timestamp"])
    w3.provider.make_request("evm_setNextBlockTimestamp", [last + 1])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    return node


@dataclass
class BookCheck:
    """What :func:`check_books` found."""

    balance: int
    total_claimable: int
    unallocated: int
    total_owed: int
    pending: list[bytes] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def surplus(self) -> int:
        """Wei held beyond the books (forced in outside ``fund``); never negative if sound.

        A surplus is not a fault of the books: anyone can force ether into a
        contract (a ``selfdestruct``, a block reward). It is reported, and
        governance may sweep it (``sweep_surplus``).
        """
        return self.balance - self.total_claimable - self.unallocated

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems


def check_books(system: AisSystem) -> BookCheck:
    """Compare the ledger rebuilt from events with storage; find double payments.

    Returns
    -------
    BookCheck
        The totals, the indicators still pending, and every mismatch found
        (empty when the books are sound).
    """
    call = system.call
    check = BookCheck(
        balance=system.balance(),
        total_claimable=int(call("total_claimable")),
        unallocated=int(call("unallocated")),
        total_owed=int(call("total_owed")),
    )
    problems = check.problems
    if check.surplus < 0:
        problems.append(
            f"balance {check.balance} < claimable {check.total_claimable} "
            f"+ unallocated {check.unallocated}: the alliance cannot pay what it holds for others"
        )
    ledger = rebuild(system)
    accounts = set(ledger.claimable) | set(ledger.owed) | set(ledger.reputation)
    for a in sorted(accounts):
        for what, rebuilt in (
            ("claimable", ledger.claimable[a]),
            ("owed", ledger.owed[a]),
            ("reputation", ledger.reputation[a]),
        ):
            stored = int(call(what, a))
            if stored != rebuilt:
                problems.append(f"{what} of {a}: storage {stored}, events {rebuilt}")
    for what, rebuilt, stored in (
        ("unallocated", ledger.unallocated, check.unallocated),
        ("total claimable", ledger.total_claimable, check.total_claimable),
        ("total owed", ledger.total_owed, check.total_owed),
        ("funded - claimed", ledger.funded - ledger.claimed, check.balance - check.surplus),
    ):
        if rebuilt != stored:
            problems.append(f"{what}: events {rebuilt}, storage {stored}")
    for h, hist in ledger.indicators.items():
        state = system.indicator(h)
        if state.status != hist.status or state.reward != hist.reward:
            problems.append(
                f"indicator 0x{h.hex()}: storage {state.status.name} {state.reward}, "
                f"events {hist.status.name} {hist.reward}"
            )
        if hist.verified_count > 1:
            problems.append(f"indicator 0x{h.hex()} verified {hist.verified_count} times")
        if hist.paid != state.reward:
            problems.append(f"indicator 0x{h.hex()}: reward {state.reward}, paid {hist.paid}")
        if state.status == Status.PENDING:
            check.pending.append(h)
    for key, hashes in ledger.verified_by_key().items():
        if len(hashes) > 1:
            problems.append(
                f"observable 0x{key.hex()} verified {len(hashes)} times: "
                + ", ".join("0x" + h.hex() for h in hashes)
            )
    return check


def finish_interrupted(
    system: AisSystem,
    sender: str | None = None,
    advance_clock: bool = True,
    pending: list[bytes] | None = None,
) -> list[bytes]:
    """Finalise what a dead round left pending, from the chain's own records; return the hashes.

    ``pending`` is what :func:`check_books` found (checked now if not given).
    A pending indicator the contract can finalise now (``can_finalise``) is
    finalised now. Any other is finalised once its voting window has closed:
    with ``advance_clock`` (dev nodes only) the clock is moved there first,
    otherwise it is left pending for a later call. Nothing is committed or
    revealed again.
    """
    done = []
    for h in check_books(system).pending if pending is None else pending:
        if not system.call("can_finalise", h):
            if not advance_clock:
                continue
            wait = system.indicator(h).vote_closes - system.chain.timestamp()
            system.chain.advance_time(wait + 1)
        system.finalise(h, sender=sender)
        done.append(h)
    return done
