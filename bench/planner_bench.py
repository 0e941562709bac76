"""The planner alone (no database): 10,000 open jobs, a third waiting for a supplier delivery.

    .venv/bin/python bench/planner_bench.py [--runs 5]

Moved here from tests/unit/test_planning.py, which asserts only what the plan is, never how long it takes.
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

START = date(2026, 12, 1)
PAID = datetime(2026, 11, 20, 12, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()
    with open(ROOT / "catalog" / "ebike.toml", "rb") as fh:
        workshop = parse_catalog(tomllib.load(fh)).workshop
    jobs = [
        Job(n, PAID + timedelta(minutes=n), "sourcing",
            waits=(PartWait("Frame", START + timedelta(days=n % 40), late_days=2),) if n % 3 == 0 else ())
        for n in range(args.jobs)
    ]  # fmt: skip
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        plan(jobs, workshop, 4, START)
        timings.append(time.perf_counter() - started)
    first, median = timings[0] * 1000, statistics.median(timings) * 1000
    print(f"plan() of {args.jobs} jobs: first {first:.0f} ms, median {median:.0f} ms")


if __name__ == "__main__":
    main()
