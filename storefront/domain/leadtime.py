"""The lead-time engine: when each part is ready, when the bike is built, tested, shipped and delivered."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from .calendar import add_working_days, working_day_on_or_after, working_days_between, working_days_from
from .catalog import Workshop
from .reliability import door_after, ready_day
from .slot_runs import SlotRuns
from .spread import ON_TIME, Dist, quantile, window


@dataclass(frozen=True)
class Supply:
    """What the shop can promise of one component right now."""

    sku: str
    name: str
    lead_time_days: int
    available: int  # on hand minus reserved
    # unpromised supplier deliveries: (expected arrival, quantity[, date the supplier first gave])
    incoming: tuple[tuple, ...] = ()
    lateness: Dist = ON_TIME  # working days late its supplier delivers, learned (reliability.Lateness.spread)

    @property
    def late_days(self) -> int:
        """The expected lateness: the day a part is planned in."""
        return quantile(self.lateness, 0.5)


@dataclass(frozen=True)
class Step:
    kind: str  # component | assembly | testing | shipping | delivery
    label: str
    date: date
    detail: str
    sku: str | None = None
    source: str | None = None  # stock | incoming | supplier, for component steps
    arrivals: tuple[tuple[date, int], ...] = ()  # a supplier part's possible arrival days, with weights


@dataclass(frozen=True)
class Estimate:
    parts_ready: date
    assembly: date
    testing: date
    ships: date
    earliest: date
    latest: date
    steps: tuple[Step, ...]


def _late_note(late_days: int) -> str:
    if not late_days:
        return ""
    plural = "s" if late_days != 1 else ""
    return f", plus {late_days} working day{plural}: half of its deliveries are no later"


def arrivals(expected: date, first_given: date, lateness: Dist, today: date, workshop: Workshop) -> tuple:
    """The days a supplier part may arrive, with weights: a delay already announced is taken as given, else
    the date given (an earlier one counts as a new promise) plus the supplier's learned lateness, never before
    today."""
    if expected > first_given:
        return ((expected, 1),)
    return tuple((max(add_working_days(expected, late, workshop), today), w) for late, w in lateness)


def component_ready(supply: Supply, quantity: int, today: date, workshop: Workshop) -> Step:
    """When `quantity` of a component can be in the workshop, and why.

    A supplier part is planned in on its expected day (`reliability.ready_day` at the median lateness), the
    same rule the planner uses, so a quote and the plan after payment agree; its spread goes into the window.
    """
    if supply.available >= quantity:
        return Step("component", supply.name, today, "in stock", supply.sku, "stock")
    covered = supply.available
    for arrival, incoming, *first in sorted(supply.incoming):
        covered += incoming
        if covered >= quantity:
            given = first[0] if first else arrival
            ready = max(ready_day(arrival, given, supply.late_days, workshop), today)
            detail = f"arriving from supplier{_late_note(supply.late_days)}"
            spread = arrivals(arrival, given, supply.lateness, today, workshop)
            return Step("component", supply.name, ready, detail, supply.sku, "incoming", spread)
    due = add_working_days(today, supply.lead_time_days, workshop)
    ready = ready_day(due, due, supply.late_days, workshop)
    detail = f"from supplier, about {supply.lead_time_days} working days{_late_note(supply.late_days)}"
    spread = arrivals(due, due, supply.lateness, today, workshop)
    return Step("component", supply.name, ready, detail, supply.sku, "supplier", spread)


class SlotCounts(dict):
    """The slot book: assembly slots taken per day (a plain dict to read), that finds the first free day
    without re-walking.

    A quote asks for the first free slot a dozen times (once per option); on a long, fully booked plan each
    walk would cross every booked day. The end of each full run is remembered, so later asks jump over it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._run_end: dict[tuple[date, int], date] = {}
        self._prefix: tuple[list[date], list[int]] | None = None  # booked days in order, running totals

    def __setitem__(self, day: date, count: int) -> None:
        super().__setitem__(day, count)
        self._run_end.clear()
        self._prefix = None

    def between(self, start: date, end: date) -> int:
        """Slots booked on days from `start` up to, not including, `end` (two bisections)."""
        if self._prefix is None:
            days = sorted(self)
            self._prefix = days, list(accumulate((self[d] for d in days), initial=0))
        days, totals = self._prefix
        return totals[bisect_left(days, end)] - totals[bisect_left(days, start)] if end > start else 0

    def first_free(self, day: date, capacity: int, workshop: Workshop) -> date:
        visited = []
        for candidate in working_days_from(day, workshop):
            found = candidate if self.get(candidate, 0) < capacity else self._run_end.get((candidate, capacity))
            if found is not None:
                break
            visited.append(candidate)
        for seen in visited:
            self._run_end[(seen, capacity)] = found
        return found


