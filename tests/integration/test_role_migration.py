"""The roles migration gives every account that existed before it the owner role."""

from flask_migrate import upgrade
from sqlalchemy import text

from storefront import create_app
from storefront.extensions import db
from tests.conftest import REDIS_URL


def test_existing_staff_accounts_become_owners(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
            "SECRET_KEY": "x",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
        }
    )
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
