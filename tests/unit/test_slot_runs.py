"""The slot book as runs answers exactly as the per-day counts do: the first free slot from any day and the slots
booked between any two days, for any bookings, days off included (a closed fortnight, three working weekdays)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.domain.calendar import add_working_days, working_day_on_or_after
from storefront.domain.leadtime import SlotCounts
from storefront.domain.slot_runs import SlotRuns, runs_of
from tests.unit.test_calendar_index import CLOSED_AUGUST, DEMO

START = date(2027, 7, 1)
DAYS = st.integers(min_value=0, max_value=120).map(lambda n: START + timedelta(days=n))
WORKSHOPS = st.sampled_from([DEMO, CLOSED_AUGUST])


@st.composite
def bookings(draw, workshop):
    """Slots booked per day: mostly a full run of working days from the start, then gaps and partial days, and
    now and then a booking on a day off."""
    counts: dict[date, int] = {}
    full = draw(st.integers(min_value=0, max_value=60))
    day = working_day_on_or_after(START, workshop)
    for _ in range(full):
        counts[day] = 4
        day = add_working_days(day, 1, workshop)
    for extra in draw(st.lists(st.tuples(DAYS, st.integers(min_value=0, max_value=5)), max_size=25)):
        counts[extra[0]] = extra[1]
    return counts


@settings(max_examples=300, deadline=None)
@given(data=st.data(), workshop=WORKSHOPS, capacity=st.integers(min_value=1, max_value=5))
def test_runs_answer_as_the_per_day_counts_do(data, workshop, capacity):
    counts = data.draw(bookings(workshop))
    runs, days = SlotRuns(runs_of(counts, workshop), workshop), SlotCounts(counts)
    for start in data.draw(st.lists(DAYS, min_size=1, max_size=8)):
        assert runs.first_free(start, capacity, workshop) == days.first_free(start, capacity, workshop)
        end = data.draw(DAYS)
        assert runs.between(start, end) == days.between(start, end)


def test_a_fully_booked_plan_of_years_is_one_run():
    counts, day = {}, working_day_on_or_after(START, DEMO)
    for _ in range(2500):
        counts[day] = 4
        day = add_working_days(day, 1, DEMO)
    runs = SlotRuns(runs_of(counts, DEMO), DEMO)
    assert len(runs.runs) == 1
    assert runs.first_free(START, 4, DEMO) == day and runs.first_free(START, 5, DEMO) == START
    assert runs.between(START, day) == 10_000
