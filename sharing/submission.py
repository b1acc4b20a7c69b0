"""Submitting one indicator bundle: preflight, commit, a later block, reveal - and a journal.

A submission is two transactions, and the second needs a secret from the
first: the commitment binds the bundle's hash, semantic key, category and
class to a random salt, and only that salt reveals it. A process that dies
between the two (a crash, a lost connection, a killed terminal) must not
lose the salt, or the commitment is wasted and the indicator can only be
submitted again as a younger commitment (one that a rival who committed
meanwhile outranks). So every submission goes through a local journal:

1. **Preflight**, before anything is sent: the pool's admission rule
   (:func:`sharing.pool.admission.admit`: no TLP:RED, no unmarked bundle -
   what the pool would refuse must never be committed), then the chain:
   the sender is a member, the alliance is not paused, a panel could vote
   on the sender's indicator, the content and its observable are free
   (:meth:`sharing.chain.ais.AisSystem.reveal_refusal`), and the commit
   itself succeeds as a call from the sender.
2. **Journal**: the entry (chain id, alliance, sender, content hash, salt,
   terms, commitment) is written and ``fsync``-ed *before* the commit is
   sent, in a file named by chain id, alliance, sender and content hash.
3. **Commit**, then wait for a later block (a dev node is asked to mine
   one; a real chain is awaited).
4. **Reveal**, and the entry is marked revealed.

Running the same submission again reads the entry and never commits twice:
a commitment already on chain is revealed (if its reveal window is still
open; else the entry is marked expired and the user told to run again,
which starts afresh); a commitment not on chain (the process died before or
while sending it) is sent again with the *same* salt, so at most one
commitment of that content can ever exist; a step sent but not mined in
time (:class:`~sharing.chain.transactions.TransactionTimeout`) leaves its
hash in the entry, and the next run waits for it rather than send the step
again; an entry already revealed is reported as done.

Other commands (``sharing indicator submit``, a TAXII import) call
:func:`submit_bundle` once per bundle; the CLI stays a thin shell.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.exceptions import TransactionNotFound

from sharing.chain.ais import AisSystem, Status, WouldRevert, commitment_of, new_salt
from sharing.chain.transactions import TransactionTimeout
from sharing.errors import ChainError, InputError, Revert
from sharing.pool.admission import admit
from sharing.standards.semantic_key import semantic_key

__all__ = [
    "JOURNAL_ENV",
    "Journal",
    "JournalEntry",
    "SubmissionResult",
    "default_journal_dir",
    "preflight",
    "submit_bundle",
]

#: Environment variable naming the journal folder.
JOURNAL_ENV = "SHARING_JOURNAL_DIR"
#: Version of the journal entry format.
ENTRY_VERSION = 1


def default_journal_dir(deployment_path: Path, environ: dict[str, str] | None = None) -> Path:
    """``$SHARING_JOURNAL_DIR``, else ``journal/`` beside the deployment file.

    The deployment folder is local to the firm's machine (``deployments/``
    is not under version control): the journal holds unrevealed salts,
    which must not be shared. Entries are created readable by their owner only.
    """
    env = os.environ if environ is None else environ
    if env.get(JOURNAL_ENV):
        return Path(env[JOURNAL_ENV]).expanduser()
    return deployment_path.parent / "journal"


@dataclass
class JournalEntry:
    """One submission's durable state (hex values with ``0x``).

    ``state`` is ``prepared`` (written, commit maybe sent), ``committed``
    (the commit is mined), ``revealed`` or ``expired``.
    """

    chain_id: int
    alliance: str
    sender: str
    content_hash: str
    semantic_key: str
    category: int
    claimed_class: int
    salt: str
    commitment: str
    state: str = "prepared"
    commit_tx: str | None = None
    commit_block: int | None = None
    reveal_tx: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))
    version: int = ENTRY_VERSION
    #: Where the bundle was read from (so a user can find it to run the submission again).
    source: str | None = None

    def bytes_of(self, name: str) -> bytes:
        """A hex field as bytes."""
        return bytes.fromhex(str(getattr(self, name))[2:])


class Journal:
    """A folder of submission entries, each written atomically and ``fsync``-ed.

    An entry is keyed by chain id, alliance, sender and content hash, so the
    same bundle sent by the same firm to the same alliance always finds its
    earlier attempt. Files are created readable by their owner only.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def entries(self, chain_id: int, alliance: str) -> list[JournalEntry]:
        """Every readable entry for one alliance, oldest first (unreadable files are skipped)."""
        found: list[JournalEntry] = []
        pattern = f"{chain_id}-{alliance.lower()}-*.json"
        for path in sorted(self.directory.glob(pattern)) if self.directory.is_dir() else []:
            try:
                found.append(JournalEntry(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, json.JSONDecodeError, TypeError):
                continue
        return sorted(found, key=lambda e: e.created)

    def path_of(self, chain_id: int, alliance: str, sender: str, content_hash: bytes) -> Path:
        """Where the entry of one submission lives."""
        name = f"{chain_id}-{alliance.lower()}-{sender.lower()}-0x{content_hash.hex()}.json"
        return self.directory / name

    def load(
        self, chain_id: int, alliance: str, sender: str, content_hash: bytes
    ) -> JournalEntry | None:
        """The entry of a submission, or None if there is none."""
        path = self.path_of(chain_id, alliance, sender, content_hash)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return JournalEntry(**data)
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            raise InputError(
                f"cannot use the submission journal at {self.directory}: not a folder; "
                "give --journal DIR or $SHARING_JOURNAL_DIR"
            ) from None
        except (OSError, json.JSONDecodeError, TypeError) as exc:
            raise InputError(
                f"journal entry {path} is unreadable ({exc.__class__.__name__}); it may hold an "
                "unrevealed salt: inspect it before removing it"
            ) from None

    def save(self, entry: JournalEntry) -> Path:
        """Write ``entry`` durably: a temporary file, ``fsync``, rename, ``fsync`` of the folder.

        Raises
        ------
        InputError
            The folder cannot be written (before the commit, nothing was sent).
        """
        path = self.path_of(
            entry.chain_id, entry.alliance, entry.sender, bytes.fromhex(entry.content_hash[2:])
        )
        try:
            self._write(path, (json.dumps(asdict(entry), indent=2) + "\n").encode("utf-8"))
        except OSError as exc:
            raise InputError(
                f"cannot write the submission journal at {path}: {exc.strerror or exc}; "
                "give --journal DIR or $SHARING_JOURNAL_DIR"
            ) from None
        return path

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@dataclass(frozen=True)
class SubmissionResult:
    """What a submission did (``resumed``: an earlier attempt's commitment was used)."""

    content_hash: str
    semantic_key: str
    sender: str
    alliance: str
    chain_id: int
    category: int
    claimed_class: int
    transactions: list[str]
    resumed: bool
    vote_opens: int
    vote_closes: int
    journal: str

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return asdict(self)


def _hex(value: Any) -> str:
    text = value.hex() if isinstance(value, bytes | bytearray) else str(value)
    return text if text.startswith("0x") else "0x" + text


def preflight(
    system: AisSystem, sender: str, described: Any, recipients: Collection[str] = ()
) -> bytes:
    """Every check a submission can make before its first transaction; returns the semantic key.

    Raises
    ------
    BundleRejected
        The pool would refuse the bundle (TLP:RED, unmarked, ...).
    ChainError
        Not a member, paused, no panel that could vote, content or
        observable taken (the message ends with ``nothing sent``).
    """
    # sharing.pool.admission is the pool's own rule; keeping the call here means every
    # submission path (submit, import) refuses what the pool would refuse.
    admit(described, recipients)
    if not system.is_member(sender):
        raise WouldRevert(
            Revert.CALLER_IS_NOT_A_MEMBER,
            "commit",
            f"{sender} is not a member of the alliance at {system.address}",
        )
    if system.paused():
        raise WouldRevert(Revert.PAUSED, "commit", f"the alliance at {system.address} is paused")
    key = semantic_key(described.canonical_json)
    refusal = system.reveal_refusal(sender, described.content_hash, key)
    if refusal is not None:
        raise ChainError(f"{refusal}; nothing sent")
    return key


def wait_for_block_after(system: AisSystem, block: int, timeout: float = 120.0) -> None:
    """Return once a block after ``block`` exists (a dev node mines one; others are awaited)."""
    chain = system.chain
    deadline = time.monotonic() + timeout
    while chain.w3.eth.block_number <= block:
        if chain.kind == "eth_tester" or chain.accounts:
            chain.mine()  # evm_mine on a dev node; a public node refuses it and we wait
        if chain.w3.eth.block_number > block:
            return
        if time.monotonic() > deadline:
            raise ChainError(
                f"no block after the commit (block {block}) within {timeout:.0f} s; "
                "run the same submission again to reveal it"
            )
        time.sleep(0.25)


def _commit_on_chain(system: AisSystem, entry: JournalEntry) -> tuple[int, int, int]:
    """The journalled commitment's (sequence, block, timestamp) on chain; zeros if absent."""
    seq, block, stamp = system.call("commitment_of", entry.sender, entry.bytes_of("commitment"))
    return int(seq), int(block), int(stamp)


def _reveal(
    system: AisSystem, journal: Journal, entry: JournalEntry, commit_block: int
) -> dict[str, Any]:
    wait_for_block_after(system, commit_block)
    args = (
        entry.bytes_of("content_hash"),
        entry.bytes_of("semantic_key"),
        entry.category,
        entry.claimed_class,
        entry.bytes_of("salt"),
    )
    system.simulate("reveal", *args, sender=entry.sender)
    receipt = _send(system, journal, entry, "reveal", args, "reveal_tx")
    entry.state = "revealed"
    entry.reveal_tx = _hex(receipt["transactionHash"])
    journal.save(entry)
    return receipt


def _send(
    system: AisSystem, journal: Journal, entry: JournalEntry, fn: str, args: tuple[Any, ...],
    hash_field: str,
) -> dict[str, Any]:
    """Send one step; a step sent but not mined in time leaves its hash in the journal.

    The next run then waits for that transaction instead of sending the step again.
    """
    try:
        return system.tx(fn, *args, sender=entry.sender)
    except TransactionTimeout as exc:
        setattr(entry, hash_field, exc.tx_hash)
        journal.save(entry)
        raise


def _refuse_if_pending(system: AisSystem, entry: JournalEntry, hash_field: str) -> None:
    """Refuse to send a step again while its journalled transaction waits to be mined."""
    tx_hash = getattr(entry, hash_field)
    if not tx_hash:
        return
    try:
        tx = system.chain.w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return  # dropped by the node: sending the same step again is safe
    if tx.get("blockNumber") is None:
        step = hash_field.removesuffix("_tx")
        raise ChainError(
            f"the {step} of 0x{entry.bytes_of('content_hash').hex()} ({tx_hash}) is still waiting "
            "to be mined; nothing sent; run the same submission again once it is"
        )


def submit_bundle(
    system: AisSystem,
    sender: str,
    described: Any,
    category: int,
    claimed_class: int,
    journal: Journal,
    *,
    recipients: Collection[str] = (),
    on_step: Callable[[str], None] | None = None,
    source: str | None = None,
) -> SubmissionResult:
    """Commit and reveal one described bundle for ``sender``, resuming any journalled attempt.

    Parameters
    ----------
    system : AisSystem
        The alliance; its chain holds the sender's signer, or the node has
        the sender unlocked.
    sender : str
        The member that submits.
    described : IndicatorBundle
        :func:`sharing.standards.stix_parse.load_indicator_bundle`'s result.
    category, claimed_class : int
        The terms the commitment binds.
    journal : Journal
        Where the salt is kept until the reveal.
    recipients : collection of str
        The AMBER+STRICT recipients the firm will name when it puts the
        bundle in the pool (checked by the admission rule now).
    on_step : callable, optional
        Told ``"commit"``, ``"reveal"`` as each is sent (progress output).
    source : str, optional
        Where the bundle came from, kept in the journal entry for the user.

    Raises
    ------
    ChainError
        A refusal before anything was sent, or an expired commitment.
    """
    sender = Web3.to_checksum_address(sender)
    chain_id = system.chain.chain_id
    digest = described.content_hash
    step = on_step or (lambda _name: None)
    entry = journal.load(chain_id, system.address, sender, digest)
    if entry is not None and entry.state == "revealed":
        state = system.indicator(digest)
        if state.status != Status.NONE and state.submitter == sender:
            raise ChainError(
                f"content 0x{digest.hex()} is already held by {sender} "
                f"({state.status.name.lower()}): this submission was done (reveal "
                f"{entry.reveal_tx}); nothing sent"
            )
        entry = None  # the chain went back (a dev node's snapshot): start afresh
    if entry is not None and entry.state in ("prepared", "committed"):
        if (entry.category, entry.claimed_class) != (int(category), int(claimed_class)):
            raise InputError(
                f"the journalled submission of 0x{digest.hex()} binds category "
                f"{entry.category} and class {entry.claimed_class}, not {category} and "
                f"{claimed_class}: run it again with the same terms"
            )
        done = _resume(system, journal, entry, described, recipients, step)
        if done is not None:
            return done
        # Not on chain: the commit was never mined. Send the same one again (same salt),
        # so that at most one commitment of this content can ever exist.
        preflight(system, sender, described, recipients)
        resumed = True
    else:
        key = preflight(system, sender, described, recipients)
        salt = new_salt()
        entry = JournalEntry(
            chain_id=chain_id,
            alliance=system.address,
            sender=sender,
            content_hash=_hex(digest),
            semantic_key=_hex(key),
            category=int(category),
            claimed_class=int(claimed_class),
            salt=_hex(salt),
            commitment=_hex(commitment_of(digest, salt, sender, category, claimed_class, key)),
            source=source,
        )
        resumed = False
    commitment = entry.bytes_of("commitment")
    system.simulate("commit", commitment, sender=sender)
    journal.save(entry)  # durable BEFORE the commit leaves this process
    step("commit")
    receipt = _send(system, journal, entry, "commit", (commitment,), "commit_tx")
    entry.state = "committed"
    entry.commit_tx = _hex(receipt["transactionHash"])
    entry.commit_block = int(receipt["blockNumber"])
    journal.save(entry)
    step("reveal")
    reveal = _reveal(system, journal, entry, entry.commit_block)
    txs = [entry.commit_tx, _hex(reveal["transactionHash"])]
    return _result(system, entry, txs, resumed, journal)


def _resume(
    system: AisSystem,
    journal: Journal,
    entry: JournalEntry,
    described: Any,
    recipients: Collection[str],
    step: Callable[[str], None],
) -> SubmissionResult | None:
    """Finish a journalled attempt whose commitment is on chain; None if it is not there.

    Raises
    ------
    ChainError
        The commitment's reveal window has passed (the entry is marked
        expired), the indicator is already revealed, or a step sent earlier
        is still waiting to be mined; nothing is sent.
    """
    digest = entry.bytes_of("content_hash")
    seq, block, stamp = _commit_on_chain(system, entry)
    if seq != 0:
        _refuse_if_pending(system, entry, "reveal_tx")
        closes = stamp + int(system.call("reveal_window"))
        if system.chain.timestamp() >= closes:
            entry.state = "expired"
            journal.save(entry)
            raise ChainError(
                f"the journalled commitment {entry.commitment} of 0x{digest.hex()} "
                f"(block {block}) could be revealed until {closes}, and that has passed; "
                "nothing sent; run the same submission again to commit afresh"
            )
        admit(described, recipients)
        step("reveal")
        receipt = _reveal(system, journal, entry, block)
        return _result(system, entry, [_hex(receipt["transactionHash"])], True, journal)
    state = system.indicator(digest)
    if state.status != Status.NONE and state.submitter == entry.sender:
        entry.state = "revealed"
        journal.save(entry)
        raise ChainError(
            f"content 0x{digest.hex()} is already held by {entry.sender} "
            f"({state.status.name.lower()}); nothing sent"
        )
    _refuse_if_pending(system, entry, "commit_tx")
    return None


def _result(
    system: AisSystem, entry: JournalEntry, txs: list[str], resumed: bool, journal: Journal
) -> SubmissionResult:
    digest = entry.bytes_of("content_hash")
    after = system.indicator(digest)
    return SubmissionResult(
        content_hash=entry.content_hash,
        semantic_key=entry.semantic_key,
        sender=entry.sender,
        alliance=entry.alliance,
        chain_id=entry.chain_id,
        category=entry.category,
        claimed_class=entry.claimed_class,
        transactions=txs,
        resumed=resumed,
        vote_opens=after.vote_opens,
        vote_closes=after.vote_closes,
        journal=str(journal.path_of(entry.chain_id, entry.alliance, entry.sender, digest)),
    )
