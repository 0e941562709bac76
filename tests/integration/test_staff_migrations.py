"""Migrations that change staff accounts keep the accounts made before them: the roles migration makes them
owners, and the set-password links migration keeps their passwords working."""

from flask_migrate import upgrade
from sqlalchemy import text

from storefront import create_app
from storefront.extensions import db
from tests.conftest import REDIS_URL


def _app_on_a_new_database(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
            "SECRET_KEY": "x",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
        }
    )


def test_existing_staff_accounts_become_owners(tmp_path):
    app = _app_on_a_new_database(tmp_path)
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO staff_users (email, password_hash, active, created_at, session_version) "
                    "VALUES ('old@voltwerk.example', 'x', 1, '2026-01-01 00:00:00', 1)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT role FROM staff_users")).scalar_one() == "owner"
        db.engine.dispose()


def test_accounts_made_before_the_migration_keep_their_password(tmp_path):
    app = _app_on_a_new_database(tmp_path)
    with app.app_context():
        upgrade(revision="i17_charges")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO staff_users (email, password_hash, active, created_at, session_version, role) "
                    "VALUES ('old@voltwerk.example', 'x', 1, '2026-01-01 00:00:00', 1, 'owner')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT version, password_set_at FROM staff_users")).one()
        assert row.version == 1 and row.password_set_at is not None
        db.engine.dispose()
