"""Component demand forecast: usage rate, projected stock, run-out date and a suggested reorder quantity.

All quantities are units and all periods are working days.

    rate          = units consumed in the trailing 28 days / working days in those 28 days
    safety stock  = ceil(z x sigma_daily x sqrt(lead time)), z = 1.65 (about 95% of lead times covered)
    position      = on hand - reserved + on order - open demand (parts open work orders still wait for)
    reorder qty   = max(0, ceil(rate x (lead time + review period) + safety stock - position))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .calendar import add_working_days
from .catalog import Workshop

TRAILING_DAYS = 28
REVIEW_DAYS = 5  # stock is reviewed once a working week
Z_95 = 1.65
HORIZON_DAYS = 40  # working days projected on the chart

FORMULA = (
    "Suggested reorder = max(0, ⌈rate × (lead time + review period) + safety stock − "
    "(on hand − reserved + on order − open demand)⌉), where rate is the units used per working day over the "
    f"last {TRAILING_DAYS} days, the review period is {REVIEW_DAYS} working days, safety stock = "
    f"⌈{Z_95} × σ of daily use × √lead time⌉ and open demand counts parts that open work orders still wait for."
)


@dataclass(frozen=True)
class StockPosition:
    """What the shop knows about one component today."""

    sku: str
    name: str
    lead_time_days: int
    on_hand: int
    reserved: int
    awaiting: int  # open demand: units open work orders wait for, not yet reserved
    on_order: int  # ordered from suppliers and not yet received
    arrivals: tuple[tuple[date, int], ...] = ()  # (expected day, units still to come)
    daily_usage: tuple[int, ...] = ()  # units consumed on each working day of the trailing window

    @property
    def demand(self) -> int:
        """Units open work orders need: reserved for them or awaited."""
        return self.reserved + self.awaiting


@dataclass(frozen=True)
class ComponentForecast:
    position: StockPosition
    rate: float
    sigma: float
    safety_stock: int
    reorder_quantity: int
    run_out: date | None
    projection: tuple[tuple[date, float], ...]


def usage_rate(daily_usage: Sequence[int]) -> float:
    return sum(daily_usage) / len(daily_usage) if daily_usage else 0.0


def daily_sigma(daily_usage: Sequence[int]) -> float:
    """Population standard deviation of daily use."""
    if not daily_usage:
        return 0.0
    mean = usage_rate(daily_usage)
    return math.sqrt(sum((u - mean) ** 2 for u in daily_usage) / len(daily_usage))


def safety_stock(sigma: float, lead_time_days: int, z: float = Z_95) -> int:
    return math.ceil(round(z * sigma * math.sqrt(lead_time_days), 9))


def reorder_quantity(p: StockPosition, rate: float, safety: int, review_days: int = REVIEW_DAYS) -> int:
    position = p.on_hand - p.reserved + p.on_order - p.awaiting
    return max(0, math.ceil(round(rate * (p.lead_time_days + review_days) + safety - position, 9)))


def project(p: StockPosition, rate: float, workshop: Workshop, today: date, horizon: int = HORIZON_DAYS):
    """Free stock at the end of each working day: today's free stock, plus arrivals, minus the usage rate."""
    free = p.on_hand - p.reserved - p.awaiting
    arrivals = sorted(p.arrivals)
    points, day, run_out = [], today, None
    for n in range(horizon + 1):
        day = add_working_days(today, n, workshop) if n else today
        while arrivals and arrivals[0][0] <= day:
            free += arrivals.pop(0)[1]
        level = free - rate * n
        points.append((day, level))
        if run_out is None and level < 0:
            run_out = day
    return tuple(points), run_out


def forecast(p: StockPosition, workshop: Workshop, today: date) -> ComponentForecast:
    """The whole forecast for one component."""
    rate, sigma = usage_rate(p.daily_usage), daily_sigma(p.daily_usage)
    safety = safety_stock(sigma, p.lead_time_days)
    points, run_out = project(p, rate, workshop, today)
    return ComponentForecast(p, rate, sigma, safety, reorder_quantity(p, rate, safety), run_out, points)
