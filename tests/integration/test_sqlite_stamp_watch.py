"""SQLite's watch: the file's commit counter (its header, or `PRAGMA data_version` in WAL mode) tells it that
someone committed, in this process or another, so a copy of the stamp is kept exactly as long as nothing was
written. It runs on a SQLite file of its own, whichever engine the suite runs on."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from storefront.services.stamp_watch import SqliteWatch, watch_for


@pytest.fixture
def stamp_file(tmp_path):
    path = tmp_path / "stamp.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO settings VALUES ('plan_version', 'first')")
    return path


def _write(path, value: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE settings SET value = ? WHERE key = 'plan_version'", (value,))


def _no_read():
    raise AssertionError("the watch fell back to reading through the pool")


def test_the_copy_is_kept_until_another_connection_commits(stamp_file):
    watch = SqliteWatch(str(stamp_file), "SELECT 'c', value FROM settings")
    assert watch.current(_no_read) == ("c", "first")
    with sqlite3.connect(stamp_file) as conn:  # a write that never commits moves nothing
        conn.execute("UPDATE settings SET value = 'rolled-back'")
        conn.rollback()
    assert watch.current(_no_read) == ("c", "first")
    _write(stamp_file, "second")
    assert watch.current(_no_read) == ("c", "second")


def test_a_commit_from_another_process_is_seen_by_the_next_call(stamp_file):
    watch = SqliteWatch(str(stamp_file), "SELECT 'c', value FROM settings")
    assert watch.current(_no_read)[1] == "first"
    script = """import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("UPDATE settings SET value = 'from-elsewhere'")
conn.commit()
"""
    subprocess.run([sys.executable, "-c", script, str(stamp_file)], check=True)
    assert watch.current(_no_read)[1] == "from-elsewhere"


def test_an_unchanged_file_needs_no_statement_and_a_lost_connection_falls_back_to_the_read(stamp_file):
    watch = SqliteWatch(str(stamp_file), "SELECT 'c', value FROM settings")
    watch.current(_no_read)
    watch._conn.close()  # whatever asks the private connection now fails
    assert watch.current(_no_read) == ("c", "first")  # the header alone vouches for the copy
    _write(stamp_file, "second")
    assert watch.current(lambda: ("c", "read")) == ("c", "read")
    _write(stamp_file, "third")
    assert watch.current(_no_read)[1] == "third"


def test_a_database_in_wal_mode_is_watched_through_its_own_commit_count(stamp_file):
    with sqlite3.connect(stamp_file) as conn:
        assert conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    watch = SqliteWatch(str(stamp_file), "SELECT 'c', value FROM settings")
    assert watch.current(_no_read)[1] == "first"
    _write(stamp_file, "second")
    assert watch.current(_no_read)[1] == "second"
    assert watch.current(_no_read)[1] == "second"
    _write(stamp_file, "third")
    assert watch.current(_no_read)[1] == "third"


def test_closing_the_watch_closes_the_file_it_opened(stamp_file):
    watch = SqliteWatch(str(stamp_file), "SELECT 'c', value FROM settings")
    watch.current(_no_read)
    fd = watch._fd
    watch.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_an_in_memory_database_has_no_watch_and_reads_each_time():
    engine = create_engine("sqlite://")
    assert watch_for(engine, text("SELECT 1, 2")) is None
