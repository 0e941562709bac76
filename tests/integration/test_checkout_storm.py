"""Checkout storm: concurrent, duplicated, out-of-order deliveries still give exactly one order per payment."""

import os

from bench.storm import storm

# The full 500 runs on PostgreSQL (CI's second pass); SQLite serialises writers, so a smaller storm proves
# the same invariants there without slowing the default run.
STORM_SIZE = 500 if os.environ.get("DATABASE_URL", "").startswith("postgresql") else 60


def test_a_storm_of_paid_checkouts_creates_each_order_exactly_once(app_ctx):
    report = storm(app_ctx, count=STORM_SIZE, seed=3)
    assert report.orders == STORM_SIZE
    assert report.duplicate_orders == 0
    assert report.over_reserved == []
    assert report.awaiting_without_request == 0
    assert report.confirmations == STORM_SIZE and report.duplicate_confirmations == 0
    assert report.days_over_capacity == []
