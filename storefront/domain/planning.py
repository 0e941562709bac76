"""The finite-capacity planner: every open work order gets an assembly slot, then dates and a forecast window.

Rules (the same as `leadtime.schedule_from`, so a quote and the plan after payment agree):
- a job already in assembly holds today's slot (the next working day when today is not one);
- after the cut-off today's list is closed both ways: no queued job joins it, and a job the last plan put on it
  (with its parts in) stays there until the day ends, whether or not staff have started it yet;
- a sourcing job takes the first working day on or after max(parts ready, today) with a free slot, earliest
  promise first, then first come first served by `paid_at` (`_priority`): a new order is quoted after every
  booked slot, so it never moves an order promised earlier, and its plan is its quote (or earlier);
- a part still awaited from a supplier is planned in on its expected day, the median of that component's
  learned lateness (`reliability.ready_day`, which the quote uses too);
- a job that is late for its promise with the promise confidence, even in its first possible slot, yields to
  the jobs still on track promised up to `LATE_YIELDS_DAYS` working days after it, so one supplier's delay does
  not bump the customers next in line ("no cascade"); it does not go to the back of the queue, which with a
  month booked would make it a month late for a supplier's day or two;
- testing follows assembly by `assembly_days` and the bike ships `testing_days` later; its window comes from
  the spread of its awaited parts and the learned door time (`leadtime.promised_window`, `domain.spread`),
  and `soonest` is the day it arrives after with the promise confidence (a slip is told only past that);
- jobs in testing or shipping hold no slot; they keep their planned day unless it has passed.

Slots are handed out with a "next day with room" pointer per working day (union-find with path compression),
so 10,000 jobs on a fully booked workshop plan in linear time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate

from .calendar import add_working_days, working_day_on_or_after, working_days_between
from .catalog import Workshop
from .leadtime import arrivals
from .reliability import door_after, ready_day
from .spread import ON_TIME, Dist, Window, quantile, window
from .stages import StageCode

REASON_REWORK = "rework after a failed test"
REASON_BOOKED = "workshop fully booked"
REASON_PROMISE_MOVED = "the workshop's plan moved between your quote and your payment"
LATE_YIELDS_DAYS = 5  # a working week: see `_queue_key`


@dataclass(frozen=True)
class PartWait:
    """A component a job still waits for: the day its supplier delivery is expected."""

    name: str
    ready: date  # the date the supplier gives now
    delayed: bool = False  # the supplier moved the date past the one first given
    first_given: date | None = None  # the date the supplier first gave (None: the same as `ready`)
    lateness: Dist = ON_TIME  # working days late this component's supplier delivers, learned

    def planned_in(self, workshop: Workshop) -> date:
        """The expected day: the date first given plus the median lateness (or the newer date given)."""
        return ready_day(self.ready, self.first_given or self.ready, quantile(self.lateness, 0.5), workshop)


@dataclass(frozen=True)
class Job:
    """One open work order as the planner sees it."""

    work_order_id: int
    paid_at: datetime
    stage: str  # sourcing | assembly | testing | shipping
    waits: tuple[PartWait, ...] = ()  # reserved or consumed parts are ready now and are not listed
    rework: bool = False
    planned_assembly: date | None = None  # the day the last plan gave: today's list keeps it after the cut-off
    planned_testing: date | None = None  # kept for jobs already in testing
    planned_ship: date | None = None  # kept for jobs already waiting to ship
    promised_earliest: date | None = None
    promised_latest: date | None = None


@dataclass(frozen=True)
class JobPlan:
    work_order_id: int
    parts_ready: date
    assembly: date
    testing: date
    ships: date
    earliest: date
    latest: date
    reason: str | None  # why the forecast is later than the promise; None when it is not
    soonest: date | None = None  # it arrives on or after this day with the promise confidence


class WorkingDays:
    """Working days from a start day, numbered 0, 1, 2 ... and extended on demand."""

    def __init__(self, start: date, workshop: Workshop) -> None:
        self.workshop = workshop
        self.days = [working_day_on_or_after(start, workshop)]
        self.index_of = {self.days[0]: 0}

    def day(self, index: int) -> date:
        while index >= len(self.days):
            nxt = add_working_days(self.days[-1], 1, self.workshop)
            self.index_of[nxt] = len(self.days)
            self.days.append(nxt)
        return self.days[index]

    def index(self, day: date) -> int:
        """Index of the first working day on or after `day` (never before the start)."""
        if day <= self.days[0]:
            return 0
        found = self.index_of.get(day)
        if found is not None:
            return found
        day = working_day_on_or_after(day, self.workshop)
        if day <= self.days[-1]:
            return self.index_of[day]
        # counted on the calendar, not walked: a far day (a promise years out) would extend the list to it
        return working_days_between(self.days[0], day, self.workshop)


class SlotBook:
    """Assembly slots taken per working-day index, with a pointer to the next index that has room."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.taken: list[int] = []
        self.parent: list[int] = []

    def _grow(self, index: int) -> None:
        while len(self.taken) <= index + 1:
            self.parent.append(len(self.parent))
            self.taken.append(0)

    def first_free(self, index: int) -> int:
        self._grow(index)
        root = index
        while self.parent[root] != root:
            root = self.parent[root]
            self._grow(root)
        while self.parent[index] != root:  # path compression
            self.parent[index], index = root, self.parent[index]
        return root

    def take(self, index: int) -> None:
        """Book one slot, even past capacity (a job already in assembly keeps its bench)."""
        self._grow(index)
        self.taken[index] += 1
        if self.taken[index] >= self.capacity:
            self.parent[index] = index + 1


