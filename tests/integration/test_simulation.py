"""The simulator: the real services on a synthetic workshop, reproducible from its seed.

How long a run takes is measured by bench/timings.py, never asserted here."""

from datetime import date

import pytest

from storefront import create_app
from storefront.simulation.engine import DEFAULT_RATE, SimConfig, run


@pytest.fixture(scope="module")
def ninety_days():
    """One 90-day run at the defaults (seed 1), shared by the tests that read its figures: a run is the costly
    part, and the tests only read the report."""
    return run(SimConfig(days=90, seed=1), create_app)


def test_the_same_seed_gives_the_same_figures_and_a_different_seed_different_ones(app):
    config = SimConfig(days=20, seed=7, start=date(2027, 3, 1))
    first, again = run(config, create_app), run(config, create_app)
    other = run(SimConfig(days=20, seed=8, start=date(2027, 3, 1)), create_app)
    assert first.lines()[:-1] == again.lines()[:-1]  # all but the timing line
    assert first.orders > 30 and first.total.delivered > 10
    assert first.total == again.total and first.slip_emails == again.slip_emails
    assert (other.orders, other.total) != (first.orders, first.total)


def test_staff_and_suppliers_go_through_the_back_office_services(ninety_days):
    report = ninety_days
    events = report.events
    # every stage change and checklist was written by services.workshop, every bike in order
    assert events["created"] == report.orders
    assert events["start_assembly"] >= events["start_testing"] - events["rework"] > 0
    assert events["checklist"] == events["pass_testing"] + events["rework"] and events["rework"] > 0
    assert events["ship"] >= events["deliver"] == report.total.delivered
    assert report.late_supplier_orders > 0 and events["forecast"] > 0  # delays told through inventory services


def test_the_default_workshop_runs_below_capacity():
    assert SimConfig().rate == DEFAULT_RATE == 3.2  # 80% of 4 bikes a day: the backlog stays bounded


def test_ninety_days_at_the_default_rate_keep_at_least_95_percent_of_promises(ninety_days):
    report = ninety_days
    assert report.total.delivered > 150
    assert report.total.on_time_pct >= 95.0
    assert report.total.quoted_lead_days < 35  # promises stay within five weeks
