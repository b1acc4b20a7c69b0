"""Signers: keystores, the account folder, the environment key, and what never leaks."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import pytest
from eth_account import Account
from signer_fixtures import PASSWORD, write_keystore

from sharing.chain.signer import (
    KEYSTORE_DIR_ENV,
    PASSWORD_ENV,
    PRIVATE_KEY_ENV,
    Signer,
    account_keystore,
    keystore_dir,
    load_signer,
    read_password_file,
)
from sharing.chain.transactions import GWEI, TxPolicy, gwei_to_wei
from sharing.errors import InputError

pytestmark = pytest.mark.usefixtures("signer_environment")


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text and text
    return text


# ------------------------------------------------------------------ keystores


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_from_keystore__round_trip__same_address(tmp_path, key, kdf):
    path = write_keystore(tmp_path / "firm.json", key, kdf=kdf)
    signer = Signer.from_keystore(path, PASSWORD)
    assert signer.address == Account.from_key(key).address
    assert signer.source == f"keystore {path}"


def test_from_keystore__without_address_field__as_cast_writes_it(tmp_path, key):
    path = write_keystore(tmp_path / "firm", key, with_address=False)
    assert Signer.from_keystore(path, PASSWORD).address == Account.from_key(key).address


def test_from_keystore__wrong_password__one_line_naming_the_file_not_the_password(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    with pytest.raises(InputError) as exc:
        Signer.from_keystore(path, "not the password")
    text = one_line(exc)
    assert text == f"wrong password for keystore {path}"
    assert "not the password" not in text and key.hex() not in text


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "cannot read keystore"),
        ("{not json", "not JSON"),
        ('{"version": 3}', "no 'crypto' section"),
        ('["a list"]', "no 'crypto' section"),
        ('{"version": 4, "crypto": {}}', "only version 3"),
        ('{"version": 3, "crypto": {"kdf": "scrypt"}}', "not a valid keystore"),
    ],
)
def test_from_keystore__unreadable_or_invalid__one_line(tmp_path, content, needle):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError) as exc:
        Signer.from_keystore(path, PASSWORD)
    assert needle in one_line(exc) and str(path) in str(exc.value)


def test_from_keystore__declared_address_not_the_key__refused(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    data = json.loads(path.read_text())
    data["address"] = Account.create().address[2:]
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as exc:
        Signer.from_keystore(path, PASSWORD)
    assert "declares address" in one_line(exc)


# ------------------------------------------------------------------ passwords


def test_load_signer__password_file__final_newline_dropped(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    signer = load_signer(keystore=path, password_file=tmp_path / "pw", interactive=False)
    assert signer is not None and signer.address == Account.from_key(key).address


def test_read_password_file__only_one_line_ending_removed(tmp_path):
    (tmp_path / "pw").write_text(" spaced \r\n")
    assert read_password_file(tmp_path / "pw") == " spaced "
    (tmp_path / "pw2").write_text("two\n\n")
    assert read_password_file(tmp_path / "pw2") == "two\n"
    with pytest.raises(InputError) as exc:
        read_password_file(tmp_path / "missing")
    assert "cannot read password file" in one_line(exc)


def test_load_signer__password_from_environment(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    signer = load_signer(keystore=path, environ={PASSWORD_ENV: PASSWORD}, interactive=False)
    assert signer is not None and signer.address == Account.from_key(key).address


def test_load_signer__interactive__prompts_without_echo_naming_the_keystore(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    asked: list[str] = []

    def prompt(message: str) -> str:
        asked.append(message)
        return PASSWORD

    signer = load_signer(keystore=path, environ={}, prompt=prompt, interactive=True)
    assert signer is not None and asked == [f"Password for keystore {path}: "]


def test_load_signer__no_password_and_not_a_terminal__refused_not_hung(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)

    def prompt(message: str) -> str:  # pragma: no cover - must not be called
        raise AssertionError("prompted without a terminal")

    with pytest.raises(InputError) as exc:
        load_signer(keystore=path, environ={}, prompt=prompt, interactive=False)
    assert "--password-file" in one_line(exc) and PASSWORD_ENV in str(exc.value)


# ------------------------------------------------------------------ account folder


def test_account__resolved_in_the_keystore_folder(tmp_path, key):
    folder = tmp_path / "keystores"
    write_keystore(folder / "acme", key, with_address=False)
    env = {KEYSTORE_DIR_ENV: str(folder), PASSWORD_ENV: PASSWORD}
    signer = load_signer(account="acme", environ=env, interactive=False)
    assert signer is not None and signer.address == Account.from_key(key).address
    assert signer.source == f"keystore {folder / 'acme'}"


def test_account__json_suffix_found_too(tmp_path, key):
    folder = tmp_path / "keystores"
    write_keystore(folder / "acme.json", key)
    assert account_keystore("acme", folder) == folder / "acme.json"


def test_account__default_folder_is_foundrys(monkeypatch):
    monkeypatch.delenv(KEYSTORE_DIR_ENV)
    assert keystore_dir() == Path("~/.foundry/keystores").expanduser()
    assert keystore_dir({KEYSTORE_DIR_ENV: "/srv/keys"}) == Path("/srv/keys")


@pytest.mark.parametrize("name", ["missing", "../escape", "a/b", ".."])
def test_account__unknown_or_not_a_plain_name__one_line(tmp_path, name):
    with pytest.raises(InputError) as exc:
        load_signer(account=name, environ={KEYSTORE_DIR_ENV: str(tmp_path)}, interactive=False)
    assert repr(name) in one_line(exc)


def test_keystore_folder_with_account__as_foundry_allows(tmp_path, key):
    folder = tmp_path / "elsewhere"
    write_keystore(folder / "acme", key)
    signer = load_signer(keystore=folder, account="acme", environ={PASSWORD_ENV: PASSWORD},
                         interactive=False)
    assert signer is not None and signer.address == Account.from_key(key).address
    with pytest.raises(InputError) as exc:
        load_signer(keystore=folder, environ={PASSWORD_ENV: PASSWORD}, interactive=False)
    assert "--account" in one_line(exc)


def test_load_signer__contradictory_options__refused(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    with pytest.raises(InputError) as exc:
        load_signer(keystore=path, account="acme", environ={}, interactive=False)
    assert "not both" in one_line(exc)
    with pytest.raises(InputError) as exc:
        load_signer(password_file=tmp_path / "pw", environ={}, interactive=False)
    assert "needs --keystore or --account" in one_line(exc)


# ------------------------------------------------------------------ environment key


@pytest.mark.parametrize("prefix", ["0x", ""])
def test_environment_key__loaded(key, prefix):
    signer = load_signer(environ={PRIVATE_KEY_ENV: prefix + key.hex()}, interactive=False)
    assert signer is not None and signer.address == Account.from_key(key).address
    assert signer.source == f"${PRIVATE_KEY_ENV}"


def test_no_source__none__the_node_signs():
    assert load_signer(environ={}, interactive=False) is None


def test_keystore_wins_over_environment_key(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    other = bytes(Account.create().key).hex()
    signer = load_signer(keystore=path, environ={PRIVATE_KEY_ENV: other, PASSWORD_ENV: PASSWORD},
                         interactive=False)
    assert signer is not None and signer.address == Account.from_key(key).address


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("0x1234", "64 hex digits"),
        ("zz" * 32, "64 hex digits"),
        ("0x" + "ab" * 33, "64 hex digits"),
        ("00" * 32, "not a valid secp256k1"),
        ("ff" * 32, "not a valid secp256k1"),
    ],
)
def test_environment_key__malformed__one_line_without_the_value(value, needle):
    with pytest.raises(InputError) as exc:
        load_signer(environ={PRIVATE_KEY_ENV: value}, interactive=False)
    text = one_line(exc)
    assert needle in text and PRIVATE_KEY_ENV in text and value not in text


def test_from_key__bytes_of_the_wrong_length__refused():
    with pytest.raises(InputError) as exc:
        Signer.from_key(b"\x01" * 31)
    assert "32 bytes" in one_line(exc)


# ------------------------------------------------------------------ never leaks


def test_signer__repr_and_str_show_only_the_address(key):
    signer = Signer.from_key(key)
    assert repr(signer) == f"Signer({signer.address})"
    assert str(signer) == signer.address
    shown = f"{signer} {signer!r} {[signer]} {({'s': signer})}"
    for form in (key.hex(), key.hex().upper(), "0x" + key.hex()):
        assert form not in shown
    assert not hasattr(signer, "__dict__")  # no vars() dump of the key holder


def test_signer__refuses_to_be_pickled_and_is_not_duplicated(key):
    signer = Signer.from_key(key)
    with pytest.raises(TypeError, match="never serialised"):
        pickle.dumps(signer)
    assert copy.copy(signer) is signer and copy.deepcopy(signer) is signer


def test_signer__signs_a_transaction_recoverable_to_its_address(key):
    signer = Signer.from_key(key)
    tx = {"type": 2, "chainId": 1, "nonce": 0, "to": signer.address, "value": 0, "data": b"",
          "gas": 21_000, "maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": GWEI}
    signed = signer.sign_transaction(tx)
    assert Account.recover_transaction(signed.raw_transaction) == signer.address


# ------------------------------------------------------------------ fee policy


def test_gwei_to_wei__exact_and_validated():
    assert gwei_to_wei("1.5") == 1_500_000_000
    assert gwei_to_wei("0.000000001") == 1
    assert gwei_to_wei(None) is None
    for bad, needle in (("abc", "number of gwei"), ("-1", "non-negative"),
                        ("0.0000000001", "whole number of wei"), ("nan", "non-negative")):
        with pytest.raises(InputError) as exc:
            gwei_to_wei(bad, "--max-fee-gwei")
        assert needle in one_line(exc) and "--max-fee-gwei" in str(exc.value)


def test_tx_policy__bounds():
    assert TxPolicy.from_gwei("2", "0.1", 3, 30.0) == TxPolicy(2 * GWEI, GWEI // 10, 3, 30.0)
    with pytest.raises(InputError, match="confirmations"):
        TxPolicy(confirmations=0)
    with pytest.raises(InputError, match="timeout"):
        TxPolicy(timeout_s=0)
