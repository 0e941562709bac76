"""Stock: the inventory picture, receiving supplier deliveries, lead times and supplier date changes.

Received stock goes to waiting work orders first come, first served by payment time. A changed supplier date
re-plans the work orders waiting on it, and tells their customers when the forecast moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import now, shop_today
from ..domain.stages import StageCode
from ..domain.statuses import PartLineState, PurchaseRequestStatus
from ..extensions import db
from ..models import OPEN_STAGES, Component, Order, PartLine, PurchaseRequest, WorkOrder, WorkOrderEvent
from .catalog import live_catalog
from .notifications import queue_customer_update
from .planning import replan_in_transaction
from .unit_of_work import unit_of_work

MAX_LEAD_TIME_DAYS = 365
MAX_REASON_LENGTH = 255
MAX_ORDER_QUANTITY = 10_000


class InventoryError(ValueError):
    """A receipt, lead time or date that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class StockRow:
    component: Component
    incoming: list[PurchaseRequest]  # open purchase requests, soonest first

    @property
    def on_order(self) -> int:
        return sum(pr.quantity - pr.received_quantity for pr in self.incoming)


@dataclass(frozen=True)
class Receipt:
    received: int
    reserved_for: list[str]  # order numbers that got parts, in allocation order
    now_ready: list[str]  # order numbers whose parts are now all in


def stock_rows() -> list[StockRow]:
    """Every component with its counters and open purchase requests, in two queries."""
    components = db.session.scalars(select(Component).order_by(Component.sku)).all()
    incoming: dict[int, list[PurchaseRequest]] = {}
    for pr in db.session.scalars(
        select(PurchaseRequest)
        .where(PurchaseRequest.status == PurchaseRequestStatus.OPEN)
        .order_by(PurchaseRequest.expected_date, PurchaseRequest.id)
    ):
        incoming.setdefault(pr.component_id, []).append(pr)
    return [StockRow(c, incoming.get(c.id, [])) for c in components]


def receive(purchase_request_id: int, quantity: int, *, staff_id: int | None) -> Receipt:
    """Add a delivery to stock and hand it to waiting work orders, earliest payment first."""
    with unit_of_work():
        request = db.session.scalar(
            select(PurchaseRequest).where(PurchaseRequest.id == purchase_request_id).with_for_update()
        )
        if request is None or request.status != PurchaseRequestStatus.OPEN:
            raise InventoryError("That purchase request is not open.")
        remaining = request.quantity - request.received_quantity
        if not 1 <= quantity <= remaining:
            raise InventoryError(f"Receive between 1 and {remaining} for this purchase request.")
        # Locking the component serialises receipts of the same part, so a line is never reserved twice.
        component = db.session.scalar(select(Component).where(Component.id == request.component_id).with_for_update())
        request.received_quantity += quantity
        if request.received_quantity == request.quantity:
            request.status = PurchaseRequestStatus.RECEIVED
            request.received_on = shop_today(live_catalog().timezone)  # supplier reliability learns from it
        component.on_hand += quantity
        receipt = _allocate(component, quantity, staff_id)
        if not _rehome_awaiting(component.id):
            replan_in_transaction(now(), cause="parts received")  # ready orders may now go sooner
    return receipt


def hand_out_freed(component_ids: list[int], staff_id: int | None) -> list[str]:
    """Stock freed by a cancellation goes first to paid orders waiting for it, in payment order (no commit);
    only what is left is free for new quotes. Returns the order numbers that got parts."""
    served = []
    for component_id in sorted(set(component_ids)):
        component = db.session.scalar(
            select(Component)
            .where(Component.id == component_id)
            .with_for_update()
            .execution_options(populate_existing=True)  # the release above changed the counters in SQL
        )
        served += _allocate(component, 0, staff_id).reserved_for
    return served


