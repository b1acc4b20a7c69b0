"""`sharing pesim onchain`: one round with the equilibrium messages, human and JSON output."""

import json

import pytest
from click.testing import CliRunner

from sharing.cli.pesim_onchain import COMMAND, onchain
from sharing.errors import InputError


def run(*args: str):
    return CliRunner().invoke(onchain, list(args))


def test_onchain__json_report():
    out = run("--risk", "total-effort", "--costs", "0.2,0.3,0.5", "--json")
    assert out.exit_code == 0, out.output
    r = json.loads(out.output)
    assert {"participants", "x_hat", "taxes_wei", "model_taxes", "sum_taxes_wei",
            "max_deviation_gain"} <= set(r)
    assert r["sum_taxes_wei"] == 0 and r["design"] == "calldata"
    assert r["x_hat"] == pytest.approx([2.708050201102, 0.0, 0.0], abs=1e-12)
    assert r["model_taxes"][0] == pytest.approx(-(1 - 1 / 3) * 0.2 * r["x_star"][0])
    for p in r["participants"]:
        assert abs(p["difference_wei"]) <= p["quantisation_bound_wei"]
        assert p["deviation_ok"]
    assert r["max_deviation_gain"] <= r["deviation_tolerance"]
    assert COMMAND is onchain and onchain.name == "onchain"


def test_onchain__table_storage_design():
    out = run("--risk", "weighted", "--costs", "0.2,0.3,0.5", "--weights",
              "1 0.4 0.2; 0.3 1 0.3; 0.2 0.4 1", "--design", "storage", "--no-deviations")
    assert out.exit_code == 0, out.output
    assert "storage design" in out.output and "sum of taxes = 0 wei" in out.output
    assert "FAIL" not in out.output


@pytest.mark.parametrize("args, message", [
    (("--costs", "0.2"), "2 to 32 users"),
    (("--costs", ",".join(["0.5"] * 33)), "2 to 32 users"),
    (("--costs", "0.2,0.3", "--wei-per-unit", "0"), "--wei-per-unit"),
    (("--costs", "0.2,0.3", "--collateral-wei", "0"), "--collateral-wei"),
    (("--costs", "0.2,0.3,0.5", "--collateral-wei", "1"), "below the minimum"),
    (("--costs", "0.2,-0.3"), "positive"),
])
def test_onchain__bad_input__input_error(args, message):
    out = run(*args)
    assert isinstance(out.exception, InputError) and message in str(out.exception)
