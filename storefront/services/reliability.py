"""Read what the planner learns from history: each component's supplier lateness and the promised window."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from ..domain.calendar import working_days_between
from ..domain.catalog import Catalog, Workshop
from ..domain.reliability import HISTORY, Lateness, learn, window_days
from ..extensions import db
from ..models import Component, Order, PurchaseRequest, WorkOrder
from ..timeutil import local_date


@dataclass(frozen=True)
class Learned:
    workshop: Workshop  # the catalog's workshop with the learned window width
    lateness: dict[str, Lateness]  # sku -> supplier lateness

    def late_days(self, sku: str) -> int:
        found = self.lateness.get(sku) or Lateness(sku)
        return found.at(self.workshop.supplier_confidence)


def learned(catalog: Catalog) -> Learned:
    """Supplier lateness per component and the window width, from received deliveries and delivered bikes."""
    workshop = catalog.workshop
    rows = db.session.execute(
        select(Component.sku, PurchaseRequest.original_expected_date, PurchaseRequest.received_on)
        .join(Component, Component.id == PurchaseRequest.component_id)
        .where(PurchaseRequest.received_on.is_not(None))
        .order_by(PurchaseRequest.received_on.desc(), PurchaseRequest.id.desc())
        .limit(HISTORY * 40)
    ).all()
    per_sku: dict[str, list] = {}
    for sku, given, arrived in reversed(rows):
        per_sku.setdefault(sku, []).append((given, arrived))
    lateness = {sku: learn(sku, deliveries, workshop) for sku, deliveries in per_sku.items()}
    return Learned(replace(workshop, window_days=window_days(_overruns(catalog), workshop)), lateness)


def _overruns(catalog: Catalog) -> list[int]:
    """Working days each recently delivered bike arrived after its promised earliest day (negative: sooner)."""
    rows = db.session.execute(
        select(Order.promised_earliest, WorkOrder.delivered_at)
        .join(WorkOrder, WorkOrder.order_id == Order.id)
        .where(WorkOrder.delivered_at.is_not(None))
        .order_by(WorkOrder.delivered_at.desc())
        .limit(HISTORY)
    ).all()
    tz = catalog.timezone
    return [working_days_between(e, local_date(d, tz), catalog.workshop) for e, d in reversed(rows)]
