"""Read what the planner learns from history: each component's supplier lateness and the promised window."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from sqlalchemy import func, select

from .. import cache
from ..domain.calendar import working_days_between
from ..domain.catalog import Catalog, Workshop
from ..domain.reliability import HISTORY, Lateness, bench_extra, door, learn_each
from ..domain.spread import Dist
from ..extensions import db
from ..models import Component, PurchaseRequest, WorkOrder
from ..timeutil import local_date


@dataclass(frozen=True)
class Learned:
    workshop: Workshop  # the catalog's workshop with the learned door time
    lateness: dict[str, Lateness]  # sku -> supplier lateness

    def of(self, sku: str) -> Lateness:
        return self.lateness.get(sku) or Lateness(sku)

    def late_days(self, sku: str) -> int:
        """Working days late a delivery is at the configured supplier confidence (the forecast page)."""
        return self.of(sku).at(self.workshop.supplier_confidence)

    def spread(self, sku: str) -> Dist:
        return self.of(sku).spread


@dataclass(frozen=True)
class Record:
    """A supplier's record as the forecast page shows it, and how the planner reads it."""

    deliveries: int  # received deliveries on record (the last HISTORY count)
    on_time_share: float | None  # of those, on or before the date first given; None before the first
    p50: int  # working days late at the median (history with the prior): the day a part is planned in
    p90: int  # working days late at the 90th percentile

    @classmethod
    def of(cls, lateness: Lateness) -> Record:
        return cls(len(lateness.history[-HISTORY:]), lateness.on_time_share, lateness.at(0.5), lateness.at(0.9))


@dataclass(frozen=True)
class SupplierRecord:
    """One component's supplier record: what the planner learns from."""

    sku: str
    name: str
    supplier: str | None
    record: Record


@dataclass(frozen=True)
class SupplierSummary:
    """One named supplier's record over all the components the catalog has from it."""

    name: str
    components: tuple[str, ...]  # their names, in catalog order
    record: Record


def supplier_records(catalog: Catalog) -> list[SupplierRecord]:
    """Each catalog component's supplier record, in catalog order."""
    learnt = learned(catalog)
    return [SupplierRecord(c.sku, c.name, c.supplier, Record.of(learnt.of(c.sku))) for c in catalog.components]


def supplier_summaries(catalog: Catalog) -> list[SupplierSummary]:
    """Each supplier named in the catalog, in catalog order, with the deliveries of all its components pooled: the
    last `HISTORY` received, read with the prior as a component's are. The planner learns per component."""
    supplier_of = {c.sku: c.supplier.strip() for c in catalog.components if c.supplier and c.supplier.strip()}
    pooled = learn_each(
        ((supplier_of[sku], given, arrived) for sku, given, arrived in _received() if sku in supplier_of),
        catalog.workshop,
    )
    return [
        SupplierSummary(
            name,
            tuple(c.name for c in catalog.components if supplier_of.get(c.sku) == name),
            Record.of(pooled.get(name) or Lateness(name)),
        )
        for name in dict.fromkeys(supplier_of.values())
    ]


_learned = cache.named("learned")
_lateness = cache.named("learned_lateness")
_delivered_bikes = cache.named("learned_delivered")
_start_rates = cache.named("learned_start_rate")


@dataclass(frozen=True)
class History:
    """How much there is to learn from, read in one round trip: each part of the learned state is read again
    only when its own part of this changes (a start of assembly re-reads the start rate, not every delivery)."""

    receipts: tuple  # received supplier deliveries: count, newest id, newest day
    deliveries: tuple  # delivered bikes: count, newest id, newest time
    starts: int  # assemblies started

    @cached_property
    def key(self) -> str:
        """The digest a plan summary keeps (`plan_summary.Summary.history`)."""
        return hashlib.sha256(repr((*self.receipts, *self.deliveries, self.starts)).encode()).hexdigest()


def learned(catalog: Catalog, history: History | str | None = None) -> Learned:
    """Supplier lateness per component and the door time, from received deliveries and delivered bikes.

    Every re-plan and quote asks; the answer is read again only when a delivery was received or a bike delivered
    since (`read_history` tells, or the caller passes what it already has: the history or its key)."""
    if history is None:
        history = read_history()
    if isinstance(history, History):
        key, known = history.key, history
    else:  # a plan summary's key: what it digests is read only when no answer is cached for it
        key, known = history, None
    return _learned.get_or_make(
        (catalog.workshop, catalog.timezone, key), lambda: _learn(catalog, known or read_history())
    )