def plan(
    jobs: Iterable[Job], workshop: Workshop, capacity: int, today: date, first_start: date | None = None
) -> list[JobPlan]:
    """Plan every open job; returns one JobPlan per job, in the order slots were given.

    `first_start` is the first day a queued job may start assembly: the shop's order day (today before the
    cut-off, else the next working day; `calendar.order_day`). After the cut-off today's list is closed, so its
    free slots are not handed to the queue: they would move every queued bike a day earlier until the next
    morning's plan, and every quote made in the evening with it. Jobs already in assembly keep today, and so do the
    jobs the last plan put on today's list with their parts in: sent to tomorrow, they moved every queued bike a
    day later from the cut-off until staff started them, and every quote made in between with it.
    """
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    days = WorkingDays(today, workshop)
    spreads = Spreads(days, workshop, today, capacity)
    book = SlotBook(capacity)
    jobs = list(jobs)
    in_assembly = [j for j in jobs if j.stage == StageCode.ASSEMBLY]
    opens = days.index(first_start or today)
    ready = {j.work_order_id: _parts_ready(j, today, workshop) for j in jobs if j.stage == StageCode.SOURCING}
    parts_at = {wo_id: days.index(day) for wo_id, day in ready.items()}  # the parts' own day names a supplier
    listed = {j.work_order_id for j in jobs if j.planned_assembly == today and parts_at.get(j.work_order_id) == 0}
    wanted = {wo_id: index if wo_id in listed else max(index, opens) for wo_id, index in parts_at.items()}
    sourcing = sorted(
        (j for j in jobs if j.stage == StageCode.SOURCING),
        key=lambda j: _queue_key(j, wanted[j.work_order_id], spreads),
    )
    later = [j for j in jobs if j.stage in (StageCode.TESTING, StageCode.SHIPPING)]
    placed = []
    for job in in_assembly:
        book.take(0)
        placed.append((job, today, 0, None))
    for job in sourcing:
        slot = book.first_free(wanted[job.work_order_id])
        book.take(slot)
        placed.append((job, ready[job.work_order_id], slot, parts_at[job.work_order_id]))
    spreads.settle(book.taken)  # windows once every slot is known: the builds before a slot drift it
    plans = [_dates(job, parts_ready, slot, wanted, spreads) for job, parts_ready, slot, wanted in placed]
    return plans + [_after_assembly(job, today, spreads) for job in later]


class Spreads:
    """The window of a job in a given slot, from its awaited parts' arrival spread, the door time and the drift
    of the builds booked before the slot.

    Each purchase request's arrival days are worked out once per plan, as working-day indices."""

    def __init__(self, days: WorkingDays, workshop: Workshop, today: date, capacity: int) -> None:
        self.days, self.workshop, self.today, self.capacity = days, workshop, today, capacity
        self._arrivals: dict[tuple, Dist] = {}
        self._doors: dict[int, Dist] = {}
        self._plain: dict[int, Window] = {}
        self._before: list[int] = [0]  # builds booked before each slot; none until `settle`

    def settle(self, taken: list[int]) -> None:
        """The slots taken per day, once every job has its slot."""
        self._before = list(accumulate(taken, initial=0))
        self._doors.clear()
        self._plain.clear()

    def arrival(self, wait: PartWait) -> Dist:
        key = (wait.ready, wait.first_given, wait.lateness)
        found = self._arrivals.get(key)
        if found is None:
            ws = self.workshop
            spread = arrivals(wait.ready, wait.first_given or wait.ready, wait.lateness, self.today, ws)
            found = self._arrivals[key] = tuple((self.days.index(day), w) for day, w in spread)
        return found

    def window(self, job: Job, slot: int) -> Window:
        if not job.waits:  # most jobs: the window depends on the slot alone
            found = self._plain.get(slot)
            if found is None:
                found = self._plain[slot] = self._window((), slot)
            return found
        return self._window(tuple(tuple((i - slot, w) for i, w in self.arrival(wait)) for wait in job.waits), slot)

    def _window(self, parts: tuple[Dist, ...], slot: int) -> Window:
        ws = self.workshop
        return window(parts, self.door_from(slot), ws.promise_confidence, ws.max_window_days)

    def door_from(self, slot: int) -> Dist:
        """Door time counted from the slot: the slot's drift, then assembly to the door."""
        found = self._doors.get(slot)
        if found is None:
            booked = self._before[min(max(slot, 0), len(self._before) - 1)]
            found = self._doors[slot] = door_after(booked, slot, self.workshop, self.capacity)
        return found


