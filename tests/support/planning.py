"""Test fixtures for the planning area: a signed-in staff client."""

from __future__ import annotations

import pytest
from flask import current_app

from storefront.extensions import db
from storefront.models import StaffUser


def sign_in(client, email: str = "planner@voltwerk.example") -> StaffUser:
    """Create a staff user and put its Flask-Login session on `client` (no login page needed)."""
    staff = StaffUser(email=email, password_hash="not-a-real-hash")
    db.session.add(staff)
    db.session.commit()
    with current_app.test_request_context(environ_base=client.environ_base):
        identifier = current_app.login_manager._session_identifier_generator()  # "strong" session protection
    with client.session_transaction() as sess:
        sess.update({"_user_id": staff.get_id(), "_fresh": True, "_id": identifier})
    return staff


@pytest.fixture
def planner_client(client):
    """A test client signed in as a back-office user."""
    sign_in(client)
    return client
