"""Staff sessions through Flask-Login."""

from __future__ import annotations

from .extensions import db, login_manager
from .models import StaffUser


def init_app(app) -> None:
    login_manager.login_view = "backoffice.login"
    login_manager.login_message = "Please sign in to the back office."
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_staff(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    staff = db.session.get(StaffUser, int(user_id))
    return staff if staff is not None and staff.active else None
