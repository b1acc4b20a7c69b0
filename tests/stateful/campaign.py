"""``make campaign``: the AIS state machine for a time budget; counts into ``bench/results.json``.

Runs :class:`ais_machine.AisMachine` in batches of random (not derandomised)
sequences until the budget is spent, then merges its counts into the
benchmark results under ``campaign.ais.*`` (other keys are kept). Exit
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

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parents[1] / "bench" / "results.json"
sys.path.insert(0, str(HERE))

import ais_machine  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402


def merge_results(figures: dict[str, float | int], path: Path = RESULTS) -> None:
    """Merge ``figures`` into the results file, keeping every other key."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results.update(figures)
    path.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget")
    parser.add_argument("--steps", type=int, default=50, help="stateful_step_count (longest sequence)")
    parser.add_argument("--batch", type=int, default=25, help="sequences per hypothesis run")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    cfg = settings(max_examples=args.batch, stateful_step_count=args.steps, deadline=None,
                   database=None, derandomize=False, suppress_health_check=list(HealthCheck))
    started = time.perf_counter()
    stop = started + args.minutes * 60
    failures = batches = 0
    while time.perf_counter() < stop and not failures:
        try:
            run_state_machine_as_test(ais_machine.AisMachine, settings=cfg)
        except Exception:  # noqa: BLE001 - hypothesis re-raises the invariant's own error
            traceback.print_exc()
            failures += 1
        batches += 1
        stats = ais_machine.STATS
        print(f"batch {batches}: {stats['sequences']} sequences, "
              f"{stats['checked_states'] - stats['sequences']} steps, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    seconds = time.perf_counter() - started
    s = ais_machine.STATS
    figures: dict[str, float | int] = {
        "campaign.ais.sequences": s["sequences"],
        "campaign.ais.steps": s["checked_states"] - s["sequences"],
        "campaign.ais.transactions": s["transactions"],
        "campaign.ais.invariant_checks": s["invariant_checks"],
        "campaign.ais.max_steps_per_sequence": args.steps,
        "campaign.ais.seconds": round(seconds, 1),
        "campaign.ais.sequences_per_s": round(s["sequences"] / seconds, 3),
        "campaign.ais.failures": failures,
    }
    merge_results(figures, args.results)
    print(json.dumps(figures, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
