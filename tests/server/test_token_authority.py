"""TokenAuthority on its own: nonces are single use, bounded and expire; tokens expire on the clock."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from sharing.server import auth as auth_module
from sharing.server.auth import AuthError, AuthFailure, TokenAuthority

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def _signed(authority: TokenAuthority, nonce: str) -> tuple[str, str]:
    account = Account.from_key(KEY)
    message = authority.message_for(account.address, nonce, "http://taxii.example/")
    return message, "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()


def test_exchange__expired_nonce_and_expired_token_on_the_authority_clock():
    clock = Clock()
    authority = TokenAuthority(domain="taxii.example", chain_id=7, clock=clock, token_ttl=60)
    message, signature = _signed(authority, authority.new_nonce())
    clock.t += authority.nonce_ttl + 1
    with pytest.raises(AuthError) as info:
        authority.exchange(message, signature)
    assert info.value.reason is AuthFailure.UNKNOWN_NONCE
    message, signature = _signed(authority, authority.new_nonce())
    issued = authority.exchange(message, signature)
    assert authority.verify(issued.token) == Account.from_key(KEY).address
    clock.t += 61
    with pytest.raises(AuthError) as info:
        authority.verify(issued.token)
    assert info.value.reason is AuthFailure.EXPIRED


def test_nonces__bounded_oldest_forgotten(monkeypatch):
    monkeypatch.setattr(auth_module, "MAX_OUTSTANDING_NONCES", 3)
    authority = TokenAuthority(domain="taxii.example", chain_id=7, clock=Clock())
    first = authority.new_nonce()
    for _ in range(3):
        authority.new_nonce()
    message, signature = _signed(authority, first)
    with pytest.raises(AuthError) as info:
        authority.exchange(message, signature)
    assert info.value.reason is AuthFailure.UNKNOWN_NONCE


def test_wrong_chain_and_short_secret_refused():
    authority = TokenAuthority(domain="taxii.example", chain_id=7, clock=Clock())
    other = TokenAuthority(domain="taxii.example", chain_id=8, clock=Clock())
    message, signature = _signed(other, authority.new_nonce())
    with pytest.raises(AuthError) as info:
        authority.exchange(message, signature)
    assert info.value.reason is AuthFailure.WRONG_CHAIN
    with pytest.raises(ValueError, match="16 bytes"):
        TokenAuthority(domain="x", chain_id=1, secret=b"short")
