"""Tests of `sharing duopoly ...`."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sharing.cli import cli, main
from sharing.models import duopoly as dm

SHARING = pathlib.Path(sys.executable).with_name("sharing")


@pytest.fixture(scope="module")
def solved() -> dict:
    result = CliRunner().invoke(cli, ["duopoly", "solve", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_solve__json_has_every_regime(solved: dict) -> None:
    for key in ("nash", "joint_profit", "social_welfare", "subsidy"):
        assert {"s", "t", "price", "profit"} <= set(
            solved[key] if key != "subsidy" else solved[key]["equilibrium"]
        )
    assert {"leader", "follower"} <= set(solved["sequential"])
    assert solved["params"] == dm.DuopolyParams().as_dict()


def test_solve__json_numbers_are_the_model_numbers(solved: dict) -> None:
    nash = dm.nash_equilibrium(dm.DuopolyParams(), iterate=False)
    assert solved["nash"]["s"] == pytest.approx(nash.s, rel=1e-9)
    assert solved["nash"]["t"] == pytest.approx(nash.t, rel=1e-9)
    assert solved["nash"]["welfare"] < solved["social_welfare"]["welfare"]
    sub = solved["subsidy"]
    assert abs(sub["net_cost"]) < 1e-6 and sub["distance_to_social_optimum"] < 1e-6


def test_solve__options_reach_the_model() -> None:
    result = CliRunner().invoke(
        cli, ["duopoly", "solve", "--json", "--a", "20", "--lambda-d", "0.9"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["params"]["a"] == 20 and out["params"]["lambda_d"] == 0.9
    nash = dm.nash_equilibrium(dm.DuopolyParams(a=20, lambda_d=0.9), iterate=False)
    assert out["nash"]["s"] == pytest.approx(nash.s, rel=1e-9)


def test_solve__human_output_is_a_table() -> None:
    result = CliRunner().invoke(cli, ["duopoly", "solve"])
    assert result.exit_code == 0, result.output
    for text in (
        "Bertrand-Nash",
        "Joint-profit ISA",
        "Social planner",
        "Sequential: leader",
        "Appendix B subsidy",
    ):
        assert text in result.output


def test_solve__regime_without_optimum_is_reported_not_fatal() -> None:
    result = CliRunner().invoke(cli, ["duopoly", "solve", "--json", "--b2", "0.9", "--gamma", "5"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert "unbounded" in out["social_welfare"]["error"]
    assert "unbounded" in out["sequential"]["error"]
    assert out["nash"]["unique"] and "error" in out["subsidy"]


@pytest.mark.parametrize(
    "args",
    [["--b2", "1.0"], ["--b2", "2"], ["--phi1", "1.0"], ["--theta", "1"], ["--theta", "-0.1"]],
)
def test_solve__bad_value__reverts(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["duopoly", "solve", *args])
    assert exc.value.code != 0
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_solve__bad_value_in_a_subprocess__one_line_and_nonzero_exit() -> None:
    proc = subprocess.run(
        [str(SHARING), "duopoly", "solve", "--b2", "1.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == ["error: need 0 <= b2 < b1 (got b1=1.0, b2=1.5)"]
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_propositions__json_small_grid() -> None:
    result = CliRunner().invoke(cli, ["duopoly", "propositions", "--grid", "small", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["grid"] == "small"
    assert {c["verdict"] for c in out["checks"]} <= {"holds", "fails"}
    assert any(c["id"] == "P6" for c in out["checks"])


def test_propositions__human_output_lists_verdicts() -> None:
    result = CliRunner().invoke(cli, ["duopoly", "propositions", "--grid", "small"])
    assert result.exit_code == 0, result.output
    assert "P5(ii)" in result.output and "holds" in result.output


def test_propositions__bad_jobs__reverts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["duopoly", "propositions", "--grid", "small", "--jobs", "0"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip() == "error: --jobs must be >= 1 (got 0)"


def test_propositions__unknown_grid__reverts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["duopoly", "propositions", "--grid", "huge"])
    assert exc.value.code != 0
    assert capsys.readouterr().err.startswith("error: ")
