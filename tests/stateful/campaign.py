"""``make campaign``: the AIS and PESIM state machines for a time budget; counts into ``bench/results.json``.

Runs :class:`ais_machine.AisMachine` in batches of random (not derandomised)
sequences until the budget is spent, then merges its counts into the
benchmark results under ``campaign.ais.*`` (other keys are kept); then the
PESIM machine (:class:`pesim_machine.PesimMachine`) for ``--pesim-minutes``
(default: the same budget) under ``campaign.pesim.*``. Exit
status 1 and the falsifying sequence if any sequence breaks an invariant.

    python tests/stateful/campaign.py --minutes 10 --steps 50
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parents[1] / "bench" / "results.json"
sys.path.insert(0, str(HERE))

import ais_machine  # noqa: E402
import pesim_machine  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402


def merge_results(figures: dict[str, float | int], path: Path = RESULTS) -> None:
    """Merge ``figures`` into the results file, keeping every other key."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results.update(figures)
    path.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")


def run_machine(name: str, module: Any, minutes: float, steps: int, batch: int) -> dict[str, float | int]:
    """Run ``module``'s machine in batches until ``minutes`` are spent; its ``campaign.<name>.*`` counts."""
    machine = {"ais": "AisMachine", "pesim": "PesimMachine"}[name]
    cfg = settings(max_examples=batch, stateful_step_count=steps, deadline=None,
                   database=None, derandomize=False, suppress_health_check=list(HealthCheck))
    started = time.perf_counter()
    stop = started + minutes * 60
    failures = batches = 0
    stats = module.STATS
    while time.perf_counter() < stop and not failures:
        try:
            run_state_machine_as_test(getattr(module, machine), settings=cfg)
        except Exception:  # noqa: BLE001 - hypothesis re-raises the invariant's own error
            traceback.print_exc()
            failures += 1
        batches += 1
        print(f"{name} batch {batches}: {stats['sequences']} sequences, "
              f"{stats['checked_states'] - stats['sequences']} steps, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    seconds = time.perf_counter() - started
    figures: dict[str, float | int] = {
        f"campaign.{name}.sequences": stats["sequences"],
        f"campaign.{name}.steps": stats["checked_states"] - stats["sequences"],
        f"campaign.{name}.transactions": stats["transactions"],
        f"campaign.{name}.invariant_checks": stats["invariant_checks"],
        f"campaign.{name}.max_steps_per_sequence": steps,
        f"campaign.{name}.seconds": round(seconds, 1),
        f"campaign.{name}.sequences_per_s": round(stats["sequences"] / seconds, 3),
        f"campaign.{name}.failures": failures,
    }
    if name == "pesim":
        for key in ("settled", "cancelled", "shortfalls", "defaults", "malformed"):
            figures[f"campaign.pesim.{key}"] = stats[key]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget of the AIS machine")
    parser.add_argument("--pesim-minutes", type=float, default=None,
                        help="time budget of the PESIM machine (default: --minutes)")
    parser.add_argument("--steps", type=int, default=50, help="stateful_step_count (longest sequence)")
    parser.add_argument("--batch", type=int, default=25, help="sequences per hypothesis run")
    parser.add_argument("--only", choices=["ais", "pesim"], default=None, help="run one machine")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    pesim_minutes = args.minutes if args.pesim_minutes is None else args.pesim_minutes
    figures: dict[str, float | int] = {}
    if args.only in (None, "ais"):
        figures.update(run_machine("ais", ais_machine, args.minutes, args.steps, args.batch))
        merge_results(figures, args.results)
    if args.only in (None, "pesim") and not figures.get("campaign.ais.failures"):
        figures.update(run_machine("pesim", pesim_machine, pesim_minutes, args.steps, args.batch))
        merge_results(figures, args.results)
    print(json.dumps(figures, indent=2))
    return 1 if any(v for k, v in figures.items() if k.endswith(".failures")) else 0


if __name__ == "__main__":
    sys.exit(main())
