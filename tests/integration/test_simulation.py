"""The simulator: the real services on a synthetic workshop, reproducible from its seed.

How long a run takes is measured by bench/timings.py, never asserted here."""

from datetime import date

import pytest

from storefront import create_app
from storefront.simulation.engine import DEFAULT_RATE, SimConfig, bikes_per_working_day, run, supplier_delays


def test_the_same_seed_gives_the_same_figures_and_a_different_seed_different_ones(app):
    config = SimConfig(days=20, seed=7, start=date(2027, 3, 1), warm_up_days=0)
    first, again = run(config, create_app), run(config, create_app)
    other = run(SimConfig(days=20, seed=8, start=date(2027, 3, 1), warm_up_days=0), create_app)
    assert first.lines()[:-1] == again.lines()[:-1]  # all but the timing line
    assert first.orders > 30 and first.total.delivered > 10
    assert first.total == again.total and first.slip_emails == again.slip_emails
    assert (other.orders, other.total) != (first.orders, first.total)


def test_staff_and_suppliers_go_through_the_back_office_services(app):
    report = run(SimConfig(days=20, seed=7, test_fail_rate=0.3, start=date(2027, 3, 1), warm_up_days=0), create_app)
    events = report.events
    # every stage change and checklist was written by services.workshop, every bike in order
    assert events["created"] == report.orders
    assert events["start_assembly"] >= events["start_testing"] - events["rework"] > 0
    assert events["checklist"] == events["pass_testing"] + events["rework"] and events["rework"] > 0
    assert events["ship"] >= events["deliver"] == report.total.delivered
    # supplier delays go through the inventory services, which note every re-plan they cause (customers hear
    # only of a delivery late with the promise confidence)
    assert report.late_supplier_orders > 0 and events["replanned"] > 0


def test_the_default_workshop_runs_below_capacity():
    assert SimConfig().rate == DEFAULT_RATE == 3.2  # 80% of 4 bikes a day: the backlog stays bounded


def test_scores_count_only_orders_paid_after_the_warm_up_and_name_both_sides(app):
    # the 90-day figures for seeds 1-6 are in the README (`flask simulate --json`); this run is kept short
    config = SimConfig.for_scenario("unreliable", days=15, seed=3, warm_up_days=10, start=date(2027, 3, 1))
    report = run(config, create_app)
    scores = report.scores
    assert scores["scenario"] == "unreliable" and config.late_factor == 2.0
    assert 0 < scores["orders_scored"] < report.orders  # warm-up orders are not scored
    for share in ("on_time_share", "in_window_share", "early_share", "slip_notice_share", "false_alarm_share"):
        assert 0.0 <= scores[share] <= 1.0
    assert scores["false_alarm_share"] <= scores["slip_notice_share"]
    assert scores["in_window_share"] + scores["early_share"] <= 1.0
    late = round((1 - scores["on_time_share"]) * scores["orders_scored"])
    if late:  # how late the late ones are, open ones by their forecast
        assert 1 <= scores["late_working_days_mean"] <= scores["late_working_days_max"]
    else:
        assert scores["late_working_days_mean"] == scores["late_working_days_max"] == 0
    assert report.warning is None
    # the breakdown sorts the same delivered bikes, and each slip count covers every bike of its group
    groups, scored = report.breakdown, scores["orders_scored"]
    assert groups["early"]["bikes"] == round(scores["early_share"] * scored)
    assert groups["in window"]["bikes"] == round(scores["in_window_share"] * scored)
    assert sum(g["bikes"] for g in groups.values()) > 0
    for group in groups.values():
        assert sum(group["assembly_slip"].values()) == sum(group["delivery_slip"].values()) == group["bikes"]


def test_suppliers_late_twice_as_often_in_the_unreliable_scenario():
    days, weights = supplier_delays("MOT-M500", 1.0)
    _, doubled = supplier_delays("MOT-M500", 2.0)
    assert sum(weights) == pytest.approx(1.0) and sum(doubled) == pytest.approx(1.0)
    assert 1 - doubled[0] == pytest.approx(2 * (1 - weights[0]))
    assert days[0] == 0 and supplier_delays("FRAME-ST", 1.0)[1][0] > weights[0]  # frames come from the reliable one


def test_a_rate_above_capacity_warns_and_still_finishes(app):
    report = run(SimConfig(days=3, seed=2, rate=6.0, warm_up_days=0, start=date(2027, 3, 1)), create_app)
    assert "grow without bound" in report.warning
    assert report.scores["orders_scored"] >= 0


def test_busy_orders_more_than_the_workshop_builds_and_default_less():
    # 4 benches; a tenth of builds overrun a day and a twentieth of tests fail, each failure a day of rework
    assert bikes_per_working_day(4, 0.05) == pytest.approx(4 / (1 + 0.10 + 0.05 / 0.95))
    throughput = bikes_per_working_day(4, SimConfig().test_fail_rate)
    assert SimConfig.for_scenario("default").rate < throughput < SimConfig.for_scenario("busy").rate