_RECEIVED = PurchaseRequest.received_on.is_not(None)
_DELIVERED = WorkOrder.delivered_at.is_not(None)
# built once: building the statement costs more than running it
HISTORY_COLUMNS = tuple(
    column.scalar_subquery()
    for column in (
        select(func.count(PurchaseRequest.id)).where(_RECEIVED),
        select(func.max(PurchaseRequest.id)).where(_RECEIVED),
        select(func.max(PurchaseRequest.received_on)),
        select(func.count(WorkOrder.id)).where(_DELIVERED),
        select(func.max(WorkOrder.id)).where(_DELIVERED),
        select(func.max(WorkOrder.delivered_at)),
        select(func.count(WorkOrder.assembly_started_at)),
    )
)
_HISTORY = select(*HISTORY_COLUMNS)


def read_history() -> History:
    """How many deliveries were received, bikes delivered and assemblies started, and the newest of the first
    two, in one round trip."""
    return history_of(tuple(db.session.execute(_HISTORY).one()))


def history_of(row: tuple) -> History:
    """The history from the values of `HISTORY_COLUMNS`, for a caller that reads them with more in one round trip."""
    return History(row[:3], row[3:6], row[6])


def _learn(catalog: Catalog, history: History) -> Learned:
    workshop, tz = catalog.workshop, catalog.timezone
    lateness = _lateness.get_or_make((workshop, history.receipts), lambda: _supplier_lateness(workshop))
    doors, extra = _delivered_bikes.get_or_make((workshop, tz, history.deliveries), lambda: _delivered(catalog))
    rate = _start_rates.get_or_make((workshop, tz, history.starts), lambda: _start_rate(catalog))
    learnt = replace(workshop, door=door(doors, workshop), bench_extra=bench_extra(extra), start_rate=rate)
    return Learned(learnt, lateness)


def _supplier_lateness(workshop: Workshop) -> dict[str, Lateness]:
    """Each component's lateness from its last received deliveries (up to `HISTORY` each)."""
    return learn_each(_received(), workshop)


def _received() -> list[tuple[str, date, date]]:
    """Received supplier deliveries, oldest first, as (sku, date first given, day received), in one query: the
    newest `HISTORY` * 40, enough for every component's last `HISTORY`."""
    rows = db.session.execute(
        select(Component.sku, PurchaseRequest.original_expected_date, PurchaseRequest.received_on)
        .join(Component, Component.id == PurchaseRequest.component_id)
        .where(PurchaseRequest.received_on.is_not(None))
        .order_by(PurchaseRequest.received_on.desc(), PurchaseRequest.id.desc())
        .limit(HISTORY * 40)
    ).all()
    return [tuple(row) for row in reversed(rows)]


def _start_rate(catalog: Catalog) -> float:
    """Assemblies started per working day, over the last `HISTORY` started (0 before there are two)."""
    started = db.session.scalars(
        select(WorkOrder.assembly_started_at)
        .where(WorkOrder.assembly_started_at.is_not(None))
        .order_by(WorkOrder.assembly_started_at.desc())
        .limit(HISTORY)
    ).all()
    if len(started) < 2:
        return 0.0
    tz = catalog.timezone
    span = working_days_between(local_date(started[-1], tz), local_date(started[0], tz), catalog.workshop)
    return (len(started) - 1) / max(span, 1)


def _delivered(catalog: Catalog) -> tuple[list[int], list[int]]:
    """Of the last delivered bikes, oldest first: working days from the start of assembly to the door, and extra
    bench days (working days the first assembly overran, plus one per rework)."""
    rows = db.session.execute(
        select(
            WorkOrder.assembly_started_at, WorkOrder.testing_started_at, WorkOrder.test_round, WorkOrder.delivered_at
        )
        .where(WorkOrder.delivered_at.is_not(None), WorkOrder.assembly_started_at.is_not(None))
        .order_by(WorkOrder.delivered_at.desc())
        .limit(HISTORY)
    ).all()
    tz, ws = catalog.timezone, catalog.workshop
    doors, extra = [], []
    for started, tested, rounds, delivered in reversed(rows):
        begun = local_date(started, tz)
        doors.append(working_days_between(begun, local_date(delivered, tz), ws))
        overran = working_days_between(begun, local_date(tested, tz), ws) - ws.assembly_days + 1 if tested else 0
        extra.append(max(overran, 0) + rounds - 1)
    return doors, extra
