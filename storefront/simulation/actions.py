"""What the workshop does, as small functions the simulator calls (none commits; the caller re-plans and commits).

They mirror the back office's stage changes, receiving and supplier date changes, so they can later be pointed
at those services: assembly consumes reserved parts (on hand and reserved both drop); receiving adds stock and
reserves awaiting lines first come first served by payment time; every stage change stamps its time and writes
a WorkOrderEvent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Component, Order, PartLine, PurchaseRequest, WorkOrder, WorkOrderEvent

STAMPS = {"assembly": "assembly_started_at", "testing": "testing_started_at", "shipping": "shipping_started_at"}
STAMPS |= {"shipped": "shipped_at", "delivered": "delivered_at", "cancelled": "cancelled_at"}


def move(wo: WorkOrder, to_stage: str, now: datetime, action: str = "stage", note: str | None = None) -> None:
    """Change stage, stamp the time and record the event."""
    db.session.add(
        WorkOrderEvent(work_order=wo, at=now, action=action, from_stage=wo.stage, to_stage=to_stage, note=note)
    )
    wo.stage, wo.stage_entered_at = to_stage, now
    setattr(wo, STAMPS[to_stage], now)


def start_assembly(wo: WorkOrder, now: datetime) -> None:
    """Sourcing to assembly: every reserved part is consumed from stock."""
    for line in wo.parts:
        if line.state == "reserved":
            line.component.on_hand -= line.quantity
            line.component.reserved -= line.quantity
            line.state = "consumed"
    move(wo, "assembly", now)


def finish_assembly(wo: WorkOrder, now: datetime) -> None:
    move(wo, "testing", now)


def record_test(wo: WorkOrder, passed: bool, now: datetime) -> None:
    """A passed test readies the bike for shipping; a failed one sends it back to assembly for rework."""
    if passed:
        move(wo, "shipping", now, action="test_passed")
    else:
        move(wo, "assembly", now, action="rework", note="Failed a test; back to assembly.")
        wo.test_round += 1


def ship(wo: WorkOrder, now: datetime) -> None:
    move(wo, "shipped", now)


def deliver(wo: WorkOrder, now: datetime) -> None:
    move(wo, "delivered", now)


def all_parts_reserved(wo: WorkOrder) -> bool:
    return all(line.state in ("reserved", "consumed") for line in wo.parts)


def change_supplier_date(request: PurchaseRequest, new_date: date, reason: str) -> None:
    request.expected_date, request.delay_reason = new_date, reason


def receive(request: PurchaseRequest, now: datetime) -> list[PartLine]:
    """Book a whole delivery into stock, then reserve the lines waiting for it, then other waiting lines.

    Both in order of payment. Returns the lines reserved.
    """
    component: Component = request.component
    component.on_hand += request.quantity - request.received_quantity
    request.received_quantity, request.status = request.quantity, "received"
    waiting = db.session.scalars(
        select(PartLine)
        .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
        .join(Order, Order.id == WorkOrder.order_id)
        .where(PartLine.component_id == component.id, PartLine.state == "awaiting")
        .order_by((PartLine.purchase_request_id != request.id), Order.paid_at, PartLine.id)
    ).all()
    reserved = []
    for line in waiting:
        if component.on_hand - component.reserved < line.quantity:
            break
        component.reserved += line.quantity
        line.state, line.reserved_at = "reserved", now
        reserved.append(line)
    return reserved


def reorder(component: Component, quantity: int, expected: date) -> PurchaseRequest:
    """A stock replenishment order nobody waits for yet."""
    request = PurchaseRequest(
        component=component, quantity=quantity, expected_date=expected, original_expected_date=expected
    )
    db.session.add(request)
    return request
