"""Tests of the proposition checks (sharing.models.duopoly.propositions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sharing.errors import InputError
from sharing.models import duopoly as dm
from sharing.models.duopoly import propositions as dp


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    return dp.check_propositions("small").as_dict()


def _check(report: dict[str, Any], key: str) -> dict[str, Any]:
    (found,) = [c for c in report["checks"] if c["id"] == key]
    return found


def test_grids__satisfy_the_standing_assumptions() -> None:
    for name in ("small", "full"):
        for p in dp.parameter_grid(name) + dp.volume_grid(name):
            assert 0 <= p.b2 < p.b1 and p.phi1 > p.phi2 + p.phi3 and 0 <= p.theta < 1
    assert len(dp.parameter_grid("full")) > 100 and len(dp.volume_grid("full")) > 50
    assert all(p.lambda_c == 0 and p.volume_costs for p in dp.volume_grid("full"))


def test_grids__unknown_name__reverts() -> None:
    with pytest.raises(InputError):
        dp.parameter_grid("huge")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        dp.check_propositions("small", jobs=0)


def test_report__every_proposition_is_tested(report: dict[str, Any]) -> None:
    ids = {c["id"].split()[0].split("(")[0] for c in report["checks"]}
    assert ids == {"P1", "P2", "P3", "P4", "P5", "P6", "P7"}
    for c in report["checks"]:
        assert c["verdict"] in {"holds", "fails"}, c["id"]
        assert c["tested"] > 0, c["id"]
        assert c["claim"] and c["test"] and c["conditions"]
        if c["verdict"] == "fails":
            assert c["counterexample"], c["id"]
    base = report["base_grid"]
    assert base["filters"]["valid"] == base["points"] - sum(
        v for k, v in base["filters"].items() if k != "valid"
    )


def test_report__counts_points_outside_the_conditions(report: dict[str, Any]) -> None:
    # alpha = 0.45 exceeds alpha_bar = lambda_d s* + b2 / 2 at the small-grid points with
    # b2 = 0.3: they are evaluated but counted outside the conditions of those claims.
    p2 = _check(report, "P2(ii)")
    assert p2["outside_conditions"]["tested"] > 0
    assert (
        p2["tested"] + p2["outside_conditions"]["tested"] == report["base_grid"]["filters"]["valid"]
    )


def test_p2_iii__cross_partial_in_s_i_t_j_is_zero_not_positive(report: dict[str, Any]) -> None:
    c = _check(report, "P2(iii)")
    assert c["verdict"] == "fails" and c["holds"] == 0
    assert abs(c["counterexample"]["d2Pi_i/ds_i dt_j"]) < 1e-6


def test_p7__volume_spillover_lowers_sharing_and_investment_can_rise(
    report: dict[str, Any],
) -> None:
    assert _check(report, "P7(ii)")["verdict"] == "holds"
    inv = _check(report, "P7(i) investment")
    assert inv["verdict"] == "holds"
    assert inv["examples"]["positive"]["derivative"] > 0 > inv["examples"]["negative"]["derivative"]


def test_report__small_grid_is_deterministic(report: dict[str, Any]) -> None:
    again = dp.check_propositions("small").as_dict()
    again.pop("runtime_s")
    expected = dict(report)
    expected.pop("runtime_s")
    assert again == expected


def test_check__records_the_worst_counterexample() -> None:
    c = dp.Check("X", "claim", "test", "cond")
    c.add(0.5, {"n": 1})
    c.add(-0.1, {"n": 2})
    c.add(-0.3, {"n": 3})
    c.add(-0.2, {"n": 4})
    c.add(-9.0, {"n": 5}, in_conditions=False)
    assert (c.tested, c.holds, c.fails, c.verdict) == (4, 1, 3, "fails")
    assert c.counterexample == {"n": 3}
    assert c.as_dict()["outside_conditions"] == {"tested": 1, "holds": 0}


def test_statics_check__reports_a_wrong_sign_as_a_failure() -> None:
    p = dm.DuopolyParams()
    point = dp.evaluate_point(p, regimes=False, statics=("a", "alpha"))
    assert point.valid
    holds = dp._statics_check("up", "claim", "none", [point], {"a": 1})
    fails = dp._statics_check("down", "claim", "none", [point], {"a": -1})
    assert holds.verdict == "holds"
    assert fails.verdict == "fails"
    assert fails.counterexample is not None and fails.counterexample["ds*/da"] > 0


def test_evaluate_point__filters_corner_equilibria() -> None:
    point = dp.evaluate_point(dm.DuopolyParams(lambda_d=0.0), regimes=False)
    assert not point.valid and point.reason == "corner equilibrium"


def test_evaluate_point__statics_have_the_signs_proposition_4_states() -> None:
    point = dp.evaluate_point(dm.DuopolyParams(), regimes=False)
    assert point.statics["a"][0] > 0 and point.statics["a"][1] > 0
    assert point.statics["alpha"][0] < 0 and point.statics["alpha"][1] < 0
    assert np.all(np.isfinite(point.statics["lambda_c"]))
