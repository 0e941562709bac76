"""How late suppliers deliver, learned from history, and how wide a promised window must be.

A supplier part's lateness is the working days between the date the supplier first gave and the day it
arrived (negative when early). Each component keeps its last `HISTORY` received deliveries. While history is
short, it is read together with `PRIOR`, ten made-up deliveries of a typical supplier (on time 6 times in 10,
1, 2 and 4 working days late otherwise: P50 0, P90 2), so a new component is neither trusted blindly nor
padded forever: by 30 real deliveries the prior weighs a quarter, by 90 a tenth.

A part is planned in on the day it arrives with the configured confidence: the date the supplier first gave
plus that quantile of lateness, or the supplier's newer date when that is later already (a delay announced
is not padded again); a date moved earlier is counted from like a new one.

The promised window is learned the same way from delivered bikes: how many working days after the planned
delivery day each arrived (`WINDOW_PRIOR` while there are few), at the promise confidence, at least 1 and at
most `max_window_days`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .calendar import add_working_days, working_days_between
from .catalog import Workshop

HISTORY = 90
PRIOR = (0, 0, 0, 0, 0, 0, 1, 1, 2, 4)
WINDOW_PRIOR = (0, 0, 0, 0, 0, 1, 1, 1, 2, 2)


def quantile(samples: Sequence[int], q: float) -> int:
    """The smallest sample with at least a share `q` of samples at or below it (nearest rank)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(round(q * len(ordered), 9)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Lateness:
    """One component's supplier deliveries: working days late (negative when early), oldest first."""

    sku: str
    history: tuple[int, ...] = ()

    @property
    def samples(self) -> tuple[int, ...]:
        return (*self.history[-HISTORY:], *PRIOR)

    def at(self, confidence: float) -> int:
        """Working days late a delivery is at most, with `confidence` (never negative: early parts wait)."""
        return max(0, quantile(self.samples, confidence))

    @property
    def on_time_share(self) -> float | None:
        recent = self.history[-HISTORY:]
        return sum(1 for d in recent if d <= 0) / len(recent) if recent else None


def lateness_days(first_given: date, arrived: date, workshop: Workshop) -> int:
    return working_days_between(first_given, arrived, workshop)


def learn(sku: str, deliveries: Iterable[tuple[date, date]], workshop: Workshop) -> Lateness:
    """A component's lateness from its received deliveries: (date first given, day received), oldest first."""
    return Lateness(sku, tuple(lateness_days(given, arrived, workshop) for given, arrived in deliveries))


def ready_day(expected: date, first_given: date, late_days: int, workshop: Workshop) -> date:
    """The day a part the supplier now expects on `expected` (first given as `first_given`) is planned in.

    A later date is not padded again; an earlier one is counted from, as a new promise from the supplier.
    """
    return max(expected, add_working_days(min(expected, first_given), late_days, workshop))


def window_days(overruns: Sequence[int], workshop: Workshop) -> int:
    """Working days from the planned delivery day to the promised latest day, learned from delivered bikes."""
    samples = (*overruns[-HISTORY:], *WINDOW_PRIOR)
    return min(workshop.max_window_days, max(1, quantile(samples, workshop.promise_confidence)))
