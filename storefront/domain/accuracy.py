"""Promise accuracy: how often the shop delivered by the latest promised day, and how early or late it was."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Delivery:
    paid: date
    promised_earliest: date
    promised_latest: date
    delivered: date

    @property
    def on_time(self) -> bool:
        return self.delivered <= self.promised_latest

    @property
    def days_off(self) -> int:
        """Calendar days late after the window (positive), early before it (negative), 0 inside it."""
        if self.delivered > self.promised_latest:
            return (self.delivered - self.promised_latest).days
        if self.delivered < self.promised_earliest:
            return (self.delivered - self.promised_earliest).days
        return 0


@dataclass(frozen=True)
class Accuracy:
    label: str  # "2026-12", or "all"
    delivered: int
    on_time: int
    mean_days_off: float
    quoted_lead_days: float  # paid to latest promised day, calendar days
    actual_lead_days: float  # paid to delivered, calendar days

    @property
    def on_time_pct(self) -> float:
        return 100.0 * self.on_time / self.delivered if self.delivered else 0.0


def summarise(label: str, deliveries: list[Delivery]) -> Accuracy:
    n = len(deliveries)
    if not n:
        return Accuracy(label, 0, 0, 0.0, 0.0, 0.0)
    return Accuracy(
        label,
        n,
        sum(d.on_time for d in deliveries),
        sum(d.days_off for d in deliveries) / n,
        sum((d.promised_latest - d.paid).days for d in deliveries) / n,
        sum((d.delivered - d.paid).days for d in deliveries) / n,
    )


def by_month(deliveries: Iterable[Delivery]) -> tuple[list[Accuracy], Accuracy]:
    """Figures per delivery month, oldest first, and for all deliveries together."""
    months: dict[str, list[Delivery]] = {}
    everything = []
    for d in deliveries:
        months.setdefault(f"{d.delivered:%Y-%m}", []).append(d)
        everything.append(d)
    return [summarise(m, months[m]) for m in sorted(months)], summarise("all", everything)
