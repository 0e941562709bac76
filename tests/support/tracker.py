"""Test fixtures for the tracker area: simulate what workshop staff do to a work order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import event, select

from storefront.domain.carriers import CARRIERS
from storefront.domain.stages import MOVES, STAGES
from storefront.extensions import db, limiter
from storefront.models import Order, WorkOrder
from storefront.services import inventory, workshop

# The workshop action that takes a work order out of each stage on the way to delivery, and that way in order.
FORWARD = {m.source: m.action for m in MOVES.values() if m.action not in ("rework", "cancel")}
ORDER = tuple(s.code for s in STAGES.values() if s.step)
DEFAULT_PARCEL = ("dhl", CARRIERS["dhl"].example)


def move_to(
    order: Order,
    stage: str,
    *,
    at: datetime | None = None,
    note: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> WorkOrder:
    """Staff move the order's work order to `stage` through every stage before it, with the real services.

    What each move needs comes first, the way staff would provide it: supplier deliveries are received before
    assembly, the checklist is passed before testing ends, and the parcel (`carrier` and `tracking_number`,
    DHL by default) must satisfy validate_tracking. Staff start at once: the first step happens an hour after
    `at` (the payment by default) on the shop's clock and each later one an hour after that, so an in-stock
    build keeps to its plan. `note` goes with the last step (shipping writes its own). Each service commits.
    """
    work = _work_order(order)
    at = at or order.paid_at
    if stage == "cancelled":
        with _clock(at + timedelta(hours=1)):
            workshop.cancel(work.id, version=work.version, staff_id=None, note=note)
        return _work_order(order)
    path = ORDER[ORDER.index(work.stage) + 1 : ORDER.index(stage) + 1]
    parcel = (carrier, tracking_number) if carrier or tracking_number else DEFAULT_PARCEL
    for step, target in enumerate(path):
        with _clock(at + timedelta(hours=step + 1)):
            _leave(work, note if target == stage else None, parcel)
        work = _work_order(order)
    return work


def _leave(work: WorkOrder, note: str | None, parcel: tuple[str | None, str | None]) -> None:
    """One forward move of `work` through services.workshop, after what that move needs."""
    action = FORWARD[work.stage]
    if action == "start_assembly":
        _receive_awaited_parts(work)
        work = _work_order(work.order)
    if action == "pass_testing" and not workshop.checklist_state(work).complete:
        _record_checklist(work, failing=())
        work = _work_order(work.order)
    if action == "ship":
        assert note is None, "services.workshop.ship writes its own note for the customer"
        carrier, number = parcel
        workshop.ship(work.id, version=work.version, staff_id=None, carrier=carrier or "", tracking=number or "")
    else:
        workshop.move(work.id, action, version=work.version, staff_id=None, note=note)


def _receive_awaited_parts(work: WorkOrder) -> None:
    """The supplier deliveries the work order waits for arrive in full (inventory.receive hands them out)."""
    for line in work.parts:
        request = line.purchase_request
        if line.state == "awaiting" and request is not None and request.status == "open":
            inventory.receive(request.id, request.quantity - request.received_quantity, staff_id=None)
            db.session.expire_all()


def pass_checks(order: Order, *, failing: tuple[str, ...] = ()) -> list[str]:
    """Staff fill in this round's test checklist: every item passes except `failing` codes. Returns the passes."""
    return _record_checklist(_work_order(order), failing)


def _record_checklist(work: WorkOrder, failing: tuple[str, ...]) -> list[str]:
    items = workshop.checklist_state(work).items
    results = {item.id: (item.code not in failing, "failed" if item.code in failing else None) for item in items}
    workshop.record_checklist(work.id, version=work.version, staff_id=None, results=results)
    return [item.label for item in items if item.code not in failing]


def _work_order(order: Order) -> WorkOrder:
    """The order's work order, re-read after the services' commits."""
    db.session.expire_all()
    return db.session.scalar(select(WorkOrder).where(WorkOrder.order_id == order.id))


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """Pin the shop's clock while staff act, then give the test its own clock back."""
    config = current_app.config
    pinned, config["FIXED_NOW"] = config["FIXED_NOW"], moment
    try:
        yield
    finally:
        config["FIXED_NOW"] = pinned


class QueryCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app_ctx):
    """A context manager factory: `with count_queries() as counter: ...` then `counter.count`."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def fresh_limits(app_ctx):
    """Rate-limit counters start from zero (the in-memory store lives as long as the test app)."""
    limiter.reset()
    yield
    limiter.reset()
