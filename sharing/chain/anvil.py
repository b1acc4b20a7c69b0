"""Start and stop a local anvil node (npm ``@foundry-rs/anvil``, installed by ``make``).

The platform binary is started directly rather than the npm ``anvil`` node
wrapper, whose real child process outlives a SIGTERM by a second or two.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sharing.chain.compile import ROOT
from sharing.errors import ChainError

#: Where ``make`` installs the binary (``$SHARING_ANVIL`` overrides).
DEFAULT_BINARY = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


def anvil_binary() -> Path:
    """Path of the anvil executable; a clear error if ``make`` has not installed it."""
    path = Path(os.environ.get("SHARING_ANVIL", DEFAULT_BINARY))
    if not os.access(path, os.X_OK):
        raise ChainError(
            f"anvil not found at {path}; run `make node_modules/.bin/anvil` or `make test`"
        )
    return path


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AnvilNode:
    """A running anvil process."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        """The JSON-RPC endpoint."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the node and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_anvil(
    accounts: int = 20, port: int | None = None, state: Path | None = None, timeout: float = 20.0
) -> AnvilNode:
    """Start anvil on a free loopback port and wait until it answers."""
    port = port or free_port()
    args = [
        str(anvil_binary()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--accounts",
        str(accounts),
        "--balance",
        "1000000",
        "--silent",
    ]
    if state is not None:
        args += ["--state", str(state)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise ChainError(
                f"anvil exited at start: {err.splitlines()[-1] if err else proc.returncode}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return AnvilNode(process=proc, port=port)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise ChainError(f"anvil did not answer on port {port} within {timeout:.0f} s")


@contextmanager
def running_anvil(accounts: int = 20) -> Iterator[AnvilNode]:
    """A node for the duration of a ``with`` block."""
    node = start_anvil(accounts=accounts)
    try:
        yield node
    finally:
        node.stop()
