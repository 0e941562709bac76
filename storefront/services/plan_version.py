"""A version stamp for everything a quote depends on, so quotes can be cached until something changes.

A transaction that touches stock, purchase requests, part lines, work orders, settings or the catalog (through
the ORM or a bulk UPDATE/DELETE) writes a new random stamp just before it commits. Writing it last keeps a
single lock order (data rows, then the stamp row), so concurrent writers cannot deadlock on it. Readers
compare one small row instead of recomputing the plan.
"""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import CatalogVersion, Component, PartLine, PurchaseRequest, Setting, WorkOrder

KEY = "plan_version"
WATCHED = (Component, PurchaseRequest, PartLine, WorkOrder, CatalogVersion)
WATCHED_TABLES = {m.__tablename__ for m in WATCHED} | {"settings"}


def current_stamp() -> tuple[str | None, str | None]:
    """(newest catalog checksum, plan version) in one round trip."""
    catalog = select(CatalogVersion.checksum).order_by(CatalogVersion.id.desc()).limit(1).scalar_subquery()
    version = select(Setting.value).where(Setting.key == KEY).scalar_subquery()
    row = db.session.execute(select(catalog, version)).one()
    return row[0], row[1]


def _touches_plan(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WATCHED) or (isinstance(obj, Setting) and obj.key != KEY):
            return True
    return False


def _bump(session: Session) -> None:
    stamp = session.get(Setting, KEY)
    if stamp is None:
        session.add(Setting(key=KEY, value=uuid.uuid4().hex))
    else:
        stamp.value = uuid.uuid4().hex


def _before_flush(session: Session, flush_context, instances) -> None:
    if _touches_plan(session):
        session.info["plan_dirty"] = True


def _on_bulk_write(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in WATCHED_TABLES and table.name != "settings":
        state.session.info["plan_dirty"] = True


def _after_rollback(session: Session) -> None:
    session.info.pop("plan_dirty", None)


def _before_commit(session: Session) -> None:
    if session.info.pop("plan_dirty", False):
        _bump(session)
        session.flush()


LISTENERS = (
    ("before_flush", _before_flush),
    ("do_orm_execute", _on_bulk_write),
    ("after_rollback", _after_rollback),
    ("before_commit", _before_commit),
)


def init_app(app: Flask) -> None:
    """Watch every ORM session for writes the plan depends on (once per process, however many apps)."""
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
