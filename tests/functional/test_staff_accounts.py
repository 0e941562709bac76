"""Owners manage staff in the back office: invitations by emailed link (single use, 48 hours), roles that apply
on the next request, deactivation and password resets that end sessions, stale forms, and a last owner who
cannot lock the shop out of itself."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import g
from sqlalchemy import func, select

from storefront.domain.roles import Role
from storefront.extensions import db, limiter
from storefront.logs import mask_tokens
from storefront.models import OutboxMessage, StaffPasswordLink, StaffUser
from storefront.services import staff_accounts
from storefront.services.staff import authenticate, create_staff, find_staff
from tests.support.backoffice import STAFF_EMAIL, csrf_from

LINK_RE = re.compile(r"https?://\S+?/backoffice/set-password/[A-Za-z0-9_-]+")
NEW_EMAIL = "new.mechanic@voltwerk.example"


class Browser:
    """One person's browser: a test client whose every request starts with an empty `g`, as a real request
    does. (The tests' app context outlives requests, so Flask-Login's user and Flask-WTF's token cached in
    `g` would otherwise carry from one client's request into another's.)"""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = None

    def _fresh(self):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    def get(self, url: str, **kwargs):
        self._fresh()
        response = self.client.get(url, **kwargs)
        if response.status_code == 200 and "csrf_token" in (body := response.get_data(as_text=True)):
            self.token = csrf_from(body)
        return response

    def post(self, url: str, data: dict | None = None, csrf: bool = True, **kwargs):
        if csrf and self.token is None:
            self.get("/backoffice/login")
        self._fresh()
        fields = {**({"csrf_token": self.token} if csrf else {}), **(data or {})}
        return self.client.post(url, data=fields, **kwargs)

    def sign_in(self, email: str, password: str):
        self.get("/backoffice/login")
        response = self.post("/backoffice/login", {"email": email, "password": password})
        self.token = None
        if response.status_code == 303:
            self.get("/backoffice/")  # the session's new CSRF token
        return response

    def is_signed_out(self) -> bool:
        response = self.get("/backoffice/")
        return response.status_code == 302 and "/backoffice/login" in response.headers["Location"]


@pytest.fixture
def owner(app_ctx, staff_user) -> Browser:
    """The shop's first owner (made by create-staff), signed in."""
    browser = Browser(app_ctx)
    assert browser.sign_in(STAFF_EMAIL, "torque-wrench-42").status_code == 303
    return browser


def account(email: str) -> StaffUser:
    db.session.expire_all()
    return find_staff(email)


def staff_mail(to: str) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.to_email == to, OutboxMessage.dedupe_key.startswith("staff-link"))
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def link_in(message: OutboxMessage) -> str:
    """The set-password link of an email, as a path for the test client; it is in the text and the HTML alike."""
    found = LINK_RE.search(message.body_text)
    assert found, message.body_text
    assert found.group(0) in message.body_html
    return urlsplit(found.group(0)).path


def invite(owner: Browser, email: str = NEW_EMAIL, role: str = "mechanic") -> str:
    response = owner.post("/backoffice/staff/invite", {"email": email, "role": role})
    assert response.status_code == 303, response.get_data(as_text=True)
    return link_in(staff_mail(email)[-1])


def set_password(path: str, password: str, browser: Browser):
    browser.get(path)
    return browser.post(path, {"password": password, "confirm": password})


def version(email: str) -> int:
    return account(email).version


def staff_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(StaffUser))


# ---------------------------------------------------------------- invitations


