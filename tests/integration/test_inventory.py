"""Receiving supplier deliveries, first come first served by payment time, and re-planning on supplier dates."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Component, OutboxMessage, PartLine, PurchaseRequest, WorkOrderEvent
from storefront.services import inventory, workshop
from storefront.services.quote import quote
from tests.support.backoffice import FOLDING_BUILD, fresh
from tests.support.reliability import planned_in


def folding_orders(order_factory, app_ctx, count: int = 2):
    """`count` orders waiting on the folding frame, paid an hour apart, each with its own purchase request."""
    start = app_ctx.config["FIXED_NOW"] - timedelta(hours=count)
    orders = [
        order_factory(FOLDING_BUILD, now=start + timedelta(hours=i), email=f"rider{i}@example.com")
        for i in range(count)
    ]
    return orders


def frame_line(order) -> PartLine:
    db.session.expire_all()
    return db.session.scalar(
        select(PartLine)
        .join(Component)
        .where(PartLine.work_order_id == order.work_order.id, Component.sku == "FRAME-FD")
    )


def test_a_delivery_goes_to_the_earliest_payer_whichever_request_it_was_booked_against(order_factory, app_ctx):
    first, second = folding_orders(order_factory, app_ctx)
    first_request, second_request = frame_line(first).purchase_request_id, frame_line(second).purchase_request_id
    assert first_request != second_request

    receipt = inventory.receive(second_request, 1, staff_id=None)

    assert receipt.reserved_for == [first.number] and receipt.now_ready == [first.number]
    assert frame_line(first).state == "reserved"
    assert frame_line(second).state == "awaiting"
    assert frame_line(second).purchase_request_id == first_request  # still promised from a delivery to come
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    assert (frame.on_hand, frame.reserved) == (1, 1)
    assert fresh(db.session.get(PurchaseRequest, second_request)).status == "received"


def test_receiving_more_than_is_waiting_leaves_the_rest_available(order_factory, app_ctx):
    (only,) = folding_orders(order_factory, app_ctx, 1)
    request = db.session.get(PurchaseRequest, frame_line(only).purchase_request_id)
    request.quantity = 3
    db.session.commit()
    inventory.receive(request.id, 3, staff_id=None)
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    assert (frame.on_hand, frame.reserved, frame.available) == (3, 1, 2)


def test_a_partial_delivery_serves_payers_in_order(order_factory, app_ctx):
    orders = folding_orders(order_factory, app_ctx, 3)
    request = db.session.get(PurchaseRequest, frame_line(orders[2]).purchase_request_id)
    request.quantity = 2
    db.session.commit()
    inventory.receive(request.id, 2, staff_id=None)
    assert [frame_line(o).state for o in orders] == ["reserved", "reserved", "awaiting"]
    events = db.session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.action == "parts_reserved")).all()
    assert len(events) == 2 and all(not e.customer_visible for e in events)


@pytest.mark.parametrize("quantity", [0, -1, 2])
def test_a_quantity_outside_one_to_remaining_is_refused(order_factory, app_ctx, quantity):
    (only,) = folding_orders(order_factory, app_ctx, 1)
    request_id = frame_line(only).purchase_request_id
    with pytest.raises(inventory.InventoryError, match="between 1 and 1"):
        inventory.receive(request_id, quantity, staff_id=None)
    assert fresh(db.session.get(PurchaseRequest, request_id)).received_quantity == 0
    assert db.session.scalar(select(Component.on_hand).where(Component.sku == "FRAME-FD")) == 0


def test_a_later_supplier_date_replans_and_tells_the_customer_without_touching_the_promise(order_factory, app_ctx):
    (order,) = folding_orders(order_factory, app_ctx, 1)
    request = db.session.get(PurchaseRequest, frame_line(order).purchase_request_id)
    promised = (order.promised_earliest, order.promised_latest)
    old_forecast, old_assembly = order.forecast_earliest, order.work_order.planned_assembly_date
    new_date = request.expected_date + timedelta(days=14)

    moved = inventory.change_expected_date(request.id, new_date, "factory closed for a week", staff_id=None)

    order = fresh(order)
    assert moved == [order.number]
    assert order.forecast_earliest > old_forecast
    assert order.forecast_reason == "supplier delay: factory closed for a week"
    assert (order.promised_earliest, order.promised_latest) == promised
    assert order.work_order.planned_parts_date == planned_in(new_date, request.original_expected_date)
    assert order.work_order.planned_assembly_date > old_assembly
    request = fresh(request)
    assert request.delay_reason == "factory closed for a week" and request.original_expected_date < new_date
    (mail,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("wo-event:")))
    assert "new delivery estimate" in mail.subject and "factory closed for a week" in mail.body_text


def test_a_date_change_needs_a_reason_and_a_date_not_in_the_past(order_factory, app_ctx):
    (order,) = folding_orders(order_factory, app_ctx, 1)
    request_id = frame_line(order).purchase_request_id
    with pytest.raises(inventory.InventoryError, match="reason"):
        inventory.change_expected_date(request_id, date(2027, 1, 4), "  ", staff_id=None)
    with pytest.raises(inventory.InventoryError, match="past"):
        inventory.change_expected_date(request_id, date(2026, 11, 1), "typo", staff_id=None)
    assert fresh(db.session.get(PurchaseRequest, request_id)).delay_reason is None


def test_a_lead_time_must_be_a_positive_whole_number(app_ctx):
    component = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    assert inventory.set_lead_time(component.id, 9).lead_time_days == 9
    for days in (0, -3, 366):
        with pytest.raises(inventory.InventoryError):
            inventory.set_lead_time(component.id, days)
    assert fresh(component).lead_time_days == 9


def test_a_replenishment_order_is_stock_the_next_quote_can_promise(app_ctx):
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    arriving = date(2026, 12, 9)
    before = quote(FOLDING_BUILD, date(2026, 12, 1)).estimate.parts_ready

    request = inventory.create_purchase_request(frame.id, 5, arriving)

    request = fresh(request)
    assert (request.status, request.quantity, request.received_quantity) == ("open", 5, 0)
    assert request.expected_date == request.original_expected_date == arriving
    after = quote(FOLDING_BUILD, date(2026, 12, 1)).estimate.parts_ready
    assert after == planned_in(arriving) < before


@pytest.mark.parametrize(("quantity", "expected", "message"), [(0, date(2026, 12, 9), "between"),
                                                                (3, date(2026, 11, 30), "past")])  # fmt: skip
def test_a_replenishment_order_needs_a_quantity_and_a_date_not_in_the_past(app_ctx, quantity, expected, message):
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    with pytest.raises(inventory.InventoryError, match=message):
        inventory.create_purchase_request(frame.id, quantity, expected)
    assert db.session.scalar(select(func.count()).select_from(PurchaseRequest)) == 0


def test_an_early_delivery_replans_the_waiting_order_sooner(order_factory, app_ctx):
    (order,) = folding_orders(order_factory, app_ctx, 1)
    request_id = frame_line(order).purchase_request_id
    planned_before = order.work_order.planned_assembly_date
    forecast_before = order.forecast_earliest

    inventory.receive(request_id, 1, staff_id=None)

    order = fresh(order)
    assert frame_line(order).state == "reserved"
    assert order.work_order.planned_assembly_date < planned_before
    assert order.forecast_earliest < forecast_before
    assert (order.promised_earliest, order.promised_latest) != (order.forecast_earliest, order.forecast_latest)


def test_a_cancelled_orders_part_goes_first_to_the_earliest_paid_order_waiting_for_it(app_ctx, order_factory):
    last_750 = {"frame": ["step-through"], "motor": ["mid-750"], "battery": ["b400"], "color": ["graphite"]}
    first = order_factory(last_750, email="first@example.com")  # takes the last 750 W motor in stock
    second = order_factory(last_750, email="second@example.com", now=app_ctx.config["FIXED_NOW"] + timedelta(minutes=1))
    third = order_factory(last_750, email="third@example.com", now=app_ctx.config["FIXED_NOW"] + timedelta(minutes=2))

    def motor_line(order):
        return next(line for line in fresh(order).work_order.parts if line.component.sku == "MOT-M750")

    assert motor_line(second).state == motor_line(third).state == "awaiting"
    waiting_forecast = fresh(second).forecast_latest

    workshop.cancel(first.work_order.id, version=fresh(first).work_order.version, staff_id=None)

    assert motor_line(second).state == "reserved" and motor_line(second).purchase_request_id is None
    assert motor_line(third).state == "awaiting"  # paid later: it keeps waiting for the supplier
    assert fresh(second).forecast_latest < waiting_forecast  # the freed motor moved its delivery earlier
    motor = db.session.scalar(select(Component).where(Component.sku == "MOT-M750"))
    assert motor.reserved == motor.on_hand == 1  # nothing left over for a new quote to promise
    new_buyer = quote(last_750, date(2026, 12, 1)).estimate.steps
    assert next(step for step in new_buyer if step.sku == "MOT-M750").detail != "in stock"
