"""Connection health without a ping per checkout.

`pool_pre_ping` sent `SELECT 1` before every checkout: a round trip on every request. Instead a connection is
checked for free as it leaves the pool: a server that closed it (a restart, pg_terminate_backend, an idle
timeout) has already sent its goodbye, so the idle socket is readable; a closed SQLite handle refuses access.
Such a connection is discarded and the pool hands out another (SQLAlchemy retries the checkout). A link that
dies with no goodbye fails on its first statement instead: SQLAlchemy sees the disconnect, invalidates every
connection of the pool, the request answers 503 (web.py) and the next request connects afresh.
"""

from __future__ import annotations

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


def _check_on_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
    if is_gone(dbapi_connection):
        raise DisconnectionError("the database closed this pooled connection")  # the pool tries another


def init_app(app) -> None:
    """Check every pooled connection as it is checked out (once per process, however many apps)."""
    if not event.contains(Pool, "checkout", _check_on_checkout):
        event.listen(Pool, "checkout", _check_on_checkout)
