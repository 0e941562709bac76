"""Connection health without a ping per checkout.

`pool_pre_ping` sent `SELECT 1` before every checkout: a round trip on every request. Instead a connection is
checked for free as it leaves the pool: a server that closed it (a restart, pg_terminate_backend, an idle
timeout) has already sent its goodbye, so the idle socket is readable; a closed SQLite handle refuses access.
Such a connection is discarded and the pool hands out another (SQLAlchemy retries the checkout). A link that
dies with no goodbye fails on its first statement instead: SQLAlchemy sees the disconnect, invalidates every
connection of the pool, the request answers 503 (web.py) and the next request connects afresh.

gunicorn forks its workers from a master that loaded the app (preload_app): a connection the master opened is
never handed out in a worker. The worker sets it aside without closing it (the recipe in SQLAlchemy's "Using
Connection Pools with Multiprocessing or os.fork()"), and keeps a reference: a collected psycopg connection would
say goodbye to the server on the socket it shares with the master.
"""

from __future__ import annotations

import os
import select
import sqlite3

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool


def is_gone(dbapi_connection) -> bool:
    """True when this idle connection can no longer be used, found without a round trip."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        try:
            dbapi_connection.in_transaction  # noqa: B018 - raises on a closed handle
        except sqlite3.ProgrammingError:
            return True
        return False
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        return bool(select.select([dbapi_connection.fileno()], [], [], 0)[0])  # idle: nothing should arrive
    except (OSError, ValueError):
        return True


_inherited: list[object] = []  # at most one pool's worth per process: never closed, never collected


def _note_owner(dbapi_connection, connection_record) -> None:
    connection_record.info["pid"] = os.getpid()


def _check_on_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
    if connection_record.info.get("pid", os.getpid()) != os.getpid():
        _inherited.append(dbapi_connection)
        connection_record.dbapi_connection = connection_proxy.dbapi_connection = None  # not ours to close
        raise DisconnectionError("a connection inherited from the parent process")
    if is_gone(dbapi_connection):
        raise DisconnectionError("the database closed this pooled connection")  # the pool tries another


def init_app(app) -> None:
    """Check every pooled connection as it is checked out (once per process, however many apps)."""
    if not event.contains(Pool, "checkout", _check_on_checkout):
        event.listen(Pool, "connect", _note_owner)
        event.listen(Pool, "checkout", _check_on_checkout)
