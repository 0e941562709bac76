"""Test fixtures for the tracker area: simulate what workshop staff do to a work order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from storefront.domain.stages import STAGES
from storefront.extensions import db, limiter
from storefront.models import ChecklistItem, Order, TestResult, WorkOrder, WorkOrderEvent

# Which actual timestamp each stage sets when a work order enters it, and the stages in order, cancelled aside.
STARTED_AT = {s.code: s.started_column for s in STAGES.values() if s.started_column}
ORDER = tuple(s.code for s in STAGES.values() if s.step)


def move_to(
    order: Order,
    stage: str,
    *,
    at: datetime | None = None,
    note: str | None = None,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> WorkOrder:
    """Staff move the order's work order to `stage` (through every stage before it), with a visible note.

    Commits, so the version bumps and a live server sees the change.
    """
    work = db.session.scalar(select(WorkOrder).where(WorkOrder.order_id == order.id))
    at = at or order.paid_at + timedelta(days=1)
    path = [stage] if stage == "cancelled" else list(ORDER[ORDER.index(work.stage) + 1 : ORDER.index(stage) + 1])
    for step, name in enumerate(path):
        moment = at + timedelta(hours=step)
        if name in ("assembly",):
            for line in work.parts:
                line.state = "consumed"
        if name == "cancelled":
            order.cancelled_at = moment
        setattr(work, STARTED_AT[name], moment)
        db.session.add(
            WorkOrderEvent(
                work_order=work,
                at=moment,
                action="stage",
                from_stage=work.stage,
                to_stage=name,
                note=note if name == stage else None,
                customer_visible=True,
            )
        )
        work.stage = name
        work.stage_entered_at = moment
    if carrier or tracking_number:
        work.carrier, work.tracking_number = carrier, tracking_number
    db.session.commit()
    return work


def pass_checks(order: Order, *, failing: tuple[str, ...] = ()) -> list[str]:
    """Record the test checklist for the current round: every item passes except `failing` codes."""
    work = db.session.scalar(select(WorkOrder).where(WorkOrder.order_id == order.id))
    items = db.session.scalars(select(ChecklistItem).order_by(ChecklistItem.position)).all()
    for item in items:
        db.session.add(
            TestResult(work_order_id=work.id, item_id=item.id, round=work.test_round, passed=item.code not in failing)
        )
    db.session.commit()
    return [item.label for item in items if item.code not in failing]


class QueryCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def warm_stamp_reads() -> int:
    """Queries a warm cached answer makes to know it is fresh: none on PostgreSQL, whose LISTEN connection
    vouches for the plan stamp; the one stamp read on SQLite."""
    return 0 if db.engine.dialect.name == "postgresql" else 1


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