def _allocate(component: Component, received: int, staff_id: int | None) -> Receipt:
    """Reserve free stock for awaiting lines of this component, first paid first served; stop at the first misfit."""
    lines = db.session.scalars(
        select(PartLine)
        .join(WorkOrder, PartLine.work_order_id == WorkOrder.id)
        .join(Order, WorkOrder.order_id == Order.id)
        .where(
            PartLine.component_id == component.id,
            PartLine.state == PartLineState.AWAITING,
            WorkOrder.stage == StageCode.SOURCING,
        )
        .order_by(Order.paid_at, Order.id, PartLine.id)
        .options(
            selectinload(PartLine.work_order).selectinload(WorkOrder.parts),
            selectinload(PartLine.work_order).selectinload(WorkOrder.order),
        )
    ).all()
    moment = now()
    reserved_for, now_ready = [], []
    for line in lines:
        if component.on_hand - component.reserved < line.quantity:
            break
        component.reserved += line.quantity
        line.state, line.reserved_at, line.purchase_request_id = PartLineState.RESERVED, moment, None
        work_order = line.work_order
        ready = all(part.state == PartLineState.RESERVED for part in work_order.parts)
        note = f"{component.name} received and reserved." + (" All parts are in: ready for assembly." if ready else "")
        _internal_event(work_order, staff_id, "parts_reserved", note, moment)
        reserved_for.append(work_order.order.number)
        if ready:
            now_ready.append(work_order.order.number)
    return Receipt(received, reserved_for, now_ready)


def _rehome_awaiting(component_id: int) -> bool:
    """Point the lines still waiting at the open deliveries in payment order, soonest delivery first.

    Receiving serves the earliest payer whichever request the delivery was booked against, so the
    remaining promises are redrawn to keep every request's promised quantity within what it still brings.
    """
    requests = db.session.scalars(
        select(PurchaseRequest)
        .where(PurchaseRequest.component_id == component_id, PurchaseRequest.status == PurchaseRequestStatus.OPEN)
        .order_by(PurchaseRequest.expected_date, PurchaseRequest.id)
    ).all()
    free = {pr.id: pr.quantity - pr.received_quantity for pr in requests}
    lines = db.session.scalars(
        select(PartLine)
        .join(WorkOrder, PartLine.work_order_id == WorkOrder.id)
        .join(Order, WorkOrder.order_id == Order.id)
        .where(PartLine.component_id == component_id, PartLine.state == PartLineState.AWAITING)
        .order_by(Order.paid_at, Order.id, PartLine.id)
    ).all()
    moved = set()
    for line in lines:
        target = next((pr for pr in requests if free[pr.id] >= line.quantity), None)
        if target is None:
            continue  # more promised than is coming: leave the line where it was
        free[target.id] -= line.quantity
        if line.purchase_request_id != target.id:
            line.purchase_request_id = target.id
            moved.add(line.work_order_id)
    if moved:
        db.session.flush()
        replan_and_explain(sorted(moved), reason=None)
    return bool(moved)


def set_lead_time(component_id: int, days: int) -> Component:
    """Change a component's supplier lead time in working days (new purchase requests use it)."""
    if not 1 <= days <= MAX_LEAD_TIME_DAYS:
        raise InventoryError(f"The lead time is a whole number of working days from 1 to {MAX_LEAD_TIME_DAYS}.")
    with unit_of_work():
        component = db.session.get(Component, component_id)
        if component is None:
            raise InventoryError("No such component.")
        component.lead_time_days = days
    return component


SUPPLIER_HORIZON = timedelta(days=730)


def _check_horizon(expected: date, today: date) -> None:
    """A supplier date years away is a typing slip (9999-12-31, say), and the plan cannot count that far."""
    if expected > today + SUPPLIER_HORIZON:
        raise InventoryError(f"The expected date must be within two years, by {today + SUPPLIER_HORIZON:%d %b %Y}.")


