"""The slot book as runs: consecutive working days with the same number of assembly slots booked.

A long, fully booked plan is a handful of runs however many orders it holds (10,000 orders at four a day are
one run of 2,500 days), so a quote reads and searches runs instead of one count per day. Every re-plan writes
them (services/plan_summary.py); they answer exactly as `leadtime.SlotCounts` does over the same counts.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import accumulate

from .calendar import add_working_days, is_working_day, working_day_on_or_after, working_days_between
from .catalog import Workshop

ONE_DAY = timedelta(days=1)
Run = tuple[date, date, int]  # first day, last day, slots booked on each day of the run


def runs_of(counts: Mapping[date, int], workshop: Workshop) -> list[Run]:
    """Runs of the days with slots booked. A run spans working days only; a booking on a day off (a closure
    declared after it was planned) is a run of its own day."""
    runs: list[Run] = []
    for day in sorted(d for d, n in counts.items() if n > 0):
        count = counts[day]
        if runs and _continues(runs[-1], day, count, workshop):
            runs[-1] = (runs[-1][0], day, count)
        else:
            runs.append((day, day, count))
    return runs


def _continues(run: Run, day: date, count: int, workshop: Workshop) -> bool:
    first, last, booked = run
    return (
        booked == count
        and is_working_day(first, workshop)
        and is_working_day(day, workshop)
        and add_working_days(last, 1, workshop) == day
    )


class SlotRuns:
    """Answers `first_free` and `between` from runs, in a few bisections."""

    def __init__(self, runs: Iterable[Run], workshop: Workshop) -> None:
        self.runs = tuple(runs)
        self.workshop = workshop
        self._firsts = [first for first, _, _ in self.runs]
        sizes = (count * self._days(first, last) for first, last, count in self.runs)
        self._totals = list(accumulate(sizes, initial=0))

    def _days(self, first: date, last: date) -> int:
        """Days in a run: one, or its working days (a run of several days spans working days only)."""
        return 1 if first == last else working_days_between(first - ONE_DAY, last, self.workshop)

    def _booked_before(self, day: date) -> int:
        index = bisect_left(self._firsts, day)  # runs that start before `day`
        if index == 0:
            return 0
        first, last, count = self.runs[index - 1]
        if last < day:
            return self._totals[index]
        return self._totals[index - 1] + count * working_days_between(first - ONE_DAY, day - ONE_DAY, self.workshop)

    def between(self, start: date, end: date) -> int:
        """Slots booked on days from `start` up to, not including, `end`."""
        return self._booked_before(end) - self._booked_before(start) if end > start else 0

    def first_free(self, day: date, capacity: int, workshop: Workshop) -> date:
        """The first working day on or after `day` with fewer than `capacity` slots booked."""
        candidate = working_day_on_or_after(day, workshop)
        while True:
            index = bisect_right(self._firsts, candidate) - 1
            if index < 0:
                return candidate
            first, last, count = self.runs[index]
            if candidate > last or count < capacity:
                return candidate
            candidate = add_working_days(last, 1, workshop)  # jump the full run