def test_an_invited_mechanic_sets_a_password_from_the_email_and_signs_in(app_ctx, owner):
    page = owner.get("/backoffice/staff/").get_data(as_text=True)
    assert "Invite someone" in page and STAFF_EMAIL in page

    path = invite(owner)
    [mail] = staff_mail(NEW_EMAIL)
    assert "invited to the" in mail.subject and "as mechanic" in mail.body_text
    assert "works once" in mail.body_text
    staff = account(NEW_EMAIL)
    assert staff.staff_role is Role.MECHANIC and staff.active and staff.password_set_at is None
    # only the hash of the token is stored
    [link] = db.session.scalars(select(StaffPasswordLink)).all()
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43 and token not in link.token_hash and link.token_hash == staff_accounts.token_hash(token)
    assert link.expires_at == app_ctx.config["FIXED_NOW"] + timedelta(hours=48)
    listed = owner.get("/backoffice/staff/").get_data(as_text=True)
    assert NEW_EMAIL in listed and "Invited" in listed and "Resend invitation" in listed

    newcomer = Browser(app_ctx)
    form = newcomer.get(path)
    assert form.status_code == 200 and NEW_EMAIL in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer" and form.headers["Cache-Control"] == "no-store"
    assert newcomer.is_signed_out()  # opening the link signs nobody in
    done = newcomer.post(path, {"password": "spoke-tension-77", "confirm": "spoke-tension-77"})
    assert done.status_code == 303 and done.headers["Location"] == "/backoffice/login"
    assert newcomer.is_signed_out()  # nor does setting the password: the person signs in next

    assert newcomer.sign_in(NEW_EMAIL, "spoke-tension-77").status_code == 303
    board = newcomer.get("/backoffice/")
    assert board.status_code == 200 and "Staff</a>" not in board.get_data(as_text=True)
    assert newcomer.get("/backoffice/staff/").status_code == 403
    assert "Staff</a>" in owner.get("/backoffice/").get_data(as_text=True)  # owners see the menu entry


