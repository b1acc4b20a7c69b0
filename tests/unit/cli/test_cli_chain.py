"""deploy / quote / demo from the command line: outputs and one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

from sharing import quote as q
from sharing.standards.cvss import parse_cvss

ROOT = Path(__file__).resolve().parents[3]
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def sharing(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sharing", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_quote__json_matches_python():
    out = sharing("quote", "--tier", "small", "--class", "root", "--cvss", VECTOR, "--scope",
                  "cross-sector", "--category", "TA0001", "--price-index", "7000", "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["score_x10"] == 98 and r["band"] == "critical" and r["category"] == 2
    assert r["reward_wei"] == q.quote(2, 0, parse_cvss(VECTOR).score_x10, 2, 7000)


def test_quote__bad_inputs__one_line_nonzero():
    cases = [
        (["--tier", "huge"], "unknown tier"),
        (["--cvss", "CVSS:3.1/AV:N"], "CVSS"),
        (["--category", "cooking"], "category"),
        (["--scope", "galaxy"], "scope"),
        (["--class", "both"], "class"),
        (["--live"], "--live needs --rpc-url"),
    ]
    base = {"--tier": "core", "--class": "root", "--cvss": VECTOR, "--scope": "sector",
            "--category": "execution"}
    for override, needle in cases:
        args = dict(base)
        flags = []
        if len(override) == 2:
            args[override[0]] = override[1]
        else:
            flags = override
        argv = [x for kv in args.items() for x in kv] + flags
        out = sharing("quote", *argv)
        assert out.returncode != 0, override
        assert len(out.stderr.strip().splitlines()) == 1 and needle in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_deploy__unreachable_node__one_line(tmp_path):
    out = sharing("deploy", "--rpc-url", "http://127.0.0.1:9", "--deployment", str(tmp_path / "d.json"))
    assert out.returncode != 0
    assert out.stderr.startswith("error: cannot reach a JSON-RPC node at http://127.0.0.1:9")
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d.json").exists()


def test_demo__json_checks_pass():
    out = sharing("demo", "--json", "--seed", "2")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["ok"] and all(r["checks"].values())
