"""The commands a newcomer types: ``sharing serve --demo``, ``sharing token``, ``sharing indicator sighting``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from server_helpers import Bearer, Served, free_port
from taxii2client.v21 import Server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def _settled() -> Iterator[None]:
    """Leave the sightings added here served (their second over) for the next module."""
    yield
    time.sleep(1.05)


def run(capsys, *args: str) -> tuple[int, str, str]:
    from sharing.cli import main

    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _indicator_id(served: Served, label: str) -> str:
    bundle = json.loads(served.ctx.extra["members"].indicators[label].bundle_json)
    return next(o["id"] for o in bundle["objects"] if o["type"] == "indicator")


def test_token__signs_in_with_the_signer_and_the_token_reads_taxii(served, capsys, monkeypatch,
                                                                   tmp_path):
    small = served.members["small"]
    monkeypatch.setenv("SHARING_PRIVATE_KEY", "0x" + served.ctx.chain.key_of(small).hex())
    code, out, err = run(capsys, "token", "--server", served.base + "/", "--json")
    assert code == 0, err
    issued = json.loads(out)
    assert issued["address"] == small
    assert Server(served.discovery, auth=Bearer(issued["token"])).title
    path = tmp_path / "token"
    code, out, err = run(capsys, "token", "--server", served.base, "--out", str(path))
    assert code == 0 and "written to" in out and issued["token"] not in out
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_token__refuses_to_sign_for_another_site_or_without_a_key(served, capsys, monkeypatch):
    monkeypatch.setenv("SHARING_PRIVATE_KEY",
                       "0x" + served.ctx.chain.key_of(served.members["core"]).hex())
    other = served.base.replace("127.0.0.1", "localhost")
    code, _, err = run(capsys, "token", "--server", other)
    assert code != 0 and "nothing signed" in err and err.count("\n") == 1
    monkeypatch.delenv("SHARING_PRIVATE_KEY")
    code, _, err = run(capsys, "token", "--server", served.base)
    assert code != 0 and "needs a signer" in err


def test_sighting__reported_from_the_cli_and_counted(served, capsys, tmp_path):
    token = tmp_path / "core.token"
    token.write_text(served.token_of("core"))
    target = _indicator_id(served, "C")  # small's TLP:CLEAR indicator
    counts = requests.get(f"{served.base}/sightings/", auth=Bearer(served.token_of("core")),
                          timeout=10).json()[target]
    code, out, err = run(capsys, "indicator", "sighting", "--server", served.base, "--indicator",
                         target, "--token-file", str(token), "--false-positive", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["false_positive"] is True
    assert f"{counts['false_positives'] + 1} false positives" in result["server"]
    # The submitter cannot vouch for its own indicator; the refusal is one line.
    own = tmp_path / "small.token"
    own.write_text(served.token_of("small"))
    code, _, err = run(capsys, "indicator", "sighting", "--server", served.base, "--indicator",
                       target, "--token-file", str(own))
    assert code != 0 and "submitter cannot report" in err and err.count("\n") == 1
    code, _, err = run(capsys, "indicator", "sighting", "--server", served.base, "--indicator",
                       target)
    assert code != 0 and "bearer token" in err


def test_serve_demo__one_command_then_a_taxii_client_reads(tmp_path):
    port = free_port()
    tokens = tmp_path / "tokens.json"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sharing", "serve", "--demo", "--port", str(port),
         "--tokens-out", str(tokens)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                if tokens.exists() and requests.get(f"http://127.0.0.1:{port}/auth/nonce",
                                                    timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "sharing serve --demo did not come up"
            time.sleep(0.2)
        assert oct(tokens.stat().st_mode & 0o777) == "0o600"
        members = json.loads(tokens.read_text())
        assert len(members) == 4
        time.sleep(1.05)  # records are served once their second is over
        readers = 0
        for token in members.values():
            root = Server(f"http://127.0.0.1:{port}/taxii2/", auth=Bearer(token)).api_roots[0]
            verified = next(c for c in root.collections if c.alias == "verified")
            if verified.can_read:
                readers += 1
                assert {o["type"] for o in verified.get_objects()["objects"]} >= {
                    "indicator", "identity", "marking-definition"}
        assert readers == 3  # the newcomer has no on-chain access yet
    finally:
        proc.terminate()
        proc.wait(timeout=20)
