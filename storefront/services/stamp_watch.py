"""This process's copy of the plan stamp, kept exactly fresh without a query per request.

On PostgreSQL every transaction that bumps the plan version also sends `NOTIFY plan_version` (delivered when it
commits, never on rollback). Each process keeps one LISTEN connection of its own and, before it trusts its
copy, takes whatever notifications have already arrived on that socket: a non-blocking check, no round trip.
Anything unclear (no listener yet, a lost listener, a notification that races a read) falls back to reading
the stamp, and a read is kept only if no notification arrived while it ran.

SQLite has no LISTEN, but it counts commits: `PRAGMA data_version` on one private connection changes whenever
any other connection, in any process, commits to the file. Each process keeps such a connection and reads the
stamp again (on that connection, outside any request's transaction) only after the counter moved. An in-memory
database, private to one connection, reads its stamp every time.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import sqlite3
from collections.abc import Callable
from threading import Lock

import psycopg
from sqlalchemy import Engine, event

from .. import cache

CHANNEL = "plan_version"
# A listener whose link dies silently must be found out: the kernel probes an idle connection after 5 s and
# gives up after two unanswered probes, so the socket turns readable (with an error) and the copy is dropped.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}
log = logging.getLogger(__name__)

Stamp = tuple[str | None, str | None]


class StampWatch:
    """One LISTEN connection per process and database, and a generation counter bumped by each notification."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # the plan_stamp cache entry of this engine alone: two apps on one database each vouch for their own copy
        self.key = f"{engine.url.render_as_string(hide_password=True)}#{id(engine)}"
        self.generation = 0
        self._lock = Lock()
        self._conn = None
        self._pid = os.getpid()
        self._own: set[str] = set()  # stamps this process committed whose NOTIFY has not come back yet

    def current(self, read: Callable[[], Stamp]) -> Stamp:
        """The stamp from this process's copy when the listener vouches for it, else from `read()`."""
        stamps = cache.named("plan_stamp")
        with self._lock:
            listening = self._drain()
            if listening:
                found = stamps.peek(self.key)
                if found is not None:
                    return found
            generation = self.generation
        stamp = read()
        with self._lock:
            if self._drain() and generation == self.generation:
                stamps.put(self.key, stamp)
        return stamp

    def forget(self, value: str) -> None:
        """This process just committed stamp `value`: drop the copy now, and let its own NOTIFY pass unheeded
        when it arrives (the copy read after this commit is already that stamp or newer)."""
        with self._lock:
            self._own.add(value)
            self._changed()

    def _drain(self) -> bool:
        """Apply notifications that already arrived; True while the listener is connected and listening."""
        if self._pid != os.getpid():  # a forked child must not share its parent's socket
            self._conn, self._pid = None, os.getpid()
        if self._conn is None:
            return self._listen()
        try:
            pgconn, fd = self._conn.pgconn, self._conn.fileno()
            while select.select([fd], [], [], 0)[0]:  # a closing server sends its goodbye, then EOF
                pgconn.consume_input()  # raises at EOF
                changed = False
                while (notice := pgconn.notifies()) is not None:
                    payload = notice.extra.decode()
                    if payload in self._own:
                        self._own.discard(payload)
                    else:
                        changed = True
                if changed:
                    self._changed()
        except Exception as exc:  # noqa: BLE001 - any trouble with the listener means "ask the database"
            log.warning("plan stamp listener lost (%s); reading the stamp until it is back", exc.__class__.__name__)
            self._drop()
            return False
        return True

    def close(self) -> None:
        """Stop listening (the engine is being disposed)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._drop()

    def _listen(self) -> bool:
        try:
            conn = psycopg.connect(_conninfo(self.engine), autocommit=True, **KEEPALIVES)
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception as exc:  # noqa: BLE001
            log.warning("plan stamp listener unavailable (%s)", exc.__class__.__name__)
            return False
        self._conn = conn
        self._changed()  # anything committed before LISTEN took effect was not announced to us
        return True

    def _changed(self) -> None:
        self.generation += 1
        cache.named("plan_stamp").discard(self.key)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self._own.clear()
        self._changed()
        with contextlib.suppress(Exception):  # it is already gone
            conn.close()


class SqliteWatch:
    """One private connection per process and SQLite file, asking SQLite's commit counter before trusting
    this process's copy of the stamp."""

    def __init__(self, path: str, read_sql: str) -> None:
        self._path = path
        self._read_sql = read_sql
        self._lock = Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._seen: tuple[int, Stamp] | None = None  # (data_version, the stamp read at that version)

    def current(self, read: Callable[[], Stamp]) -> Stamp:
        """The stamp as of the last commit anyone made; `read` is the fallback when the file cannot be asked."""
        with self._lock:
            try:
                return self._current()
            except sqlite3.Error as exc:
                log.warning("plan stamp counter unavailable (%s); reading the stamp", exc.__class__.__name__)
                self._drop()
        return read()

    def forget(self, value: str) -> None:
        """Nothing to do: this process's own commit moves the counter like anyone else's."""

    def close(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                self._drop()

    def _current(self) -> Stamp:
        conn = self._connection()
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if self._seen is not None and self._seen[0] == version:
            return self._seen[1]
        # Read after taking the counter: a commit landing in between moves it again, so the next call re-reads.
        row = conn.execute(self._read_sql).fetchone()
        self._seen = (version, (row[0], row[1]))
        return self._seen[1]

    def _connection(self) -> sqlite3.Connection:
        if self._pid != os.getpid():  # a forked child opens its own
            self._conn, self._seen, self._pid = None, None, os.getpid()
        if self._conn is None:
            # autocommit: every statement sees the newest commit, and no read transaction is ever held open
            self._conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        return self._conn

    def _drop(self) -> None:
        conn, self._conn, self._seen = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def _conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


Watch = StampWatch | SqliteWatch
_watches: dict[Engine, Watch | None] = {}


def watch_for(engine: Engine, read_statement) -> Watch | None:
    """The watch for this engine (one per engine, found without work on every request); None for an
    in-memory SQLite database, which reads its stamp each time. `read_statement` is the stamp's SELECT,
    which the SQLite watch runs on its own connection."""
    if engine in _watches:
        return _watches[engine]
    found = _new_watch(engine, read_statement)
    _watches[engine] = found
    if found is not None:
        event.listen(engine, "engine_disposed", lambda _engine: found.close())
    return found


def _new_watch(engine: Engine, read_statement) -> Watch | None:
    if engine.dialect.name == "postgresql":
        return StampWatch(engine)
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    sql = str(read_statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    return SqliteWatch(path, sql)


@atexit.register
def _close_all() -> None:
    """Close the listeners when the process ends, rather than leaving them to the garbage collector."""
    for found in _watches.values():
        if found is not None:
            found.close()
