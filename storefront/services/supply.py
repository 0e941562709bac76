"""Read the workshop's current supply picture: stock, incoming deliveries and booked assembly slots."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from ..domain.build import Build
from ..domain.catalog import Catalog
from ..domain.leadtime import SlotCounts, Supply
from ..domain.stages import SLOT_HOLDING_STAGES
from ..domain.statuses import PartLineState, PurchaseRequestStatus
from ..extensions import db
from ..models import Component, PartLine, PurchaseRequest, WorkOrder
from .reliability import Learned


def component_needs(build: Build, catalog: Catalog) -> dict[str, int]:
    """Components (sku -> quantity) a build uses, one per chosen option."""
    return dict(Counter(catalog.option(code).component for code in build.codes()))


# built once: on a small plan, building these statements cost more than running them
_PROMISED = (
    select(PartLine.purchase_request_id, func.sum(PartLine.quantity).label("qty"))
    .where(PartLine.state == PartLineState.AWAITING)
    .group_by(PartLine.purchase_request_id)
    .subquery()
)
_INCOMING = (
    select(
        PurchaseRequest.component_id,
        PurchaseRequest.expected_date,
        PurchaseRequest.quantity - PurchaseRequest.received_quantity - func.coalesce(_PROMISED.c.qty, 0),
        PurchaseRequest.original_expected_date,
    )
    .outerjoin(_PROMISED, _PROMISED.c.purchase_request_id == PurchaseRequest.id)
    .where(PurchaseRequest.status == PurchaseRequestStatus.OPEN)
)
_COMPONENTS = select(
    Component.id, Component.sku, Component.name, Component.lead_time_days, Component.on_hand, Component.reserved
)


def load_supplies(learned: Learned) -> dict[str, Supply]:
    """Available-to-promise per component: on hand minus reserved, plus unpromised incoming deliveries, and how
    late each component's supplier delivers at the configured confidence."""
    incoming: dict[int, list[tuple[date, int]]] = {}
    for component_id, expected, free, first_given in db.session.execute(_INCOMING):
        if free > 0:
            incoming.setdefault(component_id, []).append((expected, int(free), first_given))
    components = db.session.execute(_COMPONENTS)  # plain rows: a quote after a plan change reads them all
    return {
        sku: Supply(
            sku, name, lead_time_days, on_hand - reserved, tuple(sorted(incoming.get(id_, ()))), learned.spread(sku)
        )
        for id_, sku, name, lead_time_days, on_hand, reserved in components
    }


def booked_slots(from_day: date) -> SlotCounts:
    """Assembly slots already taken per day, from `from_day` on."""
    query = (
        select(WorkOrder.planned_assembly_date, func.count())
        .where(WorkOrder.stage.in_(SLOT_HOLDING_STAGES), WorkOrder.planned_assembly_date >= from_day)
        .group_by(WorkOrder.planned_assembly_date)
    )
    return SlotCounts((day, count) for day, count in db.session.execute(query))
