"""Tests of the simulation report (sharing.simulation.report.write_report).

The fixture is a compact copy of a real ``simulate`` result (two regimes,
three firms, three rounds), so the tests need no chain and no file outside
the repository.
"""

from __future__ import annotations

import copy
import html
import pathlib
import re
import struct
from typing import Any

import pytest

from sharing.simulation.report import (
    COOPERATION_PNG,
    MODEL_TITLE,
    OVERLAP_OFFSET,
    PAYOFFS_PNG,
    REWARDS_PNG,
    cooperation_figure,
    write_report,
)
from sharing.simulation.result import SimulationResult

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FIGURES = (COOPERATION_PNG, PAYOFFS_PNG, REWARDS_PNG)
ADDRESSES = (
    "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF",
    "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69",
    "0x1efF47bc3a10a45D4B230B5d10E37751FE6AA718",
)


def _regime(description: str, reward: float, coop: bool, rates: list[float]) -> dict[str, Any]:
    """A regime entry shaped like ``simulate``'s; ``coop`` picks the (C, C) or (D, D) game."""
    unit = 10**17
    wei = int(reward * unit)
    if coop:
        row = [[3.0 + reward, 2.0 + reward], [3.0, 3.0]]
        col = [[3.7 + reward, 1.0], [0.7 + reward, 1.0]]
        eqs = [{"row": [1.0, 0.0], "col": [1.0, 0.0], "payoffs": [row[0][0], col[0][0]]}]
    else:
        row = [[3.5, 2.5], [4.0, 3.0]]
        col = [[3.7, 4.0], [0.7, 1.0]]
        eqs = [{"row": [0.0, 1.0], "col": [0.0, 1.0], "payoffs": [3.0, 1.0]}]
    return {
        "description": description,
        "reward_per_tier": [reward] * 3,
        "reward_wei_per_tier": [wei] * 3,
        "pool_open": not coop,
        "empirical_matrix": [row, col],
        "model_matrix": copy.deepcopy([row, col]),
        "max_difference": 0.0,
        "matrices_agree": True,
        "equilibria": eqs,
        "model_equilibria": copy.deepcopy(eqs),
        "cooperation_unique": coop,
        "model_cooperation_unique": coop,
        "agree": True,
        "pool_reads": 12,
        "pool_mismatches": 0,
        "cooperation_rate": rates,
        "final_cooperation": rates[-1],
        "strategy": "best-response",
        "cooperation_by_strategy": {"best-response": rates},
        "final_cooperation_by_strategy": {"best-response": rates[-1]},
        "rewards_wei": {a: 3 * wei for a in ADDRESSES},
        "rewards_wei_total": 9 * wei,
        "rewards_wei_by_tier": {"critical": 3 * wei, "core": 3 * wei, "small": 3 * wei},
        "payoff_by_tier": {
            "critical": [7.6, 3.0, 3.0],
            "core": [9.0, 2.0, 2.0],
            "small": [7.3, 1.0, 1.0],
        },
        "junk_submitted": 2,
        "junk_verified": 1 if coop else 0,
        "expired": 0,
        "transactions": 57,
    }


RESULT: dict[str, Any] = {
    "config": {
        "firms": 3,
        "rounds": 3,
        "strategies": ["best-response"],
        "initial_share": 0.5,
        "seed": 1,
        "knowledge": [3.0, 2.0, 1.0],
        "risk": [0.5, 0.4, 0.3],
        "beta": 1.0,
        "panel": ["honest", "honest", "noisy", "lazy", "colluding"],
        "unit_wei": 10**17,
        "tiers": [0, 2],
        "pair": [0, 1],
    },
    "regimes": {
        "open": _regime("no incentive, open pool", 0.0, False, [0.67, 0.0, 0.0]),
        "tiered": _regime("tiered reward, gated pool", 0.5, True, [0.33, 1.0, 1.0]),
    },
    "agree": True,
    "chain": {
        "kind": "eth_tester",
        "chain_id": 1337,
        "transactions": 114,
        "seconds": 2.5,
        "tx_per_s": 45.6,
    },
}


