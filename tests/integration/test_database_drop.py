"""A database connection that drops mid-request gets a clean 503, and the next request works."""

from __future__ import annotations

import os

import pytest
from flask import g
from sqlalchemy import event, text

from storefront.connections import is_gone
from storefront.extensions import db

URL = "/api/quote?frame=step-through&motor=hub-250&battery=b400&color=graphite"


@pytest.fixture
def drop_connection_once(app_ctx):
    """Kill this request's database connection right after its first query.

    On PostgreSQL the server terminates the backend for real (pg_terminate_backend); SQLite cannot lose a
    connection, so there the next statement fails the way a dropped link does.
    """
    engine = db.engine
    state = {"armed": True}

    def after_execute(conn, cursor, statement, parameters, context, executemany):
        if not state["armed"] or not g.get("request_id"):
            return
        state["armed"] = False
        if engine.dialect.name == "postgresql":
            pid = conn.connection.dbapi_connection.info.backend_pid
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            state["fail_next"] = True

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if state.pop("fail_next", False):
            import sqlite3

            raise sqlite3.OperationalError("disk I/O error: connection lost")

    event.listen(engine, "after_cursor_execute", after_execute)
    event.listen(engine, "before_cursor_execute", before_execute)
    yield state
    event.remove(engine, "after_cursor_execute", after_execute)
    event.remove(engine, "before_cursor_execute", before_execute)


def test_a_dropped_connection_answers_503_and_the_next_request_recovers(app_ctx, drop_connection_once):
    client = app_ctx.test_client()
    from storefront.services.quote import _quotes

    _quotes.clear()  # force the request to run several queries
    dropped = client.get(URL)
    assert dropped.status_code == 503
    assert dropped.get_json()["error"] == "Service Unavailable"
    recovered = client.get(URL)
    assert recovered.status_code == 200 and recovered.get_json()["valid"] is True
    page = client.get("/healthz")
    assert page.status_code == 200


def close_idle_connections() -> None:
    """What a database restart does to the pool: every idle connection is closed by the server's side.

    PostgreSQL terminates their backends for real and waits until they are gone; SQLite closes the handles.
    """
    if db.engine.dialect.name == "postgresql":
        others = "datname = current_database() AND pid <> pg_backend_pid()"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
            admin.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}"))
            while admin.execute(text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}")).scalar():
                pass
    else:
        for record in list(db.engine.pool._pool.queue):
            record.dbapi_connection.close()


def test_connections_closed_while_pooled_are_replaced_at_checkout_without_a_ping(app_ctx, count_queries):
    assert not db.engine.pool._pre_ping  # no SELECT 1 before every checkout
    client = app_ctx.test_client()
    assert client.get(URL).status_code == 200  # the pool now holds a used connection
    db.session.remove()
    close_idle_connections()
    with count_queries() as counter:
        answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["database"] == "ok"
    assert counter.statements == ["SELECT 1"]  # the health check's own query


def test_a_fresh_connection_is_healthy_and_a_closed_one_is_not(app_ctx):
    raw = db.engine.raw_connection()
    try:
        assert not is_gone(raw.dbapi_connection)
        raw.dbapi_connection.close()
        assert is_gone(raw.dbapi_connection)
    finally:
        raw.invalidate()


def _connection_identity(engine) -> object:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            return raw.info.backend_pid
        return id(raw)


def test_a_forked_worker_never_uses_a_connection_its_parent_opened(app_ctx):
    """gunicorn forks workers from a master that loaded the app (preload_app): the child gets a connection of its
    own, and the parent's pooled connection still works afterwards (the child did not close it)."""
    engine = db.engine
    engine.dispose()  # a pool with exactly one idle connection, which the child inherits
    parent_connection = _connection_identity(engine)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report which connection it got, then leave without running any cleanup
        try:
            ok = _connection_identity(engine) != parent_connection
            os.write(write, b"own" if ok else b"inherited")
        except BaseException as exc:  # noqa: BLE001
            os.write(write, repr(exc).encode()[:200])
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(child, 0)
    answer = os.read(read, 256).decode()
    os.close(read)
    assert answer == "own" and status == 0
    assert _connection_identity(engine) == parent_connection
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