def _parts_ready(job: Job, today: date, workshop: Workshop) -> date:
    return max((w.planned_in(workshop) for w in job.waits), default=today)


def _queue_key(job: Job, wanted: int, spreads: Spreads) -> tuple:
    """A sourcing job's place in the queue: its priority (`_priority`), except that a job late for its promise
    even in its first possible slot (`_behind`) queues as if promised `LATE_YIELDS_DAYS` working days later, and
    after the jobs on track promised that very day.

    Sent behind every job on track instead, a late job waited for the whole booked horizon: in the simulation
    customers were told of forecasts 20 to 75 working days past their promise after a supplier's delay."""
    promise, *rest = _priority(job)
    late = _behind(job, wanted, spreads)
    if late and promise != date.max:
        promise = add_working_days(promise, LATE_YIELDS_DAYS, spreads.workshop)
    return (promise, late, *rest)


def _behind(job: Job, wanted: int, spreads: Spreads) -> bool:
    """Late for the promise with the promise confidence even in the first possible slot: the job yields to the
    jobs on track promised up to `LATE_YIELDS_DAYS` working days after it (`_queue_key`)."""
    if job.promised_latest is None:
        return False
    return wanted + spreads.window(job, wanted).soonest > spreads.days.index(job.promised_latest)


def _dates(job: Job, parts_ready: date, slot: int, wanted: int | None, spreads: Spreads) -> JobPlan:
    days, ws = spreads.days, spreads.workshop
    testing = slot + ws.assembly_days
    found = spreads.window(job, slot)
    plan_ = JobPlan(
        job.work_order_id,
        max(parts_ready, days.day(0)) if wanted is None else parts_ready,
        days.day(slot),
        days.day(testing),
        days.day(testing + ws.testing_days),
        days.day(slot + found.start),
        days.day(slot + found.end),
        None,
        days.day(slot + found.soonest),
    )
    return _explain(job, plan_, slot, wanted)


def _after_assembly(job: Job, today: date, spreads: Spreads) -> JobPlan:
    """A job in testing or waiting to ship: its window counts from where an assembly would have started."""
    days, ws = spreads.days, spreads.workshop
    if job.stage == StageCode.TESTING:
        testing = days.index(max(job.planned_testing or today, today))
        ships = testing + ws.testing_days
    else:
        ships = days.index(max(job.planned_ship or today, today))
        testing = ships - ws.testing_days
    assembly = testing - ws.assembly_days  # may lie before today: indices run on below 0 only in arithmetic
    found = spreads.window(job, assembly)
    plan_ = JobPlan(
        job.work_order_id,
        days.day(max(assembly, 0)),
        days.day(max(assembly, 0)),
        days.day(max(testing, 0)),
        days.day(ships),
        days.day(max(assembly + found.start, 0)),
        days.day(max(assembly + found.end, 0)),
        None,
        days.day(max(assembly + found.soonest, 0)),
    )
    return _explain(job, plan_, max(assembly, 0), None)


def _explain(job: Job, plan_: JobPlan, slot: int, wanted: int | None) -> JobPlan:
    """Name the cause when the forecast is later than the promise: rework, a late supplier, or a full workshop."""
    if job.promised_latest is None or plan_.latest <= job.promised_latest:
        return plan_
    if job.rework:
        reason = REASON_REWORK
    elif wanted is not None and slot == wanted and job.waits:
        last = max(job.waits, key=lambda w: (w.ready, w.delayed))
        cause = "delivery from supplier delayed" if last.delayed else "sold out; waiting for the supplier"
        reason = f"{last.name} {cause}"
    else:
        reason = REASON_BOOKED
    return JobPlan(**{**plan_.__dict__, "reason": reason})


def _priority(job: Job) -> tuple:
    """Sourcing jobs take slots earliest promise first, then first paid first.

    Most supplier parts arrive before the day they were planned in (at the configured confidence). Ordering by
    payment alone would let such a job jump ahead of later-paid orders already promised those very slots and
    push them past their promise; ordering by promise keeps every promise that can still be kept. A new order
    is promised after every slot already booked, so it still never moves an order promised earlier.
    """
    return (job.promised_earliest or date.max, job.paid_at, job.work_order_id)
