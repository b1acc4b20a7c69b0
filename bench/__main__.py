"""Run every benchmark module, print one table, write ``bench/results.json``.

Each module ``bench/<area>.py`` exposes ``run() -> dict[str, float | int]``
with flat, dotted names (``"gas.commit"``, ``"tx_per_s.lifecycle.anvil"``).
``python -m bench ais models`` runs only the named areas; figures of areas
that were not re-run are kept from the previous results file.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

AREAS = ("ais", "sim", "models", "pesim", "audit")
RESULTS = Path(__file__).resolve().parent / "results.json"


def main(argv: list[str]) -> int:
    areas = argv or list(AREAS)
    results: dict[str, float | int] = {}
    if RESULTS.exists():
        results = json.loads(RESULTS.read_text())
    console = Console(width=120)
    for area in areas:
        try:
            module = importlib.import_module(f"bench.{area}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{area}":
                console.print(f"[yellow]no benchmark module bench/{area}.py - skipped[/]")
                continue
            raise
        started = time.perf_counter()
        with console.status(f"bench {area}"):
            figures = module.run()
        console.print(f"{area}: {len(figures)} figures in {time.perf_counter() - started:.1f} s")
        results.update(figures)
    table = Table(title="bench/results.json")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in sorted(results):
        v = results[key]
        table.add_row(key, f"{v:,.3f}" if isinstance(v, float) else f"{v:,}")
    console.print(table)
    RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
