"""Read-side of planning: component demand forecasts and promise-accuracy figures, from a few plain selects."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..domain.accuracy import Accuracy, Delivery, by_month
from ..domain.calendar import is_working_day
from ..domain.forecast import TRAILING_DAYS, ComponentForecast, StockPosition, forecast
from ..domain.statuses import PartLineState, PurchaseRequestStatus
from ..extensions import db
from ..models import OPEN_STAGES, Component, Order, PartLine, PurchaseRequest, WorkOrder
from ..timeutil import local_date
from .catalog import live_catalog


def component_forecasts(now: datetime) -> list[ComponentForecast]:
    """One forecast per component, in catalog (sku) order."""
    catalog = live_catalog()
    today = local_date(now, catalog.timezone)
    awaiting = dict(
        db.session.execute(
            select(PartLine.component_id, func.sum(PartLine.quantity))
            .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
            .where(PartLine.state == PartLineState.AWAITING, WorkOrder.stage.in_(OPEN_STAGES))
            .group_by(PartLine.component_id)
        ).all()
    )
    arrivals: dict[int, list[tuple]] = {}
    for component_id, expected, remaining in db.session.execute(
        select(
            PurchaseRequest.component_id,
            PurchaseRequest.expected_date,
            PurchaseRequest.quantity - PurchaseRequest.received_quantity,
        ).where(PurchaseRequest.status == PurchaseRequestStatus.OPEN)
    ):
        arrivals.setdefault(component_id, []).append((expected, int(remaining)))
    window = [
        d
        for d in (today - timedelta(days=n) for n in range(TRAILING_DAYS, 0, -1))
        if is_working_day(d, catalog.workshop)
    ]
    usage: dict[int, dict] = {}
    for component_id, quantity, started in db.session.execute(
        select(PartLine.component_id, PartLine.quantity, WorkOrder.assembly_started_at)
        .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
        .where(
            PartLine.state == PartLineState.CONSUMED,
            WorkOrder.assembly_started_at >= now - timedelta(days=TRAILING_DAYS + 1),
        )
    ):
        day = local_date(started, catalog.timezone)
        per_day = usage.setdefault(component_id, {})
        per_day[day] = per_day.get(day, 0) + quantity
    results = []
    for c in db.session.scalars(select(Component).order_by(Component.sku)):
        incoming = tuple(sorted(arrivals.get(c.id, ())))
        position = StockPosition(
            sku=c.sku,
            name=c.name,
            lead_time_days=c.lead_time_days,
            on_hand=c.on_hand,
            reserved=c.reserved,
            awaiting=int(awaiting.get(c.id, 0)),
            on_order=sum(q for _, q in incoming),
            arrivals=incoming,
            daily_usage=tuple(usage.get(c.id, {}).get(d, 0) for d in window),
        )
        results.append(forecast(position, catalog.workshop, today))
    return results


def promise_accuracy() -> tuple[list[Accuracy], Accuracy]:
    """On-time delivery, days early or late, and quoted versus actual lead time, per delivery month."""
    tz = live_catalog().timezone
    rows = db.session.execute(
        select(Order.paid_at, Order.promised_earliest, Order.promised_latest, WorkOrder.delivered_at)
        .join(WorkOrder, WorkOrder.order_id == Order.id)
        .where(WorkOrder.delivered_at.is_not(None))
    )
    return by_month(
        Delivery(local_date(paid, tz), earliest, latest, local_date(delivered, tz))
        for paid, earliest, latest, delivered in rows
    )
