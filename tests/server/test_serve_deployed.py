"""``sharing serve`` over a deployed alliance on a real node, its pool file, a member's own token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from server_helpers import Bearer, free_port
from taxii2client.v21 import Server

from sharing.chain.ais import AisSystem, Status, new_salt
from sharing.chain.anvil import running_anvil
from sharing.chain.connect import rpc_chain
from sharing.pool.access import make_request
from sharing.pool.store import PoolStore
from sharing.standards.synthetic import generate_indicator

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.anvil


def test_serve__deployed_alliance_pool_file_and_sharing_token(tmp_path, capsys, monkeypatch):
    with running_anvil(accounts=6) as node:
        dep = tmp_path / "deployment.json"
        out = subprocess.run([sys.executable, "-m", "sharing", "deploy", "--rpc-url", node.url,
                              "--deployment", str(dep), "--json"], capture_output=True,
                             text=True, cwd=ROOT, timeout=120)
        assert out.returncode == 0, out.stderr
        chain = rpc_chain(node.url)
        gov, firm, reader, *panel = chain.accounts[:6]
        system = AisSystem.at(chain, json.loads(dep.read_text())["contracts"]["AisAlliance"][
            "address"], gov)
        system.register_member(firm, 1)
        system.register_member(reader, 2)
        for seat in panel:
            system.appoint_panellist(seat)
        system.set_windows(600, 3600)
        # A verified GREEN indicator from `firm`, put in the pool file beside the deployment.
        ind = generate_indicator(11, tlp="green")
        salt = new_salt()
        terms = (ind.category, ind.indicator_class, ind.semantic_key)
        system.commit(firm, ind.content_hash, salt, *terms)
        chain.mine()
        system.reveal(firm, ind.content_hash, salt, *terms)
        chain.advance_time(600)
        for seat in panel:
            system.vote(seat, ind.content_hash, True, ind.score_x10, ind.scope)
        system.finalise(ind.content_hash)
        assert system.indicator(ind.content_hash).status is Status.VERIFIED
        pool_file = dep.with_suffix(".pool.sqlite")
        with PoolStore(system, chain_id=chain.chain_id, pool_address=system.address,
                       path=pool_file) as pool:
            pool.put(ind.bundle_json, make_request(
                chain.key_of(firm), action="put", chain_id=chain.chain_id, pool=system.address,
                content_hash=ind.content_hash))
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "sharing", "serve", "--rpc-url", node.url, "--deployment",
             str(dep), "--port", str(port)],
            cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                try:
                    if requests.get(f"{base}/auth/nonce", timeout=2).ok:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, "sharing serve did not come up"
                time.sleep(0.2)
            from sharing.cli import main

            monkeypatch.setenv("SHARING_PRIVATE_KEY", "0x" + chain.key_of(firm).hex())
            capsys.readouterr()
            main(["token", "--server", base, "--json"])
            token = json.loads(capsys.readouterr().out)["token"]
            time.sleep(1.05)  # served once its second is over
            root = Server(f"{base}/taxii2/", auth=Bearer(token)).api_roots[0]
            verified = next(c for c in root.collections if c.alias == "verified")
            objects = verified.get_objects()["objects"]
            indicator_id = next(o["id"] for o in json.loads(ind.bundle_json)["objects"]
                                if o["type"] == "indicator")
            assert indicator_id in {o["id"] for o in objects}
            # The other member has contributed nothing: no pool access, refused.
            monkeypatch.setenv("SHARING_PRIVATE_KEY", "0x" + chain.key_of(reader).hex())
            main(["token", "--server", base, "--json"])
            other = json.loads(capsys.readouterr().out)["token"]
            refused = requests.get(f"{base}/taxii2/alliance/collections/verified/objects/",
                                   auth=Bearer(other), timeout=10)
            assert refused.status_code == 403 and refused.json()["error_code"] == "no-access"
        finally:
            proc.terminate()
            proc.wait(timeout=20)
