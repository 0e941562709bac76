"""Benchmark the order tracker against a bare Flask route measured in the same run.

    .venv/bin/python bench/tracker.py [--n 300] [--database-url URL]

Prints the median time per request for a bare Flask route, the full status page, the polled fragment
(200) and a 304 poll, each as a ratio to the bare route. Uses a throwaway SQLite database unless told.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.services.catalog import load_catalog_file  # noqa: E402
from tests.support.orders import make_paid_order  # noqa: E402

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def timed(client, url: str, n: int, headers: dict | None = None, expect: int = 200) -> float:
    """Median seconds per request over `n` requests, after a short warm-up."""
    for _ in range(20):
        assert client.get(url, headers=headers).status_code == expect
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append(time.perf_counter() - start)
        assert response.status_code == expect
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    bare = Flask("bare")
    bare.add_url_rule("/", "bare", lambda: "ok")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
        with app.app_context():
            upgrade()
            load_catalog_file(app.config["CATALOG_PATH"])
            build = {"frame": ["folding"], "motor": ["mid-500"], "battery": ["b625"], "color": ["racing-red"]}
            token = make_paid_order(NOW, {**build, "accessories": ["rack", "lights"]}).status_token
        client = app.test_client()
        progress = f"/orders/{token}/progress"
        htmx = {"HX-Request": "true"}
        etag = client.get(progress, headers=htmx).headers["ETag"]

        results = {
            "bare Flask route": timed(bare.test_client(), "/", args.n),
            "status page (full)": timed(client, f"/orders/{token}", args.n),
            "status JSON": timed(client, f"/orders/{token}.json", args.n),
            "poll, changed (200 fragment)": timed(client, progress, args.n, htmx),
            "poll, unchanged (304)": timed(client, progress, args.n, {**htmx, "If-None-Match": etag}, 304),
        }
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
    base = results["bare Flask route"]
    print(f"{'request':32} {'median':>10} {'ratio':>8}")
    for name, seconds in results.items():
        print(f"{name:32} {seconds * 1e6:8.0f}µs {seconds / base:7.1f}x")


if __name__ == "__main__":
    main()
