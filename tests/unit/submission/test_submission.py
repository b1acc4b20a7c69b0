"""sharing.submission: preflight, the journal, and every way a submission resumes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from sharing.chain.ais import Status, WouldRevert
from sharing.errors import ChainError, InputError, Revert
from sharing.pool.admission import BundleRejected
from sharing.standards.stix import Tlp, load_indicator_bundle
from sharing.standards.synthetic import generate_indicator
from sharing.submission import Journal, default_journal_dir, submit_bundle

REVEAL_WINDOW = 600  # tests/conftest.py's deployed alliance


class Crash(Exception):
    """Stands for the process dying at a step."""


def crash_at(step: str):
    def on_step(name: str) -> None:
        if name == step:
            raise Crash(name)
    return on_step


@pytest.fixture
def item():
    return generate_indicator(61, tlp=Tlp.GREEN)


@pytest.fixture
def described(item):
    return load_indicator_bundle(item.bundle_json)


def submit(system, firm, described, item, journal, **kw):
    return submit_bundle(system, firm, described, item.category, item.indicator_class, journal,
                         **kw)


def commits(system) -> int:
    return int(system.call("commit_count"))


def test_submit__commit_then_reveal__journal_says_revealed(system, actors, item, described,
                                                           tmp_path) -> None:
    journal = Journal(tmp_path)
    done = submit(system, actors.firm_core, described, item, journal)
    assert len(done.transactions) == 2 and done.resumed is False
    state = system.indicator(item.content_hash)
    assert state.status == Status.PENDING and state.submitter == actors.firm_core
    path = Path(done.journal)
    entry = json.loads(path.read_text())
    assert entry["state"] == "revealed" and entry["reveal_tx"] == done.transactions[1]
    assert entry["content_hash"] == "0x" + item.content_hash.hex()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # the salt is the firm's alone


def test_submit__crash_after_commit__second_run_reveals_without_committing(
    system, actors, item, described, tmp_path
) -> None:
    journal = Journal(tmp_path)
    with pytest.raises(Crash):
        submit(system, actors.firm_core, described, item, journal, on_step=crash_at("reveal"))
    entry = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                         item.content_hash)
    assert entry is not None and entry.state == "committed"
    before = commits(system)
    done = submit(system, actors.firm_core, described, item, journal)
    assert done.resumed is True and len(done.transactions) == 1
    assert commits(system) == before  # no second commitment
    assert system.indicator(item.content_hash).status == Status.PENDING


def test_submit__crash_before_the_commit_is_mined__same_commitment_sent(
    system, actors, item, described, tmp_path
) -> None:
    journal = Journal(tmp_path)
    with pytest.raises(Crash):
        submit(system, actors.firm_core, described, item, journal, on_step=crash_at("commit"))
    entry = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                         item.content_hash)
    assert entry is not None and entry.state == "prepared"  # durable before the send
    done = submit(system, actors.firm_core, described, item, journal)
    assert done.resumed is True and len(done.transactions) == 2
    again = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                         item.content_hash)
    assert again is not None and again.salt == entry.salt  # the same commitment
    assert again.commitment == entry.commitment


def test_submit__commitment_expired__reported_then_a_fresh_one(
    system, actors, item, described, tmp_path
) -> None:
    journal = Journal(tmp_path)
    with pytest.raises(Crash):
        submit(system, actors.firm_core, described, item, journal, on_step=crash_at("reveal"))
    old = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                       item.content_hash)
    system.chain.advance_time(REVEAL_WINDOW + 1)
    before = commits(system)
    with pytest.raises(ChainError, match="has passed.*run the same submission again"):
        submit(system, actors.firm_core, described, item, journal)
    assert commits(system) == before
    expired = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                           item.content_hash)
    assert expired is not None and expired.state == "expired"
    done = submit(system, actors.firm_core, described, item, journal)
    assert done.resumed is False and len(done.transactions) == 2
    fresh = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                         item.content_hash)
    assert fresh is not None and old is not None and fresh.salt != old.salt


def test_submit__refusals_before_anything_is_sent(system, actors, item, described,
                                                  tmp_path) -> None:
    journal = Journal(tmp_path)
    before = commits(system)
    red = load_indicator_bundle(generate_indicator(62, tlp=Tlp.RED).bundle_json)
    with pytest.raises(BundleRejected, match="TLP:RED"):
        submit(system, actors.firm_core, red, item, journal)
    with pytest.raises(WouldRevert) as info:
        submit(system, actors.attacker, described, item, journal)
    assert info.value.reason == Revert.CALLER_IS_NOT_A_MEMBER and "nothing sent" in str(info.value)
    system.tx("pause", sender=actors.governance)
    with pytest.raises(WouldRevert) as info:
        submit(system, actors.firm_core, described, item, journal)
    assert info.value.reason == Revert.PAUSED
    assert commits(system) == before and list(tmp_path.iterdir()) == []


def test_journal__unreadable_entry__named_not_overwritten(system, actors, item, described,
                                                          tmp_path) -> None:
    journal = Journal(tmp_path)
    path = journal.path_of(system.chain.chain_id, system.address, actors.firm_core,
                           item.content_hash)
    path.write_text("{not json")
    with pytest.raises(InputError, match="unreadable.*unrevealed salt"):
        submit(system, actors.firm_core, described, item, journal)
    assert path.read_text() == "{not json"


def test_default_journal_dir__beside_the_deployment_unless_set(tmp_path) -> None:
    deployment = tmp_path / "deployments" / "1.json"
    assert default_journal_dir(deployment, {}) == tmp_path / "deployments" / "journal"
    assert default_journal_dir(deployment, {"SHARING_JOURNAL_DIR": "/x"}) == Path("/x")


@pytest.fixture
def slow_chain(system):
    """Transactions wait outside a block, and a send is given 0.3 s to be mined."""
    from dataclasses import replace

    chain = system.chain
    tester = chain.w3.provider.ethereum_tester
    policy = chain.tx_policy
    chain.tx_policy = replace(policy, timeout_s=0.3)
    tester.disable_auto_mine_transactions()
    try:
        yield tester
    finally:
        tester.enable_auto_mine_transactions()
        chain.tx_policy = policy


def test_submit__commit_not_mined_in_time__next_run_waits_for_it(
    system, actors, item, described, tmp_path, slow_chain
) -> None:
    from sharing.chain.transactions import TransactionTimeout

    journal = Journal(tmp_path)
    with pytest.raises(TransactionTimeout) as info:
        submit(system, actors.firm_core, described, item, journal)
    entry = journal.load(system.chain.chain_id, system.address, actors.firm_core,
                         item.content_hash)
    assert entry is not None and entry.state == "prepared"
    assert entry.commit_tx == info.value.tx_hash  # the hash of what was sent is kept
    with pytest.raises(ChainError, match="still waiting to be mined; nothing sent"):
        submit(system, actors.firm_core, described, item, journal)
    slow_chain.enable_auto_mine_transactions()
    system.chain.mine()  # the waiting commit is mined now
    before = commits(system)
    done = submit(system, actors.firm_core, described, item, journal)
    assert done.resumed is True and len(done.transactions) == 1  # the reveal only
    assert commits(system) == before
    assert system.indicator(item.content_hash).status == Status.PENDING


def test_submit__resumed_with_other_terms__refused(system, actors, item, described,
                                                   tmp_path) -> None:
    """A commitment binds its category and class: a rerun cannot quietly change them."""
    journal = Journal(tmp_path)
    with pytest.raises(Crash):
        submit(system, actors.firm_core, described, item, journal, on_step=crash_at("reveal"))
    other = (item.category + 1) % 14
    with pytest.raises(InputError, match="binds category.*same terms"):
        submit_bundle(system, actors.firm_core, described, other, item.indicator_class, journal)
    assert submit(system, actors.firm_core, described, item, journal).resumed is True


def test_journal__unwritable__refused_before_the_commit(system, actors, item, described,
                                                        tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    before = commits(system)
    with pytest.raises(InputError, match="cannot use the submission journal.*not a folder"):
        submit(system, actors.firm_core, described, item, Journal(blocker / "journal"))
    assert commits(system) == before

    def disk_full(self, path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Journal, "_write", disk_full)
    with pytest.raises(InputError, match="cannot write the submission journal.*No space left"):
        submit(system, actors.firm_core, described, item, Journal(tmp_path / "journal"))
    assert commits(system) == before
