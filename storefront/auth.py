"""Staff sessions through Flask-Login: versioned user ids, idle expiry, and protection keyed on trusted data."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from . import cache
from .domain.roles import Role
from .extensions import db, login_manager
from .models import StaffUser
from .services.plan_version import current_stamp
from .services.staff import end_sessions


def init_app(app) -> None:
    app.context_processor(lambda: {"staff_may": staff_may})
    login_manager.login_view = "backoffice.login"
    login_manager.login_message = "Please sign in to the back office."
    login_manager.session_protection = "strong"
    # Flask-Login's own identifier hashes the first X-Forwarded-For entry, which any client can write.
    login_manager._session_identifier_generator = _session_identifier


def _session_identifier() -> str:
    """The client as this app sees it: the address ProxyFix vouches for (TRUSTED_PROXIES) and the user agent."""
    seen = f"{request.remote_addr or ''}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha512(seen.encode()).hexdigest()


@login_manager.user_loader
def load_staff(user_id: str) -> StaffUser | None:
    """The active staff user whose id and session version match the session's, else nobody.

    The session must also come from the client that signed in: Flask-Login's "strong" mode only marks a
    permanent session stale, so the identifier is compared here on every request.
    """
    staff_id, _, version = user_id.partition(":")
    if not (staff_id.isdigit() and version.isdigit()) or session.get("_id") != _session_identifier():
        return None
    staff = known_staff(int(staff_id))
    if staff is None or not staff.active or staff.session_version != int(version):
        return None
    return staff


_staff_rows = cache.named("staff_rows")
# the sign-in time is left out: recording it does not bump the stamp (plan_version._only_signed_in)
_STAFF_COLUMNS = tuple(column.key for column in StaffUser.__table__.columns if column.key != "last_login_at")


def known_staff(staff_id: int) -> StaffUser | None:
    """The staff user as of the current plan stamp, which every write to a staff account bumps (a sign-in's time
    aside): read once per stamp, then put into this request's session from this process's copy without a query,
    so changes made through it still flush. The stamp is taken before the row, so a copy is never older than its
    key."""
    key = (current_stamp(), staff_id)
    row = _staff_rows.peek(key)
    if row is None:
        staff = db.session.get(StaffUser, staff_id)
        if staff is not None:
            _staff_rows.put(key, {name: getattr(staff, name) for name in _STAFF_COLUMNS})
        return staff
    copy = _detached_copy(row)
    if identity_key(StaffUser, staff_id) in db.session.identity_map:
        return db.session.merge(copy, load=False)  # refresh the instance this session already holds
    db.session.add(copy)
    return copy


def _detached_copy(row: dict) -> StaffUser:
    """A StaffUser made from remembered column values as a load makes one (no change events), so that once
    attached only later edits flush."""
    copy = StaffUser.__mapper__.class_manager.new_instance()
    copy.__dict__.update(row)
    make_transient_to_detached(copy)
    return copy


def start_staff_session(staff: StaffUser) -> None:
    """A brand-new session for a staff user: nothing (CSRF token included) survives from before sign-in."""
    _forget_csrf_token()
    login_user(staff)
    session.permanent = True  # idle expiry after PERMANENT_SESSION_LIFETIME


def end_staff_session(staff: StaffUser) -> None:
    """Sign out here and everywhere else this user is signed in."""
    end_sessions(staff)
    logout_user()
    _forget_csrf_token()


def _forget_csrf_token() -> None:
    """Clear the session and Flask-WTF's per-request copy of the token, so the next form gets a new one."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def requires(role: Role):
    """Declare the least role a back-office route needs; the blueprint's `staff_only` guard enforces it."""

    def declare(view):
        view.required_role = role
        return view

    return declare


def required_role(endpoint: str | None) -> Role:
    """The role a route declared; a route that forgot to declare one is for owners only (fail closed)."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "required_role", Role.OWNER)


def staff_may(endpoint: str) -> bool:
    """Whether the signed-in staff user may open `endpoint` (the back-office menu shows only those)."""
    return current_user.is_authenticated and current_user.staff_role.may(required_role(endpoint))


def staff_only(bp: Blueprint, public: frozenset[str] = frozenset()) -> None:
    """Guard a whole blueprint: every route but the `public` endpoints sends outsiders to sign in and answers
    403 to staff whose role is below the route's declared one; no staff page is stored by a browser or a
    shared cache. A new route is protected without remembering to."""

    @bp.before_request
    def require_staff():
        if request.endpoint in public:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        needed = required_role(request.endpoint)
        if not current_user.staff_role.may(needed):
            abort(
                403,
                description=f"This page is for the {needed.label.lower()} role and above; "
                f"your account has the {current_user.staff_role.label.lower()} role. Ask an owner if you need it.",
            )
        return None

    @bp.after_request
    def no_store(response):
        response.headers["Cache-Control"] = "no-store"
        return response
