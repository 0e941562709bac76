"""The plan stamp: bumped in the very commit that changes what quotes and statuses show, and trusted from
memory only while this process's watch (PostgreSQL's listener, SQLite's commit counter) vouches for it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.models import AssemblyDay, Component, Setting
from storefront.services.plan_version import KEY, STAMP_QUERY, current_stamp, read_stamp
from storefront.services.stamp_watch import SqliteWatch, StampWatch, watch_for


def test_a_commit_with_nothing_flushed_before_it_bumps_the_stamp_in_that_commit(app_ctx):
    before = read_stamp()
    component = db.session.scalar(select(Component).limit(1))
    component.on_hand += 1
    db.session.commit()  # no query in between, so nothing was flushed before commit
    assert read_stamp() != before


def test_a_rolled_back_change_leaves_the_stamp_alone(app_ctx):
    before = current_stamp()
    component = db.session.scalar(select(Component).limit(1))
    component.on_hand += 1
    db.session.flush()
    db.session.rollback()
    assert current_stamp() == before == read_stamp()


def test_the_stamp_row_is_written_the_first_time_and_updated_after_without_loading_it(app_ctx):
    db.session.execute(Setting.__table__.delete().where(Setting.key == KEY))
    db.session.commit()  # the delete itself writes no stamp: it is the stamp's own row
    assert read_stamp()[1] is None
    component = db.session.scalar(select(Component).limit(1))
    component.on_hand += 1
    db.session.commit()  # the first stamp: inserted
    first = read_stamp()[1]
    component.on_hand += 1
    db.session.commit()  # then updated in place
    rows = db.session.scalars(select(Setting.value).where(Setting.key == KEY)).all()
    assert first is not None and rows == [read_stamp()[1]] and rows[0] != first


def test_a_savepoint_leaves_the_stamp_to_its_transactions_commit(app_ctx):
    """The stamp row is written last, by the outermost commit: written at a savepoint (a payment's day lock), it
    was locked before the rows the transaction writes after it, and concurrent payments deadlocked."""
    before = read_stamp()
    component = db.session.scalar(select(Component).limit(1))
    component.on_hand += 1
    db.session.flush()
    with db.session.begin_nested():
        db.session.add(AssemblyDay(day=date(2026, 12, 3)))
    assert read_stamp() == before  # read in the same transaction: the savepoint wrote no stamp
    db.session.commit()
    assert read_stamp() != before


def test_a_rolled_back_savepoint_leaves_the_transactions_bump_in_place(app_ctx):
    """A payment whose day row another payment created first rolls back its savepoint and goes on: the stock it
    changed before still bumps the stamp at commit (the savepoint's rollback used to drop the flag)."""
    db.session.add(AssemblyDay(day=date(2026, 12, 3)))
    db.session.commit()
    before = read_stamp()
    component = db.session.scalar(select(Component).limit(1))
    component.on_hand += 1
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(AssemblyDay(day=date(2026, 12, 3)))
    db.session.commit()
    assert read_stamp() != before


def _lose(watch: StampWatch | SqliteWatch) -> None:
    """Take the watch's own connection away behind its back, as a server restart or a closed file would."""
    if isinstance(watch, SqliteWatch):
        watch._conn.close()
        return
    pid = watch._conn.info.backend_pid
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    gone = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    while db.session.execute(gone, {"pid": pid}).scalar():  # the backend says goodbye before it exits
        db.session.rollback()
    db.session.commit()


def test_with_its_watch_lost_the_stamp_is_read_and_still_right(app_ctx, count_queries):
    """The watch's connection dies: its copy cannot be trusted, so the stamp is read through the pool."""
    current_stamp()
    _lose(watch_for(db.engine, STAMP_QUERY))
    component = db.session.scalar(select(Component).limit(1))
    with db.engine.begin() as other:  # a write the ORM listeners never see: only a fresh read can know it
        other.execute(text("UPDATE settings SET value = 'changed-elsewhere' WHERE key = 'plan_version'"))
    with count_queries() as counter:
        stamp = current_stamp()
    assert stamp[1] == "changed-elsewhere" and counter.count == 1
    assert component is not None
