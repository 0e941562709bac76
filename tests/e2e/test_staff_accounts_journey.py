"""An owner invites a mechanic in Chromium; the mechanic opens the emailed link on a phone, chooses a password,
signs in and sees the board but not the Staff page. Every page on the way passes axe-core and fits a phone."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import OutboxMessage
from tests.e2e.audit import audit, table
from tests.support.backoffice import STAFF_EMAIL, STAFF_PASSWORD

pytestmark = pytest.mark.e2e

MECHANIC = "rosa.mechanic@voltwerk.example"
PASSWORD = "true-wheel-spoke-9"


def invite_link(base: str) -> str:
    """The set-password link of the invitation in the outbox, pointed at the live server."""
    db.session.expire_all()
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.to_email == MECHANIC))
    assert body, "no invitation in the outbox"
    found = re.search(r"https?://\S+/backoffice/set-password/[A-Za-z0-9_-]+", body)
    return base + urlsplit(found.group(0)).path


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_owner_invites_a_mechanic_who_sets_a_password_and_signs_in(
    live_server, page, phone_page, screenshot, staff_user
):
    audits = []
    page.goto(f"{live_server}/backoffice/")
    sign_in(page, STAFF_EMAIL, STAFF_PASSWORD)
    page.get_by_role("link", name="Staff").click()
    expect(page.locator("h1")).to_have_text("Staff")

    # an address that exists already is refused at the field
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#email-error")).to_contain_text("already exists")
    screenshot(page, "staff-invite-duplicate")

    page.get_by_label("Email").fill(MECHANIC)
    page.get_by_label("Role", exact=True).select_option("mechanic")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".flash")).to_contain_text(f"Invitation sent to {MECHANIC} (mechanic)")
    row = page.locator(".staff-row", has_text=MECHANIC)
    expect(row).to_contain_text("Invited")
    expect(row.get_by_role("button", name=re.compile("Resend invitation"))).to_be_visible()
    row.locator("summary").click()  # the deactivate confirmation opens in place
    expect(row.get_by_role("button", name=f"Deactivate {MECHANIC}")).to_be_visible()
    audits.append(audit(page, "staff page, desktop"))
    screenshot(page, "staff-page-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    audits.append(audit(page, "staff page, 390 px"))
    screenshot(page, "staff-page-narrow")

    # the mechanic, on a phone, opens the link from the email
    link = invite_link(live_server)
    phone_page.goto(link)
    expect(phone_page.locator("h1")).to_have_text("Choose your password")
    expect(phone_page.get_by_label("Email")).to_have_value(MECHANIC)
    phone_page.get_by_label("New password", exact=True).fill("short")
    phone_page.get_by_label("Repeat the new password").fill("short")
    phone_page.get_by_role("button", name="Set password").click()
    expect(phone_page.locator("#password-error")).to_contain_text("at least 10 characters")
    audits.append(audit(phone_page, "set password with an error, phone"))
    screenshot(phone_page, "staff-set-password-phone")
    phone_page.get_by_label("New password", exact=True).fill(PASSWORD)
    phone_page.get_by_label("Repeat the new password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Set password").click()
    expect(phone_page).to_have_url(f"{live_server}/backoffice/login")
    expect(phone_page.locator(".flash")).to_contain_text("Password set")

    sign_in(phone_page, MECHANIC, PASSWORD)
    expect(phone_page.locator(".who")).to_contain_text("Mechanic")
    expect(phone_page.get_by_role("link", name="Staff")).to_have_count(0)
    expect(phone_page.locator(".board")).to_be_visible()
    screenshot(phone_page, "staff-mechanic-board-phone")
    response = phone_page.goto(f"{live_server}/backoffice/staff/")
    assert response.status == 403
    expect(phone_page.locator("#forbidden")).to_contain_text("your account has the mechanic role")

    # the link worked once
    response = phone_page.goto(link)
    assert response.status == 410
    expect(phone_page.locator("#refused-reason")).to_contain_text("already been used")
    audits.append(audit(phone_page, "used link, phone"))
    screenshot(phone_page, "staff-link-used-phone")

    # back on the owner's page, the mechanic is active now
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.locator(".staff-row", has_text=MECHANIC)).to_contain_text("Active")
    print("\n" + table(audits))
    assert [a for a in audits if a.violations or a.overflow_px] == [], table(audits)
