"""The signer and fee options of the CLI, through a test-only command."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from eth_account import Account
from signer_fixtures import PASSWORD, write_keystore

from sharing.chain.signer import PASSWORD_ENV, PRIVATE_KEY_ENV
from sharing.chain.transactions import GWEI
from sharing.cli._common import (
    fee_options,
    policy_from_options,
    signer_from_options,
    signer_options,
)
from sharing.errors import InputError

pytestmark = pytest.mark.usefixtures("signer_environment")


@click.command()
@signer_options
@fee_options
def whoami(keystore, account, password_file, max_fee_gwei, priority_fee_gwei, confirmations,
           tx_timeout):
    """A test-only command: which signer and policy the options give."""
    signer = signer_from_options(keystore, account, password_file)
    policy = policy_from_options(max_fee_gwei, priority_fee_gwei, confirmations, tx_timeout)
    click.echo(json.dumps({"signer": repr(signer), "address": signer and signer.address,
                           "max_fee_wei": policy.max_fee_wei, "confirmations": policy.confirmations,
                           "timeout_s": policy.timeout_s}))


def invoke(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(whoami, args, env=env, standalone_mode=False)


def test_options__keystore_and_password_file(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    (tmp_path / "pw").write_text(PASSWORD + "\n")
    result = invoke(["--keystore", str(path), "--password-file", str(tmp_path / "pw"),
                     "--max-fee-gwei", "30", "--confirmations", "2", "--tx-timeout", "60"])
    assert result.exception is None, result.output
    out = json.loads(result.output)
    assert out["address"] == Account.from_key(key).address
    assert (out["max_fee_wei"], out["confirmations"], out["timeout_s"]) == (30 * GWEI, 2, 60.0)
    assert key.hex() not in result.output


def test_options__account_and_environment(tmp_path, key):
    write_keystore(tmp_path / "keystores" / "acme", key)
    result = invoke(["--account", "acme"], env={PASSWORD_ENV: PASSWORD})
    assert result.exception is None, result.output
    assert json.loads(result.output)["address"] == Account.from_key(key).address
    result = invoke([], env={PRIVATE_KEY_ENV: key.hex()})
    assert json.loads(result.output)["address"] == Account.from_key(key).address
    assert key.hex() not in result.output
    assert json.loads(invoke([]).output)["signer"] == "None"


def test_options__no_private_key_flag_exists(key):
    result = invoke(["--private-key", key.hex()])
    assert isinstance(result.exception, click.NoSuchOption)


def test_options__errors_are_one_line_input_errors(tmp_path, key):
    path = write_keystore(tmp_path / "firm.json", key)
    (tmp_path / "pw").write_text("wrong\n")
    cases = [
        (["--keystore", str(path), "--password-file", str(tmp_path / "pw")], "wrong password"),
        (["--keystore", str(path)], "needs a password"),  # CliRunner's stdin is no terminal
        (["--account", "nobody"], "no account 'nobody'"),
        (["--max-fee-gwei", "cheap"], "--max-fee-gwei must be a number"),
    ]
    for args, needle in cases:
        result = invoke(args)
        assert isinstance(result.exception, InputError), (args, result.exception)
        assert needle in str(result.exception) and "\n" not in str(result.exception)
    result = invoke([], env={PRIVATE_KEY_ENV: "0xdeadbeef"})
    assert isinstance(result.exception, InputError) and "deadbeef" not in str(result.exception)
