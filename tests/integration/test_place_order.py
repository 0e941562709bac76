"""Placing a paid order: order, work order, reservations from stock or purchase requests, one email."""

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Component, OutboxMessage, PartLine, PurchaseRequest
from tests.support.orders import make_paid_order
from tests.support.reliability import planned_in


def test_an_in_stock_build_reserves_every_part(app_ctx):
    order = make_paid_order(app_ctx.config["FIXED_NOW"])
    assert order.number == f"EB-2026-{order.id:05d}"
    assert len(order.status_token) >= 43  # 256 random bits, url-safe
    wo = order.work_order
    assert wo.stage == "sourcing"
    assert {p.state for p in wo.parts} == {"reserved"}
    assert db.session.scalar(select(Component.reserved).where(Component.sku == "FRAME-ST")) == 1
    assert str(order.promised_earliest) == "2026-12-07" and order.forecast_earliest == order.promised_earliest


def test_a_shortfall_becomes_a_purchase_request_with_its_arrival_date(app_ctx):
    build = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}
    order = make_paid_order(app_ctx.config["FIXED_NOW"], build)
    frame = next(p for p in order.work_order.parts if p.component.sku == "FRAME-FD")
    assert frame.state == "awaiting"
    assert frame.purchase_request.expected_date.isoformat() == "2026-12-30"  # 20 working days, Christmas skipped
    ready = planned_in(frame.purchase_request.expected_date)
    assert order.work_order.planned_assembly_date == ready


def test_the_last_unit_goes_to_the_first_payer_and_the_next_gets_a_purchase_request(app_ctx):
    build = {"frame": ["step-through"], "motor": ["mid-750"], "battery": ["b400"], "color": ["graphite"]}
    first = make_paid_order(app_ctx.config["FIXED_NOW"], build)
    second = make_paid_order(app_ctx.config["FIXED_NOW"], build, email="bob@example.com")
    states = [next(p.state for p in o.work_order.parts if p.component.sku == "MOT-M750") for o in (first, second)]
    assert states == ["reserved", "awaiting"]
    motor = db.session.scalar(select(Component).where(Component.sku == "MOT-M750"))
    assert motor.reserved == motor.on_hand == 1
    assert db.session.scalar(select(func.count()).select_from(PurchaseRequest)) == 1


def test_each_order_queues_one_confirmation_with_its_status_link(app_ctx):
    order = make_paid_order(app_ctx.config["FIXED_NOW"])
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1
    assert messages[0].to_email == "ada@example.com"
    assert f"/orders/{order.status_token}" in messages[0].body_text
    assert db.session.scalar(select(func.count()).select_from(PartLine)) == 4


def test_a_cached_quote_is_recomputed_once_an_order_takes_the_last_unit(app_ctx):
    client = app_ctx.test_client()
    url = "/api/quote?frame=step-through&motor=mid-750&battery=b400&color=graphite"
    before = client.get(url).get_json()["estimate"]
    assert client.get(url).get_json()["estimate"] == before  # served from the cache
    build = {"frame": ["high-step"], "motor": ["mid-750"], "battery": ["b400"], "color": ["graphite"]}
    make_paid_order(app_ctx.config["FIXED_NOW"], build)
    after = client.get(url).get_json()["estimate"]
    motor = next(s for s in after["steps"] if s["sku"] == "MOT-M750")
    assert motor["detail"].startswith("from supplier, about 18 working days")
    assert after["earliest"] > before["earliest"]
