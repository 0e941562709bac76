"""Promises kept honest: set at payment from the plan, slips told once, and good news after bad."""

import uuid
from datetime import date, timedelta

from sqlalchemy import select

from storefront.domain.leadtime import schedule_from
from storefront.extensions import db
from storefront.models import Order, OutboxMessage, PurchaseRequest, WorkOrderEvent
from storefront.services.catalog import live_catalog
from storefront.services.orders import place_order
from storefront.services.planning import replan, set_capacity
from tests.support.orders import make_checkout
from tests.support.tracker import move_to

FOLDING = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}


def pay(checkout, now) -> Order:
    checkout.status = "fulfilled"
    checkout.stripe_session_id = session_id = f"cs_test_{uuid.uuid4().hex}"
    order = place_order(checkout, live_catalog(), session_id=session_id, payment_reference="pi_x", paid_at=now)
    db.session.commit()
    return order


def test_four_orders_paid_between_checkout_and_payment_move_the_promise_to_what_the_plan_keeps(app_ctx, order_factory):
    now = app_ctx.config["FIXED_NOW"]
    checkout = make_checkout(now, email="late@example.com")  # quoted today's slot: capacity 4, nothing booked
    quoted_latest = checkout.snapshot["estimate"]["latest"]
    for n in range(4):
        order_factory(email=f"quick{n}@example.com")  # they pay first and take every slot of the day
    order = pay(checkout, now)
    assert order.promised_latest.isoformat() > quoted_latest
    assert (order.promised_earliest, order.promised_latest) == (order.forecast_earliest, order.forecast_latest)
    assert order.promise_moved_at_payment
    confirmation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"order-confirmed:{order.id}")
    )
    assert f"{order.promised_latest:%a %d %b %Y}" in confirmation.body_text
    assert (
        "later than your quote: the workshop's plan moved between your quote and your payment" in confirmation.body_text
    )
    slips = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("slip:%"))
    assert db.session.scalars(slips).all() == []  # the new promise is kept: nothing to apologise for


def test_a_plan_that_moved_earlier_before_payment_promises_the_earlier_window(app_ctx, order_factory):
    """The promise is the plan at payment either way: a slot freed between checkout and payment is promised,
    not hidden behind the quote as padding."""
    now = app_ctx.config["FIXED_NOW"]
    for n in range(4):
        order_factory(email=f"first{n}@example.com")  # they take every slot of the day
    checkout = make_checkout(now, email="patient@example.com")  # so the quote is a day later
    set_capacity(5, now)  # the workshop takes on a fifth bench before the customer pays
    order = pay(checkout, now)
    assert order.promised_latest.isoformat() < checkout.snapshot["estimate"]["latest"]
    assert (order.promised_earliest, order.promised_latest) == (order.forecast_earliest, order.forecast_latest)
    assert not order.promise_moved_at_payment  # nothing later to explain


def test_a_quote_that_still_holds_at_payment_is_the_promise(app_ctx):
    now = app_ctx.config["FIXED_NOW"]
    checkout = make_checkout(now)
    order = pay(checkout, now)
    assert order.promised_latest.isoformat() == checkout.snapshot["estimate"]["latest"]
    assert not order.promise_moved_at_payment


def test_a_customer_told_of_a_slip_hears_once_when_back_on_track_and_the_page_shows_it(app_ctx, order_factory):
    now = app_ctx.config["FIXED_NOW"]
    order = order_factory(FOLDING)
    request = db.session.scalar(select(PurchaseRequest))
    first = request.expected_date
    request.expected_date = first + timedelta(days=14)
    db.session.commit()
    slipped = replan(now, cause="supplier date changed")
    assert slipped.slipped == (order.id,)
    assert replan(now).slipped == ()  # one notice per real change
    request = db.session.get(PurchaseRequest, request.id)
    request.expected_date = first
    db.session.commit()

    result = replan(now, cause="supplier back on schedule")
    assert result.back_on_track == (order.id,)
    assert replan(now).back_on_track == ()  # once
    order = db.session.get(Order, order.id)
    db.session.refresh(order)
    assert order.forecast_latest <= order.promised_latest and order.slip_notified_latest is None
    notes = db.session.scalars(
        select(WorkOrderEvent.note).where(WorkOrderEvent.customer_visible, WorkOrderEvent.action == "forecast")
    ).all()
    assert len(notes) == 1 and notes[0].startswith("Back on track: we now expect your bike")
    assert f"{order.forecast_latest:%a %d %b %Y}" in notes[0]
    emails = db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.to_email == order.email)).all()
    assert sum("new delivery" in s for s in emails) == 2  # the slip, then the good news


def test_a_quote_made_with_learned_door_times_still_holds_at_payment(app_ctx, order_factory):
    now = app_ctx.config["FIXED_NOW"]
    for n in range(10):  # bikes built, tested and delivered within a day: a door time well under the prior's
        move_to(order_factory(email=f"fast{n}@example.com"), "delivered")
    checkout = make_checkout(now)
    prior_only = schedule_from(date(2026, 12, 1), {}, live_catalog().workshop, today=date(2026, 12, 1))
    assert checkout.snapshot["estimate"]["latest"] < prior_only.latest.isoformat()  # the quote learned
    order = pay(checkout, now)
    assert order.promised_latest.isoformat() == checkout.snapshot["estimate"]["latest"]
    assert not order.promise_moved_at_payment
