"""The state machines run on eth-tester in CI; titanoboa (``boa_backend``) is the campaign's alone."""

import sys

import backends
import pytest


def test_default_backend__is_eth_tester(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(backends.ENV, raising=False)
    assert backends.selected() == "eth-tester"


def test_unknown_backend__is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(backends.ENV, "anvil")
    with pytest.raises(ValueError, match="eth-tester, boa"):
        backends.selected()


def test_machines__do_not_import_titanoboa() -> None:
    import ais_machine  # noqa: F401
    import pesim_machine  # noqa: F401

    assert "boa" not in sys.modules and "boa_backend" not in sys.modules
