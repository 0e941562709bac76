"""Working-day arithmetic answers from a counted span of days; it must agree with walking the calendar day by
day, for any dates, across public holidays and the shop's own closures (a closed fortnight included)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.domain.calendar import (
    add_working_days,
    is_working_day,
    working_day_on_or_after,
    working_days_between,
    working_days_from,
)
from storefront.domain.catalog import parse_catalog
from storefront.domain.holidays import ShopHolidays
from tests.unit.conftest import CATALOG_FILE

ONE_DAY = timedelta(days=1)
with open(CATALOG_FILE, "rb") as fh:
    DEMO = parse_catalog(tomllib.load(fh)).workshop
FORTNIGHT = frozenset(date(2027, 8, 2) + timedelta(days=n) for n in range(14))
CLOSED_AUGUST = replace(DEMO, holidays=ShopHolidays("US", None, FORTNIGHT), working_weekdays=frozenset({0, 2, 4}))


def walk_on_or_after(day, workshop):
    while not is_working_day(day, workshop):
        day += ONE_DAY
    return day


def walk_add(day, count, workshop):
    for _ in range(count):
        day = walk_on_or_after(day + ONE_DAY, workshop)
    return day


def walk_between(start, end, workshop):
    if end < start:
        return -walk_between(end, start, workshop)
    count = 0
    while start < end:
        start += ONE_DAY
        count += is_working_day(start, workshop)
    return count


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=300, deadline=None)
@given(days, st.integers(min_value=-700, max_value=700), st.integers(min_value=0, max_value=600), st.booleans())
def test_the_counted_calendar_agrees_with_walking_it(day, offset, count, closed_august):
    workshop = CLOSED_AUGUST if closed_august else DEMO
    other = day + timedelta(days=offset)
    assert working_day_on_or_after(day, workshop) == walk_on_or_after(day, workshop)
    assert add_working_days(day, count, workshop) == walk_add(day, count, workshop)
    assert working_days_between(day, other, workshop) == walk_between(day, other, workshop)
    following = working_days_from(day, workshop)
    assert [next(following) for _ in range(count % 40 + 1)] == [
        walk_add(day - ONE_DAY, n + 1, workshop) for n in range(count % 40 + 1)
    ]


def test_a_closed_fortnight_is_skipped():
    assert add_working_days(date(2027, 7, 30), 1, CLOSED_AUGUST) == date(2027, 8, 16)  # Fri, then Mon after
    assert working_days_between(date(2027, 7, 30), date(2027, 8, 16), CLOSED_AUGUST) == 1
