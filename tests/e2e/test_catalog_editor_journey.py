"""The owner changes the catalog in the back office: a price, a rule the check flags and the owner fixes, a
preview that cannot sell, and a publish the public configurator shows at once, while a paid order keeps its price.

Screenshots of each step go to artifacts/catalog-editor/, at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.backoffice import STAFF_EMAIL, STAFF_PASSWORD

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "catalog-editor"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NEW_RULE = 6  # the demo catalog has six rules; "Add a rule" appends the seventh
RULE_MESSAGE = "The child seat leaves no room for the suspension seatpost."
CARGO_BUILD = "frame=cargo&motor=mid-500&battery=b400&color=graphite&accessories=child-seat"


def shoot(page, name: str) -> None:
    """The page at desktop width, then at phone width (the layout reflows; nothing reloads)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True, caret="initial")
    page.set_viewport_size(DESKTOP)


def test_an_owner_edits_checks_previews_and_publishes_and_a_paid_order_keeps_its_price(
    live_server, page, staff_user, paid_order
):
    bill = f"{live_server}/bill-of-sale/{paid_order.status_token}"
    page.goto(bill)
    expect(page.locator("#checkout-total")).to_have_text("$1,290.00")

    page.goto(f"{live_server}/backoffice/catalog/")
    expect(page).to_have_url(re.compile(r"/backoffice/login\?next="))
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Catalog")
    shoot(page, "01-catalog-index")

    page.get_by_role("button", name="Start a draft from the live catalog").click()
    expect(page.locator("h1")).to_contain_text("Draft")
    page.get_by_label("Base price").fill("1390.00")
    page.get_by_role("button", name="Add a rule").click()  # saves the price too, and adds an empty rule
    expect(page.locator(".flash").first).to_contain_text("Draft saved.")
    expect(page.get_by_label("Base price")).to_have_value("1390.00")

    # the owner means "no suspension seatpost with the child seat" but types the frame the seat needs
    page.locator(f"#rules-{NEW_RULE}-option").fill("child-seat")
    page.locator(f"#rules-{NEW_RULE}-kind").select_option("excludes")
    page.locator(f"#rules-{NEW_RULE}-targets").fill("cargo")
    page.locator(f"#rules-{NEW_RULE}-message").fill(RULE_MESSAGE)
    page.get_by_role("button", name="Save draft").click()
    stranded = page.locator("#problems .problems")
    expect(stranded).to_contain_text("Child seat can never be part of a valid build")
    expect(stranded).to_contain_text(RULE_MESSAGE)
    expect(page.locator("#check-passed")).to_have_count(0)
    shoot(page, "02-check-flags-a-stranded-option")
    page.get_by_role("button", name="Publish").click()  # refused while the check fails
    expect(page.locator("#note")).to_contain_text("fix them before publishing")

    page.locator(f"#rules-{NEW_RULE}-targets").fill("suspension-post")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#check-passed")).to_be_visible()
    expect(page.locator(f"#rules-{NEW_RULE}-targets")).to_have_value("suspension-post")
    shoot(page, "03-check-passes")

    page.locator("#preview-link").click()
    expect(page.locator("#preview-banner")).to_contain_text("Preview — not live")
    expect(page.locator("#total")).to_have_text("$1,390.00")
    expect(page.get_by_role("link", name="Buy this build")).to_have_count(0)
    expect(page.locator('a[href*="/checkout"], form[action*="/checkout"]')).to_have_count(0)
    shoot(page, "04-preview-not-live")
    page.get_by_role("link", name="Back to the draft").click()

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash").first).to_contain_text("is live")
    live_row = page.locator("#versions tbody tr").first
    expect(live_row).to_contain_text("Base price: $1,290.00 → $1,390.00")
    expect(live_row).to_contain_text(f"Rule added: child-seat excludes suspension-post: “{RULE_MESSAGE}”")
    shoot(page, "05-published-with-diff")

    page.goto(f"{live_server}/configure?{CARGO_BUILD}")
    expect(page.locator("#total")).to_have_text("$2,720.00")  # 1,390 + cargo 700 + mid-drive 450 + seat 180
    page.locator('label[data-option="suspension-post"]').click()
    expect(page.locator(".problems")).to_contain_text(RULE_MESSAGE)
    expect(page.locator(".buy")).to_have_count(0)
    shoot(page, "06-public-configurator-shows-the-rule")

    page.goto(bill)
    expect(page.locator("#checkout-total")).to_have_text("$1,290.00")
    expect(page.locator("#bill-number")).to_have_text(paid_order.number)
    shoot(page, "07-bill-of-sale-keeps-its-price")
