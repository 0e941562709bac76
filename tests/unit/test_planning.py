"""The finite-capacity planner: capacity, holidays, rework, cancellations, supplier delays and promises."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from storefront.domain.leadtime import schedule_from
from storefront.domain.planning import (
    REASON_BOOKED,
    REASON_REWORK,
    Job,
    PartWait,
    Spreads,
    WorkingDays,
    _behind,
    plan,
)

TUE = date(2026, 12, 1)
T0 = datetime(2026, 11, 20, 12, tzinfo=UTC)


def job(n: int, stage: str = "sourcing", **kwargs) -> Job:
    return Job(work_order_id=n, paid_at=T0 + timedelta(minutes=n), stage=stage, **kwargs)


def by_id(plans):
    return {p.work_order_id: p for p in plans}


def test_each_working_day_takes_at_most_its_capacity(catalog):
    plans = by_id(plan([job(n) for n in range(1, 10)], catalog.workshop, 4, TUE))
    days = [plans[n].assembly for n in range(1, 10)]
    assert days == [TUE] * 4 + [date(2026, 12, 2)] * 4 + [date(2026, 12, 3)]
    assert plans[1].testing == date(2026, 12, 2) and plans[1].ships == date(2026, 12, 3)
    # the prior door time: 4 to 7 working days from assembly to the door
    assert plans[1].earliest == date(2026, 12, 7) and plans[1].latest == date(2026, 12, 10)


def test_first_come_first_served_by_payment_time_not_by_list_order(catalog):
    plans = by_id(plan([job(3), job(2), job(1)], catalog.workshop, 1, TUE))
    assert [plans[n].assembly for n in (1, 2, 3)] == [TUE, date(2026, 12, 2), date(2026, 12, 3)]


def test_weekends_and_holidays_hold_no_slots(catalog):
    wed_before_thanksgiving = date(2026, 11, 25)
    plans = by_id(plan([job(1), job(2)], catalog.workshop, 1, wed_before_thanksgiving))
    assert plans[2].assembly == date(2026, 11, 27)  # Thanksgiving skipped
    christmas_eve = date(2026, 12, 24)
    plans = by_id(plan([job(1), job(2)], catalog.workshop, 1, christmas_eve))
    assert plans[2].assembly == date(2026, 12, 28)  # Christmas Friday, then the weekend
    assert plans[1].testing == date(2026, 12, 28)


def test_after_the_cut_off_todays_free_slots_are_not_handed_to_the_queue(catalog):
    jobs = [job(1), job(2), job(9, stage="assembly")]
    wed = date(2026, 12, 2)
    before_cut_off = by_id(plan(jobs, catalog.workshop, 4, TUE, first_start=TUE))
    assert [before_cut_off[n].assembly for n in (1, 2, 9)] == [TUE, TUE, TUE]
    after_cut_off = by_id(plan(jobs, catalog.workshop, 4, TUE, first_start=wed))
    assert [after_cut_off[n].assembly for n in (1, 2)] == [wed, wed]
    assert after_cut_off[9].assembly == TUE  # a bike on the bench keeps its day
    assert after_cut_off[1].latest == before_cut_off[1].latest + timedelta(days=1)


def test_after_the_cut_off_the_jobs_on_todays_list_stay_on_it_until_the_day_ends(catalog):
    ws, wed = catalog.workshop, date(2026, 12, 2)
    morning = by_id(plan([job(n) for n in range(1, 7)], ws, 4, TUE, first_start=TUE))
    listed = [replace(job(n), planned_assembly=morning[n].assembly) for n in range(1, 7)]
    assert [morning[n].assembly for n in range(1, 7)] == [TUE] * 4 + [wed] * 2
    evening = by_id(plan([*listed, job(7)], ws, 4, TUE, first_start=wed))
    # staff have not started today's four yet: they keep today, and the queue behind them does not move
    assert {n: evening[n] for n in range(1, 7)} == {n: morning[n] for n in range(1, 7)}
    assert evening[7].assembly == wed  # a free slot today is still not handed out
    # a job planned for today whose parts are not in, or one planned for another day, is not on the list
    late_part = PartWait("Motor", date(2026, 12, 3))
    waiting = replace(job(8, waits=(late_part,)), planned_assembly=TUE)
    assert by_id(plan([waiting], ws, 4, TUE, first_start=wed))[8].assembly == date(2026, 12, 3)
    yesterday = replace(job(9), planned_assembly=date(2026, 11, 30))
    assert by_id(plan([yesterday], ws, 4, TUE, first_start=wed))[9].assembly == wed


def test_a_job_in_assembly_holds_todays_slot_ahead_of_earlier_paid_sourcing_jobs(catalog):
    plans = by_id(plan([job(1), job(9, stage="assembly")], catalog.workshop, 1, TUE))
    assert plans[9].assembly == TUE and plans[1].assembly == date(2026, 12, 2)


def test_a_job_waits_for_its_latest_part_then_takes_a_free_slot(catalog):
    arriving = date(2026, 12, 9)
    plans = by_id(plan([job(1, waits=(PartWait("Folding frame", arriving),)), job(2)], catalog.workshop, 1, TUE))
    ready = arriving
    assert plans[1].parts_ready == ready and plans[1].assembly == ready
    assert plans[2].assembly == TUE  # a later order with parts in stock is not held up


def test_the_planner_agrees_with_the_quote_engine_for_a_new_order(catalog):
    jobs = [job(n) for n in range(1, 7)] + [job(7, waits=(PartWait("Frame", date(2026, 12, 2)),))]
    plans = by_id(plan(jobs, catalog.workshop, 3, TUE))
    booked: dict[date, int] = {}
    for n in range(1, 7):
        booked[plans[n].assembly] = booked.get(plans[n].assembly, 0) + 1
    quoted = schedule_from(date(2026, 12, 2), booked, catalog.workshop, capacity=3)
    assert (plans[7].assembly, plans[7].earliest, plans[7].latest) == (quoted.assembly, quoted.earliest, quoted.latest)


def test_rework_holds_a_slot_today_and_explains_the_slip(catalog):
    reworked = job(1, stage="assembly", rework=True, promised_latest=date(2026, 12, 9))
    result = by_id(plan([reworked], catalog.workshop, 4, TUE))[1]
    assert result.assembly == TUE and result.latest == date(2026, 12, 10)
    assert result.reason == REASON_REWORK


def test_cancelling_a_job_frees_its_slot_for_the_next_in_line(catalog):
    jobs = [job(n) for n in range(1, 4)]
    before = by_id(plan(jobs, catalog.workshop, 1, TUE))
    after = by_id(plan([jobs[0], jobs[2]], catalog.workshop, 1, TUE))  # job 2 was cancelled
    assert before[3].assembly == date(2026, 12, 3)
    assert after[3].assembly == date(2026, 12, 2)


def test_a_supplier_delay_moves_only_the_orders_waiting_for_that_delivery(catalog):
    on_time = PartWait("Battery 750 Wh", date(2026, 12, 8))
    late = PartWait("Battery 750 Wh", date(2026, 12, 15), delayed=True)
    others = [job(n, promised_earliest=date(2026, 12, 7), promised_latest=date(2026, 12, 10)) for n in range(2, 8)]
    promise = {"promised_earliest": date(2026, 12, 14), "promised_latest": date(2026, 12, 17)}
    waiting = job(1, waits=(on_time,), **promise)
    before = by_id(plan([waiting, *others], catalog.workshop, 4, TUE))
    delayed = job(1, waits=(late,), **promise)
    after = by_id(plan([delayed, *others], catalog.workshop, 4, TUE))
    assert after[1].assembly == late.ready
    assert before[1].assembly == on_time.ready
    assert after[1].reason == "Battery 750 Wh delivery from supplier delayed"
    assert all(after[n] == before[n] for n in range(2, 8))


def test_a_full_workshop_is_named_as_the_reason_when_it_pushes_past_the_promise(catalog):
    jobs = [job(n, stage="assembly") for n in range(1, 5)] + [job(9, promised_latest=date(2026, 12, 10))]
    result = by_id(plan(jobs, catalog.workshop, 4, TUE))[9]
    assert result.assembly == date(2026, 12, 2) and result.reason == REASON_BOOKED


def test_no_reason_is_given_while_the_forecast_keeps_the_promise(catalog):
    result = plan([job(1, promised_latest=date(2026, 12, 10))], catalog.workshop, 4, TUE)[0]
    assert result.reason is None


def test_jobs_in_testing_and_shipping_keep_their_days_until_those_pass(catalog):
    testing = job(1, stage="testing", planned_testing=date(2026, 12, 2))
    stale = job(2, stage="shipping", planned_ship=date(2026, 11, 30))
    plans = by_id(plan([testing, stale], catalog.workshop, 4, TUE))
    assert plans[1].testing == date(2026, 12, 2) and plans[1].ships == date(2026, 12, 3)
    assert plans[2].ships == TUE and plans[2].earliest == date(2026, 12, 3)  # the fastest carrier: 2 working days


def test_capacity_must_be_positive(catalog):
    with pytest.raises(ValueError):
        plan([job(1)], catalog.workshop, 0, TUE)


def test_ten_thousand_jobs_fill_every_day_to_capacity_and_no_further(catalog):
    # the time it takes is measured in bench/plan_bench.py, never here
    jobs = [
        job(n, waits=(PartWait("Frame", TUE + timedelta(days=n % 40)),) if n % 3 == 0 else ()) for n in range(10_000)
    ]
    plans = plan(jobs, catalog.workshop, 4, TUE)
    assert len(plans) == 10_000
    per_day: dict[date, int] = {}
    for p in plans:
        per_day[p.assembly] = per_day.get(p.assembly, 0) + 1
    assert max(per_day.values()) == 4


def test_an_order_promised_earlier_keeps_its_slot_when_an_earlier_payer_s_parts_arrive_early(catalog):
    # job 1 paid first but was promised later (its parts were coming from a supplier); they came early
    early_payer = job(1, promised_earliest=date(2026, 12, 14))
    promised_today = job(2, promised_earliest=date(2026, 12, 8))
    plans = by_id(plan([early_payer, promised_today], catalog.workshop, 1, TUE))
    assert plans[2].assembly == TUE and plans[2].latest == date(2026, 12, 10)
    assert plans[1].assembly == date(2026, 12, 2)  # still well inside its own promise
    same_promise = by_id(plan([job(2, promised_earliest=TUE), job(1, promised_earliest=TUE)], catalog.workshop, 1, TUE))
    assert same_promise[1].assembly == TUE  # equal promises: first paid, first served


def test_learned_supplier_lateness_applies_to_awaited_parts_only(catalog):
    arriving = date(2026, 12, 9)
    punctual = job(1, waits=(PartWait("Folding frame", arriving),))
    often_late = job(1, waits=(PartWait("Folding frame", arriving, lateness=((0, 4), (3, 6))),))
    assert by_id(plan([punctual, job(2)], catalog.workshop, 4, TUE))[1].assembly == arriving
    late_plan = by_id(plan([often_late, job(2)], catalog.workshop, 4, TUE))
    assert late_plan[1].assembly == date(2026, 12, 14)  # Wed 9 Dec plus three working days
    assert late_plan[2].assembly == TUE  # parts in stock are not padded


def test_a_late_supplier_part_never_bumps_orders_still_on_track(catalog):
    # job 1 paid first and was promised Mon 7 to Wed 9 Dec; its supplier now delivers Fri 4 Dec, so it arrives
    # Thu 10 Dec at the soonest: late whatever the carrier
    promise = {"promised_earliest": date(2026, 12, 7), "promised_latest": date(2026, 12, 9)}
    delayed = job(1, waits=(PartWait("Frame", date(2026, 12, 4), True),), **promise)
    on_track = [job(n, promised_earliest=date(2026, 12, 14), promised_latest=date(2026, 12, 17)) for n in (2, 3)]
    plans = by_id(plan([delayed, *on_track], catalog.workshop, 1, date(2026, 12, 4)))
    assert plans[2].assembly == date(2026, 12, 4) and plans[3].assembly == date(2026, 12, 7)
    assert plans[2].reason is None and plans[3].reason is None  # no cascade of "fully booked" slips
    assert plans[1].assembly == date(2026, 12, 8) and plans[1].reason == REASON_BOOKED


def test_a_late_job_yields_a_working_week_of_promises_not_the_whole_queue(catalog):
    # job 1 is late whatever happens (as above); ten orders on track were promised three weeks later, and two
    # others four working days after it: it yields to those two, and goes before the ten
    promise = {"promised_earliest": date(2026, 12, 7), "promised_latest": date(2026, 12, 9)}
    delayed = job(1, waits=(PartWait("Frame", date(2026, 12, 4), True),), **promise)
    next_in_line = [job(n, promised_earliest=date(2026, 12, 11), promised_latest=date(2026, 12, 16)) for n in (2, 3)]
    much_later = [job(n, promised_earliest=date(2026, 12, 28), promised_latest=date(2027, 1, 4)) for n in range(4, 14)]
    plans = by_id(plan([*much_later, delayed, *next_in_line], catalog.workshop, 1, date(2026, 12, 4)))
    assert [plans[n].assembly for n in (2, 3, 1, 4)] == [date(2026, 12, d) for d in (4, 7, 8, 9)]
    assert plans[1].reason == REASON_BOOKED and plans[1].latest < date(2026, 12, 21)  # days late, not weeks
    assert all(plans[n].reason is None for n in (2, 3))


def test_a_day_past_the_walked_calendar_is_indexed_as_walking_to_it_would(catalog):
    """`WorkingDays.index` counts a day beyond the days walked so far on the calendar instead of walking to it; it
    must give the index walking gives, weekends and holidays too."""
    walked = WorkingDays(TUE, catalog.workshop)
    for offset in range(0, 40):
        day = TUE + timedelta(days=offset)
        counted = WorkingDays(TUE, catalog.workshop).index(day)
        while walked.day(len(walked.days) - 1) < day:
            walked.day(len(walked.days))
        assert counted == walked.index(day), day


def test_a_promise_far_beyond_the_plan_does_not_extend_its_calendar(catalog):
    days = WorkingDays(TUE, catalog.workshop)
    spreads = Spreads(days, catalog.workshop, TUE, 4)
    assert not _behind(job(1, promised_latest=date(2040, 1, 1)), 0, spreads)
    assert len(days.days) < 30


def test_after_the_cut_off_a_quote_promises_the_window_the_plan_gives_the_same_slot(catalog):
    """The planner counts a slot's drift from the shop's day, today's builds in assembly included; a quote made
    after the cut-off books from the next working day but must count the drift as the plan does, or the window
    at checkout is not the one the plan at payment promises."""
    wed = date(2026, 12, 2)
    ws = replace(catalog.workshop, bench_extra=((0, 60), (1, 30), (2, 10)), start_rate=3.0)
    differs_by_order_day = 0
    for in_assembly in (0, 2, 4, 6):
        for queued in range(0, 60, 3):
            jobs = [job(n, stage="assembly") for n in range(1, in_assembly + 1)]
            jobs += [job(100 + n) for n in range(queued)]
            booked = Counter(p.assembly for p in plan(jobs, ws, 4, TUE, first_start=wed))
            new = by_id(plan([*jobs, job(999)], ws, 4, TUE, first_start=wed))[999]
            quoted = schedule_from(wed, booked, ws, capacity=4, today=wed, counted_from=TUE)
            assert (quoted.assembly, quoted.earliest, quoted.latest) == (new.assembly, new.earliest, new.latest)
            by_order_day = schedule_from(wed, booked, ws, capacity=4, today=wed)
            differs_by_order_day += (by_order_day.earliest, by_order_day.latest) != (new.earliest, new.latest)
    assert differs_by_order_day  # counted from Wednesday, some windows come out otherwise
