"""Owners manage staff accounts: invite, change a role, deactivate or reactivate, and send a password link.

A set-password link (an invitation or a reset) carries a 256-bit token; only its SHA-256 is stored. It works
once, for LINK_LIFETIME, and a newer link, a new password or deactivation makes it worthless.

Every change an owner makes raises the account's `version`: the Staff page's forms carry the version they were
rendered with, and a stale one (another owner got there first) is refused with StaffChanged and writes
nothing. The shop always keeps one active owner: a change that would leave none is refused with LastOwner.

Concurrency: each change first locks the active owners' rows (PostgreSQL; ordered by id, so two changes queue
instead of deadlocking), then claims the account with a version-checked UPDATE, which on SQLite is the first
write and so takes the database's write lock before anything is counted.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..domain.roles import Role
from ..extensions import db
from ..mail.outbox import enqueue_mail
from ..models import StaffPasswordLink, StaffUser
from .catalog import live_catalog
from .links import new_secret_token, set_password_url, token_hash
from .staff import (
    StaffError,
    email_problem,
    find_staff,
    forget_password_links,
    hash_password,
    normalise_email,
    password_problem,
)
from .unit_of_work import ConcurrentChange, unit_of_work

LINK_LIFETIME = timedelta(hours=48)
INVITE, RESET = "invite", "reset"


class StaffNotFound(LookupError):
    """No staff account with that id."""


class StaffChanged(ConcurrentChange):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "Another owner changed this account after you opened the page, so nothing was saved. "
            "Reload to see it as it is now."
        )


class DuplicateEmail(StaffError):
    """An account with that email exists already."""


class LastOwner(StaffError):
    """The change would leave the shop with no active owner."""


class LinkRefused(Exception):
    """A set-password link that cannot be used; `reason` is unknown, used, expired or inactive."""

    MESSAGES = {
        "unknown": "This link is not valid. It may be incomplete (copy the whole link from the email), or a "
        "newer link for the same account has replaced it.",
        "used": "This link has already been used to set a password. Each link works once.",
        "expired": "This link has expired: links work for 48 hours.",
        "inactive": "This account has been deactivated, so its password cannot be set.",
    }

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


@dataclass(frozen=True)
class StaffRow:
    """One account on the Staff page, with its newest unused set-password link (if any)."""

    staff: StaffUser
    link: StaffPasswordLink | None

    @property
    def link_expired(self) -> bool:
        return self.link is not None and self.link.expires_at <= clock.now()


def staff_rows() -> list[StaffRow]:
    """Every account: active ones first, then by role (owners first) and email."""
    accounts = db.session.scalars(select(StaffUser)).all()
    links: dict[int, StaffPasswordLink] = {}
    for link in db.session.scalars(
        select(StaffPasswordLink).where(StaffPasswordLink.used_at.is_(None)).order_by(StaffPasswordLink.id)
    ):
        links[link.staff_id] = link  # the newest wins
    accounts = sorted(accounts, key=lambda s: (not s.active, -s.staff_role.rank, s.email))
    return [StaffRow(staff, links.get(staff.id)) for staff in accounts]


def active_owner_count(excluding: int | None = None) -> int:
    """Active owners, leaving out the account `excluding` when given."""
    query = select(func.count()).select_from(StaffUser).where(StaffUser.role == Role.OWNER.value, StaffUser.active)
    return db.session.scalar(query if excluding is None else query.where(StaffUser.id != excluding))


# ---------------------------------------------------------------- owner actions


def invite(email: str, role: Role, *, by: StaffUser) -> StaffUser:
    """Create an account that cannot sign in yet and email it a set-password link, in one transaction."""
    email = normalise_email(email)
    problem = email_problem(email)
    if problem:
        raise StaffError(problem)
    try:
        with unit_of_work():
            if find_staff(email) is not None:
                raise DuplicateEmail(f"A staff account for {email} already exists.")
            # A hash of a secret nobody knows: no password opens it, and a wrong guess takes as long as any other.
            staff = StaffUser(
                email=email, role=role.value, password_hash=hash_password(secrets.token_urlsafe(32)), active=True
            )
            db.session.add(staff)
            db.session.flush()
            _send_link(staff, INVITE, by)
    except IntegrityError as exc:  # another owner invited the same address at the same moment
        raise DuplicateEmail(f"A staff account for {email} already exists.") from exc
    return staff


def change_role(staff_id: int, role: Role, *, version: int, by: StaffUser) -> StaffUser:
    """Give an account another role; it applies from that person's next request."""
    with _editing(staff_id, version) as staff:
        if staff.staff_role is Role.OWNER and role is not Role.OWNER:
            _keep_an_owner(staff, by, "demote")
        staff.role = role.value
    return staff


