"""Who gets in: Sign-In with Ethereum, bearer tokens, and the on-chain rule at every request."""

from __future__ import annotations

import base64

import pytest
import requests
from eth_account import Account
from eth_account.messages import encode_defunct
from server_helpers import Bearer, Served
from taxii2client.common import TokenAuth
from taxii2client.exceptions import AccessError
from taxii2client.v21 import Server

from sharing.server.auth import TokenAuthority

TAXII = "application/taxii+json;version=2.1"


def _get(served: Served, url: str, token: str | None) -> requests.Response:
    return requests.get(url, headers={"Accept": TAXII},
                        auth=Bearer(token) if token is not None else None, timeout=10)


def _sign(key: bytes, message: str) -> str:
    return "0x" + bytes(Account.from_key(key).sign_message(
        encode_defunct(text=message)).signature).hex()


def test_no_token__401_taxii_error_naming_the_scheme(served: Served):
    response = _get(served, served.discovery, None)
    assert response.status_code == 401
    assert response.headers["content-type"] == TAXII
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error_code"] == "auth-missing"
    basic = requests.get(served.discovery, auth=("user", "pw"), timeout=10)
    assert basic.status_code == 401 and basic.json()["error_code"] == "auth-malformed"


def test_token_in_the_ways_taxii_clients_are_configured__all_read(served: Served):
    """taxii2-client's own TokenAuth ("Token") and a user/password feed (Basic, token as password)."""
    token = served.token_of("core")
    assert Server(served.discovery, auth=TokenAuth(token)).api_roots
    assert Server(served.discovery, user="any-name", password=token).api_roots
    for scheme in ("Bearer", "bearer", "TOKEN"):
        reply = requests.get(served.discovery, headers={
            "Accept": TAXII, "Authorization": f"{scheme} {token}"}, timeout=10)
        assert reply.status_code == 200, scheme
    refused = {
        "Digest abc": "auth-malformed",
        "Basic !!!notbase64": "auth-malformed",
        "Basic " + base64.b64encode(b"user-without-password").decode(): "auth-malformed",
        "Token ": "auth-missing",
    }
    for header, code in refused.items():
        reply = requests.get(served.discovery, headers={
            "Accept": TAXII, "Authorization": header}, timeout=10)
        assert reply.status_code == 401 and reply.json()["error_code"] == code, header


def test_expired_forged_and_revoked_tokens__refused(served: Served):
    auth = served.ctx.auth
    core = served.members["core"]
    expired = auth.issue(core, ttl=-1).token
    assert _get(served, served.discovery, expired).json()["error_code"] == "auth-expired"
    payload, _, mac = served.token_of("core").partition(".")
    forged = payload + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
    assert _get(served, served.discovery, forged).json()["error_code"] == "auth-malformed"
    other = TokenAuthority(domain=auth.domain, chain_id=auth.chain_id).issue(core).token
    assert _get(served, served.discovery, other).status_code == 401  # another server's secret
    spare = served.ctx.chain.accounts[12]
    revoked = auth.issue(spare).token
    assert _get(served, served.discovery, revoked).status_code == 200
    auth.revoke(spare)
    response = _get(served, served.discovery, revoked)
    assert response.status_code == 401 and response.json()["error_code"] == "auth-revoked"


def test_sign_in__nonce_message_signature_token_then_a_taxii_read(served: Served):
    chain = served.ctx.chain
    small = served.members["small"]
    start = requests.get(f"{served.base}/auth/nonce", params={"address": small}, timeout=10).json()
    message = start["message"]
    assert message.startswith(f"{start['domain']} wants you to sign in with your Ethereum account")
    assert f"Chain ID: {chain.chain_id}" in message and f"Nonce: {start['nonce']}" in message
    signature = _sign(chain.key_of(small), message)
    reply = requests.post(f"{served.base}/auth/token",
                          json={"message": message, "signature": signature}, timeout=10)
    assert reply.status_code == 200
    issued = reply.json()
    assert issued["address"] == small and issued["expires_at"] > served.ctx.auth.now()
    assert Server(served.discovery, auth=Bearer(issued["token"])).api_roots
    # The nonce is spent: the same signed message cannot be exchanged twice.
    again = requests.post(f"{served.base}/auth/token",
                          json={"message": message, "signature": signature}, timeout=10)
    assert again.status_code == 401 and again.json()["reason"] == "unknown nonce"


