"""Working-day arithmetic for the workshop calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .catalog import Workshop

ONE_DAY = timedelta(days=1)


def is_working_day(day: date, workshop: Workshop) -> bool:
    return day.weekday() in workshop.working_weekdays and day not in workshop.holidays


def working_day_on_or_after(day: date, workshop: Workshop) -> date:
    while not is_working_day(day, workshop):
        day += ONE_DAY
    return day


def add_working_days(day: date, count: int, workshop: Workshop) -> date:
    """The date `count` working days after `day` (count >= 0; 0 means `day` itself)."""
    for _ in range(count):
        day = working_day_on_or_after(day + ONE_DAY, workshop)
    return day


def working_days_between(start: date, end: date, workshop: Workshop) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, workshop)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += is_working_day(day, workshop)
    return count


def order_day(local_moment: datetime, workshop: Workshop) -> date:
    """The working day an order paid at `local_moment` (shop time) counts from.

    Before the cut-off on a working day, that day; after it, or on a day the workshop is closed, the next
    working day, so a late Friday order is never promised Friday's assembly.
    """
    day = local_moment.date()
    if is_working_day(day, workshop) and local_moment.timetz().replace(tzinfo=None) < workshop.cutoff:
        return day
    return working_day_on_or_after(day + ONE_DAY, workshop)
