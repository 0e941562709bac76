"""Placing a paid order: Order, WorkOrder, part reservations or purchase requests, and the confirmation email.

`place_order` runs inside the caller's transaction (fulfilment owns it), so everything here is written
together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update

from ..domain.calendar import add_working_days
from ..domain.catalog import Catalog
from ..domain.planning import REASON_PROMISE_MOVED as PROMISE_MOVED
from ..domain.stages import StageCode
from ..domain.statuses import PartLineState, PurchaseRequestStatus
from ..extensions import db
from ..mail.outbox import enqueue_mail
from ..models import Checkout, Component, Order, PartLine, PurchaseRequest, WorkOrder, WorkOrderEvent
from .capacity import book_assembly
from .catalog import order_day_at
from .charges import legacy_charges
from .links import calendar_url, new_secret_token, status_url
from .planning import replan_in_transaction


def place_order(
    checkout: Checkout,
    catalog: Catalog,
    *,
    session_id: str,
    payment_reference: str | None,
    paid_at: datetime,
    charges: dict[str, Any] | None = None,
) -> Order:
    """Create the order and everything that hangs off it for a paid checkout (no commit here).

    `charges` is what the provider charged (services/charges.py); by default the checkout's frozen charges."""
    today = order_day_at(paid_at, catalog)
    snapshot = checkout.snapshot
    charges = charges or snapshot.get("charges") or legacy_charges(checkout.total_cents)
    token, digest = new_secret_token()
    order = Order(
        checkout_id=checkout.id,
        stripe_session_id=session_id,
        payment_reference=payment_reference,
        status_token=token,
        status_token_hash=digest,
        customer_name=checkout.customer_name,
        email=checkout.email,
        phone=checkout.phone,
        address=checkout.address,
        build=snapshot["build"],
        lines=snapshot["lines"],
        total_cents=charges["total_cents"],
        subtotal_cents=charges["subtotal_cents"],
        shipping_cents=charges["shipping"]["cents"],
        tax_cents=charges["tax"]["cents"] or 0,
        charges=charges,
        currency=checkout.currency,
        promised_earliest=date.fromisoformat(snapshot["estimate"]["earliest"]),
        promised_latest=date.fromisoformat(snapshot["estimate"]["latest"]),
        forecast_earliest=date.fromisoformat(snapshot["estimate"]["earliest"]),
        forecast_latest=date.fromisoformat(snapshot["estimate"]["latest"]),
        paid_at=paid_at,
        test_mode=checkout.provider == "test",
    )
    db.session.add(order)
    db.session.flush()
    order.number = f"EB-{today.year}-{order.id:05d}"

    parts, parts_ready = _allocate(snapshot["components"], today, paid_at, catalog)
    plan = book_assembly(parts_ready, today, catalog)
    work_order = WorkOrder(
        order=order,
        stage=StageCode.SOURCING,
        stage_entered_at=paid_at,
        planned_parts_date=plan.parts_ready,
        planned_assembly_date=plan.assembly,
        planned_testing_date=plan.testing,
        planned_ship_date=plan.ships,
        planned_delivery_date=plan.earliest,
        parts=parts,
    )
    db.session.add(work_order)
    order.forecast_earliest, order.forecast_latest = plan.earliest, plan.latest
    quoted_latest = order.promised_latest
    if plan.latest > quoted_latest:
        # Orders paid since the quote took its slot: the re-plan below must rank this order by the day it
        # could really book, or it would take back a slot that an order paid before it was promised.
        order.promised_earliest, order.promised_latest = plan.earliest, plan.latest
    db.session.add(
        WorkOrderEvent(
            work_order=work_order,
            at=paid_at,
            action="created",
            to_stage=StageCode.SOURCING,
            note="Payment received; order placed.",
            customer_visible=True,
        )
    )
    db.session.flush()  # the work order's id names it to the planner
    replan_in_transaction(paid_at, cause="payment", explained={work_order.id: PROMISE_MOVED})
    _promise_what_the_plan_keeps(order, quoted_latest)
    _queue_confirmation(order, catalog)
    return order


def _promise_what_the_plan_keeps(order: Order, quoted_latest: date) -> None:
    """The promise is the plan at payment. When orders paid in between took the quoted slot, that is a later
    window, and the confirmation page and email say why. When the plan keeps an earlier one (a slot freed, or
    the new order ranked ahead of one promised later), the earlier window is promised: the quote's would only
    be padding."""
    order.promised_earliest, order.promised_latest = order.forecast_earliest, order.forecast_latest
    if order.promised_latest > quoted_latest:
        order.forecast_reason = PROMISE_MOVED
    elif order.forecast_reason == PROMISE_MOVED:
        order.forecast_reason = None
    order.slip_notified_latest = None  # the promise is the plan at payment: nothing to be told of


def _allocate(components: dict[str, int], today: date, now: datetime, catalog: Catalog):
    """Reserve each component from stock, or put it on a purchase request. Returns lines and parts date."""
    rows = db.session.scalars(select(Component).where(Component.sku.in_(components)).order_by(Component.id)).all()
    lines, parts_ready = [], today
    for component in rows:
        quantity = components[component.sku]
        if _reserve(component.id, quantity):
            lines.append(
                PartLine(component_id=component.id, quantity=quantity, state=PartLineState.RESERVED, reserved_at=now)
            )
            continue
        request = _unpromised_delivery(component.id, quantity) or _purchase_request_for(
            component, quantity, today, catalog
        )
        lines.append(
            PartLine(
                component_id=component.id, quantity=quantity, state=PartLineState.AWAITING, purchase_request=request
            )
        )
        parts_ready = max(parts_ready, request.expected_date)
    return lines, parts_ready


def _reserve(component_id: int, quantity: int) -> bool:
    """Atomically reserve stock; the WHERE clause makes two buyers of the last unit get one each at most."""
    result = db.session.execute(
        update(Component)
        .where(Component.id == component_id, Component.on_hand - Component.reserved >= quantity)
        .values(reserved=Component.reserved + quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _unpromised_delivery(component_id: int, quantity: int) -> PurchaseRequest | None:
    """The earliest open supplier delivery with `quantity` units nobody waits for yet (the quote counted it too)."""
    promised = (
        select(func.coalesce(func.sum(PartLine.quantity), 0))
        .where(PartLine.purchase_request_id == PurchaseRequest.id, PartLine.state == PartLineState.AWAITING)
        .scalar_subquery()
    )
    return db.session.scalars(
        select(PurchaseRequest)
        .where(
            PurchaseRequest.component_id == component_id,
            PurchaseRequest.status == PurchaseRequestStatus.OPEN,
            PurchaseRequest.quantity - PurchaseRequest.received_quantity - promised >= quantity,
        )
        .order_by(PurchaseRequest.expected_date, PurchaseRequest.id)
        .limit(1)
        .with_for_update()
    ).first()


def _purchase_request_for(component: Component, quantity: int, today: date, catalog: Catalog) -> PurchaseRequest:
    """A new supplier order for the shortfall, arriving after the component's lead time."""
    expected = add_working_days(today, component.lead_time_days, catalog.workshop)
    request = PurchaseRequest(
        component_id=component.id, quantity=quantity, expected_date=expected, original_expected_date=expected
    )
    db.session.add(request)
    return request


def _queue_confirmation(order: Order, catalog: Catalog) -> None:
    enqueue_mail(
        order.email,
        f"Order {order.number} confirmed",
        "order_confirmed",
        f"order-confirmed:{order.id}",
        order=order,
        status_link=status_url(order),
        shop_name=catalog.shop_name,
        calendar_link=calendar_url(order),
    )
