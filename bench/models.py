"""Model solve times, as a researcher runs them: the CLI commands end to end.

``sharing pesim solve`` for N = 200 users with weighted effort, and
``sharing duopoly solve`` at its defaults, each timed over a few runs
(median), including interpreter start-up and imports, which are also
reported on their own (``sharing --help``) so the solve itself is visible.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3


def timed(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sharing", *args], check=True, cwd=ROOT,
                       capture_output=True)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def run() -> dict[str, float | int]:
    return {
        "seconds.cli.startup": timed(["--help"]),
        "seconds.pesim.solve.weighted.n200": timed(
            ["pesim", "solve", "--risk", "weighted", "--random", "200", "--seed", "1", "--json"]),
        "seconds.pesim.solve.total_effort.n3": timed(
            ["pesim", "solve", "--risk", "total-effort", "--costs", "0.2,0.3,0.5", "--json"]),
        "seconds.duopoly.solve.defaults": timed(["duopoly", "solve", "--json"]),
        "seconds.game.paper": timed(["game", "paper", "--json"]),
    }
