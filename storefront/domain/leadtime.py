"""The lead-time engine: when each part is ready, when the bike is built, tested, shipped and delivered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .calendar import add_working_days, working_day_on_or_after
from .catalog import Workshop
from .reliability import ready_day


@dataclass(frozen=True)
class Supply:
    """What the shop can promise of one component right now."""

    sku: str
    name: str
    lead_time_days: int
    available: int  # on hand minus reserved
    # unpromised supplier deliveries: (expected arrival, quantity[, date the supplier first gave])
    incoming: tuple[tuple, ...] = ()
    late_days: int = 0  # working days late its supplier delivers, at the configured confidence (reliability)


@dataclass(frozen=True)
class Step:
    kind: str  # component | assembly | testing | shipping | delivery
    label: str
    date: date
    detail: str
    sku: str | None = None
    source: str | None = None  # stock | incoming | supplier, for component steps


@dataclass(frozen=True)
class Estimate:
    parts_ready: date
    assembly: date
    testing: date
    ships: date
    earliest: date
    latest: date
    steps: tuple[Step, ...]


def _late_note(late_days: int, workshop: Workshop) -> str:
    if not late_days:
        return ""
    plural = "s" if late_days != 1 else ""
    return f", plus {late_days} working day{plural}: {workshop.supplier_confidence:.0%} of its deliveries are no later"


def component_ready(supply: Supply, quantity: int, today: date, workshop: Workshop) -> Step:
    """When `quantity` of a component can be in the workshop, and why.

    A supplier part is planned in on the day it arrives with the configured confidence
    (`reliability.ready_day`), the same rule the planner uses, so a quote and the plan after payment agree.
    """
    if supply.available >= quantity:
        return Step("component", supply.name, today, "in stock", supply.sku, "stock")
    covered = supply.available
    for arrival, incoming, *first in sorted(supply.incoming):
        covered += incoming
        if covered >= quantity:
            ready = max(ready_day(arrival, first[0] if first else arrival, supply.late_days, workshop), today)
            detail = f"arriving from supplier{_late_note(supply.late_days, workshop)}"
            return Step("component", supply.name, ready, detail, supply.sku, "incoming")
    due = add_working_days(today, supply.lead_time_days, workshop)
    ready = ready_day(due, due, supply.late_days, workshop)
    detail = f"from supplier, about {supply.lead_time_days} working days{_late_note(supply.late_days, workshop)}"
    return Step("component", supply.name, ready, detail, supply.sku, "supplier")


class SlotCounts(dict):
    """The slot book: assembly slots taken per day (a plain dict to read), that finds the first free day
    without re-walking.

    A quote asks for the first free slot a dozen times (once per option); on a long, fully booked plan each
    walk would cross every booked day. The end of each full run is remembered, so later asks jump over it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._run_end: dict[tuple[date, int], date] = {}

    def first_free(self, day: date, capacity: int, workshop: Workshop) -> date:
        day = working_day_on_or_after(day, workshop)
        visited = []
        while self.get(day, 0) >= capacity:
            jump = self._run_end.get((day, capacity))
            if jump is not None:
                day = jump
                break
            visited.append(day)
            day = add_working_days(day, 1, workshop)
        for seen in visited:
            self._run_end[(seen, capacity)] = day
        return day


def first_free_slot(day: date, booked: Mapping[date, int], workshop: Workshop, capacity: int | None = None) -> date:
    """The first working day on or after `day` with an assembly slot left.

    Callers that ask many times over one plan pass a SlotCounts, which remembers full runs between asks.
    """
    capacity = workshop.capacity_per_day if capacity is None else capacity
    book = booked if isinstance(booked, SlotCounts) else SlotCounts(booked)
    return book.first_free(day, capacity, workshop)


def estimate(
    needs: Mapping[str, int],
    supplies: Mapping[str, Supply],
    booked: Mapping[date, int],
    workshop: Workshop,
    today: date,
    capacity: int | None = None,
) -> Estimate:
    """Build the delivery estimate step by step for components `needs` (sku -> quantity)."""
    steps = [component_ready(supplies[sku], qty, today, workshop) for sku, qty in needs.items()]
    parts_ready = max((s.date for s in steps), default=today)
    return schedule_from(parts_ready, booked, workshop, steps, capacity)


def _window_note(workshop: Workshop) -> str:
    days = workshop.window_days
    return (
        f"{days} working day{'s' if days != 1 else ''} after the expected day: "
        f"{workshop.promise_confidence:.0%} of our recent bikes arrived by then"
    )


def schedule_from(
    parts_ready: date,
    booked: Mapping[date, int],
    workshop: Workshop,
    steps: list[Step] | tuple[Step, ...] = (),
    capacity: int | None = None,
) -> Estimate:
    """Assembly, testing, shipping and the delivery window once all parts are in."""
    assembly = first_free_slot(parts_ready, booked, workshop, capacity)
    testing = add_working_days(assembly, workshop.assembly_days, workshop)
    ships = add_working_days(testing, workshop.testing_days, workshop)  # leaves the next working day
    earliest = add_working_days(ships, workshop.transit_days, workshop)
    latest = add_working_days(earliest, workshop.window_days, workshop)
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
            Step("delivery", "Delivery", earliest, f"{workshop.transit_days} working days in transit"),
            Step("window", "Latest day", latest, _window_note(workshop)),
        ),
    )
