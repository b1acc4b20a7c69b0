"""Front-running a reveal, replaying or copying someone's indicator, revealing another's commit.

The adversary is a rogue member (``rogue``: the attacker, admitted at the
small-business tier) driven by :class:`FrontRunner`, a bot that sees every
honest transaction before it is mined (the mempool is public) and can get
any number of its own transactions mined first. The honest firm is
``firm_core``; its indicator must end up its own, paid once, to the wei.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from attack_helpers import assert_balanced, books, reverts
from eth_abi import decode

from sharing import quote as q
from sharing.chain.ais import AisSystem, Status, commitment_of, new_salt
from sharing.chain.contract import translate_reverts
from sharing.errors import Revert, RevertError

H = b"\x5e" * 32


@dataclass
class FrontRunner:
    """A member that watches the mempool and races honest reveals."""

    system: AisSystem
    me: str
    tried: list[tuple[str, str]] = field(default_factory=list)

    def saw_reveal(self, calldata: bytes) -> tuple[bytes, bytes, int, int, bytes]:
        """Decode an honest ``reveal`` seen in the mempool: (hash, salt, category, class, key)."""
        assert calldata[:4] == self.system.alliance.calldata("reveal", H, H, 0, 0, H)[:4]
        h, key, cat, cls, salt = decode(
            ["bytes32", "bytes32", "uint256", "uint256", "bytes32"], calldata[4:])
        return h, salt, cat, cls, key

    def attempt(self, label: str, fn, *args) -> bool:
        """Send one attack; record the reason that stopped it (or ``"succeeded"``)."""
        try:
            fn(*args)
        except RevertError as exc:
            self.tried.append((label, exc.reason))
            return False
        self.tried.append((label, "succeeded"))
        return True


def honest_reveal_calldata(system: AisSystem, content_hash: bytes, salt: bytes) -> bytes:
    return system.alliance.calldata("reveal", content_hash, content_hash, 4, 0, salt)


def test_front_runner__every_race_on_a_reveal_fails(system: AisSystem, actors, rogue, life, everyone):
    honest = actors.firm_core
    salt = new_salt()
    system.commit(honest, H, salt, 4, 0)
    system.chain.mine()
    bot = FrontRunner(system, rogue)
    h, s, cat, cls, key = bot.saw_reveal(honest_reveal_calldata(system, H, salt))
    before = books(system, everyone)

    # 1. Replay the honest reveal from its own account: the commitment binds the sender.
    assert not bot.attempt("replay reveal", system.reveal, rogue, h, s, cat, cls, key)
    # 2. Copy the honest commitment value and reveal it: still bound to the honest sender.
    system.tx("commit", commitment_of(h, s, honest, cat, cls, key), sender=rogue)
    system.chain.mine()
    assert not bot.attempt("reveal copied commitment", system.reveal, rogue, h, s, cat, cls, key)
    assert bot.tried == [("replay reveal", Revert.NO_SUCH_COMMITMENT),
                         ("reveal copied commitment", Revert.NO_SUCH_COMMITMENT)]
    # 3. Commit the seen content under its own salt and reveal first: it lands...
    own_salt = new_salt()
    system.commit(rogue, h, own_salt, cat, cls, key)
    system.chain.mine()
    assert bot.attempt("commit+reveal ahead", system.reveal, rogue, h, own_salt, cat, cls, key)
    assert system.indicator(H).submitter == rogue
    # ... until the honest reveal is mined: the older commitment takes it back.
    r = system.reveal(honest, h, s, cat, cls, key)
    assert system.alliance.events(r, "IndicatorSuperseded") == [
        {"content_hash": H, "displaced": rogue, "firm": honest, "by_content_hash": H}]
    # 4. Try to take it back again: its commitment is spent, a new one is younger.
    assert not bot.attempt("re-reveal", system.reveal, rogue, h, own_salt, cat, cls, key)
    again = new_salt()
    system.commit(rogue, h, again, cat, cls, key)
    system.chain.mine()
    assert not bot.attempt("fresh commit", system.reveal, rogue, h, again, cat, cls, key)
    assert bot.tried[-2:] == [("re-reveal", Revert.NO_SUCH_COMMITMENT),
                              ("fresh commit", Revert.DUPLICATE_CONTENT)]

    # The honest firm is verified and paid exactly the quote; the front-runner nothing.
    price = system.terms(H).price_bps
    life.open_voting()
    system.vote(actors.panellist_a, H, True, 88, 1)
    system.vote(actors.panellist_b, H, True, 88, 1)
    system.vote(actors.panellist_c, H, True, 88, 1)
    system.finalise(H, sender=rogue)
    st = system.indicator(H)
    assert (st.submitter, st.status) == (honest, Status.VERIFIED)
    assert st.reward == q.quote(1, 0, 88, 1, price)
    after = books(system, everyone)
    assert after.of(honest)[0] == before.of(honest)[0] + st.reward
    assert after.of(rogue) == before.of(rogue)  # no claimable, no debt, no reputation, no access
    assert after.unallocated == before.unallocated - st.reward
    assert_balanced(system)


def test_front_runner__same_block_commit_and_reveal__reverts(system: AisSystem, actors, rogue):
    """Seeing the reveal and committing + revealing in that very block is refused.

    The ``eth_call`` at "latest" runs in the commit's own block: exactly what
    a bundle of (commit, reveal) placed before the honest reveal would see.
    """
    salt = new_salt()
    system.commit(actors.firm_core, H, salt)
    system.chain.mine()
    own = new_salt()
    system.commit(rogue, H, own)
    before = books(system, [rogue, actors.firm_core])
    f = system.alliance.contract.functions
    with reverts(Revert.REVEAL_IN_THE_COMMIT_BLOCK), translate_reverts("reveal"):
        f.reveal(H, H, 0, 0, own).call({"from": rogue}, block_identifier="latest")
    assert books(system, [rogue, actors.firm_core]) == before


def test_replayed_signed_transaction__refused_by_nonce(system: AisSystem, actors):
    """The very bytes of an honest signed reveal, broadcast again, are not executed twice."""
    w3, honest = system.chain.w3, actors.firm_core
    salt = new_salt()
    system.commit(honest, H, salt, 4, 0)
    system.chain.mine()
    tx = {"to": system.address, "data": honest_reveal_calldata(system, H, salt), "value": 0,
          "gas": 200_000, "gasPrice": w3.eth.gas_price, "nonce": w3.eth.get_transaction_count(honest),
          "chainId": system.chain.chain_id}
    raw = w3.eth.account.sign_transaction(tx, system.chain.key_of(honest)).raw_transaction
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))
    count, block = system.call("commit_count"), w3.eth.block_number
    refused = False
    try:
        w3.eth.send_raw_transaction(raw)
    except Exception as exc:  # noqa: BLE001 - eth-tester and nodes word it differently
        refused = "nonce" in str(exc).lower()
    assert refused
    assert (system.call("commit_count"), w3.eth.block_number) == (count, block)
    assert system.indicator(H).submitter == honest


def test_copying_public_content__duplicate_in_every_decided_state(system: AisSystem, actors, rogue, life, everyone):
    """Once revealed, a content hash is public; copying it never earns anything."""
    verified, rejected = b"\x01" * 32, b"\x02" * 32
    life.verify(actors.firm_core, verified)
    life.submit(actors.firm_small, rejected)
    life.open_voting()
    system.vote(actors.panellist_a, rejected, False, 0, 0)
    system.vote(actors.panellist_b, rejected, False, 0, 0)
    system.vote(actors.panellist_c, rejected, False, 0, 0)
    system.finalise(rejected)
    before = books(system, everyone)
    for content in (verified, rejected):
        for copier in (rogue, actors.firm_critical):
            salt = new_salt()
            system.commit(copier, content, salt)
            system.chain.mine()
            with reverts(Revert.DUPLICATE_CONTENT):
                system.reveal(copier, content, salt, 0, 0)
    # The original submitters cannot be paid twice either.
    for owner, content in ((actors.firm_core, verified), (actors.firm_small, rejected)):
        salt = new_salt()
        system.commit(owner, content, salt)
        system.chain.mine()
        with reverts(Revert.DUPLICATE_CONTENT):
            system.reveal(owner, content, salt, 0, 0)
    after = books(system, everyone)
    assert after.commit_count == before.commit_count + 6  # the spent commitments, nothing else
    assert {a: v for a, v in after.accounts.items()} == before.accounts
    assert (after.balance, after.unallocated) == (before.balance, before.unallocated)


def test_censored_victim__front_runner_keeps_it_only_after_victims_window(system: AisSystem, actors, rogue, life):
    """Documented limit: a front-runner who can keep the honest reveal out of every
    block for the honest firm's whole reveal window keeps the indicator.

    The honest firm can supersede until its own window closes; after that its
    commitment has lapsed. Longer reveal windows make censorship costlier.
    """
    salt, own = new_salt(), new_salt()
    system.commit(actors.firm_core, H, salt)
    system.chain.advance_time(300)
    system.commit(rogue, H, own)
    system.chain.mine()
    system.reveal(rogue, H, own, 0, 0)
    system.chain.advance_time(300)  # the honest window (600 s) has closed
    with reverts(Revert.REVEAL_WINDOW_CLOSED):
        system.reveal(actors.firm_core, H, salt, 0, 0)
    assert system.indicator(H).submitter == rogue
