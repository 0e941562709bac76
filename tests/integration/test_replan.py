"""Re-planning against the database: quotes match plans, forecasts move, promises stay, one email per slip."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Component, OutboxMessage, PurchaseRequest, Setting, WorkOrder
from storefront.services.catalog import CAPACITY_KEY
from storefront.services.plan_version import current_stamp
from storefront.services.planning import InvalidCapacity, replan, set_capacity
from storefront.services.quote import quote
from tests.support.backoffice import fresh
from tests.support.reliability import planned_in
from tests.support.tracker import move_to

FOLDING = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}
TUE = date(2026, 12, 1)


def slip_emails() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("slip:%"))).all()


def test_the_quote_before_payment_is_the_plan_after_it_with_other_orders_booked(app_ctx, order_factory):
    for n in range(6):  # fills today and half of tomorrow
        order_factory(email=f"early{n}@example.com")
    quoted = quote({"frame": ["high-step"], "motor": ["mid-500"], "battery": ["b625"], "color": ["glacier"]}, TUE)
    assert quoted.estimate.assembly == date(2026, 12, 2)
    order = order_factory({"frame": ["high-step"], "motor": ["mid-500"], "battery": ["b625"], "color": ["glacier"]})
    wo = order.work_order
    assert (wo.planned_assembly_date, wo.planned_delivery_date) == (quoted.estimate.assembly, quoted.estimate.earliest)
    assert (order.forecast_earliest, order.forecast_latest) == (quoted.estimate.earliest, quoted.estimate.latest)
    assert (order.promised_earliest, order.promised_latest) == (quoted.estimate.earliest, quoted.estimate.latest)
    assert replan(app_ctx.config["FIXED_NOW"]).moved == 0  # the plan was already consistent


def test_a_supplier_delay_moves_the_forecast_never_the_promise_and_mails_once_per_slip(app_ctx, order_factory):
    bystander = order_factory(email="bystander@example.com")
    order = order_factory(FOLDING)
    promised = (order.promised_earliest, order.promised_latest)
    request = db.session.scalar(select(PurchaseRequest))
    request.expected_date += timedelta(days=14)  # ten working days: late whatever the carrier
    db.session.commit()

    result = replan(app_ctx.config["FIXED_NOW"], cause="supplier date changed")
    db.session.refresh(order)
    assert result.moved == 1 and result.slipped == (order.id,)
    assert (order.promised_earliest, order.promised_latest) == promised
    assert order.forecast_latest > order.promised_latest
    assert order.forecast_reason == "Folding frame delivery from supplier delayed"
    assert order.work_order.planned_assembly_date == planned_in(request.expected_date, request.original_expected_date)
    assert bystander.forecast_reason is None
    (email,) = slip_emails()
    assert email.to_email == order.email and f"/orders/{order.status_token}" in email.body_text
    assert "Folding frame delivery from supplier delayed" in email.body_text

    replan(app_ctx.config["FIXED_NOW"])
    assert len(slip_emails()) == 1  # nothing new: no second email

    request.expected_date += timedelta(days=7)
    db.session.commit()
    replan(app_ctx.config["FIXED_NOW"])
    assert len(slip_emails()) == 2  # a further slip is a new slip


def test_a_forecast_that_recovers_sends_nothing(app_ctx, order_factory):
    order = order_factory(FOLDING)
    request = db.session.scalar(select(PurchaseRequest))
    request.expected_date -= timedelta(days=7)
    db.session.commit()
    replan(app_ctx.config["FIXED_NOW"])
    db.session.refresh(order)
    assert order.forecast_latest < order.promised_latest and order.forecast_reason is None
    assert slip_emails() == []


def test_a_cancellation_frees_its_slot_for_the_next_order(app_ctx, order_factory):
    set_capacity(1, app_ctx.config["FIXED_NOW"])
    first, second, third = (order_factory(email=f"c{n}@example.com") for n in range(3))
    assert third.work_order.planned_assembly_date == date(2026, 12, 3)
    second.work_order.stage = "cancelled"
    db.session.commit()
    replan(app_ctx.config["FIXED_NOW"], cause="cancellation")
    assert third.work_order.planned_assembly_date == date(2026, 12, 2)
    assert first.work_order.planned_assembly_date == TUE


def test_a_failed_test_sends_the_bike_back_with_rework_as_the_reason(app_ctx, order_factory):
    order = order_factory()
    wo = order.work_order
    wo.stage, wo.test_round = "assembly", 2
    db.session.commit()
    replan(app_ctx.config["FIXED_NOW"] + timedelta(days=1), cause="rework")
    db.session.refresh(order)
    assert wo.planned_assembly_date == date(2026, 12, 2)
    assert order.forecast_reason == "rework after a failed test"
    assert order.forecast_earliest <= order.promised_latest < order.forecast_latest
    assert slip_emails() == []  # a day's rework may still make the promise: no alarm until it cannot


def test_capacity_changes_are_validated_stored_and_replanned(app_ctx, order_factory):
    set_capacity(1, app_ctx.config["FIXED_NOW"])
    orders = [order_factory(email=f"k{n}@example.com") for n in range(3)]
    assert orders[2].work_order.planned_assembly_date == date(2026, 12, 3)
    result = set_capacity(4, app_ctx.config["FIXED_NOW"])
    assert result.moved == 2 and db.session.get(Setting, CAPACITY_KEY).value == "4"
    assert {o.work_order.planned_assembly_date for o in orders} == {TUE}
    for bad in (0, 51):
        with pytest.raises(InvalidCapacity):
            set_capacity(bad, app_ctx.config["FIXED_NOW"])
    assert db.session.get(Setting, CAPACITY_KEY).value == "4"


def test_closed_work_orders_hold_no_slot(app_ctx, order_factory):
    order = order_factory()
    order.work_order.stage = "shipped"
    db.session.commit()
    assert replan(app_ctx.config["FIXED_NOW"]).jobs == 0
    assert db.session.scalar(select(func.count()).select_from(WorkOrder)) == 1


def test_an_order_waits_on_the_incoming_delivery_its_quote_counted(app_ctx, order_factory):
    arriving = date(2026, 12, 8)
    frame = db.session.scalar(select(Component).where(Component.sku == "FRAME-FD"))
    db.session.add(
        PurchaseRequest(component=frame, quantity=2, expected_date=arriving, original_expected_date=arriving)
    )
    db.session.commit()
    quoted = quote(FOLDING, TUE)
    ready = planned_in(arriving)  # the prior's lateness after the delivery date
    assert quoted.estimate.assembly == ready
    orders = [order_factory(FOLDING, email=f"f{n}@example.com") for n in range(3)]
    assert [o.work_order.planned_assembly_date for o in orders[:2]] == [ready, ready]
    assert orders[0].forecast_latest == orders[0].promised_latest == quoted.estimate.latest
    new_request = planned_in(date(2026, 12, 30))  # 20 working days, then the prior's lateness
    assert orders[2].work_order.planned_assembly_date == new_request  # the third needs a new supplier order
    assert db.session.scalar(select(func.count()).select_from(PurchaseRequest)) == 2


def test_once_assembly_has_started_a_later_replan_never_plans_the_parts_after_it(app_ctx, paid_order):
    paid_day = paid_order.paid_at
    move_to(paid_order, "assembly")  # staff start within the hour of payment, on Tue 1 Dec
    started = fresh(paid_order).work_order.assembly_started_at
    replan(paid_day + timedelta(days=2), cause="scheduled")  # the nightly re-plan, two days later
    work_order = fresh(paid_order).work_order
    assert work_order.planned_parts_date <= started.date()
    assert work_order.planned_parts_date == date(2026, 12, 1)


def test_an_evening_replan_keeps_todays_list_and_plans_new_orders_from_the_next_working_day(app_ctx, order_factory):
    """Tuesday 09:00 (before the 15:00 cut-off) a paid order is planned into Tuesday. At 20:00 it stays on Tuesday's
    list, not yet started (staff may record the day's builds late), while an order paid then starts on Wednesday,
    as the shop's cut-off does for a new order; the next morning's plan moves the unstarted build on."""
    order = order_factory()
    morning = app_ctx.config["FIXED_NOW"]  # Tue 1 Dec 2026, 09:00 shop time
    replan(morning)
    assert fresh(order.work_order).planned_assembly_date == TUE
    evening = morning + timedelta(hours=11)
    late = order_factory(now=evening, email="evening@example.com")
    replan(evening)
    assert fresh(order.work_order).planned_assembly_date == TUE
    assert fresh(late.work_order).planned_assembly_date == date(2026, 12, 2)
    replan(morning + timedelta(days=1))
    assert fresh(order.work_order).planned_assembly_date == date(2026, 12, 2)


def test_a_replan_that_only_moves_plans_writes_them_back_and_moves_the_plan_stamp(app_ctx, order_factory):
    """The nightly re-plan writes the moved dates in bulk, past the ORM: the dates read back as written, the row's
    `updated_at` moves on, and the plan stamp changes so no cached quote or status keeps the old plan."""
    order = order_factory()
    before = fresh(order.work_order)
    assert before.planned_assembly_date == TUE
    touched, stamp = before.updated_at, current_stamp()
    later = app_ctx.config["FIXED_NOW"] + timedelta(days=7)  # the slot's day has gone by without a start
    assert replan(later, cause="scheduled").moved == 1
    after = fresh(order.work_order)
    assert after.planned_assembly_date == date(2026, 12, 8) and after.planned_parts_date == date(2026, 12, 8)
    assert after.updated_at > touched and after.updated_at.tzinfo is not None
    assert fresh(order).forecast_earliest > order.promised_earliest
    assert current_stamp() != stamp