def deactivate(staff_id: int, *, version: int, by: StaffUser) -> StaffUser:
    """Stop an account from signing in, end every session it has, and void its unused links."""
    with _editing(staff_id, version) as staff:
        if staff.active:
            if staff.staff_role is Role.OWNER:
                _keep_an_owner(staff, by, "deactivate")
            staff.active = False
            staff.session_version += 1
            forget_password_links(staff)
    return staff


def reactivate(staff_id: int, *, version: int, by: StaffUser) -> StaffUser:
    """Let a deactivated account sign in again (with its old password; send a link if it needs a new one)."""
    with _editing(staff_id, version) as staff:
        staff.active = True
    return staff


def send_password_link(staff_id: int, *, version: int, by: StaffUser) -> StaffUser:
    """Email the account a new set-password link: the invitation again if it never set a password, else a
    reset. Its current password and sessions keep working until the new password is set."""
    with _editing(staff_id, version) as staff:
        if not staff.active:
            raise StaffError(f"{staff.email} is deactivated: reactivate the account before sending a password link.")
        _send_link(staff, INVITE if staff.password_set_at is None else RESET, by)
    return staff


@contextmanager
def _editing(staff_id: int, version: int) -> Iterator[StaffUser]:
    """One owner change as one unit of work, on the version of the account the form was rendered with."""
    with unit_of_work(conflict=StaffChanged):
        # PostgreSQL: changes that count owners queue here, in one lock order (no-op on SQLite, see above)
        db.session.execute(
            select(StaffUser.id)
            .where(StaffUser.role == Role.OWNER.value, StaffUser.active)
            .order_by(StaffUser.id)
            .with_for_update()
        )
        claimed = db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == staff_id, StaffUser.version == version)
            .values(version=StaffUser.version + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            if db.session.get(StaffUser, staff_id) is None:
                raise StaffNotFound(staff_id)
            raise StaffChanged()
        staff = db.session.get(StaffUser, staff_id, populate_existing=True)
        yield staff


def _keep_an_owner(staff: StaffUser, by: StaffUser, verb: str) -> None:
    if active_owner_count(excluding=staff.id) == 0:
        who = "yourself" if staff.id == by.id else staff.email
        raise LastOwner(
            f"You cannot {verb} {who}: the shop would have no active owner left to manage staff and the catalog. "
            "Make another account an owner first."
        )


def _send_link(staff: StaffUser, purpose: str, by: StaffUser | None) -> StaffPasswordLink:
    """A new link for `staff` (older unused ones stop working) and its email, in the caller's transaction."""
    forget_password_links(staff)
    token, digest = new_secret_token()
    moment = clock.now()
    link = StaffPasswordLink(
        staff_id=staff.id,
        token_hash=digest,
        purpose=purpose,
        created_at=moment,
        expires_at=moment + LINK_LIFETIME,
        created_by_id=by.id if by is not None else None,
    )
    db.session.add(link)
    db.session.flush()
    shop_name = live_catalog().shop_name
    subject = (
        f"You are invited to the {shop_name} back office"
        if purpose == INVITE
        else f"Set a new password for the {shop_name} back office"
    )
    enqueue_mail(
        staff.email,
        subject,
        f"staff_{purpose}",
        f"staff-link:{link.token_hash[:40]}",  # ids of deleted links come back on SQLite
        shop_name=shop_name,
        link_url=set_password_url(token),
        expires_at=link.expires_at,
        role=staff.staff_role,
        email=staff.email,
        by_email=by.email if by is not None else None,
    )
    return link


# ---------------------------------------------------------------- the link itself


def open_link(token: str) -> StaffPasswordLink:
    """The usable link with this token, or LinkRefused saying why not. Changes nothing."""
    link = None
    if 20 <= len(token) <= 100:
        link = db.session.scalar(select(StaffPasswordLink).where(StaffPasswordLink.token_hash == token_hash(token)))
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= clock.now():
        raise LinkRefused("expired")
    if not link.staff.active:
        raise LinkRefused("inactive")
    return link


def set_password_with_link(token: str, password: str) -> StaffUser:
    """Use the link once: the account gets this password, every session it had ends, and no link of it is left.

    Nothing is written if the link cannot be used or the password is too weak (StaffError).
    """
    problem = password_problem(password)
    if problem:
        raise StaffError(problem)
    with unit_of_work():
        link = open_link(token)
        moment = clock.now()
        used = db.session.execute(
            update(StaffPasswordLink)
            .where(StaffPasswordLink.id == link.id, StaffPasswordLink.used_at.is_(None))
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:  # used a moment ago, by a second click or another tab
            raise LinkRefused("used")
        staff = db.session.get(StaffUser, link.staff_id, populate_existing=True)
        staff.password_hash = hash_password(password)
        staff.password_set_at = moment
        staff.session_version += 1  # a reset ends every session the account had
        forget_password_links(staff)
    return staff
