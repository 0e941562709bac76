"""What a quote needs of the plan, written by the re-plan that made it and tied to the stamp its commit writes.

Every transaction that books, frees or moves an assembly slot, receives a delivery or delivers a bike re-plans
(services/planning.py). The re-plan notes the booked slots as runs (domain/slot_runs.py) and the key of the
learned history; the commit that bumps the plan stamp writes both into one row, with that stamp. A quote after
a plan change reads the row by its key instead of walking the booked horizon and counting the history.

A row whose stamp is not the current one is ignored and the quote reads the long way, so the row is never
trusted stale: a write that did not re-plan, or a work order or purchase request written after the re-plan in
the same transaction (which drops the note), leaves the old stamp on it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.catalog import Workshop
from ..domain.slot_runs import Run, runs_of
from ..extensions import db
from ..models import PlanSummary, PurchaseRequest, WorkOrder
from .rows import put_row

NOTE = "plan_summary"
ROW_ID = 1
SUMMARISED = (WorkOrder, PurchaseRequest)  # an order's promise or an event written after the re-plan changes nothing
SUMMARISED_TABLES = frozenset(model.__tablename__ for model in SUMMARISED)


@dataclass(frozen=True)
class Summary:
    runs: tuple[Run, ...]
    history: str  # services.reliability.History.key


def note(session: Session, planned: Iterable[date], workshop: Workshop, history: str, basis: str | None) -> None:
    """A re-plan's last step: the assembly days of the work orders holding a slot, the history key, and `basis`,
    the plan stamp committed when the re-plan began reading (`write` keeps the note only if it still is)."""
    session.flush()  # anything written after this drops the note (`drop`)
    session.info[NOTE] = (Summary(tuple(runs_of(Counter(planned), workshop)), history), basis)


def drop(session: Session) -> None:
    session.info.pop(NOTE, None)


def drop_if_changed(session: Session, table: str | None = None) -> None:
    """Drop the note when a flush (or a bulk write to `table`) may change what it summarises: work orders'
    slots and stages, deliveries received or bikes delivered."""
    if NOTE not in session.info:
        return
    if table in SUMMARISED_TABLES or any(
        isinstance(o, SUMMARISED) for o in (*session.new, *session.dirty, *session.deleted)
    ):
        drop(session)


def write(session: Session, stamp: str, replaced: str | None) -> None:
    """Called by the commit that bumps the plan stamp `replaced` to `stamp` (the stamp row locked): keep the
    re-plan's note with the new stamp, unless another commit changed the plan after the re-plan began reading.
    That plan lacked the other commit's changes (a payment's slot, say); quotes read the long way instead until
    the next re-plan."""
    noted = session.info.pop(NOTE, None)
    if noted is None:
        return
    summary, basis = noted
    if basis != replaced:
        return
    runs = json.dumps([[first.toordinal(), last.toordinal(), count] for first, last, count in summary.runs])
    put_row(session, PlanSummary, {"id": ROW_ID}, {"stamp": stamp, "slot_runs": runs, "history": summary.history})


def read(stamp: str | None) -> Summary | None:
    """The summary written with plan stamp `stamp`, or None when the newest plan was written without one."""
    row = db.session.execute(
        select(PlanSummary.stamp, PlanSummary.slot_runs, PlanSummary.history).where(PlanSummary.id == ROW_ID)
    ).first()
    if row is None or stamp is None or row.stamp != stamp:
        return None
    runs = tuple((date.fromordinal(first), date.fromordinal(last), count) for first, last, count in json.loads(row[1]))
    return Summary(runs, row.history)
