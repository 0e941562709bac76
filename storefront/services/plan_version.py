"""A version stamp for everything a quote or an order's status depends on, so both can be cached until
something changes.

A transaction that touches stock, purchase requests, part lines, work orders and their events and test results,
orders, settings, the catalog or a staff account (a sign-in's time aside), through the ORM or a bulk
UPDATE/DELETE, writes a new random stamp just before it commits. Writing it last keeps a
single lock order (data rows, then the stamp row), so concurrent writers cannot deadlock on it. Readers
compare one small row instead of recomputing the plan; on PostgreSQL the same transaction sends
NOTIFY plan_version, and SQLite counts commits, so each process knows the stamp without a query through its
pool (services/stamp_watch.py).

Any writer keeps quotes fresh just by writing through the ORM: a new CatalogVersion, a stock change, a setting.
"""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (
    CatalogVersion,
    Component,
    Order,
    PartLine,
    PurchaseRequest,
    Setting,
    StaffUser,
    TestResult,
    WorkOrder,
    WorkOrderEvent,
)
from . import plan_summary
from .rows import put_row
from .stamp_watch import CHANNEL, watch_for

KEY = "plan_version"
WATCHED = (
    Component,
    PurchaseRequest,
    PartLine,
    WorkOrder,
    CatalogVersion,
    Order,
    WorkOrderEvent,
    TestResult,
    StaffUser,  # a signed-in staff member is known without a query until their account changes (auth.known_staff)
)
WATCHED_TABLES = {m.__tablename__ for m in WATCHED} | {"settings"}


_STAMP = select(Setting.value).where(Setting.key == KEY)
STAMP_COLUMN = _STAMP.scalar_subquery()  # the stamp committed now, for a re-plan's basis (plan_summary.write)
STAMP_QUERY = select(
    select(CatalogVersion.checksum).order_by(CatalogVersion.id.desc()).limit(1).scalar_subquery(), STAMP_COLUMN
)


def current_stamp() -> tuple[str | None, str | None]:
    """(newest catalog checksum, plan version), trusted from this process's copy while its watch vouches for
    it: no query on PostgreSQL (LISTEN) nor on a SQLite file (its commit counter), else one read."""
    watch = watch_for(db.engine, STAMP_QUERY)
    return watch.current(read_stamp) if watch is not None else read_stamp()


def read_stamp() -> tuple[str | None, str | None]:
    """(newest catalog checksum, plan version) read from the database in one round trip."""
    row = db.session.execute(STAMP_QUERY).one()
    return row[0], row[1]


def _touches_plan(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, StaffUser) and obj in session.dirty and _only_signed_in(obj):
            continue
        if isinstance(obj, WATCHED) or (isinstance(obj, Setting) and obj.key != KEY):
            return True
    return False


def _only_signed_in(staff: StaffUser) -> bool:
    """A sign-in records its time and nothing else a cached answer shows (auth.known_staff leaves it out)."""
    changed = {attr.key for attr in inspect(staff).attrs if attr.history.has_changes()}
    return changed <= {"last_login_at"}


def _bump(session: Session, replaced: str | None) -> None:
    value = uuid.uuid4().hex
    plan_summary.write(session, value, replaced)  # a re-plan's summary of this very plan, if it noted one
    put_row(session, Setting, {"key": KEY}, {"value": value})
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, value)))  # delivered by the commit, never on rollback
    session.info["plan_bumped"] = value


def _before_flush(session: Session, flush_context, instances) -> None:
    if _touches_plan(session):
        session.info["plan_dirty"] = True
        plan_summary.drop_if_changed(session)  # written after the re-plan noted its summary


def _on_bulk_write(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None:
        note_bulk_write(state.session, table.name)


def note_bulk_write(session: Session, table: str) -> None:
    """An UPDATE or DELETE written past the ORM (a bulk statement) to `table`: bump the stamp at commit when the
    table is one a cached answer shows."""
    if table in WATCHED_TABLES and table != "settings":
        session.info["plan_dirty"] = True
        plan_summary.drop_if_changed(session, table)


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's (SQLAlchemy calls this for those too)
        plan_summary.drop(session)  # a re-plan's note may count rows the rollback undid; the rest stands
        return
    plan_summary.forget(session)
    session.info.pop("plan_dirty", None)
    session.info.pop("plan_bumped", None)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy calls this for a savepoint's release too (a payment's day lock): bumping there would lock the
        # stamp row before the transaction's own data rows, and two payments then deadlock on each other
        return
    # SQLAlchemy calls this before commit's own flush: flush first, or changes still pending here would raise
    # the flag only after this check and the bump would land one transaction late.
    session.flush()
    dirty = session.info.pop("plan_dirty", False)
    if not (dirty or plan_summary.noted(session)):
        return
    current = session.scalar(_STAMP.with_for_update())  # held until commit: a concurrent bump waits here
    if dirty:
        _bump(session, current)
    elif current is not None:  # a re-plan that changed nothing: its summary is of the stamp in place
        plan_summary.write(session, current, current)


def _after_commit(session: Session) -> None:
    """This process need not wait for its own NOTIFY: its next read sees the new stamp."""
    value = session.info.pop("plan_bumped", None)
    if value is not None:
        watch = watch_for(session.get_bind(), STAMP_QUERY)
        if watch is not None:
            watch.forget(value)


LISTENERS = (
    ("before_flush", _before_flush),
    ("do_orm_execute", _on_bulk_write),
    ("after_rollback", _after_rollback),
    ("before_commit", _before_commit),
    ("after_commit", _after_commit),
)


def init_app(app: Flask) -> None:
    """Watch every ORM session for writes the plan depends on (once per process, however many apps)."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