ALLIANCE: dict[str, Any] = {
    "firms": 3,
    "all_share_is_equilibrium": True,
    "best_deviation_gain": -5.5,
    "unique": True,
    "cascade": [3],
    "model_all_share_is_equilibrium": True,
    "model_unique": True,
    "agree": True,
    "max_difference": 0.0,
    "profiles_measured": 8,
    "deviation_gain": [-5.5, -6.5, -7.25],
    "model_deviation_gain": [-5.5, -6.5, -7.25],
    "deviation_gain_by_tier": {"critical": -5.5, "small": -7.25},
    "model_cascade": [3],
    "tolerance": 1e-17,
    "grouping": "tier",
}


def typed(result: dict[str, Any]) -> SimulationResult:
    """The typed result ``write_report`` reads, from its JSON form."""
    return SimulationResult.from_dict(result)


def _png_size(path: pathlib.Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has right after the magic."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _verdict_row(page: str, regime: str) -> list[str]:
    """The cells of ``regime``'s row in the verdict table, as plain text."""
    row = re.search(rf'<tr><th class="l">{re.escape(html.escape(regime))}</th>(.*?)</tr>', page)
    assert row is not None, regime
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, str]:
    index = write_report(typed(RESULT), tmp_path_factory.mktemp("report") / "nested" / "dir")
    return index, index.read_text(encoding="utf-8")


def test_write_report__writes_index_and_valid_pngs(report: tuple[pathlib.Path, str]) -> None:
    index, _ = report
    assert index.name == "index.html" and index.is_file()
    for name in FIGURES:
        png = index.parent / name
        width, height = _png_size(png)
        assert width > 400 and height > 250
        assert png.stat().st_size > 10_000  # drawn, not a blank canvas


def test_write_report__links_figures_relatively_and_nothing_external(
    report: tuple[pathlib.Path, str],
) -> None:
    index, page = report
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sorted(sources) == sorted(FIGURES)
    assert all((index.parent / s).is_file() for s in sources)
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "<script" not in page


def test_write_report__renders_verdict_per_regime(report: tuple[pathlib.Path, str]) -> None:
    _, page = report
    assert _verdict_row(page, "open") == [
        "no incentive, open pool",
        "no",
        "no",
        "\u2014",
        "\u2014",
        "yes",
        "0",
        "2 / 0",
        "57",
    ]
    assert _verdict_row(page, "tiered") == [
        "tiered reward, gated pool",
        "yes",
        "yes",
        "\u2014",
        "\u2014",
        "yes",
        "1",
        "2 / 1",
        "57",
    ]
    assert "on chain in: <b>tiered</b>" in page


def test_write_report__shows_matrices_side_by_side_with_equilibria(
    report: tuple[pathlib.Path, str],
) -> None:
    _, page = report
    assert page.count("measured on chain") == 2 and page.count(html.escape(MODEL_TITLE)) == 2
    # One pure equilibrium per matrix, four matrices: four highlighted cells.
    assert page.count("class=ne") == 4
    assert "pure (D, D), payoffs (3, 1)" in page
    assert "pure (C, C), payoffs (3.5, 4.2)" in page


def test_write_report__shows_exact_rewards_and_config(report: tuple[pathlib.Path, str]) -> None:
    _, page = report
    assert "450,000,000,000,000,000 wei" in page  # tiered total: 9 * 0.5 units
    assert all(a in page for a in ADDRESSES)
    assert "best-response" in page and "eth_tester" in page and "45.6" in page


def test_write_report__regime_subset_under_any_name(tmp_path: pathlib.Path) -> None:
    result = copy.deepcopy(RESULT)
    result["regimes"] = {"tiered-pesim": result["regimes"]["tiered"]}
    page = write_report(typed(result), tmp_path).read_text(encoding="utf-8")
    assert _verdict_row(page, "tiered-pesim")[1:3] == ["yes", "yes"]
    assert "open pool" not in page
    assert all(_png_size(tmp_path / name) for name in FIGURES)


def test_write_report__escapes_inserted_text(tmp_path: pathlib.Path) -> None:
    result = copy.deepcopy(RESULT)
    evil = '<script>alert("x")</script> & $\\frac$'
    result["regimes"]["open"]["description"] = evil
    bad_name = '<img src=x onerror="y"> $\\frac$'  # also unbalanced mathtext in the legend
    result["regimes"][bad_name] = result["regimes"].pop("tiered")
    page = write_report(typed(result), tmp_path).read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page
    assert html.escape(evil) in page
    assert _verdict_row(page, bad_name)[1] == "yes"
    assert all(_png_size(tmp_path / name) for name in FIGURES)  # "$" did not break mathtext


