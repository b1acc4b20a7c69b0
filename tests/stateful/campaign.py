"""``make campaign``: the AIS and PESIM state machines for a budget; counts into ``bench/results.json``.

Runs :class:`ais_machine.AisMachine` in batches of random (not derandomised)
sequences until the budget is spent (``--minutes``, and ``--sequences`` if
given: whichever comes first), then merges its counts into the benchmark
results (other keys are kept); then the PESIM machine
(:class:`pesim_machine.PesimMachine`) for ``--pesim-minutes`` (default: the
same budget). Exit status 1 and the falsifying sequence if any sequence
breaks an invariant.

``--backend`` picks the chain (:mod:`backends`): ``boa`` (titanoboa, from the
campaign's own venv ``.venv-campaign``; the default when it is installed)
or ``eth-tester`` (the chain of ``make test``). The keys name the backend:
``campaign.boa.ais.*`` / ``campaign.boa.pesim.*`` for titanoboa,
``campaign.ais.*`` / ``campaign.pesim.*`` for eth-tester. No gas is read on
either.

    .venv-campaign/bin/python tests/stateful/campaign.py --backend boa --sequences 2000 --minutes 15
    .venv/bin/python tests/stateful/campaign.py --backend eth-tester --minutes 10
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parents[1] / "bench" / "results.json"
sys.path.insert(0, str(HERE))

import ais_machine  # noqa: E402
import backends  # noqa: E402
import pesim_machine  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402


def merge_results(figures: dict[str, float | int], path: Path = RESULTS) -> None:
    """Merge ``figures`` into the results file, keeping every other key."""
    results = json.loads(path.read_text()) if path.exists() else {}
    results.update(figures)
    path.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")


def key_prefix(backend: str, name: str) -> str:
    """``campaign.<name>`` on eth-tester (the historical keys), ``campaign.<backend>.<name>`` otherwise."""
    return f"campaign.{name}" if backend == "eth-tester" else f"campaign.{backend}.{name}"


def run_machine(name: str, module: Any, minutes: float, steps: int, batch: int,
                backend: str = "eth-tester", sequences: int = 0) -> dict[str, float | int]:
    """Run ``module``'s machine in batches until ``minutes`` are spent or ``sequences`` have run.

    Returns its counts under :func:`key_prefix` (``sequences`` 0: no target, the time decides).
    """
    machine = {"ais": "AisMachine", "pesim": "PesimMachine"}[name]
    # One bug shrunk and reported per run, without the `explain` phase: it traces every line of the
    # EVM interpreter and turns a one-minute shrink into many.
    cfg = settings(max_examples=batch, stateful_step_count=steps, deadline=None,
                   database=None, derandomize=False, suppress_health_check=list(HealthCheck),
                   report_multiple_bugs=False,
                   phases=[p for p in Phase if p != Phase.explain])
    os.environ[backends.ENV] = backend
    module.world()  # deploy before the clock starts (and before hypothesis watches the interpreter)
    started = time.perf_counter()
    stop = started + minutes * 60
    failures = batches = 0
    stats = module.STATS
    while time.perf_counter() < stop and not failures and not (sequences and stats["sequences"] >= sequences):
        try:
            run_state_machine_as_test(getattr(module, machine), settings=cfg)
        except Exception:  # noqa: BLE001 - hypothesis re-raises the invariant's own error
            traceback.print_exc()
            failures += 1
        batches += 1
        print(f"{name} ({backend}) batch {batches}: {stats['sequences']} sequences, "
              f"{stats['checked_states'] - stats['sequences']} steps, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    seconds = time.perf_counter() - started
    steps_run = stats["checked_states"] - stats["sequences"]
    k = key_prefix(backend, name)
    figures: dict[str, float | int] = {
        f"{k}.sequences": stats["sequences"],
        f"{k}.steps": steps_run,
        f"{k}.transactions": stats["transactions"],
        f"{k}.invariant_checks": stats["invariant_checks"],
        f"{k}.max_steps_per_sequence": steps,
        f"{k}.seconds": round(seconds, 1),
        f"{k}.sequences_per_s": round(stats["sequences"] / seconds, 3),
        f"{k}.steps_per_s": round(steps_run / seconds, 1),
        f"{k}.failures": failures,
    }
    if name == "pesim":
        for key in ("settled", "cancelled", "shortfalls", "defaults", "malformed"):
            figures[f"{k}.{key}"] = stats[key]
    if name == "ais":
        for key in ("verified", "verified_no_severity", "early_finalise_refused", "ineligible_votes_refused",
                    "superseded", "duplicate_observables_refused", "altered_reveals_refused", "forced",
                    "swept", "appointments", "removals"):
            figures[f"{k}.{key}"] = stats[key]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=backends.BACKENDS,
                        default="boa" if importlib.util.find_spec("boa") else "eth-tester",
                        help="chain: titanoboa (default when installed) or eth-tester")
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget of the AIS machine")
    parser.add_argument("--pesim-minutes", type=float, default=None,
                        help="time budget of the PESIM machine (default: --minutes)")
    parser.add_argument("--sequences", type=int, default=0,
                        help="stop a machine once it has run this many sequences (0: the time decides)")
    parser.add_argument("--steps", type=int, default=50, help="stateful_step_count (longest sequence)")
    parser.add_argument("--batch", type=int, default=25, help="sequences per hypothesis run")
    parser.add_argument("--only", choices=["ais", "pesim"], default=None, help="run one machine")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    pesim_minutes = args.minutes if args.pesim_minutes is None else args.pesim_minutes
    figures: dict[str, float | int] = {}
    if args.only in (None, "ais"):
        figures.update(run_machine("ais", ais_machine, args.minutes, args.steps, args.batch,
                                   args.backend, args.sequences))
        merge_results(figures, args.results)
    if args.only in (None, "pesim") and not figures.get(f"{key_prefix(args.backend, 'ais')}.failures"):
        figures.update(run_machine("pesim", pesim_machine, pesim_minutes, args.steps, args.batch,
                                   args.backend, args.sequences))
        merge_results(figures, args.results)
    print(json.dumps(figures, indent=2))
    return 1 if any(v for k, v in figures.items() if k.endswith(".failures")) else 0


if __name__ == "__main__":
    sys.exit(main())