def test_sign_in__wrong_signer_wrong_domain_and_garbage_refused(served: Served):
    chain = served.ctx.chain
    auth = served.ctx.auth
    core, small = served.members["core"], served.members["small"]
    message = auth.message_for(core, auth.new_nonce(), served.base + "/")
    forged = requests.post(f"{served.base}/auth/token", timeout=10,
                           json={"message": message, "signature": _sign(chain.key_of(small),
                                                                        message)})
    assert forged.status_code == 401 and forged.json()["reason"] == "bad signature"
    phishing = TokenAuthority(domain="evil.example", chain_id=auth.chain_id)
    elsewhere = phishing.message_for(core, auth.new_nonce(), "https://evil.example/")
    wrong = requests.post(f"{served.base}/auth/token", timeout=10,
                          json={"message": elsewhere,
                                "signature": _sign(chain.key_of(core), elsewhere)})
    assert wrong.status_code == 401 and wrong.json()["reason"] == "wrong domain"
    garbage = requests.post(f"{served.base}/auth/token", timeout=10,
                            json={"message": "hello", "signature": "0x00"})
    assert garbage.status_code == 401 and garbage.json()["reason"] == "malformed"
    assert requests.post(f"{served.base}/auth/token", data=b"[", timeout=10).status_code == 400


def test_access__newcomer_without_on_chain_access_is_refused_but_reads_tlp_clear(served: Served):
    token = served.token_of("newcomer")
    refused = _get(served, served.collection_url() + "objects/", token)
    assert refused.status_code == 403 and refused.json()["error_code"] == "no-access"
    resources = {c["alias"]: c for c in _get(
        served, f"{served.base}/taxii2/alliance/collections/", token).json()["collections"]}
    assert resources["verified"]["can_read"] is False
    assert resources["tlp-clear"]["can_read"] is True
    clear = _get(served, served.collection_url("tlp-clear") + "objects/", token).json()
    assert {o["type"] for o in clear["objects"]} >= {"indicator"}


def test_access__a_non_member_token_reads_nothing_restricted(served: Served):
    stranger = served.ctx.chain.accounts[13]
    token = served.ctx.auth.issue(stranger).token
    refused = _get(served, served.collection_url() + "objects/", token)
    assert refused.status_code == 403 and refused.json()["error_code"] == "not-member"


def test_access__lapses_between_two_requests_with_the_same_token(served: Served):
    ctx = served.ctx
    token = served.token_of("core")
    url = served.collection_url() + "objects/"
    assert _get(served, url, token).status_code == 200
    # A connector that loaded the collection while it could read it ...
    collection = Server(served.discovery, auth=Bearer(token)).api_roots[0].collections[0]
    assert collection.can_read and collection.get_objects()["objects"]
    with ctx.locked():
        snapshot = ctx.chain.snapshot()
        epochs = int(ctx.system.call("access_epochs"))
        ctx.chain.advance_time(epochs * int(ctx.system.call("EPOCH_LENGTH")) + 1)
        ctx.chain.mine()
        assert not ctx.system.has_access(served.members["core"])
    try:
        lapsed = _get(served, url, token)
        assert lapsed.status_code == 403 and lapsed.json()["error_code"] == "no-access"
        # ... is refused on its next poll, with the token it still holds.
        with pytest.raises(requests.HTTPError, match="403"):
            collection.get_objects()
        fresh = Server(served.discovery, auth=Bearer(token)).api_roots[0].collections[0]
        with pytest.raises(AccessError, match="does not allow reading"):
            fresh.get_objects()
    finally:
        with ctx.locked():
            ctx.chain.revert(snapshot)
    assert _get(served, url, token).status_code == 200