def change_expected_date(purchase_request_id: int, expected: date, reason: str, *, staff_id: int | None) -> list[str]:
    """Move a supplier delivery, re-plan the work orders waiting on it; returns the orders whose forecast moved."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise InventoryError(f"Give the supplier's reason (up to {MAX_REASON_LENGTH} characters).")
    with unit_of_work():
        request = db.session.scalar(
            select(PurchaseRequest).where(PurchaseRequest.id == purchase_request_id).with_for_update()
        )
        if request is None or request.status != PurchaseRequestStatus.OPEN:
            raise InventoryError("That purchase request is not open.")
        catalog = live_catalog()
        if expected < shop_today(catalog.timezone):
            raise InventoryError("The new expected date cannot be in the past.")
        _check_horizon(expected, shop_today(catalog.timezone))
        later = expected > request.expected_date
        request.expected_date, request.delay_reason = expected, reason
        db.session.flush()
        waiting = db.session.scalars(
            select(PartLine.work_order_id).where(
                PartLine.purchase_request_id == request.id, PartLine.state == PartLineState.AWAITING
            )
        ).all()
        customer_reason = f"supplier delay: {reason}" if later else f"supplier delivery moved earlier: {reason}"
        moved = replan_and_explain(sorted(set(waiting)), reason=customer_reason, staff_id=staff_id)
    return moved


def create_purchase_request(component_id: int, quantity: int, expected: date) -> PurchaseRequest:
    """Order stock from the supplier that nobody waits for yet; quotes can promise it from `expected` on."""
    if not 1 <= quantity <= MAX_ORDER_QUANTITY:
        raise InventoryError(f"Order between 1 and {MAX_ORDER_QUANTITY} units.")
    with unit_of_work():
        if db.session.get(Component, component_id) is None:
            raise InventoryError("No such component.")
        if expected < shop_today(live_catalog().timezone):
            raise InventoryError("The expected date cannot be in the past.")
        _check_horizon(expected, shop_today(live_catalog().timezone))
        request = PurchaseRequest(
            component_id=component_id, quantity=quantity, expected_date=expected, original_expected_date=expected
        )
        db.session.add(request)
    return request


def replan_and_explain(work_order_ids: list[int], *, reason: str | None, staff_id: int | None = None) -> list[str]:
    """Re-plan the whole workshop, then explain these work orders' moves to their customers (no commit).

    With a `reason` (a supplier's delay, say), customers whose forecast newly passes their promised latest day
    get an update with it; without one, the planner's own slip emails speak for it. Returns the order numbers
    whose forecast moved.
    """
    if not work_order_ids:
        return []
    work_orders = db.session.scalars(
        select(WorkOrder)
        .where(WorkOrder.id.in_(work_order_ids), WorkOrder.stage.in_(OPEN_STAGES))
        .options(selectinload(WorkOrder.order))
    ).all()
    before = {wo.id: (wo.order.forecast_earliest, wo.order.forecast_latest) for wo in work_orders}
    explained = {wo.id: reason[:MAX_REASON_LENGTH] for wo in work_orders} if reason else None
    moment = now()
    result = replan_in_transaction(moment, cause=reason or "parts moved", explained=explained)
    moved = []
    for work_order in work_orders:
        order = work_order.order
        if (order.forecast_earliest, order.forecast_latest) == before[work_order.id]:
            _internal_event(
                work_order,
                staff_id,
                "replanned",
                f"Plan checked: {reason or 'parts moved'}; forecast unchanged.",
                moment,
            )
            continue
        moved.append(order.number)
        note = f"New delivery estimate: {order.forecast_earliest:%a %d %b} to {order.forecast_latest:%a %d %b %Y}"
        if reason is None or order.id not in result.late_explained:
            # customers hear only of a forecast past their promise (and, from the planner, when back inside it)
            _internal_event(work_order, staff_id, "replanned", f"{note} ({reason or 'parts moved'}).", moment)
            continue
        event = _event(work_order, staff_id, "forecast", f"{note} ({order.forecast_reason}).", moment, visible=True)
        db.session.flush()
        queue_customer_update(order, event)
    return moved


def _internal_event(work_order: WorkOrder, staff_id: int | None, action: str, note: str, moment) -> WorkOrderEvent:
    return _event(work_order, staff_id, action, note, moment, visible=False)


def _event(
    work_order: WorkOrder, staff_id: int | None, action: str, note: str, moment, *, visible: bool
) -> WorkOrderEvent:
    """Record the change and bump the work order's version (its status page ETag moves too)."""
    work_order.updated_at = moment
    event = WorkOrderEvent(
        work_order=work_order, at=moment, staff_id=staff_id, action=action, note=note, customer_visible=visible
    )
    db.session.add(event)
    return event
