"""Wall-clock figures the test suite used to assert: the planner on 10,000 jobs and the workshop simulation.

    .venv/bin/python bench/timings.py [--runs 5] [--skip-90]

Tests assert behaviour only (a loaded CI machine once took 108 s for a 60 s limit); the durations live here,
printed beside the limits the tests used to hold them to. The planner figure is the median of `--runs`; each
simulation runs once, on SQLite in a temporary directory, exactly as `flask simulate` does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storefront.domain.catalog import parse_catalog  # noqa: E402
from storefront.domain.planning import Job, PartWait, plan  # noqa: E402
from storefront.simulation.engine import SimConfig, run  # noqa: E402

TUE = date(2026, 12, 1)
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def ten_thousand_jobs() -> list[Job]:
    """The jobs tests/unit/test_planning.py plans: a third of them wait for a frame, up to 40 days out."""
    return [
        Job(
            work_order_id=n,
            paid_at=T0 + timedelta(minutes=n),
            stage="sourcing",
            waits=(PartWait("Frame", TUE + timedelta(days=n % 40)),) if n % 3 == 0 else (),
        )
        for n in range(10_000)
    ]


def planner_seconds(runs: int) -> float:
    """Median seconds for one plan of 10,000 jobs with the demo catalog's workshop."""
    with open(ROOT / "catalog" / "ebike.toml", "rb") as fh:
        workshop = parse_catalog(tomllib.load(fh)).workshop
    jobs = ten_thousand_jobs()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        plan(jobs, workshop, 4, TUE)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-90", action="store_true", help="leave out the 90-day simulation")
    args = parser.parse_args()
    rows = [("plan 10,000 jobs (domain, median)", planner_seconds(args.runs), 0.5)]
    short = run(SimConfig(days=20, seed=7, start=date(2027, 3, 1)))
    rows.append((f"simulate 20 days, seed 7 ({short.orders} orders)", short.seconds, 20.0))
    if not args.skip_90:
        long = run(SimConfig(days=90, seed=1))
        rows.append((f"simulate 90 days, seed 1 ({long.orders} orders)", long.seconds, 60.0))
    print(f"{'what':<44} {'seconds':>8} {'old test limit':>15}")
    for label, seconds, limit in rows:
        print(f"{label:<44} {seconds:>8.3f} {limit:>15.1f}")


if __name__ == "__main__":
    main()
