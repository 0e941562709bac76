"""A customer's cancel racing a staff "Start assembly": exactly one wins, and a lost cancel changes nothing.

Each side has its own app context, session and connection. On PostgreSQL (CI's second run) the two
transactions really overlap and the version column and row locks decide; on SQLite writers are serialised
and the same invariants must hold.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Component, Order, WorkOrderEvent
from storefront.services import self_service, workshop


def _state(order_id: int) -> tuple[Order, list[str], int, list[str]]:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    reserved = sum(c.reserved for c in db.session.scalars(select(Component)))
    actions = [e.action for e in db.session.scalars(select(WorkOrderEvent).order_by(WorkOrderEvent.id))]
    return order, [line.state for line in order.work_order.parts], reserved, actions


def _in_own_session(app, call):
    """Run `call` in another thread with its own session; return its result or the exception it raised."""
    outcome: list = [None]

    def run() -> None:
        with app.app_context():
            try:
                outcome[0] = call()
            except BaseException as exc:  # noqa: BLE001 - the test inspects it
                outcome[0] = exc
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return outcome[0]


def _start_assembly(order_id: int):
    work_order = db.session.get(Order, order_id).work_order
    return workshop.move(work_order.id, "start_assembly", version=work_order.version, staff_id=None)


def test_a_cancel_read_before_staff_started_assembly_is_refused_and_changes_nothing(app_ctx, paid_order):
    order = self_service.order_for_token(paid_order.status_token)
    assert self_service.can_cancel(order)  # what the customer saw when they opened the confirmation step
    order_id = paid_order.id
    moved = _in_own_session(app_ctx, lambda: _start_assembly(order_id))
    assert isinstance(moved, WorkOrderEvent), moved
    _, parts_before, reserved_before, actions_before = _state(paid_order.id)

    order = self_service.order_for_token(paid_order.status_token)
    db.session.expire_all()
    with pytest.raises(self_service.TooLate, match="Assembly of your bike has already started"):
        self_service.cancel(order, "ada@example.com")

    order, parts, reserved, actions = _state(paid_order.id)
    assert order.work_order.stage == "assembly" and order.cancelled_at is None and order.refund_reference is None
    assert (parts, reserved, actions) == (parts_before, reserved_before, actions_before)


def test_a_customer_cancel_and_a_staff_start_at_the_same_moment_leave_one_consistent_outcome(app_ctx, paid_order):
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}
    token, order_id = paid_order.status_token, paid_order.id  # plain values: the threads never touch our session

    def side(name: str, call) -> threading.Thread:
        def run() -> None:
            with app_ctx.app_context():
                try:
                    barrier.wait(timeout=10)
                    results[name] = call()
                except BaseException as exc:  # noqa: BLE001 - inspected below
                    results[name] = exc
                finally:
                    db.session.remove()

        return threading.Thread(target=run)

    def customer():
        return self_service.cancel(self_service.order_for_token(token), "ada@example.com")

    threads = [side("customer", customer), side("staff", lambda: _start_assembly(order_id))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    won = {name for name, result in results.items() if isinstance(result, WorkOrderEvent)}
    assert len(won) == 1, results
    order, parts, _, actions = _state(order_id)
    if won == {"customer"}:
        assert isinstance(results["staff"], workshop.WorkOrderChanged), results
        assert order.work_order.stage == "cancelled" and order.refund_reference is not None
        assert set(parts) == {"released"} and "start_assembly" not in actions
    else:
        assert isinstance(results["customer"], self_service.TooLate), results
        assert order.work_order.stage == "assembly" and order.cancelled_at is None and order.refund_reference is None
        assert set(parts) == {"consumed"} and "cancel" not in actions
