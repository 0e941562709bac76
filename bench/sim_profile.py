"""Where a simulation run's time goes: wall-clock seconds and SQL statements per service call.

    .venv/bin/python bench/sim_profile.py [--days 90] [--seed 1] [--scenario default]

Runs `flask simulate` exactly (SQLite in a temporary directory), with a timer around each service the simulated
customers, suppliers and staff call, and around the re-plan's three phases inside them. Timers, not a profiler:
a profiler slows SQLAlchemy's many small calls several times over and misplaces the cost. The issue's target for
the whole run is 15 s; this says which calls would have to shrink to meet it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.simulation.engine import WARM_UP_DAYS, SimConfig, run  # noqa: E402

# (module, attribute, label): each service where the simulation calls it, so the timer sees every call
CALLS = (
    ("storefront.simulation.engine", "place_order", "payment (place_order)"),
    ("storefront.simulation.engine", "cached_quote", "quote before paying"),
    ("storefront.simulation.engine", "replan", "nightly re-plan"),
    ("storefront.services.workshop", "move", "stage move"),
    ("storefront.services.workshop", "record_checklist", "test checklist"),
    ("storefront.services.workshop", "ship", "ship"),
    ("storefront.services.inventory", "receive", "receive a delivery"),
    ("storefront.services.inventory", "change_expected_date", "supplier date change"),
    ("storefront.services.inventory", "create_purchase_request", "reorder"),
)
# the re-plan's phases, wherever it runs (inside the calls above)
PHASES = (
    ("storefront.services.planning", "_load", "re-plan: read open work orders"),
    ("storefront.services.planning", "plan", "re-plan: plan (domain)"),
    ("storefront.services.planning", "_apply", "re-plan: write and tell"),
)


class Tally:
    """Seconds, calls and statements per label; statements go to the outermost call running."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.statements: Counter[str] = Counter()
        self.running: list[str] = []

    def wrap(self, module: str, attribute: str, label: str, outer: bool) -> None:
        owner = importlib.import_module(module)
        function: Callable = getattr(owner, attribute)

        @wraps(function)
        def timed(*args, **kwargs):
            if outer:
                self.running.append(label)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1
                if outer:
                    self.running.pop()

        setattr(owner, attribute, timed)

    def count_statement(self, *_args) -> None:
        self.statements[self.running[0] if self.running else "the simulation's own reads"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default="default")
    args = parser.parse_args()
    tally = Tally()
    for module, attribute, label in CALLS:
        tally.wrap(module, attribute, label, outer=True)
    for module, attribute, label in PHASES:
        tally.wrap(module, attribute, label, outer=False)
    event.listen(Engine, "before_cursor_execute", tally.count_statement)
    config = SimConfig.for_scenario(args.scenario, days=args.days, seed=args.seed, warm_up_days=WARM_UP_DAYS)
    report = run(config, create_app)
    event.remove(Engine, "before_cursor_execute", tally.count_statement)

    print(f"simulate --days {args.days} --seed {args.seed} --scenario {args.scenario}: {report.seconds:.1f} s")
    print(f"{'call':<34} {'calls':>6} {'seconds':>8} {'ms/call':>8} {'statements/call':>16}")
    timed = 0.0
    for _, _, label in CALLS:
        calls, seconds = tally.calls[label], tally.seconds[label]
        timed += seconds
        per_call = tally.statements[label] / calls if calls else 0
        print(f"{label:<34} {calls:>6} {seconds:>8.2f} {1000 * seconds / max(calls, 1):>8.2f} {per_call:>16.1f}")
    own = tally.statements["the simulation's own reads"]
    print(f"{'the rest (set-up, own reads, scoring)':<34} {'':>6} {report.seconds - timed:>8.2f} {'':>8} {own:>16}")
    print("inside the calls above:")
    for _, _, label in PHASES:
        calls, seconds = tally.calls[label], tally.seconds[label]
        print(f"{label:<34} {calls:>6} {seconds:>8.2f} {1000 * seconds / max(calls, 1):>8.2f}")


if __name__ == "__main__":
    main()
