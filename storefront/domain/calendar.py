"""Working-day arithmetic for the workshop calendar.

Plans and quotes reach years ahead when the workshop is booked far out, so the arithmetic does not walk day by
day: each calendar (working weekdays and closed days) keeps, per day of a span it has seen, how many working days
came up to it, and the working days themselves in order. Adding or counting working days is then two lookups.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice
from threading import Lock

from .catalog import Workshop

ONE_DAY = timedelta(days=1)
_CHUNK = 400  # days the span grows by at a time


def is_working_day(day: date, workshop: Workshop) -> bool:
    return day.weekday() in workshop.working_weekdays and day not in workshop.holidays


class _Span:
    """Working days counted over a span of calendar days: `upto[k]` working days fall in [origin, origin + k],
    and `days[i]` is the (i + 1)-th of them. A span only grows, into new arrays swapped in whole."""

    def __init__(self, workshop: Workshop, origin: date, end: date) -> None:
        self.origin, self.end = origin, end  # end is exclusive
        upto, days, count, day = [], [], 0, origin
        while day < end:
            if is_working_day(day, workshop):
                count += 1
                days.append(day)
            upto.append(count)
            day += ONE_DAY
        self.upto, self.days = upto, days


class _Calendar:
    def __init__(self, workshop: Workshop) -> None:
        self.workshop = workshop
        self.span: _Span | None = None
        self._lock = Lock()

    def covering(self, first: date, last: date) -> _Span:
        """A span holding every day from `first` to `last`, and `last`'s next working day."""
        span = self.span
        if span is not None and span.origin <= first and last + timedelta(days=30) < span.end:
            return span
        if not self.workshop.working_weekdays:
            raise ValueError("the workshop has no working weekdays")
        with self._lock:
            span = self.span
            origin = span.origin if span and span.origin <= first else first - timedelta(days=_CHUNK // 4)
            end = max(last + timedelta(days=_CHUNK), span.end if span else last)
            while True:  # `last` must have a working day after it inside the span
                span = _Span(self.workshop, origin, end)
                if span.days and span.days[-1] > last:
                    break
                end += timedelta(days=_CHUNK)
            self.span = span
        return span


_calendars: dict[tuple, _Calendar] = {}


def _calendar(workshop: Workshop) -> _Calendar:
    key = (workshop.working_weekdays, workshop.holidays)
    found = _calendars.get(key)
    if found is None:
        found = _calendars.setdefault(key, _Calendar(workshop))
    return found


def working_day_on_or_after(day: date, workshop: Workshop) -> date:
    if is_working_day(day, workshop):
        return day
    span = _calendar(workshop).covering(day, day)
    return span.days[span.upto[(day - span.origin).days]]


def add_working_days(day: date, count: int, workshop: Workshop) -> date:
    """The date `count` working days after `day` (count >= 0; 0 means `day` itself)."""
    if count <= 0:
        return day
    calendar, last = _calendar(workshop), day + timedelta(days=count * 2 + 14)
    while True:  # a calendar closed for long stretches needs a longer span
        span = calendar.covering(day, last)
        index = span.upto[(day - span.origin).days] + count - 1
        if index < len(span.days):
            return span.days[index]
        last = span.end + timedelta(days=_CHUNK)


def working_days_from(day: date, workshop: Workshop) -> Iterator[date]:
    """The working days on or after `day`, in order, without end."""
    calendar = _calendar(workshop)
    day = working_day_on_or_after(day, workshop)
    while True:
        span = calendar.covering(day, day)
        yield from islice(span.days, span.upto[(day - span.origin).days] - 1, None)
        day = working_day_on_or_after(span.days[-1] + ONE_DAY, workshop)


def working_days_between(start: date, end: date, workshop: Workshop) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start, workshop)
    span = _calendar(workshop).covering(start, end)
    return span.upto[(end - span.origin).days] - span.upto[(start - span.origin).days]


def order_day(local_moment: datetime, workshop: Workshop) -> date:
    """The working day an order paid at `local_moment` (shop time) counts from.

    Before the cut-off on a working day, that day; after it, or on a day the workshop is closed, the next
    working day, so a late Friday order is never promised Friday's assembly.
    """
    day = local_moment.date()
    if is_working_day(day, workshop) and local_moment.timetz().replace(tzinfo=None) < workshop.cutoff:
        return day
    return working_day_on_or_after(day + ONE_DAY, workshop)
