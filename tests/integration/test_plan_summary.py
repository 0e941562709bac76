"""The plan summary a quote reads after a plan change: every re-plan writes it with the stamp its commit writes,
it answers exactly as the work orders' booked slots do, and a write that did not re-plan leaves it unused."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from storefront.domain.planning import plan as domain_plan
from storefront.domain.slot_runs import SlotRuns
from storefront.extensions import db
from storefront.models import Component, Order, Setting, WorkOrder
from storefront.services import inventory, plan_summary, planning
from storefront.services.catalog import live_catalog
from storefront.services.plan_version import read_stamp
from storefront.services.planning import (
    ORDER_FORECAST,
    WORK_ORDER_PLAN,
    replan,
    replan_in_transaction,
    set_capacity,
)
from storefront.services.quote import _plans, quote
from storefront.services.reliability import read_history
from storefront.services.supply import booked_slots
from storefront.services.unit_of_work import unit_of_work
from tests.support.backoffice import FOLDING_BUILD
from tests.support.concurrency import at_once
from tests.support.orders import make_paid_order
from tests.support.tracker import move_to

TUE = date(2026, 12, 1)


def summary_now() -> plan_summary.Summary | None:
    db.session.expire_all()
    return plan_summary.read(read_stamp()[1])


def assert_summary_is_the_plan(start: date = TUE) -> None:
    """The summary is there for the current stamp and answers as the work orders' slots do, day by day."""
    summary = summary_now()
    assert summary is not None
    workshop = live_catalog().workshop
    runs, days = SlotRuns(summary.runs, workshop), booked_slots(start)
    assert days, "the test needs booked slots"
    for offset in range(40):
        day = start + timedelta(days=offset)
        for capacity in (1, 2, 4):
            assert runs.first_free(day, capacity, workshop) == days.first_free(day, capacity, workshop), day
        assert runs.between(start, day) == days.between(start, day), day
    assert summary.history == read_history().key


def test_every_service_that_re_plans_leaves_a_summary_that_is_the_plan(app_ctx, order_factory):
    orders = [order_factory(email=f"s{n}@example.com") for n in range(6)]
    assert_summary_is_the_plan()
    waiting = order_factory(FOLDING_BUILD, email="folding@example.com")  # waits for a supplier's frame
    assert_summary_is_the_plan()
    move_to(orders[0], "assembly")  # starts its build: a slot used
    assert_summary_is_the_plan()
    move_to(orders[1], "delivered")  # a delivered bike adds to the learned history
    assert_summary_is_the_plan()
    set_capacity(1, app_ctx.config["FIXED_NOW"])
    assert_summary_is_the_plan()
    request_id = next(line.purchase_request_id for line in waiting.work_order.parts if line.purchase_request_id)
    inventory.receive(request_id, 1, staff_id=None)
    assert_summary_is_the_plan()


def test_a_write_that_did_not_re_plan_leaves_the_summary_unused_until_the_next_re_plan(app_ctx, order_factory):
    for n in range(9):
        order_factory(email=f"w{n}@example.com")
    assert summary_now() is not None
    with unit_of_work():  # moves a booked slot without re-planning, as a data fix by hand would
        work_order = db.session.scalar(select(WorkOrder).order_by(WorkOrder.id.desc()))
        work_order.planned_assembly_date = TUE + timedelta(days=30)
    assert summary_now() is None
    _plans.clear()
    assert quote(FOLDING_BUILD, TUE).valid  # read the long way
    replan(app_ctx.config["FIXED_NOW"])
    assert_summary_is_the_plan()


def test_a_commit_that_changed_nothing_a_plan_depends_on_keeps_the_summary_and_any_other_drops_it(
    app_ctx, order_factory
):
    """The summary follows the stamp through a commit that wrote only what no plan reads (an order's phone, stock,
    an event), and never through one that wrote a setting or a work order's plan without re-planning. A re-plan
    that then changes nothing (no new stamp) writes its summary for the stamp in place."""
    orders = [order_factory(email=f"k{n}@example.com") for n in range(4)]
    kept = summary_now()
    with unit_of_work():
        db.session.get(Order, orders[0].id).phone = "+1 802 555 0100"
        db.session.scalar(select(Component).where(Component.sku == "BAT-400")).on_hand += 3
    assert summary_now() == kept
    with unit_of_work():
        db.session.add(Setting(key="capacity_note", value="a setting written by hand"))
    assert summary_now() is None
    replan(app_ctx.config["FIXED_NOW"])
    assert_summary_is_the_plan()
    with unit_of_work():
        db.session.get(WorkOrder, orders[1].work_order.id).planned_testing_date += timedelta(days=1)
    assert summary_now() is None