def test_a_link_works_once(app_ctx, owner):
    path = invite(owner)
    first, second = Browser(app_ctx), Browser(app_ctx)
    second.get(path)  # a second tab opened before the first one used the link
    assert set_password(path, "spoke-tension-77", first).status_code == 303

    again = second.post(path, {"password": "another-password-1", "confirm": "another-password-1"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    reopened = Browser(app_ctx).get(path)
    assert reopened.status_code == 410 and "Each link works once" in reopened.get_data(as_text=True)
    assert authenticate(NEW_EMAIL, "spoke-tension-77") is not None
    assert authenticate(NEW_EMAIL, "another-password-1") is None


def test_a_link_expires_after_48_hours(app_ctx, owner):
    path = invite(owner)
    start = app_ctx.config["FIXED_NOW"]
    app_ctx.config["FIXED_NOW"] = start + timedelta(hours=47, minutes=59)
    assert Browser(app_ctx).get(path).status_code == 200

    app_ctx.config["FIXED_NOW"] = start + timedelta(hours=48)
    browser = Browser(app_ctx)
    refused = browser.get(path)
    assert refused.status_code == 410 and "expired" in refused.get_data(as_text=True)
    browser.get("/backoffice/login")
    late = browser.post(path, {"password": "spoke-tension-77", "confirm": "spoke-tension-77"})
    assert late.status_code == 410 and "Nothing was changed" in late.get_data(as_text=True)
    assert account(NEW_EMAIL).password_set_at is None
    assert browser.sign_in(NEW_EMAIL, "spoke-tension-77").status_code == 422
    assert "expired" in owner.get("/backoffice/staff/").get_data(as_text=True)  # the owner sees it, and resends


def test_an_unknown_or_cut_short_link_gets_a_clear_page(app_ctx, owner):
    path = invite(owner)
    for bad in (path[:-5], "/backoffice/set-password/" + "x" * 43, "/backoffice/set-password/short"):
        response = Browser(app_ctx).get(bad)
        assert response.status_code == 404
        assert "This password link cannot be used" in response.get_data(as_text=True)


def test_a_resent_invitation_replaces_the_first_link(app_ctx, owner):
    first = invite(owner)
    owner.get("/backoffice/staff/")
    response = owner.post(f"/backoffice/staff/{account(NEW_EMAIL).id}/password-link", {"version": version(NEW_EMAIL)})
    assert response.status_code == 303
    second = link_in(staff_mail(NEW_EMAIL)[-1])
    assert second != first and len(staff_mail(NEW_EMAIL)) == 2
    assert "invited" in staff_mail(NEW_EMAIL)[-1].subject  # still an invitation: no password was ever set
    assert Browser(app_ctx).get(first).status_code == 404
    assert set_password(second, "spoke-tension-77", Browser(app_ctx)).status_code == 303


def test_the_set_password_page_checks_the_password_like_the_command_does(app_ctx, owner):
    path = invite(owner)
    browser = Browser(app_ctx)
    browser.get(path)
    short = browser.post(path, {"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    differ = browser.post(path, {"password": "spoke-tension-77", "confirm": "spoke-tension-78"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(as_text=True)
    assert 'aria-invalid="true"' in differ.get_data(as_text=True)
    assert browser.post(path, {"password": "spoke-tension-77"}, csrf=False).status_code == 400
    assert account(NEW_EMAIL).password_set_at is None  # none of these used the link
    assert set_password(path, "spoke-tension-77", browser).status_code == 303


def test_the_set_password_page_is_rate_limited_like_sign_in(app_ctx, owner):
    path = invite(owner)
    limiter.reset()
    browser = Browser(app_ctx)
    browser.get(path)
    codes = [browser.post(path, {"password": "short", "confirm": "short"}).status_code for _ in range(6)]
    assert codes == [422] * 5 + [429]


def test_logs_mask_the_token_of_a_set_password_link():
    assert mask_tokens("GET /backoffice/set-password/abcdEFGHijklMNOPqrstUVWX 200") == (
        "GET /backoffice/set-password/abcd… 200"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": STAFF_EMAIL, "role": "mechanic"}, f"A staff account for {STAFF_EMAIL} already exists."),
        ({"email": STAFF_EMAIL.upper(), "role": "manager"}, f"A staff account for {STAFF_EMAIL} already exists."),
        ({"email": "not-an-email", "role": "mechanic"}, "Enter a valid email address."),
        ({"email": "", "role": "mechanic"}, "Enter the email address to invite."),
        ({"email": "x@voltwerk.example", "role": "admin"}, "Choose mechanic, manager or owner."),
    ],
)
def test_a_bad_invitation_gets_an_inline_message_and_writes_nothing(owner, fields, message):
    response = owner.post("/backoffice/staff/invite", fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    field = "role" if "Choose" in message else "email"
    assert re.search(rf'<p class="error" id="{field}-error">{re.escape(message)}', page), page
    assert staff_count() == 1 and staff_mail(fields["email"].lower()) == []
    assert db.session.scalar(select(func.count()).select_from(StaffPasswordLink)) == 0


# ---------------------------------------------------------------- roles


def test_a_demoted_owner_is_refused_owner_pages_on_the_very_next_request(app_ctx, owner):
    second = create_staff("second.owner@voltwerk.example", "a-long-password")  # an owner, as create-staff makes
    other = Browser(app_ctx)
    assert other.sign_in(second.email, "a-long-password").status_code == 303
    assert other.get("/backoffice/staff/").status_code == 200

    owner.get("/backoffice/staff/")
    changed = owner.post(f"/backoffice/staff/{second.id}/role", {"role": "mechanic", "version": second.version})
    assert changed.status_code == 303
    assert "now has the mechanic role" in owner.get("/backoffice/staff/").get_data(as_text=True)

    refused = other.get("/backoffice/staff/")
    assert refused.status_code == 403 and "your account has the mechanic role" in refused.get_data(as_text=True)
    assert other.get("/backoffice/inventory").status_code == 403
    assert other.get("/backoffice/").status_code == 200  # still signed in, as a mechanic

    owner.post(f"/backoffice/staff/{second.id}/role", {"role": "manager", "version": version(second.email)})
    assert other.get("/backoffice/inventory").status_code == 200
    assert other.get("/backoffice/staff/").status_code == 403


def test_a_role_form_with_a_bad_role_is_refused_inline(owner, staff_user):
    target = create_staff("mech@voltwerk.example", "a-long-password")
    response = owner.post(f"/backoffice/staff/{target.id}/role", {"role": "boss", "version": target.version})
    assert response.status_code == 422
    assert f'id="staff-{target.id}-problem">Choose mechanic, manager or owner.' in response.get_data(as_text=True)
    assert account(target.email).role == "owner"


def test_a_stale_form_gets_a_409_with_a_reload_and_changes_nothing(app_ctx, owner):
    target = create_staff("mech@voltwerk.example", "a-long-password")
    seen = target.version
    # another owner makes it a manager after this owner opened the page
    staff_accounts.change_role(target.id, Role.MANAGER, version=seen, by=account(STAFF_EMAIL))
    for action, fields in (("role", {"role": "mechanic"}), ("deactivate", {}), ("password-link", {})):
        response = owner.post(f"/backoffice/staff/{target.id}/{action}", {**fields, "version": seen})
        page = response.get_data(as_text=True)
        assert response.status_code == 409, action
        assert "Another owner changed this account" in page and 'href="/backoffice/staff/" id="reload"' in page
    after = account(target.email)
    assert after.role == "manager" and after.active and after.version == seen + 1
    assert staff_mail(target.email) == []
    # the page it offers to reload carries the current version, and that goes through
    ok = owner.post(f"/backoffice/staff/{target.id}/role", {"role": "mechanic", "version": after.version})
    assert ok.status_code == 303 and account(target.email).role == "mechanic"


def test_a_form_without_a_version_or_token_changes_nothing(owner):
    target = create_staff("mech@voltwerk.example", "a-long-password")
    no_version = owner.post(f"/backoffice/staff/{target.id}/deactivate", {})
    assert no_version.status_code == 422 and "This form is out of date; reload." in no_version.get_data(as_text=True)
    no_token = owner.post(f"/backoffice/staff/{target.id}/deactivate", {"version": target.version}, csrf=False)
    assert no_token.status_code == 400
    assert owner.post("/backoffice/staff/9999/deactivate", {"version": 1}).status_code == 404
    assert account(target.email).active


# ---------------------------------------------------------------- deactivation and resets


def test_deactivation_ends_a_signed_in_session_and_blocks_sign_in(app_ctx, owner):
    mechanic = create_staff("mech@voltwerk.example", "a-long-password")
    mechanic.role = Role.MECHANIC.value
    db.session.commit()
    bench = Browser(app_ctx)
    assert bench.sign_in(mechanic.email, "a-long-password").status_code == 303
    assert bench.get("/backoffice/").status_code == 200

    response = owner.post(f"/backoffice/staff/{mechanic.id}/deactivate", {"version": version(mechanic.email)})
    assert response.status_code == 303
    assert bench.is_signed_out()
    assert bench.sign_in(mechanic.email, "a-long-password").status_code == 422
    listed = owner.get("/backoffice/staff/").get_data(as_text=True)
    assert "Deactivated" in listed and "Reactivate" in listed

    again = owner.post(f"/backoffice/staff/{mechanic.id}/reactivate", {"version": version(mechanic.email)})
    assert again.status_code == 303
    assert bench.sign_in(mechanic.email, "a-long-password").status_code == 303


def test_deactivation_voids_an_unused_invitation(app_ctx, owner):
    path = invite(owner)
    owner.post(f"/backoffice/staff/{account(NEW_EMAIL).id}/deactivate", {"version": version(NEW_EMAIL)})
    assert Browser(app_ctx).get(path).status_code == 404
    refused = owner.post(f"/backoffice/staff/{account(NEW_EMAIL).id}/password-link", {"version": version(NEW_EMAIL)})
    assert refused.status_code == 422 and "reactivate the account" in refused.get_data(as_text=True)
    assert len(staff_mail(NEW_EMAIL)) == 1


def test_a_reset_link_ends_the_old_sessions_when_the_new_password_is_set(app_ctx, owner):
    mechanic = create_staff("mech@voltwerk.example", "a-long-password")
    laptop, phone = Browser(app_ctx), Browser(app_ctx)
    assert laptop.sign_in(mechanic.email, "a-long-password").status_code == 303
    assert phone.sign_in(mechanic.email, "a-long-password").status_code == 303

    owner.get("/backoffice/staff/")
    response = owner.post(f"/backoffice/staff/{mechanic.id}/password-link", {"version": mechanic.version})
    assert response.status_code == 303
    [mail] = staff_mail(mechanic.email)
    assert "Set a new password" in mail.subject and "signs you out everywhere" in mail.body_text
    assert laptop.get("/backoffice/").status_code == 200  # nothing ends until the new password is set

    assert set_password(link_in(mail), "new-brake-pads-9", phone).status_code == 303
    assert laptop.is_signed_out() and phone.is_signed_out()
    assert laptop.sign_in(mechanic.email, "a-long-password").status_code == 422
    assert laptop.sign_in(mechanic.email, "new-brake-pads-9").status_code == 303


# ---------------------------------------------------------------- the last owner


def test_the_only_owner_cannot_demote_or_deactivate_themselves(owner, staff_user):
    me = account(STAFF_EMAIL)
    for action, fields in (("role", {"role": "manager"}), ("deactivate", {})):
        response = owner.post(f"/backoffice/staff/{me.id}/{action}", {**fields, "version": me.version})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, action
        assert "the shop would have no active owner left" in page and f'id="staff-{me.id}-problem"' in page
    after = account(STAFF_EMAIL)
    assert after.role == "owner" and after.active and after.version == me.version
    assert owner.get("/backoffice/staff/").status_code == 200  # still signed in, still an owner


def test_with_a_second_owner_an_owner_may_step_down(app_ctx, owner):
    create_staff("second.owner@voltwerk.example", "a-long-password")
    me = account(STAFF_EMAIL)
    response = owner.post(f"/backoffice/staff/{me.id}/role", {"role": "manager", "version": me.version})
    assert response.status_code == 303 and response.headers["Location"] == "/backoffice/"
    assert owner.get("/backoffice/staff/").status_code == 403
    assert owner.get("/backoffice/inventory").status_code == 200


def test_an_owner_who_deactivates_themselves_is_signed_out(app_ctx, owner):
    create_staff("second.owner@voltwerk.example", "a-long-password")
    me = account(STAFF_EMAIL)
    response = owner.post(f"/backoffice/staff/{me.id}/deactivate", {"version": me.version})
    assert response.status_code == 303 and response.headers["Location"] == "/backoffice/login"
    assert owner.is_signed_out()


def test_deactivated_owners_do_not_count(app_ctx, owner):
    other = create_staff("second.owner@voltwerk.example", "a-long-password")
    staff_accounts.deactivate(other.id, version=other.version, by=account(STAFF_EMAIL))
    me = account(STAFF_EMAIL)
    response = owner.post(f"/backoffice/staff/{me.id}/role", {"role": "mechanic", "version": me.version})
    assert response.status_code == 422 and account(STAFF_EMAIL).role == "owner"


# ---------------------------------------------------------------- only owners


@pytest.mark.parametrize("role", [Role.MECHANIC, Role.MANAGER])
def test_below_owner_every_staff_route_is_a_403_and_changes_nothing(app_ctx, client, role):
    target = create_staff("target@voltwerk.example", "a-long-password")
    someone = create_staff(f"{role.value}@voltwerk.example", "a-long-password")
    someone.role = role.value
    db.session.commit()
    browser = Browser(app_ctx)
    assert browser.sign_in(someone.email, "a-long-password").status_code == 303
    assert "Staff</a>" not in browser.get("/backoffice/").get_data(as_text=True)
    assert browser.get("/backoffice/staff/").status_code == 403
    posts = {
        "/backoffice/staff/invite": {"email": "sneaky@voltwerk.example", "role": "owner"},
        f"/backoffice/staff/{someone.id}/role": {"role": "owner", "version": someone.version},
        f"/backoffice/staff/{target.id}/deactivate": {"version": target.version},
        f"/backoffice/staff/{target.id}/reactivate": {"version": target.version},
        f"/backoffice/staff/{target.id}/password-link": {"version": target.version},
    }
    for url, fields in posts.items():
        assert browser.post(url, fields).status_code == 403, url
    assert account(someone.email).role == role.value and account(target.email).active
    assert find_staff("sneaky@voltwerk.example") is None and staff_mail(target.email) == []
