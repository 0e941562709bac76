"""Staff sessions through Flask-Login."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

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


def staff_only(bp: Blueprint, public: frozenset[str] = frozenset()) -> None:
    """Guard a whole blueprint: every route but the `public` endpoints sends outsiders to sign in, and no
    staff page is stored by a browser or a shared cache. A new route is protected without remembering to."""

    @bp.before_request
    def require_staff():
        if request.endpoint not in public and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @bp.after_request
    def no_store(response):
        response.headers["Cache-Control"] = "no-store"
        return response
