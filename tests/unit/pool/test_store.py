"""The off-chain pool: put gating, TLP 2.0 read rules, signed requests, export."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from sharing.errors import AccessDenied, InputError, SharingError
from sharing.pool.access import (
    DOMAIN_NAME,
    REQUEST_VERSION,
    Action,
    ChainView,
    DenyReason,
    PoolAccessDenied,
    PoolRequest,
    SignedRequest,
    make_request,
    sign_request,
)
from sharing.pool.store import BundleRejected, PoolStore, RejectReason
from sharing.standards.semantic_key import semantic_key
from sharing.standards.stix import Tlp, content_hash, parse_bundle
from sharing.standards.synthetic import SyntheticIndicator, generate_indicator

CHAIN_ID = 31337
POOL = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
OTHER_POOL = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
NOW = 1_750_000_000


def _account(role: str) -> LocalAccount:
    return Account.from_key(keccak(text=role))


# Role-named actors.
firm_critical = _account("firm_critical")  # the submitter of every bundle below
firm_core = _account("firm_core")  # member with pool access
firm_small = _account("firm_small")  # member with pool access, named AMBER+STRICT recipient
firm_lapsed = _account("firm_lapsed")  # member whose access lapsed
outsider = _account("outsider")  # not a member
attacker = _account("attacker")


@dataclass
class FakeChain:
    """In-memory ChainView: what the chain wrapper answers, set by each test."""

    reveals: dict[bytes, str] = field(default_factory=dict)
    keys: dict[bytes, bytes] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    access: set[str] = field(default_factory=set)
    calls: Counter[str] = field(default_factory=Counter)

    def is_revealed(self, content_hash: bytes) -> bool:
        return content_hash in self.reveals

    def submitter_of(self, content_hash: bytes) -> str | None:
        return self.reveals.get(content_hash)

    def has_access(self, account: str) -> bool:
        self.calls["has_access"] += 1
        return account in self.access

    def is_member(self, account: str) -> bool:
        self.calls["is_member"] += 1
        return account in self.members

    def key_holder(self, semantic_key: bytes) -> bytes | None:
        return self.keys.get(semantic_key)

    def reveal(self, item: SyntheticIndicator, by: LocalAccount = firm_critical,
               key: bytes | None = None) -> None:
        self.reveals[item.content_hash] = by.address
        self.keys[semantic_key(item.bundle_json) if key is None else key] = item.content_hash


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def chain() -> FakeChain:
    members: set[str] = {a.address for a in (firm_critical, firm_core, firm_small, firm_lapsed)}
    return FakeChain(
        members=members,
        access={firm_critical.address, firm_core.address, firm_small.address},
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(chain: FakeChain, clock: Clock) -> PoolStore:
    return PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, clock=clock)


@pytest.fixture(scope="module")
def bundles() -> dict[Tlp, SyntheticIndicator]:
    return {level: generate_indicator(100 + i, tlp=level) for i, level in enumerate(Tlp)}


def request(
    who: LocalAccount,
    action: str,
    content_hash: bytes | None = None,
    *,
    recipients: Iterable[str] = (),
    chain_id: int = CHAIN_ID,
    pool: str = POOL,
    ttl: int = 300,
    now: float = NOW,
) -> SignedRequest:
    return make_request(
        who,
        action=action,
        chain_id=chain_id,
        pool=pool,
        content_hash=content_hash,
        recipients=recipients,
        ttl=ttl,
        now=now,
    )


def put(
    store: PoolStore,
    chain: FakeChain,
    item: SyntheticIndicator,
    *,
    recipients: Iterable[str] = (),
    by: LocalAccount = firm_critical,
) -> bool:
    chain.reveal(item)
    return store.put(
        item.bundle_json, request(by, "put", item.content_hash, recipients=recipients)
    ).created


def deny_reason(call: object) -> DenyReason:
    assert callable(call)
    with pytest.raises(PoolAccessDenied) as info:
        call()
    assert isinstance(info.value, AccessDenied)
    assert "\n" not in str(info.value)
    return info.value.reason


# ---------------------------------------------------------------------------
# The request format
# ---------------------------------------------------------------------------


def test_pool_request__typed_data_fields() -> None:
    recipients = tuple(sorted((firm_small.address, firm_core.address), key=str.lower))
    req = PoolRequest(
        action=Action.PUT,
        requester=firm_critical.address,
        chain_id=CHAIN_ID,
        pool=POOL,
        nonce=bytes(range(16)),
        issued=NOW,
        expires=NOW + 300,
        content_hash=bytes(range(32)),
        recipients=recipients,
    )
    typed = req.typed_data()
    assert typed["primaryType"] == "PoolRequest"
    assert typed["domain"] == {
        "name": DOMAIN_NAME, "version": REQUEST_VERSION, "chainId": CHAIN_ID,
        "verifyingContract": POOL,
    }
    assert typed["message"] == {
        "action": "put",
        "contentHash": "0x" + bytes(range(32)).hex(),
        "recipients": list(recipients),
        "requester": firm_critical.address,
        "nonce": "0x000102030405060708090a0b0c0d0e0f",
        "issued": NOW,
        "expires": NOW + 300,
    }
    assert PoolRequest.parse(req.text()) == req
    # Any JSON spelling of the same typed data is the same request.
    assert PoolRequest.parse(json.dumps(typed, indent=1)) == req
    listing = PoolRequest(
        action=Action.LIST, requester=firm_core.address, chain_id=1, pool=POOL,
        nonce=bytes(16), issued=0, expires=5,
    )
    message = listing.typed_data()["message"]
    assert message["contentHash"] == "0x" + "00" * 32 and message["recipients"] == []
    assert PoolRequest.parse(listing.text()).content_hash is None


def test_make_request__signature_recovers_to_requester() -> None:
    signed = request(firm_core, "list")
    message = encode_typed_data(full_message=json.loads(signed.text))
    assert Account.recover_message(message, signature=signed.signature) == firm_core.address
    assert PoolRequest.parse(signed.text).requester == firm_core.address


def test_sign_request__with_someone_elses_key__raises() -> None:
    req = PoolRequest.parse(request(firm_core, "list").text)
    with pytest.raises(InputError, match="cannot sign"):
        sign_request(attacker, req)


def _mangled(change: object) -> str:
    assert callable(change)
    data = json.loads(request(firm_core, "list").text)
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["message"].update(action="delete"),
        lambda d: d["domain"].update(version="2"),  # another format
        lambda d: d["domain"].update(name="other-protocol"),
        lambda d: d["message"].update(issued=str(NOW)),
        lambda d: d["message"].pop("issued"),
        lambda d: d["message"].update(requester=d["message"]["requester"].lower()),
        lambda d: d["domain"].update(chainId="31337"),
        lambda d: d["message"].update(extra=1),
        lambda d: d["types"]["PoolRequest"][4].update(type="bytes32"),
        lambda d: d.update(primaryType="Mail"),
        lambda d: d["message"].update(contentHash="0x" + "AB" * 32),
    ],
)
def test_pool_request_parse__non_canonical_typed_data__malformed(change: object) -> None:
    text = _mangled(change)
    assert deny_reason(lambda: PoolRequest.parse(text)) is DenyReason.MALFORMED


def test_pool_request_parse__not_json__malformed() -> None:
    assert deny_reason(lambda: PoolRequest.parse("action: list")) is DenyReason.MALFORMED


def test_pool_request__expires_before_issued__invalid() -> None:
    fields = {"action": Action.LIST, "requester": firm_core.address, "chain_id": 1, "pool": POOL}
    with pytest.raises(InputError, match="before it is issued"):
        PoolRequest(**fields, nonce=bytes(16), issued=NOW, expires=NOW - 1)
    assert PoolRequest(**fields, nonce=bytes(16), issued=NOW, expires=NOW).issued == NOW


def test_chain_view__fake_satisfies_protocol(chain: FakeChain) -> None:
    assert isinstance(chain, ChainView)


# ---------------------------------------------------------------------------
# put
# ---------------------------------------------------------------------------


def test_put__revealed_bundle_is_stored(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    assert put(store, chain, item) is True
    assert len(store) == 1 and item.content_hash in store and item.hash_hex in store
    assert b"\x00" * 32 not in store and "0x12" not in store and 42 not in store
    stored = store.get(item.content_hash, request(firm_core, "get", item.content_hash))
    assert stored.json_text == item.bundle_json
    assert keccak(stored.json_text.encode()) == item.content_hash
    assert (stored.tlp, stored.submitter, stored.recipients) == (
        Tlp.GREEN,
        firm_critical.address,
        (),
    )
    assert stored.put_at == NOW
    assert store.hashes() == [item.content_hash]


def test_put__same_bundle_twice_is_idempotent(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.AMBER]
    assert put(store, chain, item) is True
    assert put(store, chain, item) is False
    assert len(store) == 1


def test_put__other_spelling_of_same_bundle_is_accepted(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.CLEAR]
    chain.reveal(item)
    pretty = json.dumps(json.loads(item.bundle_json), indent=4, ensure_ascii=True)
    result = store.put(pretty, request(firm_critical, "put", item.content_hash))
    assert result.content_hash == item.content_hash and result.created
    assert store.get(item.content_hash).json_text == item.bundle_json


def test_put__not_revealed__rejected(
    store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    with pytest.raises(BundleRejected) as info:
        store.put(item.bundle_json, request(firm_critical, "put", item.content_hash))
    assert info.value.reason is RejectReason.NOT_REVEALED
    assert isinstance(info.value, InputError)
    assert len(store) == 0


def test_put__hash_mismatch__rejected(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    signed_for, uploaded = bundles[Tlp.GREEN], bundles[Tlp.AMBER]
    chain.reveal(signed_for)
    chain.reveal(uploaded)
    with pytest.raises(BundleRejected) as info:
        store.put(uploaded.bundle_json, request(firm_critical, "put", signed_for.content_hash))
    assert info.value.reason is RejectReason.HASH_MISMATCH
    assert len(store) == 0


def test_put__tampered_bundle__rejected(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    data = json.loads(item.bundle_json)
    data["objects"][1]["name"] = "edited after the reveal"
    with pytest.raises(BundleRejected) as info:
        store.put(json.dumps(data), request(firm_critical, "put", item.content_hash))
    assert info.value.reason is RejectReason.HASH_MISMATCH
    assert len(store) == 0


def test_put__tlp_red__rejected(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    with pytest.raises(BundleRejected) as info:
        put(store, chain, bundles[Tlp.RED])
    assert info.value.reason is RejectReason.TLP_RED
    assert len(store) == 0


def test_put__unmarked__rejected(store: PoolStore, chain: FakeChain) -> None:
    data = json.loads(generate_indicator(77).bundle_json)
    data["objects"] = [o for o in data["objects"] if o["type"] != "marking-definition"]
    for obj in data["objects"]:
        obj.pop("object_marking_refs", None)
    digest = content_hash(data)
    chain.reveals[digest] = firm_critical.address
    with pytest.raises(BundleRejected) as info:
        store.put(data, request(firm_critical, "put", digest))
    assert info.value.reason is RejectReason.NO_TLP
    assert len(store) == 0


def test_put__invalid_stix__rejected(store: PoolStore) -> None:
    with pytest.raises(InputError, match="invalid STIX"):
        store.put('{"type": "bundle", "id": "bundle--x"}', request(firm_critical, "put", bytes(32)))
    assert len(store) == 0


def test_put__by_someone_else__denied(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.AMBER_STRICT]
    chain.reveal(item)
    # The attacker knows the bundle and tries to upload it with itself as recipient.
    signed = request(attacker, "put", item.content_hash, recipients=[attacker.address])
    assert deny_reason(lambda: store.put(item.bundle_json, signed)) is DenyReason.NOT_SUBMITTER
    assert len(store) == 0


def test_put__unsigned__denied(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.CLEAR]
    chain.reveal(item)
    assert deny_reason(lambda: store.put(item.bundle_json, None)) is DenyReason.NO_SIGNATURE
    assert len(store) == 0


def test_put__recipients_on_non_strict_bundle__rejected(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    with pytest.raises(BundleRejected) as info:
        put(store, chain, bundles[Tlp.AMBER], recipients=[firm_small.address])
    assert info.value.reason is RejectReason.RECIPIENTS_UNUSED
    assert len(store) == 0


def test_put__restating_recipients_replaces_the_list(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.AMBER_STRICT]
    put(store, chain, item, recipients=[firm_small.address])
    get_as = lambda who: store.get(item.content_hash, request(who, "get", item.content_hash))  # noqa: E731
    assert get_as(firm_small).recipients == (firm_small.address,)
    assert deny_reason(lambda: get_as(firm_core)) is DenyReason.MARKING_FORBIDS
    assert put(store, chain, item, recipients=[firm_core.address]) is False
    assert get_as(firm_core).recipients == (firm_core.address,)
    assert deny_reason(lambda: get_as(firm_small)) is DenyReason.MARKING_FORBIDS


def test_put__list_signature_cannot_put(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    signed = request(firm_critical, "list")
    assert deny_reason(lambda: store.put(item.bundle_json, signed)) is DenyReason.REQUEST_MISMATCH


# ---------------------------------------------------------------------------
# get: the TLP rules, allow and deny
# ---------------------------------------------------------------------------


@pytest.fixture
def full_store(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> PoolStore:
    for level in (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER):
        put(store, chain, bundles[level])
    put(store, chain, bundles[Tlp.AMBER_STRICT], recipients=[firm_small.address])
    return store


def _get(store: PoolStore, item: SyntheticIndicator, who: LocalAccount | None) -> str:
    signed = None if who is None else request(who, "get", item.content_hash)
    return store.get(item.content_hash, signed).json_text


def test_get__clear__anyone_even_unsigned(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.CLEAR]
    for who in (None, outsider, firm_lapsed, firm_core):
        assert _get(full_store, item, who) == item.bundle_json


@pytest.mark.parametrize("level", [Tlp.GREEN, Tlp.AMBER])
def test_get__green_amber__member_with_access(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator], level: Tlp
) -> None:
    item = bundles[level]
    assert _get(full_store, item, firm_core) == item.bundle_json
    assert _get(full_store, item, firm_small) == item.bundle_json


@pytest.mark.parametrize("level", [Tlp.GREEN, Tlp.AMBER])
@pytest.mark.parametrize(
    ("who", "reason"),
    [
        (None, DenyReason.NO_SIGNATURE),
        (outsider, DenyReason.NOT_MEMBER),
        (firm_lapsed, DenyReason.NO_ACCESS),
    ],
)
def test_get__green_amber__denied(
    full_store: PoolStore,
    bundles: dict[Tlp, SyntheticIndicator],
    level: Tlp,
    who: LocalAccount | None,
    reason: DenyReason,
) -> None:
    assert deny_reason(lambda: _get(full_store, bundles[level], who)) is reason


def test_get__amber_strict__listed_recipient_with_access(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.AMBER_STRICT]
    assert _get(full_store, item, firm_small) == item.bundle_json


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        (None, DenyReason.NO_SIGNATURE),
        (firm_core, DenyReason.MARKING_FORBIDS),  # member with access, not listed
        (outsider, DenyReason.NOT_MEMBER),
        (firm_lapsed, DenyReason.NO_ACCESS),
    ],
)
def test_get__amber_strict__denied(
    full_store: PoolStore,
    bundles: dict[Tlp, SyntheticIndicator],
    who: LocalAccount | None,
    reason: DenyReason,
) -> None:
    assert deny_reason(lambda: _get(full_store, bundles[Tlp.AMBER_STRICT], who)) is reason


def test_get__amber_strict__listed_recipient_without_access__denied(
    full_store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    chain.access.discard(firm_small.address)
    item = bundles[Tlp.AMBER_STRICT]
    assert deny_reason(lambda: _get(full_store, item, firm_small)) is DenyReason.NO_ACCESS


@pytest.mark.parametrize("level", [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT])
def test_get__submitter_always_reads_its_own(
    full_store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator], level: Tlp
) -> None:
    chain.access.discard(firm_critical.address)
    chain.members.discard(firm_critical.address)
    assert _get(full_store, bundles[level], firm_critical) == bundles[level].bundle_json


def test_get__access_is_read_live_from_chain(
    full_store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    assert _get(full_store, item, firm_core) == item.bundle_json
    chain.access.discard(firm_core.address)  # access lapses after E epochs
    assert deny_reason(lambda: _get(full_store, item, firm_core)) is DenyReason.NO_ACCESS
    chain.access.add(firm_core.address)
    assert _get(full_store, item, firm_core) == item.bundle_json


def test_get__unknown_hash__raises(full_store: PoolStore) -> None:
    with pytest.raises(InputError, match="no bundle"):
        full_store.get(b"\x01" * 32)
    with pytest.raises(InputError, match="32 bytes"):
        full_store.get(b"short")


# ---------------------------------------------------------------------------
# Signatures: bad, expired, wrong pool, replayed, mismatched
# ---------------------------------------------------------------------------


def test_get__tampered_signature__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash)
    broken = SignedRequest(signed.text, signed.signature[:10] + b"\x00" + signed.signature[11:])
    assert (
        deny_reason(lambda: full_store.get(item.content_hash, broken)) is DenyReason.BAD_SIGNATURE
    )


def test_get__signed_by_impostor__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    # The attacker writes a request in firm_core's name and signs it with its own key.
    item = bundles[Tlp.GREEN]
    text = request(firm_core, "get", item.content_hash).text
    message = encode_typed_data(full_message=json.loads(text))
    forged = SignedRequest(text, bytes(attacker.sign_message(message).signature))
    assert (
        deny_reason(lambda: full_store.get(item.content_hash, forged)) is DenyReason.BAD_SIGNATURE
    )


@pytest.mark.parametrize("signature", [b"", b"\x00" * 10, b"\x00" * 65])
def test_get__garbage_signature__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator], signature: bytes
) -> None:
    item = bundles[Tlp.GREEN]
    signed = SignedRequest(request(firm_core, "get", item.content_hash).text, signature)
    assert (
        deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.BAD_SIGNATURE
    )


def test_get__bad_signature_on_clear_bundle__still_denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.CLEAR]
    signed = SignedRequest(request(firm_core, "get", item.content_hash).text, b"\x00" * 65)
    assert (
        deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.BAD_SIGNATURE
    )


def test_get__expired__denied(
    full_store: PoolStore, clock: Clock, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash, ttl=60)
    clock.now = NOW + 60
    assert deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.EXPIRED


def test_get__just_before_expiry__allowed(
    full_store: PoolStore, clock: Clock, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash, ttl=60)
    clock.now = NOW + 59
    assert full_store.get(item.content_hash, signed).json_text == item.bundle_json


def test_get__expiry_too_far_ahead__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash, ttl=10 * 3600)
    assert deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.TTL_TOO_LONG


@pytest.mark.parametrize(("chain_id", "pool"), [(1, POOL), (CHAIN_ID, OTHER_POOL)])
def test_get__signed_for_another_pool__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator], chain_id: int, pool: str
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash, chain_id=chain_id, pool=pool)
    assert deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.WRONG_POOL


def test_get__replayed__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash)
    assert full_store.get(item.content_hash, signed).json_text == item.bundle_json
    assert deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.REPLAYED


def test_get__replay_after_expiry_is_expired_and_nonces_are_pruned(
    full_store: PoolStore, clock: Clock, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "get", item.content_hash, ttl=60)
    full_store.get(item.content_hash, signed)
    clock.now = NOW + 400  # past this request's expiry and the fixture's put requests'
    assert deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.EXPIRED
    fresh = request(firm_core, "get", item.content_hash, now=clock.now)
    full_store.get(item.content_hash, fresh)
    spent = full_store._db.execute("SELECT count(*) FROM spent_nonces").fetchone()[0]
    assert spent == 1  # only the fresh nonce: the expired ones were pruned


def test_get__signed_for_another_hash__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    wanted, signed_for = bundles[Tlp.GREEN], bundles[Tlp.AMBER]
    signed = request(firm_core, "get", signed_for.content_hash)
    assert (
        deny_reason(lambda: full_store.get(wanted.content_hash, signed))
        is DenyReason.REQUEST_MISMATCH
    )


def test_get__list_signature_cannot_get(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    signed = request(firm_core, "list")
    assert (
        deny_reason(lambda: full_store.get(item.content_hash, signed))
        is DenyReason.REQUEST_MISMATCH
    )


def test_get__malformed_request__denied(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    data = json.loads(request(firm_core, "get", item.content_hash).text)
    data["message"]["extra"] = "field"  # signed, but not a pool request
    text = json.dumps(data)
    signature = firm_core.sign_message(encode_typed_data(full_message=data)).signature
    signed = SignedRequest(text, bytes(signature))
    assert deny_reason(lambda: full_store.get(item.content_hash, signed)) is DenyReason.MALFORMED


# ---------------------------------------------------------------------------
# readable / export
# ---------------------------------------------------------------------------


def _hashes(items: Iterable[object]) -> list[bytes]:
    return [getattr(i, "content_hash") for i in items]  # noqa: B009


def test_readable__unsigned_sees_only_clear(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    assert _hashes(full_store.readable()) == [bundles[Tlp.CLEAR].content_hash]


def test_readable__by_requester(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    order = [Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT]
    expected = {
        firm_small: order,
        firm_core: order[:3],
        firm_critical: order,
        firm_lapsed: order[:1],
        outsider: order[:1],
    }
    for who, levels in expected.items():
        listed = full_store.readable(request(who, "list"))
        assert _hashes(listed) == [bundles[t].content_hash for t in levels], who.address


def test_readable__asks_the_chain_once_per_listing(full_store: PoolStore, chain: FakeChain) -> None:
    chain.calls.clear()
    full_store.readable(request(firm_core, "list"))
    assert chain.calls["is_member"] == 1 and chain.calls["has_access"] == 1


def test_readable__bad_signature__denied(full_store: PoolStore) -> None:
    signed = SignedRequest(request(firm_core, "list").text, b"\x01" * 65)
    assert deny_reason(lambda: full_store.readable(signed)) is DenyReason.BAD_SIGNATURE


def test_readable__get_signature_cannot_list(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    signed = request(firm_core, "get", bundles[Tlp.GREEN].content_hash)
    assert deny_reason(lambda: full_store.readable(signed)) is DenyReason.REQUEST_MISMATCH


def test_export__valid_stix_bundle_of_readable_content(
    full_store: PoolStore, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    exported = full_store.export(request(firm_core, "list"))
    parsed = parse_bundle(exported)  # valid STIX 2.1, checked by stix2 and the validator
    indicator_ids = {o["id"] for o in parsed.objects if o["type"] == "indicator"}
    expected_ids = {
        next(
            o["id"]
            for o in json.loads(bundles[t].bundle_json)["objects"]
            if o["type"] == "indicator"
        )
        for t in (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER)
    }
    assert indicator_ids == expected_ids
    ids = [o["id"] for o in parsed.objects]
    assert len(ids) == len(set(ids))  # shared marking definitions appear once
    markings = {o["id"] for o in parsed.objects if o["type"] == "marking-definition"}
    assert markings == {Tlp.CLEAR.marking_id, Tlp.GREEN.marking_id, Tlp.AMBER.marking_id}


def test_export__deterministic_and_requester_dependent(full_store: PoolStore) -> None:
    first = full_store.export(request(firm_core, "list"))
    assert full_store.export(request(firm_core, "list")) == first
    assert full_store.export(request(firm_small, "list")) != first


def test_export__nothing_readable_is_an_empty_valid_bundle(store: PoolStore) -> None:
    exported = store.export()
    assert "objects" not in json.loads(exported)
    assert parse_bundle(exported).type == "bundle"


def test_export__shared_objects_once(store: PoolStore, chain: FakeChain) -> None:
    a = generate_indicator(1, tlp=Tlp.GREEN)
    b = generate_indicator(2, tlp=Tlp.GREEN)
    put(store, chain, a)
    put(store, chain, b)
    parsed = parse_bundle(store.export(request(firm_core, "list")))
    assert [o["type"] for o in parsed.objects].count("marking-definition") == 1
    assert [o["type"] for o in parsed.objects].count("indicator") == 2


# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------


def test_store__persists_across_reopen(
    tmp_path: Path, chain: FakeChain, clock: Clock, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    path = tmp_path / "pool.sqlite"
    with PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, path=path, clock=clock) as first:
        put(first, chain, bundles[Tlp.CLEAR])
    with PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, path=path, clock=clock) as again:
        assert (
            again.get(bundles[Tlp.CLEAR].content_hash).json_text == bundles[Tlp.CLEAR].bundle_json
        )


@pytest.mark.parametrize(("chain_id", "pool"), [(1, POOL), (CHAIN_ID, OTHER_POOL)])
def test_store__bound_to_its_pool(
    tmp_path: Path, chain: FakeChain, chain_id: int, pool: str
) -> None:
    path = tmp_path / "pool.sqlite"
    PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, path=path).close()
    with pytest.raises(InputError, match="bound to"):
        PoolStore(chain, chain_id=chain_id, pool_address=pool, path=path)


def test_store__pool_address_is_normalised(chain: FakeChain) -> None:
    store = PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL.lower())
    assert store.pool_address == POOL and store.chain_id == CHAIN_ID
    with pytest.raises(InputError):
        PoolStore(chain, chain_id=CHAIN_ID, pool_address="0x1234")
    with pytest.raises(InputError):
        PoolStore(chain, chain_id=-1, pool_address=POOL)


def test_store__tampered_row__refused_on_read(
    tmp_path: Path, chain: FakeChain, clock: Clock, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    path = tmp_path / "pool.sqlite"
    item = bundles[Tlp.CLEAR]
    with PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, path=path, clock=clock) as store:
        put(store, chain, item)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE bundles SET canonical_json = ?",
            (item.bundle_json.replace("Synthetic", "Genuine").encode(),),
        )
    with PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, path=path, clock=clock) as store:
        with pytest.raises(SharingError, match="does not match its hash"):
            store.get(item.content_hash)


# ---------------------------------------------------------------------------
# Attribution follows the chain: a supersede moves the indicator to another firm
# ---------------------------------------------------------------------------

DbState = tuple[list[tuple[bytes, str, int]], set[tuple[bytes, str]], set[tuple[str, bytes]]]


def _db_state(store: PoolStore) -> DbState:
    """What the database holds: rows (hash, stored attribution, put_at), recipients, nonces."""
    db = store._db
    rows = [
        (bytes(h), who, at)
        for h, who, at in db.execute("SELECT content_hash, submitter, put_at FROM bundles")
    ]
    recipients = {
        (bytes(h), a) for h, a in db.execute("SELECT content_hash, account FROM recipients")
    }
    nonces = {(who, bytes(n)) for who, n in db.execute("SELECT requester, nonce FROM spent_nonces")}
    return rows, recipients, nonces


def _nonce(signed: SignedRequest) -> tuple[str, bytes]:
    parsed = PoolRequest.parse(signed.text)
    return parsed.requester, parsed.nonce


@pytest.fixture
def superseded(
    store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> SyntheticIndicator:
    """An AMBER+STRICT bundle put by firm_critical for firm_small, then superseded by firm_core.

    On chain, firm_core revealed the same content under an older commitment:
    ``submitter_of`` now names firm_core (first committer wins).
    """
    item = bundles[Tlp.AMBER_STRICT]
    put(store, chain, item, recipients=[firm_small.address])
    assert _get(store, item, firm_small) == item.bundle_json  # readable before the supersede
    chain.reveal(item, by=firm_core)
    return item


def test_put__after_supersede__new_holder_reattributes_and_replaces_recipients(
    store: PoolStore, chain: FakeChain, superseded: SyntheticIndicator
) -> None:
    item = superseded
    signed = request(firm_core, "put", item.content_hash, recipients=[firm_critical.address])
    assert store.put(item.bundle_json, signed).created is False
    rows, recipients, _ = _db_state(store)
    assert rows == [(item.content_hash, firm_core.address, NOW)]  # re-attributed, same first put
    assert recipients == {(item.content_hash, firm_critical.address)}
    stored = store.get(item.content_hash, request(firm_critical, "get", item.content_hash))
    assert (stored.submitter, stored.recipients) == (firm_core.address, (firm_critical.address,))
    assert deny_reason(lambda: _get(store, item, firm_small)) is DenyReason.MARKING_FORBIDS
    assert len(store) == 1


def test_put__after_supersede__displaced_firm_cannot_change_anything(
    store: PoolStore, chain: FakeChain, superseded: SyntheticIndicator
) -> None:
    item = superseded
    # Before the new holder puts: the displaced firm tries to restate its list.
    before = _db_state(store)
    signed = request(firm_critical, "put", item.content_hash, recipients=[firm_core.address])
    assert deny_reason(lambda: store.put(item.bundle_json, signed)) is DenyReason.NOT_SUBMITTER
    rows, recipients, nonces = _db_state(store)
    assert (rows, recipients) == before[:2]
    assert nonces == before[2] | {_nonce(signed)}  # only its own signature is spent
    # After the new holder put its list: the displaced firm still cannot replace it.
    store.put(item.bundle_json, request(firm_core, "put", item.content_hash, recipients=[]))
    before = _db_state(store)
    signed = request(firm_critical, "put", item.content_hash, recipients=[firm_small.address])
    assert deny_reason(lambda: store.put(item.bundle_json, signed)) is DenyReason.NOT_SUBMITTER
    rows, recipients, nonces = _db_state(store)
    assert rows == before[0] == [(item.content_hash, firm_core.address, NOW)]
    assert recipients == before[1] == set()
    assert nonces == before[2] | {_nonce(signed)}
    assert deny_reason(lambda: _get(store, item, firm_small)) is DenyReason.MARKING_FORBIDS


def test_get__after_supersede__chain_holder_reported_and_displaced_recipients_void(
    store: PoolStore, chain: FakeChain, superseded: SyntheticIndicator
) -> None:
    item = superseded
    stored_rows = _db_state(store)[0]
    assert stored_rows[0][1] == firm_critical.address  # the new holder has not put yet
    as_holder = store.get(item.content_hash, request(firm_core, "get", item.content_hash))
    assert (as_holder.submitter, as_holder.recipients) == (firm_core.address, ())
    # firm_small was named by a firm that no longer holds the indicator; the
    # displaced firm is no longer its submitter.
    assert deny_reason(lambda: _get(store, item, firm_small)) is DenyReason.MARKING_FORBIDS
    assert deny_reason(lambda: _get(store, item, firm_critical)) is DenyReason.MARKING_FORBIDS
    assert store.readable(request(firm_small, "list")) == []
    assert "objects" not in json.loads(store.export(request(firm_small, "list")))
    listed = store.readable(request(firm_core, "list"))
    assert [(b.content_hash, b.submitter) for b in listed] == [
        (item.content_hash, firm_core.address)
    ]


def test_readable__reports_the_chain_holder_after_supersede(
    full_store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    chain.reveal(bundles[Tlp.GREEN], by=firm_core)
    listed = {b.content_hash: b.submitter for b in full_store.readable(request(firm_small, "list"))}
    assert listed[bundles[Tlp.GREEN].content_hash] == firm_core.address
    assert listed[bundles[Tlp.CLEAR].content_hash] == firm_critical.address
    green = bundles[Tlp.GREEN].content_hash
    assert full_store.get(green, request(firm_small, "get", green)).submitter == firm_core.address


def test_get__no_longer_revealed_on_chain__not_served(
    full_store: PoolStore, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    # A dev chain reverted to a snapshot before the reveal: the chain vouches for nothing.
    gone, kept = bundles[Tlp.CLEAR], bundles[Tlp.GREEN]
    del chain.reveals[gone.content_hash]
    with pytest.raises(InputError, match="not revealed on chain"):
        full_store.get(gone.content_hash)
    assert full_store.readable() == []
    listed = _hashes(full_store.readable(request(firm_core, "list")))
    assert gone.content_hash not in listed and kept.content_hash in listed
    assert _get(full_store, kept, firm_core) == kept.bundle_json


# ---------------------------------------------------------------------------
# Replay: spent nonces must outlive a restart, or old requests are refused
# ---------------------------------------------------------------------------

RESTART = NOW + 60  # well within the captured requests' 300 s lifetime


def _open(chain: FakeChain, clock: Clock, path: str | Path = ":memory:") -> PoolStore:
    return PoolStore(chain, chain_id=CHAIN_ID, pool_address=POOL, path=path, clock=clock)


def test_put__replayed_after_memory_store_restart__not_provably_unspent(
    chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.AMBER_STRICT]
    chain.reveal(item)
    clock = Clock(NOW)
    captured = request(firm_critical, "put", item.content_hash, recipients=[firm_small.address])
    with _open(chain, clock) as first:
        first.put(item.bundle_json, captured)
    clock.now = RESTART  # the process restarts: the in-memory nonces are gone
    with _open(chain, clock) as second:
        assert second.nonces_since == RESTART
        restated = request(
            firm_critical, "put", item.content_hash, recipients=[firm_core.address], now=RESTART
        )
        second.put(item.bundle_json, restated)
        before = _db_state(second)
        assert PoolRequest.parse(captured.text).expires > clock.now  # still alive
        replay = lambda: second.put(item.bundle_json, captured)  # noqa: E731
        assert deny_reason(replay) is DenyReason.NOT_PROVABLY_UNSPENT
        assert _db_state(second) == before  # recipients, attribution and nonces untouched
        assert before[1] == {(item.content_hash, firm_core.address)}


def test_get__replayed_after_memory_store_restart__not_provably_unspent(
    chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    clock = Clock(NOW)
    captured = request(firm_core, "get", item.content_hash)
    with _open(chain, clock) as first:
        first.put(item.bundle_json, request(firm_critical, "put", item.content_hash))
        first.get(item.content_hash, captured)
    clock.now = RESTART
    with _open(chain, clock) as second:
        second.put(item.bundle_json, request(firm_critical, "put", item.content_hash, now=RESTART))
        before = _db_state(second)
        replay = lambda: second.get(item.content_hash, captured)  # noqa: E731
        assert deny_reason(replay) is DenyReason.NOT_PROVABLY_UNSPENT
        assert _db_state(second) == before


def test_memory_store__request_issued_from_its_opening__accepted_once(
    chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    with _open(chain, Clock(RESTART)) as store:
        store.put(item.bundle_json, request(firm_critical, "put", item.content_hash, now=RESTART))
        fresh = request(firm_core, "get", item.content_hash, now=RESTART)
        assert store.get(item.content_hash, fresh).json_text == item.bundle_json
        assert deny_reason(lambda: store.get(item.content_hash, fresh)) is DenyReason.REPLAYED
        a_second_early = request(firm_core, "get", item.content_hash, now=RESTART - 1)
        assert (
            deny_reason(lambda: store.get(item.content_hash, a_second_early))
            is DenyReason.NOT_PROVABLY_UNSPENT
        )


def test_file_store__spent_nonces_survive_restart(
    tmp_path: Path, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    path = tmp_path / "pool.sqlite"
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    clock = Clock(NOW)
    spent = request(firm_core, "get", item.content_hash)
    unspent = request(firm_small, "get", item.content_hash)
    with _open(chain, clock, path) as first:
        first.put(item.bundle_json, request(firm_critical, "put", item.content_hash))
        first.get(item.content_hash, spent)
    clock.now = RESTART
    with _open(chain, clock, path) as second:
        assert second.nonces_since == NOW  # the record began with the file, not the process
        before = _db_state(second)
        assert deny_reason(lambda: second.get(item.content_hash, spent)) is DenyReason.REPLAYED
        assert _db_state(second) == before
        # Issued before the restart but never spent: the file proves it, so it is served.
        assert second.get(item.content_hash, unspent).json_text == item.bundle_json


def test_file_store__nonce_record_deleted__starts_again_on_open(
    tmp_path: Path, chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    # Restoring a backup loses the nonces spent since; the operator deletes the
    # record's start, and the reopened store refuses what it cannot vouch for.
    path = tmp_path / "pool.sqlite"
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    clock = Clock(NOW)
    captured = request(firm_core, "get", item.content_hash)
    with _open(chain, clock, path) as first:
        first.put(item.bundle_json, request(firm_critical, "put", item.content_hash))
        first.get(item.content_hash, captured)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM spent_nonces")  # the backup predates the spend
        db.execute("DELETE FROM meta WHERE key = 'nonces_since'")
    db.close()
    clock.now = RESTART
    with _open(chain, clock, path) as restored:
        assert restored.nonces_since == RESTART
        replay = lambda: restored.get(item.content_hash, captured)  # noqa: E731
        assert deny_reason(replay) is DenyReason.NOT_PROVABLY_UNSPENT
        fresh = request(firm_core, "get", item.content_hash, now=RESTART)
        assert restored.get(item.content_hash, fresh).json_text == item.bundle_json


def test_get__issued_in_the_future__denied(
    full_store: PoolStore, clock: Clock, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    ahead = request(firm_core, "get", item.content_hash, now=NOW + 5)
    before = _db_state(full_store)
    assert deny_reason(lambda: _get_with(full_store, item, ahead)) is DenyReason.ISSUED_IN_FUTURE
    assert _db_state(full_store) == before
    clock.now = NOW + 5
    assert _get_with(full_store, item, ahead) == item.bundle_json


def _get_with(store: PoolStore, item: SyntheticIndicator, signed: SignedRequest) -> str:
    return store.get(item.content_hash, signed).json_text


def test_get__signed_lifetime_over_max_ttl__denied_even_near_expiry(
    chain: FakeChain, bundles: dict[Tlp, SyntheticIndicator]
) -> None:
    item = bundles[Tlp.GREEN]
    chain.reveal(item)
    clock = Clock(NOW - 4000)
    with _open(chain, clock) as store:
        store.put(
            item.bundle_json, request(firm_critical, "put", item.content_hash, now=NOW - 4000)
        )
        too_long = request(firm_core, "get", item.content_hash, now=NOW - 3000, ttl=3601)
        longest = request(firm_core, "get", item.content_hash, now=NOW - 3000, ttl=3600)
        clock.now = NOW  # both expire within 601 s of now
        assert deny_reason(lambda: _get_with(store, item, too_long)) is DenyReason.TTL_TOO_LONG
        assert _get_with(store, item, longest) == item.bundle_json


def test_put__revealed_under_another_semantic_key__rejected_nothing_stored(store, chain):
    """A firm that declared a false key on chain (to dodge the duplicate rule) cannot
    get its bundle into the pool: the pool only stores what the chain holds by its key."""
    item = generate_indicator(191, tlp=Tlp.GREEN)
    chain.reveal(item, key=b"\x0f" * 32)
    with pytest.raises(BundleRejected) as info:
        store.put(item.bundle_json, request(firm_critical, "put", item.content_hash))
    assert info.value.reason is RejectReason.KEY_MISMATCH
    assert item.content_hash not in store
    chain.keys[semantic_key(item.bundle_json)] = item.content_hash  # the true key: accepted
    assert store.put(item.bundle_json, request(firm_critical, "put", item.content_hash)).created