def test_a_work_order_written_after_the_re_plan_in_the_same_transaction_drops_its_note(app_ctx, order_factory):
    order_factory()
    with unit_of_work():
        replan_in_transaction(app_ctx.config["FIXED_NOW"], cause="test")
        battery = db.session.scalar(select(Component).where(Component.sku == "BAT-400"))
        battery.on_hand -= 1  # stock is not summarised: quotes read it afresh
    assert summary_now() is not None
    with unit_of_work():
        replan_in_transaction(app_ctx.config["FIXED_NOW"], cause="test")
        work_order = db.session.scalar(select(WorkOrder))
        work_order.planned_assembly_date += timedelta(days=7)  # a slot moved after the re-plan noted it
    assert summary_now() is None


def test_a_quote_from_the_summary_is_the_quote_from_the_work_orders(app_ctx, order_factory, monkeypatch):
    for n in range(10):
        order_factory(email=f"q{n}@example.com")
    order_factory(FOLDING_BUILD, email="folding@example.com")
    assert summary_now() is not None
    _plans.clear()
    from_summary = quote(FOLDING_BUILD, TUE)
    monkeypatch.setattr(plan_summary, "read", lambda stamp: None)  # the long way: slots and history from the tables
    _plans.clear()
    long_way = quote(FOLDING_BUILD, TUE)
    assert (from_summary.estimate, from_summary.options) == (long_way.estimate, long_way.options)


def test_a_re_plan_overtaken_by_another_commit_leaves_no_summary_of_its_older_plan(app_ctx, order_factory, monkeypatch):
    """The nightly re-plan reads the open work orders, and a payment commits (and re-plans) before it writes:
    its summary, written with the newer stamp its own commit makes, lacked the payment's slot, so quotes trusted
    a plan that no longer was. Its commit must keep no summary; quotes then read the long way until the next
    re-plan."""
    for n in range(6):
        order_factory(email=f"r{n}@example.com")
    next_morning = app_ctx.config["FIXED_NOW"] + timedelta(days=1)  # days gone by: the re-plan has dates to write
    overtaken = []

    def plan_then_let_a_payment_commit(*args, **kwargs):
        plans = domain_plan(*args, **kwargs)
        if not overtaken:  # the first call only: the payment re-plans too
            overtaken.append(None)
            overtaken[0] = at_once(app_ctx, [lambda: make_paid_order(next_morning, email="late@example.com")])[0]
        return plans

    monkeypatch.setattr(planning, "plan", plan_then_let_a_payment_commit)
    app_ctx.config["FIXED_NOW"] = next_morning
    replan(next_morning, cause="scheduled")
    assert isinstance(overtaken[0], Order), overtaken[0]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 7
    assert summary_now() is None
    monkeypatch.setattr(planning, "plan", domain_plan)
    replan(next_morning, cause="scheduled")
    assert_summary_is_the_plan(TUE + timedelta(days=1))


def _plan_columns() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(
            WorkOrder.id,
            *(getattr(WorkOrder, c) for c in WORK_ORDER_PLAN),
            *(getattr(Order, c) for c in ORDER_FORECAST),
        )
        .join(Order, Order.id == WorkOrder.order_id)
        .order_by(WorkOrder.id)
    ).all()


def _count_full_replans(monkeypatch) -> list[str]:
    """The causes of the re-plans of every open work order from now on."""
    causes: list[str] = []
    full = planning._replan_all

    def counted(start, cause, explained):
        causes.append(cause)
        return full(start, cause, explained)

    monkeypatch.setattr(planning, "_replan_all", counted)
    return causes


def test_a_move_that_holds_no_slot_plans_only_its_own_job_and_leaves_the_plan_whole(
    app_ctx, order_factory, monkeypatch
):
    """Testing to shipping and shipping to shipped take no slot and teach the plan nothing: only the moved job is
    planned again, and the summary and every forecast are what a whole re-plan gives."""
    orders = [order_factory(email=f"n{n}@example.com") for n in range(6)]
    move_to(orders[0], "testing")
    full = _count_full_replans(monkeypatch)
    move_to(orders[0], "shipped")  # passes its tests, then ships: the same morning, before the cut-off
    assert full == []
    assert_summary_is_the_plan()
    moved = _plan_columns()
    monkeypatch.undo()
    result = replan(app_ctx.config["FIXED_NOW"] + timedelta(hours=3), cause="check")
    assert (result.moved, result.slipped, result.back_on_track) == (0, (), ())
    assert _plan_columns() == moved
    assert_summary_is_the_plan()


def test_a_move_that_holds_no_slot_re_plans_everything_when_the_last_plan_is_from_another_day(
    app_ctx, order_factory, monkeypatch
):
    orders = [order_factory(email=f"d{n}@example.com") for n in range(3)]
    move_to(orders[0], "testing")
    full = _count_full_replans(monkeypatch)
    move_to(orders[0], "shipping", at=app_ctx.config["FIXED_NOW"] + timedelta(days=1))  # no nightly re-plan ran
    assert full == ["pass_testing"]
    move_to(orders[1], "assembly", at=app_ctx.config["FIXED_NOW"] + timedelta(days=1))  # a slot used: always
    assert full == ["pass_testing", "start_assembly"]
    assert_summary_is_the_plan(TUE + timedelta(days=1))
