"""Shared fixtures. The schema is built once per run through the Alembic migrations, on SQLite by default
or on the database DATABASE_URL names (CI runs the suite on PostgreSQL that way)."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

import pytest
from argon2.profiles import CHEAPEST
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from storefront import cache, create_app
from storefront.extensions import db, limiter
from storefront.services.catalog import load_catalog_file

pytest_plugins = [
    "tests.support.orders",
    "tests.support.checkout",
    "tests.support.backoffice",
    "tests.support.tracker",
    "tests.support.deploy",
]

# Rate limits count in a Redis database of the tests' own (CI points this at a database nothing else uses).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
# Hypothesis would fail an example that takes over 200 ms, or data generation it finds slow: duration checks that
# a loaded CI machine trips. No test asserts a duration; bench/ measures them.
settings.register_profile("storefront", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("storefront")

# A Tuesday morning in New York; every test sees this clock unless it sets its own.
FIXED_NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def pytest_collection_modifyitems(config, items) -> None:
    """Every test that drives Chromium carries the e2e marker, so `-m "not e2e"` never starts a browser."""
    unmarked = [item.nodeid for item in items if "browser" in item.fixturenames and not item.get_closest_marker("e2e")]
    if unmarked:
        raise pytest.UsageError("Browser tests without @pytest.mark.e2e: " + ", ".join(unmarked))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "FIXED_NOW": FIXED_NOW,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "SERVER_NAME": None,
            "PASSWORD_HASH_PARAMS": CHEAPEST,  # production keeps argon2-cffi's defaults
        }
    )
    with app.app_context():
        _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def production_app(database_url):
    """The app as production configures it (not testing, not debug), on the test database.

    Production installs its own log handlers on the "storefront" and "gunicorn.error" loggers; they are put
    back afterwards so that no other test logs through them.
    """
    loggers = [logging.getLogger(name) for name in ("storefront", "gunicorn.error")]
    saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    # The limiter is one object per process: production's app keeps it on the tests' Redis.
    production = {"SECRET_KEY": "p" * 32, "TEST_PAYMENTS": True, "RATELIMIT_STORAGE_URI": REDIS_URL}
    app = create_app({**production, "DATABASE_URL": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()
    for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def _drop_everything() -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
            for table in tables:
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}"'))


_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
)


def _empty_tables() -> None:
    """Delete every row, children first, and on PostgreSQL restart every id sequence. DELETE, not TRUNCATE: on
    tables this small TRUNCATE makes PostgreSQL write new files for every table and index (160-315 ms against
    26-37 ms in a scratch timing; the PostgreSQL half of CI went from 488 s to 424-441 s)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))
        if conn.dialect.name == "postgresql":
            conn.execute(_RESTART_SEQUENCES)


@pytest.fixture
def app_ctx(app):
    """An app context on a clean database with the demo catalog loaded."""
    app.config["FIXED_NOW"] = FIXED_NOW
    with app.app_context():
        limiter.reset()  # rate-limit counters live in Redis, beyond any one test
        _empty_tables()
        cache.clear_all()  # they knew the previous test's database; a shop never wipes its own
        load_catalog_file(app.config["CATALOG_PATH"])
        yield app
        db.session.remove()


@pytest.fixture
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    return {"HX-Request": "true"}
