"""How late suppliers deliver, learned from history, and how wide a promised window must be.

A supplier part's lateness is the working days between the date the supplier first gave and the day it
arrived (negative when early). Each component keeps its last `HISTORY` received deliveries. While history is
short, it is read together with `PRIOR`, ten made-up deliveries of a typical supplier (on time 6 times in 10,
1, 2 and 4 working days late otherwise: P50 0, P90 2), so a new component is neither trusted blindly nor
padded forever: by 30 real deliveries the prior weighs a quarter, by 90 a tenth.

A part is planned in on the day it arrives with the configured confidence: the date the supplier first gave
plus that quantile of lateness, or the supplier's newer date when that is later already (a delay announced
is not padded again); a date moved earlier is counted from like a new one.

A part is planned in on its expected day (the median of that lateness, on time for the prior), and the whole
distribution goes into the promised window (`domain.spread`), with the bike's "door" time: the working days
from the start of its assembly to the customer's door, learned from the last `HISTORY` delivered bikes, read
with `DOOR_PRIOR` (ten typical bikes around the catalog's nominal assembly, testing and transit days).

Every build that overruns or is reworked holds a bench another day, so the slots the plan hands out run late
the more builds start before them: their extra bench days (learned from the last delivered bikes, with
`BENCH_PRIOR`), less the free slots before it that absorb them, over the capacity (`drift`). The builds before
a slot are those booked there already or, when more, those the recent start rate brings by then (orders not
yet paid fill today's free slots): `builds_before`. An idle workshop drifts nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from .calendar import add_working_days, working_days_between
from .catalog import Workshop
from .spread import Dist, dist, plus

HISTORY = 90
PRIOR = (0, 0, 0, 0, 0, 0, 1, 1, 2, 4)
DOOR_PRIOR = (-1, 0, 0, 0, 0, 0, 1, 1, 1, 2)  # working days around the nominal door time
BENCH_PRIOR = (0, 0, 0, 0, 0, 0, 0, 0, 0, 1)  # extra bench days per build: one in ten overruns or is reworked


def quantile(samples: Sequence[int], q: float) -> int:
    """The smallest sample with at least a share `q` of samples at or below it (nearest rank)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(round(q * len(ordered), 9)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Lateness:
    """One component's supplier deliveries: working days late (negative when early), oldest first."""

    sku: str  # the component's, or a supplier's name when its components' deliveries are pooled (`learn_each`)
    history: tuple[int, ...] = ()

    @property
    def samples(self) -> tuple[int, ...]:
        return (*self.history[-HISTORY:], *PRIOR)

    def at(self, confidence: float) -> int:
        """Working days late a delivery is at most, with `confidence` (never negative: early parts wait)."""
        return max(0, quantile(self.samples, confidence))

    @cached_property
    def expected(self) -> int:
        """Working days late a delivery is at the median: the day a part is planned in."""
        return self.at(0.5)

    @cached_property
    def spread(self) -> Dist:
        """Working days late, never early (an early part waits), as a distribution."""
        return dist(max(0, d) for d in self.samples)

    @property
    def on_time_share(self) -> float | None:
        recent = self.history[-HISTORY:]
        return sum(1 for d in recent if d <= 0) / len(recent) if recent else None


def lateness_days(first_given: date, arrived: date, workshop: Workshop) -> int:
    return working_days_between(first_given, arrived, workshop)


def learn(sku: str, deliveries: Iterable[tuple[date, date]], workshop: Workshop) -> Lateness:
    """A component's lateness from its received deliveries: (date first given, day received), oldest first."""
    return Lateness(sku, tuple(lateness_days(given, arrived, workshop) for given, arrived in deliveries))


def learn_each(deliveries: Iterable[tuple[str, date, date]], workshop: Workshop) -> dict[str, Lateness]:
    """Lateness per key, a component's sku or a supplier's name, from (key, date first given, day received)
    deliveries, oldest first: a supplier's record pools every component it delivers."""
    per_key: dict[str, list[tuple[date, date]]] = {}
    for key, given, arrived in deliveries:
        per_key.setdefault(key, []).append((given, arrived))
    return {key: learn(key, rows, workshop) for key, rows in per_key.items()}


def ready_day(expected: date, first_given: date, late_days: int, workshop: Workshop) -> date:
    """The day a part the supplier now expects on `expected` (first given as `first_given`) is planned in.

    A later date is not padded again; an earlier one is counted from, as a new promise from the supplier.
    """
    return max(expected, add_working_days(min(expected, first_given), late_days, workshop))


def door(samples: Sequence[int], workshop: Workshop) -> Dist:
    """Working days from the start of assembly to the customer's door: the last deliveries and the prior."""
    nominal = workshop.assembly_days + workshop.testing_days + workshop.transit_days
    return dist((*samples[-HISTORY:], *(nominal + d for d in DOOR_PRIOR)))


def door_of(workshop: Workshop) -> Dist:
    """The workshop's learned door time, or the prior alone before it has learned any."""
    return workshop.door or door((), workshop)


def bench_extra(extra_bench_days: Sequence[int]) -> Dist:
    """Extra bench days per build (overrun days plus reworks) of the last delivered bikes, with the prior."""
    return dist((*extra_bench_days[-HISTORY:], *BENCH_PRIOR))


def bench_of(workshop: Workshop) -> Dist:
    return workshop.bench_extra or bench_extra(())


def builds_before(booked: int, slots: int, workshop: Workshop) -> int:
    """Builds expected to start before a slot `slots` working days ahead with `booked` booked before it."""
    return max(booked, round(workshop.start_rate * max(slots, 0)))


@lru_cache(maxsize=4096)
def door_after(booked: int, slots: int, workshop: Workshop, capacity: int) -> Dist:
    """Working days from a slot `slots` working days ahead to the customer's door: the drift of the builds
    expected to start before it (`booked` of them are booked already), then the learned door time."""
    ahead = builds_before(booked, slots, workshop)
    late = drift(ahead, max(0, capacity * slots - ahead), bench_of(workshop), capacity)
    return plus(late, door_of(workshop))


@lru_cache(maxsize=4096)
def drift(ahead: int, free: int, bench: Dist, capacity: int) -> Dist:
    """Working days a slot starts late when `ahead` builds start before it and `free` slots before it stay
    free: their extra bench days (a normal approximation of the sum, over whole days within three standard
    deviations) less the free slots that absorb them, over the capacity, in whole days; weights in thousandths.

    The whole numbers of extra bench days that make the same days late are consecutive, so each late day takes
    one `erf` at its upper edge rather than one per whole number: this runs for every slot of a long plan."""
    if ahead <= 0:
        return ((0, 1),)
    total = sum(w for _, w in bench)
    mean = sum(v * w for v, w in bench) / total
    variance = sum(w * (v - mean) ** 2 for v, w in bench) / total
    centre, sd = ahead * mean, math.sqrt(ahead * variance)
    if sd < 0.05:
        return ((_late(round(centre), free, capacity), 1),)
    erf, scale = math.erf, sd * SQRT2
    extra, last = max(0, math.floor(centre - 3 * sd)), math.ceil(centre + 3 * sd)
    below = 0.5 * (1 + erf((extra - 0.5 - centre) / scale))
    found = []
    while extra <= last:
        late = _late(extra, free, capacity)
        extra = min(last, math.ceil(free + (late + 0.5) * capacity) - 1)  # the last whole number this late
        upto = 0.5 * (1 + erf((extra + 0.5 - centre) / scale))
        share = round(1000 * (upto - below))
        below, extra = upto, extra + 1
        if share > 0:
            found.append((late, share))
    return tuple(found)


def _late(extra: int, free: int, capacity: int) -> int:
    """Working days late: the extra bench days the free slots do not absorb, over the capacity, rounded."""
    return math.floor(max(0, extra - free) / capacity + 0.5)


SQRT2 = math.sqrt(2)
