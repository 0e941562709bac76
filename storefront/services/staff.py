"""Staff accounts: creation with an argon2 hash, and sign-in. Owners manage accounts in staff_accounts.py."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import StaffPasswordLink, StaffUser
from ..timeutil import utcnow

MIN_PASSWORD_LENGTH = 10
DEMO_EMAIL = "staff@voltwerk.example"
DEMO_PASSWORD = "workshop-demo"  # development only: seed-demo creates it when app.debug is on


def _hasher() -> tuple[PasswordHasher, str]:
    """The app's argon2 hasher and a dummy hash made with it, built on first use (never at import).

    `PASSWORD_HASH_PARAMS` (argon2 Parameters) is None in production, which keeps argon2-cffi's defaults.
    The dummy hash is verified against when the email is unknown, so a wrong email takes as long as a wrong
    password.
    """
    found = current_app.extensions.get("password_hasher")
    if found is None:
        params = current_app.config.get("PASSWORD_HASH_PARAMS")
        hasher = PasswordHasher.from_parameters(params) if params else PasswordHasher()
        found = current_app.extensions["password_hasher"] = (hasher, hasher.hash("not-a-real-password"))
    return found


class StaffError(ValueError):
    """An account that cannot be created as asked; the message says why."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_problem(email: str) -> str | None:
    """Why `email` (normalised) cannot name a staff account, or None."""
    name, at, domain = email.partition("@")
    if not (name and at and domain) or len(email) > 254 or any(c.isspace() for c in email):
        return "Enter a valid email address."
    return None


def password_problem(password: str) -> str | None:
    """Why `password` is too weak for a staff account, or None: the one rule the commands and pages share."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
    return None


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def create_staff(email: str, password: str) -> StaffUser:
    """Create an active staff account and commit it."""
    email = normalise_email(email)
    problem = email_problem(email) or password_problem(password)
    if problem:
        raise StaffError(problem)
    if find_staff(email) is not None:
        raise StaffError(f"A staff account for {email} already exists.")
    staff = StaffUser(email=email, password_hash=hash_password(password), password_set_at=utcnow())
    db.session.add(staff)
    db.session.commit()
    return staff


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active staff user with this email and password, or None. Records the sign-in time."""
    staff = find_staff(email)
    hasher, dummy_hash = _hasher()
    try:
        hasher.verify(staff.password_hash if staff else dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if staff is None or not staff.active or staff.password_set_at is None:
        return None
    if hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hasher.hash(password)
    staff.last_login_at = utcnow()
    db.session.commit()
    return staff


def ensure_demo_staff() -> tuple[str, str, bool]:
    """The development demo login, created if missing. Returns (email, password, created)."""
    if find_staff(DEMO_EMAIL) is not None:
        return DEMO_EMAIL, DEMO_PASSWORD, False
    create_staff(DEMO_EMAIL, DEMO_PASSWORD)
    return DEMO_EMAIL, DEMO_PASSWORD, True


def end_sessions(staff: StaffUser) -> None:
    """Every session of this user ends: the version in their cookies no longer matches. Commits."""
    staff.session_version += 1
    db.session.commit()


def set_password(email: str, password: str) -> StaffUser:
    """Give a staff account a new password and end all of its sessions."""
    staff = find_staff(email)
    if staff is None:
        raise StaffError(f"There is no staff account for {normalise_email(email)}.")
    problem = password_problem(password)
    if problem:
        raise StaffError(problem)
    staff.password_hash = hash_password(password)
    staff.password_set_at = utcnow()
    forget_password_links(staff)
    end_sessions(staff)
    return staff


def deactivate(email: str) -> StaffUser:
    """Stop a staff account from signing in and end all of its sessions."""
    staff = find_staff(email)
    if staff is None:
        raise StaffError(f"There is no staff account for {normalise_email(email)}.")
    staff.active = False
    staff.version += 1  # a Staff page opened before this is stale
    forget_password_links(staff)
    end_sessions(staff)
    return staff


def forget_password_links(staff: StaffUser) -> None:
    """Every set-password link of this account that was not used stops working (inside the caller's
    transaction): a new password, a newer link and deactivation each make the old ones worthless."""
    db.session.execute(
        delete(StaffPasswordLink).where(StaffPasswordLink.staff_id == staff.id, StaffPasswordLink.used_at.is_(None))
    )
