"""``sharing pesim ...``: solve, participation, exchange; one error path for bad input."""

from __future__ import annotations

import json
import math
import pathlib
import subprocess
import sys
import time
from typing import Any

import pytest
from click.testing import CliRunner

from sharing.cli import cli, main

SHARING = pathlib.Path(sys.executable).parent / "sharing"


def _run_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["pesim", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def _main_error(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(["pesim", *args])
    err = capsys.readouterr().err
    assert isinstance(exc.value.code, int)
    return exc.value.code, err


def test_pesim_solve__total_effort_json() -> None:
    d = _run_json("solve", "--risk", "total-effort", "--costs", "0.2,0.3,0.5")
    assert d["nash"] == pytest.approx([-math.log(0.2), 0.0, 0.0], abs=1e-12)
    assert d["optimum"] == pytest.approx([math.log(3 / 0.2), 0.0, 0.0], abs=1e-12)
    rho = (3 - math.log(0.2)) / (1 + math.log(3) - math.log(0.2))
    assert d["price_of_anarchy"] == pytest.approx(rho, rel=1e-12)
    assert d["social_cost"]["optimum"] < d["social_cost"]["nash"]
    assert len(d["lindahl_prices"]) == 3 and len(d["lindahl_prices"][0]) == 3
    assert d["lindahl_prices"][0][0] == pytest.approx(-(1 - 1 / 3) * 0.2, rel=1e-12)
    assert sum(d["taxes"]) == pytest.approx(0.0, abs=1e-15)
    assert d["taxes"][0] == pytest.approx(-(1 - 1 / 3) * 0.2 * math.log(15), rel=1e-12)
    assert [m["x"] for m in d["messages"]] == [d["optimum"]] * 3
    assert all(p >= 0 for m in d["messages"] for p in m["pi"])
    assert d["max_deviation_gain"] <= 1e-9
    assert {r["method"] for r in d["deviation_check"]} == {"analytic", "numeric"}


def test_pesim_solve__weighted_json() -> None:
    d = _run_json(
        "solve",
        "--risk",
        "weighted",
        "--costs",
        "0.2,0.3,0.4",
        "--weights",
        "1 0.4 0.1; 0.3 1.2 0.2; 0.1 0.1 1",
        "--exchange",
    )
    assert d["instance"]["weights"][0] == [1.0, 0.4, 0.1]
    assert d["price_of_anarchy"] > 1.0
    assert d["max_deviation_gain"] <= 1e-6
    assert d["exchange"]["final_distance"] <= 1e-9
    assert d["nash_unique"] is True


def test_pesim_solve__random_instance_replays_and_scales() -> None:
    start = time.perf_counter()
    d = _run_json("solve", "--random", "200", "--risk", "weighted", "--seed", "3")
    elapsed = time.perf_counter() - start
    assert len(d["optimum"]) == 200
    assert elapsed < 30.0  # seconds on a loaded 2-core machine; ~1-3 s when idle
    checks = {r["method"]: r for r in d["deviation_check"]}
    assert checks["analytic"]["users_checked"] == 200
    assert checks["numeric"]["users_checked"] == 8
    assert d["max_deviation_gain"] <= 1e-6
    again = _run_json("solve", "--random", "5", "--seed", "3", "--risk", "weighted")
    assert (
        again["instance"]
        == _run_json("solve", "--random", "5", "--seed", "3", "--risk", "weighted")["instance"]
    )


def test_pesim_solve__human_output() -> None:
    result = CliRunner().invoke(cli, ["pesim", "solve", "--costs", "0.2,0.3,0.5"])
    assert result.exit_code == 0
    assert "Price of Anarchy" in result.output and "1.2430894" in result.output


def test_pesim_participation__json_where_eq_16_applies() -> None:
    d = _run_json(
        "participation", "--risk", "total-effort", "--costs", "0.05,0.5,0.6", "--user", "0"
    )
    assert set(d) >= {
        "utility_in",
        "utility_out",
        "individually_rational",
        "closed_form_16",
        "closed_form_applies",
    }
    assert d["closed_form_applies"] is True
    assert d["utility_in"] - d["utility_out"] == pytest.approx(d["closed_form_16"], abs=1e-9)
    assert d["individually_rational"] is True


def test_pesim_participation__paper_counter_example_c1_above_e() -> None:
    d = _run_json("participation", "--costs", "3,3.2,4,4.5,5", "--user", "0")
    assert d["individually_rational"] is False
    assert d["closed_form_applies"] is False
    assert d["closed_form_conditions"]["loner_invests"] is False
    result = CliRunner().invoke(cli, ["pesim", "participation", "--costs", "3,4,4.5,5,6"])
    assert result.exit_code == 0
    assert "individually rational" in result.output and "True" in result.output


def test_pesim_exchange__json() -> None:
    d = _run_json(
        "exchange", "--random", "6", "--seed", "2", "--risk", "weighted", "--method", "admm"
    )
    assert d["method"] == "admm"
    assert d["final_distance"] <= 1e-9 and d["iterations"] > 0
    assert d["max_deviation_gain"] <= 1e-6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["solve", "--costs", "0.2,-0.3"], "costs must be positive"),
        (
            [
                "solve",
                "--risk",
                "weighted",
                "--costs",
                "0.2,0.3",
                "--weights",
                "1 0.4 1; 0.3 1.2 1",
            ],
            "weights must be 2x2",
        ),
        (["solve", "--risk", "logistic", "--costs", "0.2,0.3"], "unknown risk"),
        (["participation", "--costs", "0.2,0.3", "--user", "5"], "out of range"),
        (["exchange", "--costs", "0.2,0.3,0.4", "--max-iter", "2"], "did not reach"),
    ],
)
def test_pesim__bad_input__reverts(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, err = _main_error(capsys, *args)
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in err


def test_pesim__non_convex_user_risk__reverts(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "bumpy_risk.py"
    module.write_text(
        "import numpy as np\n\ndef risk(x):\n    return np.full(x.size, np.exp(-np.sum(x) ** 2))\n"
    )
    code, err = _main_error(capsys, "solve", "--risk", f"{module}:risk", "--costs", "0.2,0.3")
    assert code == 2
    assert err.count("\n") == 1 and "not convex" in err


def test_pesim__subprocess_one_line_error() -> None:
    bad = subprocess.run(
        [str(SHARING), "pesim", "solve", "--costs", "0.2,-1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: costs must be positive (c_i > 0, Section II), got c[1] = -1"
    ]
