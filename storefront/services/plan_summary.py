"""What a quote needs of the plan, written by the re-plan that made it and tied to the stamp its commit writes.

Every transaction that books, frees or moves an assembly slot, receives a delivery or delivers a bike re-plans
(services/planning.py). The re-plan notes the booked slots as runs (domain/slot_runs.py) and the key of the
learned history; the commit that bumps the plan stamp writes both into one row, with that stamp. A quote after
a plan change reads the row by its key instead of walking the booked horizon and counting the history.

A row whose stamp is not the current one is ignored and the quote reads the long way, so the row is never
trusted stale: a write that did not re-plan, or a work order or purchase request written after the re-plan in
the same transaction (which drops the note), leaves the old stamp on it. Three kinds of commit keep the row:
- one that wrote nothing a plan depends on (only a test checklist, say) takes it along to its new stamp;
- a re-plan that changed nothing makes no new stamp, and writes its row for the stamp in place;
- a move between stages that hold no slot plans its own job and notes the row again (`carry`).

A re-plan notes the stamp committed when it began reading (`basis`). Its commit locks the stamp row and keeps the
note only if that is still the stamp: another commit in between (a payment's slot) is missing from its plan.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import Session

from ..domain.catalog import Workshop
from ..domain.slot_runs import Run, runs_of
from ..extensions import db
from ..models import (
    Component,
    Order,
    OutboxMessage,
    PlanSummary,
    PurchaseRequest,
    StaffUser,
    TestResult,
    WorkOrder,
    WorkOrderEvent,
)
from .rows import put_row

NOTE = "plan_summary"
WRITTEN = "plan_summary_written"  # the watched tables this transaction wrote to
ROW_ID = 1
SUMMARISED = (WorkOrder, PurchaseRequest)  # an order's promise or an event written after the re-plan changes nothing
SUMMARISED_TABLES = frozenset(model.__tablename__ for model in SUMMARISED)
# A commit that wrote only to these (a test checklist, an order's details, stock, an event, a staff account) leaves
# the plan as it was: its stamp takes the summary along. The catalog and settings are not among them.
KEEP_SUMMARY = frozenset(
    model.__tablename__ for model in (Order, WorkOrderEvent, TestResult, Component, StaffUser, OutboxMessage)
)


@dataclass(frozen=True)
class Summary:
    runs: tuple[Run, ...]
    history: str  # services.reliability.History.key
    planned_for: str | None = None  # the plan's day and order day (services.planning._Start.day_key)


def note(
    session: Session, planned: Iterable[date], workshop: Workshop, history: str, basis: str | None, planned_for: str
) -> None:
    """A re-plan's last step: the assembly days of the work orders holding a slot, the history key, the days it
    planned for, and `basis`, the plan stamp committed when the re-plan began reading (`write` keeps the note only
    if it still is)."""
    carry(session, Summary(tuple(runs_of(Counter(planned), workshop)), history, planned_for), basis)


def carry(session: Session, summary: Summary, basis: str | None) -> None:
    """Note `summary` for this transaction's commit: a new re-plan's, or the last one's when a move changed no
    slot (services.planning.replan_after_move)."""
    session.flush()  # anything written after this drops the note (`drop`)
    session.info[NOTE] = (summary, basis)


def noted(session: Session) -> bool:
    return NOTE in session.info


def drop(session: Session) -> None:
    session.info.pop(NOTE, None)


def forget(session: Session) -> None:
    """The transaction rolled back: nothing it noted or wrote stands."""
    drop(session)
    session.info.pop(WRITTEN, None)


def drop_if_changed(session: Session, table: str | None = None) -> None:
    """Drop the note when a flush (or a bulk write to `table`) may change what it summarises: work orders'
    slots and stages, deliveries received or bikes delivered. Remember the tables written (`write`)."""
    tables = {table} if table else _written(session)
    session.info.setdefault(WRITTEN, set()).update(tables)
    if tables & SUMMARISED_TABLES:
        session.info.pop(NOTE, None)


def _written(session: Session) -> set[str]:
    """The tables this flush writes to; a work order only claimed (its version checked, `workshop._editing`) is
    not written to."""
    dirty = session.dirty
    return {
        type(o).__tablename__
        for o in (*session.new, *dirty, *session.deleted)
        if not (o in dirty and isinstance(o, WorkOrder) and _only_claimed(o))
    }


def _only_claimed(work_order: WorkOrder) -> bool:
    return all(a.key == "updated_at" for a in inspect(work_order).attrs if a.history.has_changes())


def write(session: Session, stamp: str, replaced: str | None) -> None:
    """Called by the commit that bumps the plan stamp `replaced` to `stamp` (the stamp row locked), or that keeps
    it (`stamp` is `replaced`: a re-plan that changed nothing): keep the re-plan's note with that stamp, unless
    another commit changed the plan after the re-plan began reading. That plan lacked the other commit's changes
    (a payment's slot, say); quotes read the long way instead until the next re-plan."""
    pending, written = session.info.pop(NOTE, None), session.info.pop(WRITTEN, set())
    if pending is None:
        if written <= KEEP_SUMMARY and replaced is not None:  # the plan did not change: keep the last summary
            session.connection().execute(_RESTAMP, {"stamp": stamp, "replaced": replaced})
        return
    summary, basis = pending
    if basis != replaced:
        return
    runs = json.dumps([[first.toordinal(), last.toordinal(), count] for first, last, count in summary.runs])
    values = {"stamp": stamp, "slot_runs": runs, "history": summary.history, "planned_for": summary.planned_for}
    put_row(session, PlanSummary, {"id": ROW_ID}, values)


def read(stamp: str | None) -> Summary | None:
    """The summary written with plan stamp `stamp`, or None when the newest plan was written without one."""
    row = db.session.execute(_READ).first()
    if row is None or stamp is None or row.stamp != stamp:
        return None
    runs = tuple((date.fromordinal(first), date.fromordinal(last), count) for first, last, count in json.loads(row[1]))
    return Summary(runs, row.history, row.planned_for)


_RESTAMP = (
    update(PlanSummary)
    .where(PlanSummary.id == ROW_ID, PlanSummary.stamp == bindparam("replaced"))
    .values(stamp=bindparam("stamp"))
)
_READ = select(PlanSummary.stamp, PlanSummary.slot_runs, PlanSummary.history, PlanSummary.planned_for).where(
    PlanSummary.id == ROW_ID
)
