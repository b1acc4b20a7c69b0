"""The pilot's world: anvil mining a block a second, keystore accounts it does not know, a proxy.

The fixtures that build it are in conftest.py; the pieces are here, so the
tests can import them.

* **The node** is anvil with ``--block-time 1``: transactions wait for the
  next block, as on a real chain (no automine).
* **The people** are keystore files (eth-account's format, a cheap scrypt
  factor) for keys the node has never seen; a development account pays
  each some ether by a plain transfer, as a faucet would.
* **The proxy** sits between the CLI and the node and records every JSON-RPC
  method (so a test can prove that no ``eth_sendTransaction`` is used and
  that a refused command sends nothing), and can hold one send forever
  (so a test can kill the CLI between the commit and the reveal).
* **The CLI** is run in this process through ``sharing.cli.main`` (exit
  code, stdout, stderr), or as a subprocess when it must be killed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from signer_fixtures import ENVIRONMENT
from web3 import Web3

from sharing.chain.anvil import anvil_binary, free_port

#: Variables of a developer's shell that must not reach the CLI under test.
CLEARED = (*ENVIRONMENT, "SHARING_RPC_URL", "SHARING_JOURNAL_DIR", "SHARING_POOL",
           "SHARING_KEYSTORE_DIR")
ROLES = ("governance", "firm_a", "firm_b", "panel_1", "panel_2", "panel_3", "outsider")
FUNDS_WEI = 50 * 10**18


# ------------------------------------------------------------------ the node


def start_node(*extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """anvil on a free port with ``extra`` flags; returns the process and its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(port), "--accounts", "2",
         "--balance", "1000000", "--silent", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("anvil did not start")


def stop_node(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ----------------------------------------------------------------- the proxy


@dataclass
class Proxy:
    """A recording JSON-RPC proxy in front of the node."""

    upstream: str
    methods: list[str] = field(default_factory=list)
    raw_sends: list[str] = field(default_factory=list)  # the data of each raw transaction
    hold_raw_send: int | None = None  # hold the n-th raw send (1-based) from arming
    hide_accounts: bool = False  # answer eth_accounts with [], as a public endpoint does
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    _armed_at: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def mark(self) -> int:
        """The position in the record now (compare with :meth:`since`)."""
        return len(self.methods)

    def since(self, mark: int) -> list[str]:
        return self.methods[mark:]

    def arm_hold(self, nth: int) -> None:
        """Hold (never forward) the ``nth`` raw transaction sent from now on."""
        self.held.clear()
        self.release.clear()
        self._armed_at = len(self.raw_sends)
        self.hold_raw_send = nth

    def _should_hold(self, call: dict[str, Any]) -> bool:
        if call.get("method") != "eth_sendRawTransaction":
            return False
        with self._lock:
            self.raw_sends.append(str(call["params"][0]))
            if self.hold_raw_send is None:
                return False
            if len(self.raw_sends) - self._armed_at == self.hold_raw_send:
                self.hold_raw_send = None
                return True
        return False


def start_proxy(upstream: str) -> tuple[Proxy, ThreadingHTTPServer]:
    proxy = Proxy(upstream)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            payload = json.loads(body)
            calls = payload if isinstance(payload, list) else [payload]
            if proxy.hide_accounts and len(calls) == 1 and calls[0].get("method") == "eth_accounts":
                proxy.methods.append("eth_accounts")
                data = json.dumps({"jsonrpc": "2.0", "id": calls[0].get("id"), "result": []})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data.encode())
                return
            hold = False
            for call in calls:
                proxy.methods.append(str(call.get("method")))
                hold = proxy._should_hold(call) or hold
            if hold:
                proxy.held.set()
                proxy.release.wait(timeout=120)
                self.send_response(503)  # the node never saw it
                self.end_headers()
                return
            request = urllib.request.Request(
                proxy.upstream, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                data = answer.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    return proxy, server


# ------------------------------------------------------------------ the CLI


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*args: str) -> Result:
    """``sharing ARGS`` in this process: exit code, stdout, stderr."""
    from sharing.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


# -------------------------------------------------------------- the people


@dataclass
class Person:
    name: str
    address: str
    keystore: Path

    def key_args(self, password_file: Path) -> list[str]:
        return ["--keystore", str(self.keystore), "--password-file", str(password_file)]


@dataclass
class Pilot:
    """Everything a pilot test needs: node, proxy, people, files."""

    node_url: str
    proxy: Proxy
    w3: Web3
    people: dict[str, Person]
    password_file: Path
    deployment: Path
    tmp: Path

    def __getattr__(self, name: str) -> Person:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    def as_(self, who: str, *args: str, json_out: bool = True) -> Result:
        """Run ``sharing ARGS`` through the proxy, signed by ``who``'s keystore."""
        person = self.people[who]
        extra = ["--rpc-url", self.proxy.url, "--deployment", str(self.deployment),
                 *person.key_args(self.password_file)]
        return run_cli(*args, *extra, *(["--json"] if json_out else []))

    def anyone(self, *args: str) -> Result:
        """``sharing ARGS`` with no key at all."""
        return run_cli(*args, "--rpc-url", self.proxy.url, "--deployment", str(self.deployment),
                       "--json")

    def nonce(self, who: str) -> int:
        return int(self.w3.eth.get_transaction_count(self.people[who].address, "pending"))

    def nothing_sent(self, who: str, command: Any) -> Result:
        """Run ``command()``, assert it failed in one line and sent no transaction."""
        before, mark = self.nonce(who), self.proxy.mark()
        result = command()
        assert result.code != 0, result
        assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
        sends = [m for m in self.proxy.since(mark)
                 if m in ("eth_sendRawTransaction", "eth_sendTransaction")]
        assert sends == [], sends
        assert self.nonce(who) == before
        return result

    def write(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path


def bundle_text(seed: int, **overrides: Any) -> tuple[str, Any]:
    """A synthetic indicator bundle (GREEN unless ``tlp=``) and its description."""
    from sharing.standards.stix import Tlp
    from sharing.standards.synthetic import generate_indicator

    item = generate_indicator(seed, tlp=overrides.pop("tlp", Tlp.GREEN), **overrides)
    return item.bundle_json, item


def subprocess_cli(*args: str) -> subprocess.Popen[bytes]:
    """``python -m sharing ARGS`` as a child process (to be killed)."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.Popen([sys.executable, "-m", "sharing", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def open_voting(world: Pilot) -> None:
    """Move the node's clock past the reveal window (60 s) and wait for a block at the new time."""
    start = world.w3.eth.block_number
    world.w3.provider.make_request("evm_increaseTime", [61])  # type: ignore[arg-type]
    while world.w3.eth.block_number <= start:
        time.sleep(0.2)


def system_of(world: Pilot) -> Any:
    from sharing.chain.connect import rpc_chain
    from sharing.chain.deployment import load_deployment

    return load_deployment(rpc_chain(world.node_url), world.deployment)
