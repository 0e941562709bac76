"""Server time of the back-office board with 200 open and 1,000 delivered orders, warm and after a write.

    .venv/bin/python bench/board_bench.py [--engine sqlite|postgres|both] [--runs 50]

Seeds the same database as bench/run.py (BENCH_DB names the PostgreSQL one), signs a staff user in through the
login page and serves `/backoffice/` through the production-mode app in this process (no server, no network),
so each figure is the app's own time for one request. "After a write" commits a setting first, which bumps the
plan stamp exactly as moving any order does: the board is then read and rendered again (cards whose values are
unchanged come from their cache). Prints the median and the 90th percentile of `--runs` requests each.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import bench_env, prepare_database  # noqa: E402

USER_AGENT = {"User-Agent": "storefront-bench"}


def signed_in_client(app):
    from storefront.services.staff import create_staff, find_staff

    with app.app_context():
        if find_staff("bench@voltwerk.example") is None:
            create_staff("bench@voltwerk.example", "bench-password-1")
    client = app.test_client()
    page = client.get("/backoffice/login", headers=USER_AGENT).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"email": "bench@voltwerk.example", "password": "bench-password-1", "csrf_token": token}
    assert client.post("/backoffice/login", data=form, headers=USER_AGENT).status_code == 303
    return client


def bump_plan_stamp(app, n: int) -> None:
    from storefront.extensions import db
    from storefront.models import Setting

    with app.app_context():
        setting = db.session.get(Setting, "bench_tick") or Setting(key="bench_tick", value="")
        setting.value = str(n)
        db.session.add(setting)
        db.session.commit()


def timed(client, runs: int, before=None) -> tuple[float, float]:
    samples = []
    for n in range(runs):
        if before:
            before(n)
        started = time.perf_counter()
        response = client.get("/backoffice/", headers=USER_AGENT)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and "board-column" in response.get_data(as_text=True)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def bench(engine: str, runs: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url, _ = prepare_database(engine, 1200, 200, Path(tmp))
        os.environ.update(bench_env(url))
        from storefront import create_app

        app = create_app()
        client = signed_in_client(app)
        timed(client, 3)  # warm the caches
        warm = timed(client, runs)
        written = timed(client, runs, before=lambda n: bump_plan_stamp(app, n))
        return [
            f"| {engine} | board, warm | {warm[0]:.2f} | {warm[1]:.2f} |",
            f"| {engine} | board, after a write | {written[0]:.2f} | {written[1]:.2f} |",
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print("| engine | board, 200 open + 1,000 delivered | median ms | p90 ms |")
    print("|---|---|---|---|")
    for engine in ["sqlite", "postgres"] if args.engine == "both" else [args.engine]:
        for line in bench(engine, args.runs):
            print(line, flush=True)


if __name__ == "__main__":
    main()