def _slot_book(booked: Mapping[date, int] | SlotRuns) -> SlotCounts | SlotRuns:
    """A slot book that answers `first_free` and `between`: the one given, or per-day counts wrapped."""
    return booked if isinstance(booked, (SlotCounts, SlotRuns)) else SlotCounts(booked)


def first_free_slot(day: date, booked: Mapping[date, int], workshop: Workshop, capacity: int | None = None) -> date:
    """The first working day on or after `day` with an assembly slot left.

    Callers that ask many times over one plan pass a SlotCounts, which remembers full runs between asks.
    """
    capacity = workshop.capacity_per_day if capacity is None else capacity
    return _slot_book(booked).first_free(day, capacity, workshop)


def estimate(
    needs: Mapping[str, int],
    supplies: Mapping[str, Supply],
    booked: Mapping[date, int],
    workshop: Workshop,
    today: date,
    capacity: int | None = None,
    counted_from: date | None = None,
) -> Estimate:
    """Build the delivery estimate step by step for components `needs` (sku -> quantity)."""
    steps = [component_ready(supplies[sku], qty, today, workshop) for sku, qty in needs.items()]
    parts_ready = max((s.date for s in steps), default=today)
    return schedule_from(parts_ready, booked, workshop, steps, capacity, today, counted_from)


def _window_note(workshop: Workshop) -> str:
    return (
        f"{workshop.promise_confidence:.0%} of bikes like this arrive by then, counting how late its suppliers "
        "and our recent builds and carriers have been"
    )


def promised_window(
    assembly: date, steps, workshop: Workshop, today: date, booked: Mapping[date, int], capacity: int
) -> tuple[date, date]:
    """The window (first day, last day) of a bike with the assembly slot `assembly`, from its parts' spread, the
    workshop's learned door time and the drift of the builds booked from `today` until it (`domain.spread`,
    `domain.reliability`). The planner counts that drift from the shop's own day (`planning.Spreads`), so a quote
    made after the cut-off passes that day here, not its order day, and promises what the plan will."""
    parts = tuple(
        tuple((working_days_between(assembly, day, workshop), w) for day, w in s.arrivals) for s in steps if s.arrivals
    )
    first = working_day_on_or_after(today, workshop)
    booked_before = _slot_book(booked).between(first, assembly)  # booked on the working days before the slot
    slots = max(0, working_days_between(first, assembly, workshop))
    door = door_after(booked_before, slots, workshop, capacity)
    found = window(parts, door, workshop.promise_confidence, workshop.max_window_days)
    return add_working_days(assembly, found.start, workshop), add_working_days(assembly, found.end, workshop)


def schedule_from(
    parts_ready: date,
    booked: Mapping[date, int],
    workshop: Workshop,
    steps: list[Step] | tuple[Step, ...] = (),
    capacity: int | None = None,
    today: date | None = None,
    counted_from: date | None = None,
) -> Estimate:
    """Assembly, testing, shipping and the delivery window once all parts are in (`today`: the order's day,
    by default the day the parts are in; `counted_from`: the shop's day the window's drift counts from, by
    default `today`)."""
    assembly = first_free_slot(parts_ready, booked, workshop, capacity)
    testing = add_working_days(assembly, workshop.assembly_days, workshop)
    ships = add_working_days(testing, workshop.testing_days, workshop)  # leaves the next working day
    capacity = workshop.capacity_per_day if capacity is None else capacity
    counted_from = counted_from or today or parts_ready
    earliest, latest = promised_window(assembly, steps, workshop, counted_from, booked, capacity)
    slot_note = (
        "first free assembly slot" if assembly > working_day_on_or_after(parts_ready, workshop) else "all parts in"
    )
    return Estimate(
        parts_ready=parts_ready,
        assembly=assembly,
        testing=testing,
        ships=ships,
        earliest=earliest,
        latest=latest,
        steps=(
            *steps,
            Step("assembly", "Assembly", assembly, slot_note),
            Step("testing", "Testing", testing, "electrical and road tests"),
            Step("shipping", "Ships", ships, "leaves the workshop"),
            Step("delivery", "Delivery", earliest, "the earliest day we expect it, with the fastest carrier"),
            Step("window", "Latest day", latest, _window_note(workshop)),
        ),
    )
