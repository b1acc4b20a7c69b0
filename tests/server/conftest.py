"""One demo alliance and one real uvicorn server for the whole server suite.

The demo context (:func:`sharing.server.demo.build_demo_context`, ~3 s) is
built once per session and served by uvicorn on a free port in a thread;
tests that change the chain hold ``ctx.lock`` and revert to a snapshot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from server_helpers import Served, free_port

from sharing.server.app import create_app
from sharing.server.demo import build_demo_context


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    port = free_port()
    domain = f"127.0.0.1:{port}"
    ctx, tokens = build_demo_context(domain=domain)
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    # Records are served once the second they were added in is over.
    time.sleep(1.05)
    yield Served(ctx, tokens, f"http://{domain}")
    server.should_exit = True
    thread.join(timeout=10)