def test_write_report__disagreement_is_not_hidden(tmp_path: pathlib.Path) -> None:
    result = copy.deepcopy(RESULT)
    result["agree"] = False
    result["regimes"]["tiered"]["agree"] = False
    result["regimes"]["tiered"]["model_cooperation_unique"] = False
    page = write_report(typed(result), tmp_path).read_text(encoding="utf-8")
    assert _verdict_row(page, "tiered")[1:3] == ["yes", "no"]
    assert _verdict_row(page, "tiered")[5] == "no"
    assert "every regime: <span class=no>no</span>" in page


def test_result__a_missing_or_renamed_key_fails_loudly() -> None:
    result = copy.deepcopy(RESULT)
    result["regimes"]["open"]["cooperation_unique_onchain"] = result["regimes"]["open"].pop(
        "cooperation_unique"
    )
    with pytest.raises(TypeError, match="cooperation_unique"):
        typed(result)


def test_result__json_round_trip_is_exact() -> None:
    result = copy.deepcopy(RESULT)
    result["regimes"]["tiered"]["alliance"] = ALLIANCE
    assert typed(result).as_dict() == result
    assert "alliance" not in typed(RESULT).as_dict()["regimes"]["open"]


def test_write_report__shows_the_whole_alliance_beside_the_2x2_game(
    tmp_path: pathlib.Path,
) -> None:
    result = copy.deepcopy(RESULT)
    result["regimes"]["tiered"]["alliance"] = ALLIANCE
    page = write_report(typed(result), tmp_path).read_text(encoding="utf-8")
    assert _verdict_row(page, "tiered")[3:5] == ["yes", "yes"]
    assert "The whole alliance: 3 firms" in page
    assert "<th class='l'>small</th><td>-7.25</td>" in page
    assert "0 &rarr; 3" in page and "8 profiles measured" in page


def test_write_report__mixed_equilibrium_and_firm_tiers(tmp_path: pathlib.Path) -> None:
    result = copy.deepcopy(RESULT)
    result["config"]["tiers"] = [0, 2, 1]
    result["regimes"]["open"]["equilibria"].append(
        {"row": [0.1, 0.9], "col": [0.5, 0.5], "payoffs": [3.0, 1.0]}
    )
    page = write_report(typed(result), tmp_path).read_text(encoding="utf-8")
    assert "mixed: row shares w.p. 0.1, column w.p. 0.5" in page
    assert "firm 2 small" in page


def test_write_report__no_regime_still_writes_a_page(tmp_path: pathlib.Path) -> None:
    result = copy.deepcopy(RESULT)
    result["regimes"] = {}
    page = write_report(typed(result), tmp_path).read_text(encoding="utf-8")
    assert "No regime was run." in page
    assert not any((tmp_path / name).exists() for name in FIGURES)


def _lines(regimes: dict[str, Any], config: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The cooperation chart's title and its lines by regime."""
    result = typed({**RESULT, "regimes": regimes, "config": config})
    ax = cooperation_figure(result.regimes, result.config).axes[0]
    return ax.get_title(), {line.get_label(): line for line in ax.get_lines()}


def test_cooperation_figure__title_names_the_strategy() -> None:
    title, _ = _lines(RESULT["regimes"], RESULT["config"])
    assert "strategy best-response" in title and "?" not in title


def test_cooperation_figure__identical_regimes__every_line_stays_visible() -> None:
    regimes = copy.deepcopy(RESULT["regimes"])
    regimes["gated"] = copy.deepcopy(regimes["open"])  # same rates as open: [0.67, 0, 0]
    regimes["flat"] = copy.deepcopy(regimes["open"])
    _, lines = _lines(regimes, RESULT["config"])
    same = [lines[name] for name in ("open", "gated", "flat")]
    styles = {(line.get_marker(), str(line.get_linestyle())) for line in same}
    assert len(styles) == 3  # each its own marker and dash style
    ys = [tuple(line.get_ydata()) for line in same]
    assert len(set(ys)) == 3  # drawn apart, so none hides another
    for y in ys:  # ... by a nudge, not a different value
        assert max(abs(a - b) for a, b in zip(y, [0.67, 0.0, 0.0], strict=True)) <= OVERLAP_OFFSET + 1e-12
    # A regime with rates of its own is drawn where it is.
    assert list(lines["tiered"].get_ydata()) == [0.33, 1.0, 1.0]
