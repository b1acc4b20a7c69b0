"""The dashboard served for real: the demo alliance on uvicorn, and Debian's Chromium to read it.

One server per session (``build_demo_context``: four members, a panel, six
indicators in every state and TLP marking), on a free port of 127.0.0.1,
with a simulation report written by the real ``write_report`` from the
compact result the report's own tests use. Tests that change the chain do
it under ``ctx.lock`` between a snapshot and a revert (``changed_chain``),
so the others see the demo as built. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sharing.server.context import ServerContext

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Served:
    """The running server and what the tests need to check it."""

    ctx: ServerContext
    tokens: dict[str, str]
    base_url: str

    @property
    def members(self) -> Any:
        """Tier name (and ``newcomer``) -> address; ``.indicators`` by demo label."""
        return self.ctx.extra["members"]

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_simulation_report(out: Path) -> Path:
    """A real simulation report (``write_report``) from the report tests' compact result."""
    from sharing.simulation.report import write_report
    from sharing.simulation.result import SimulationResult

    spec = importlib.util.spec_from_file_location(
        "simulation_report_fixture", ROOT / "tests" / "unit" / "simulation" / "test_report.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    write_report(SimulationResult.from_dict(module.RESULT), out)
    return out


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``reports/demo`` and ``reports/models`` in miniature: the sharing game's figures only."""
    from sharing.report.models_report import build_models_report

    reports = tmp_path_factory.mktemp("reports")
    build_models_report(reports / "models",
                        (("sharing.report.figures_game", "The sharing game (Simmons)"),))
    return _write_simulation_report(reports / "demo")


@pytest.fixture(scope="session")
def served(report_dir: Path) -> Iterator[Served]:
    import uvicorn

    from sharing.server.app import create_app
    from sharing.server.demo import build_demo_context

    port = _free_port()
    ctx, tokens = build_demo_context(domain=f"127.0.0.1:{port}", report_dir=report_dir)
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield Served(ctx, tokens, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        # A failure, not a skip: a missing browser must not pass the dashboard's tests silently.
        pytest.fail(f"{CHROMIUM} is absent: `make chromium` (or `make test`) installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def open_page(browser: Any, served: Served) -> Iterator[Any]:
    """``open_page(viewport=..., token=..., javascript=...)`` -> a fresh page; closed after."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] = LAPTOP, token: str | None = None,
             javascript: bool = True) -> Any:
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        if token is not None:
            context.add_cookies([{"name": "sharing_session", "value": token,
                                  "url": served.base_url, "httpOnly": True,
                                  "sameSite": "Strict"}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shoot() -> Any:
    """``shoot(page, name)``: save a full-page screenshot for a person to look at."""

    def save(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def changed_chain(served: Served) -> Iterator[ServerContext]:
    """The served context, for a test that changes the chain; put back afterwards."""
    ctx = served.ctx
    with ctx.lock:
        snap = ctx.chain.snapshot()
    try:
        yield ctx
    finally:
        with ctx.lock:
            ctx.chain.revert(snap)
