"""`sharing game ...` and `sharing report models`: outputs, one-line errors, the report."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sharing.cli import cli, main
from sharing.errors import InputError
from sharing.report import models_report
from sharing.report.figures_common import Figure
from sharing.report.models_report import build_models_report

ROOT = pathlib.Path(__file__).resolve().parents[3]


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --------------------------------------------------------------------------- solve


def test_game_solve__table_1_json():
    out = run_json("game", "solve", "--row", "3.5 0.5; 4 1", "--col", "3.5 4; 0.5 1")
    assert [e["label"] for e in out["equilibria"]] == ["(D,D)"]
    eq = out["equilibria"][0]
    assert eq["row"] == [0.0, 1.0] and eq["col"] == [0.0, 1.0]
    assert eq["payoffs"] == pytest.approx([1.0, 1.0])
    assert out["classification"] == "prisoners-dilemma"
    assert out["risk_dominant"] == "(D,D)" and out["payoff_dominant"] == "(D,D)"
    assert out["degenerate"] is False and out["methods_agree"] is True


def test_game_solve__stag_hunt_json():
    out = run_json("game", "solve", "--row", "3 0; 2 2", "--col", "3 2; 0 2")
    assert [e["label"] for e in out["equilibria"]] == ["(C,C)", "(D,D)", "mixed"]
    assert out["equilibria"][2]["row"] == pytest.approx([2 / 3, 1 / 3], abs=1e-9)
    assert out["classification"] == "stag-hunt"
    assert out["risk_dominant"] == "(D,D)"
    assert out["payoff_dominant"] == "(C,C)"


def test_game_solve__rectangular_game_is_other():
    out = run_json("game", "solve", "--row", "3 3; 2 5; 0 6", "--col", "3 2; 2 6; 3 1")
    assert len(out["equilibria"]) == 3
    assert out["classification"] == "other"
    assert out["equilibria"][0]["label"] == "(r0,c0)"


def test_game_solve__degenerate_game_reported_not_crashed():
    out = run_json("game", "solve", "--row", "1 1; 1 1", "--col", "1 1; 1 1")
    assert out["degenerate"] is True
    assert out["continuum"] is True
    assert out["messages"]


def test_game_solve__human_output_has_tables():
    result = CliRunner().invoke(cli, ["game", "solve", "--row", "3 0; 2 2", "--col", "3 2; 0 2"])
    assert result.exit_code == 0
    assert "Nash equilibria" in result.output and "stag-hunt" in result.output


@pytest.mark.parametrize(
    "row, col, message",
    [
        ("3 0; 2", "3 2; 0 2", "ragged"),
        ("3 x; 2 2", "3 2; 0 2", "not a number"),
        ("3 0 1; 2 2 1", "3 2; 0 2", "shape"),
        ("3 0;", "3 2; 0 2", "empty row"),
        ("3 inf; 2 2", "3 2; 0 2", "finite"),
    ],
)
def test_game_solve__malformed__one_line_error(row, col, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["game", "solve", "--row", row, "--col", col])
    assert exc.value.code == InputError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_game_solve__malformed__subprocess_exit_code_and_single_line():
    proc = subprocess.run(
        [sys.executable, "-m", "sharing", "game", "solve", "--row", "1 2; 3", "--col", "1 2; 3 4"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == InputError.exit_code
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "ragged" in lines[0]
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


# --------------------------------------------------------------------------- paper


def test_game_paper__tables_and_agreement_computed():
    out = run_json("game", "paper")
    t1, t2 = out["tables"]
    assert t1["name"] == "Table 1" and t2["name"] == "Table 2"
    assert t1["row"] == [[3.5, 0.5], [4.0, 1.0]] and t1["col"] == [[3.5, 4.0], [0.5, 1.0]]
    assert t2["row"] == [[3.9, 0.9], [4.0, 1.0]] and t2["col"] == [[4.3, 3.0], [0.9, 1.0]]
    assert [e["label"] for e in t1["equilibria"]] == ["(D,D)"]
    assert [e["label"] for e in t2["equilibria"]] == ["(D,D)"]
    assert t1["classification"] == "prisoners-dilemma"
    assert t1["agrees"] is False and t2["agrees"] is False
    for t in (t1, t2):
        labels = {e["label"] for e in t["equilibria"] if e["pure"]}
        n_mixed = sum(not e["pure"] for e in t["equilibria"])
        claim = t["paper_claim_detail"]
        expected = labels == set(claim["pure"]) and n_mixed == claim["n_mixed"]
        assert t["equilibria_agree"] == expected
    rec = out["reconstruction"]
    assert "K = 3 and 1" in rec["reading"]
    assert len(rec["cases"]) == 12
    assert any(c["row_matches_printed"] for c in rec["cases"])
    assert out["summary"]


def test_game_paper__human_output():
    result = CliRunner().invoke(cli, ["game", "paper"])
    assert result.exit_code == 0
    assert "Table 1" in result.output and "disagrees" in result.output


# --------------------------------------------------------------------------- design


def test_game_design__two_firms_gated():
    out = run_json("game", "design", "--knowledge", "1,3", "--risk", "0.3,0.3", "--pool", "gated")
    per_firm = out["designs"][0]
    assert per_firm["scheme"] == "per-firm"
    assert per_firm["total_infimum"] == pytest.approx(0.3)
    assert per_firm["unique_at_recommended"] is True
    assert per_firm["unique_at_infimum"] is False
    assert all(d["unique_at_recommended"] for d in out["designs"])
    assert out["baseline"]["game"]["classification"] == "stag-hunt"
    assert sorted(out["baseline"]["pure_equilibria"]) == ["CC", "DD"]
    assert [e["label"] for e in out["resulting_game"]["game"]["equilibria"]] == ["(C,C)"]


def test_game_design__n_firms_with_tiers():
    out = run_json(
        "game",
        "design",
        "--knowledge",
        "1,3,2,0.5",
        "--risk",
        "0.5",
        "--pool",
        "open",
        "--tiers",
        "critical,core,core,small",
    )
    schemes = [d["scheme"] for d in out["designs"]]
    assert schemes == ["per-firm", "uniform", "proportional", "per-tier"]
    tier = out["designs"][3]
    assert set(tier["levels"]) == {"critical", "core", "small"}
    assert out["baseline"]["pure_equilibria"] == ["DDDD"]
    assert out["resulting_game"]["pure_equilibria"] == ["CCCC"]
    assert "game" not in out["resulting_game"]


@pytest.mark.parametrize(
    "args",
    [
        ["--knowledge", "1", "--risk", "0.3"],
        ["--knowledge", "1,a", "--risk", "0.3"],
        ["--knowledge", "1,2", "--risk", "0.3,0.2,0.1"],
        ["--knowledge", "1,2", "--risk", "0.3", "--tiers", "a"],
        ["--knowledge", "1,2", "--risk", "0.3", "--epsilon", "0"],
    ],
)
def test_game_design__bad_input__one_line_error(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["game", "design", *args])
    assert exc.value.code == InputError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")


# --------------------------------------------------------------------------- report


def test_report_models__default_modules_are_the_three_models():
    assert [m for m, _ in models_report.FIGURE_MODULES] == [
        "sharing.report.figures_game",
        "sharing.report.figures_pesim",
        "sharing.report.figures_duopoly",
    ]


def test_report_models__writes_index_and_pngs(tmp_path, monkeypatch):
    # the other models' figure modules are slow and owned elsewhere: keep the
    # game's, and stand in a missing module for them
    monkeypatch.setattr(
        models_report,
        "FIGURE_MODULES",
        (
            ("sharing.report.figures_game", "The sharing game"),
            ("sharing.report.figures_not_written_yet", "Missing model"),
        ),
    )
    out = run_json("report", "models", "--out", str(tmp_path / "rep"))
    assert out["sections"][1]["available"] is False
    index = tmp_path / "rep" / "index.html"
    assert out["index"] == str(index) and index.is_file()
    game = out["sections"][0]
    assert game["module"] == "sharing.report.figures_game" and game["available"]
    assert len(game["figures"]) >= 2
    html = index.read_text()
    for section in out["sections"]:
        for fig in section["figures"]:
            png = tmp_path / "rep" / fig["filename"]
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert f'src="{fig["filename"]}"' in html
        if not section["available"]:
            assert "not available" in html


def test_build_models_report__missing_module_listed_not_available(tmp_path):
    report = build_models_report(
        tmp_path,
        modules=(("sharing.report.figures_does_not_exist", "Missing"),),
    )
    assert report.sections[0].available is False
    assert "not available" in report.index.read_text()


def test_build_models_report__import_error_inside_module__propagates(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "broken_figs.py").write_text("import a_dependency_that_is_missing_xyz\n")
    monkeypatch.syspath_prepend(str(pkg))
    with pytest.raises(ImportError):
        build_models_report(tmp_path / "out", modules=(("broken_figs", "Broken"),))


def test_build_models_report__figure_module_contract(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "fake_figs.py").write_text(
        "from sharing.report.figures_common import Figure, new_figure, save_figure\n"
        "def make_figures(out_dir):\n"
        "    fig = new_figure()\n"
        "    fig.subplots().plot([0, 1], [1, 0])\n"
        "    save_figure(fig, out_dir, 'fake_line.png')\n"
        "    return [Figure('Line', 'fake_line.png', 'a <line> & more')]\n"
    )
    monkeypatch.syspath_prepend(str(pkg))
    report = build_models_report(tmp_path / "out", modules=(("fake_figs", "Fake"),))
    assert report.sections[0].figures == (Figure("Line", "fake_line.png", "a <line> & more"),)
    assert report.figure_paths[0].is_file()
    assert "a &lt;line&gt; &amp; more" in report.index.read_text()
