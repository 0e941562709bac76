"""A member of staff signs in on a tablet-sized screen and moves an order from sourcing to delivered."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import OutboxMessage
from tests.e2e.audit import audit, table
from tests.support.backoffice import FOLDING_BUILD, STAFF_EMAIL, STAFF_PASSWORD

pytestmark = pytest.mark.e2e

STEPS = [
    ("start_assembly", "Assembly", "assembly"),
    ("start_testing", "Testing", "testing"),
    ("pass_testing", "Shipping", "shipping"),
    ("ship", "Shipped", "shipped"),
    ("deliver", "Delivered", "delivered"),
]


def customer_emails() -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.dedupe_key.startswith("wo-event:")))
    )


def customer_sees(live_server, order, stage: str, emails_so_far: int) -> None:
    """The customer's side of a step: the status JSON names the new stage, and one more email is queued."""
    with urllib.request.urlopen(f"{live_server}/orders/{order.status_token}.json") as response:  # noqa: S310
        assert json.load(response)["stage"] == stage
    assert len(customer_emails()) == emails_so_far


def test_staff_move_an_order_from_sourcing_to_delivered(
    live_server, page, screenshot, staff_user, paid_order, order_factory
):
    order_factory(FOLDING_BUILD, name="Grace Hopper", email="grace@example.com")
    order_factory(name="Linus Pauling", email="linus@example.com")
    page.set_viewport_size({"width": 1180, "height": 820})  # a tablet in landscape
    page.goto(f"{live_server}/backoffice/")
    expect(page).to_have_url(f"{live_server}/backoffice/login?next=%2Fbackoffice%2F")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator("#col-sourcing")).to_contain_text("Sourcing")
    card = page.locator(f'a.wo-card[data-order="{paid_order.number}"]')
    expect(card.locator(".flag-ready")).to_be_visible()
    screenshot(page, "backoffice-board")

    page.locator("#q").fill("grace")
    expect(card).to_have_count(0)
    page.locator("#q").fill("")
    expect(card).to_have_count(1)
    card.click()
    expect(page.locator("h1")).to_contain_text(paid_order.number)

    for done, (action, label, stage) in enumerate(STEPS, start=1):
        if action == "pass_testing":
            for pass_box in page.locator(".verdict-pass input").all():
                pass_box.check()
            screenshot(page, "backoffice-work-order-testing")
            page.get_by_role("button", name="Save results").click()
            expect(page.locator(".flash")).to_contain_text("Test round 1: 6 passed.")
        if action == "ship":
            page.get_by_label("Carrier").select_option("ups")
            page.get_by_label("Tracking number").fill("1Z 999 AA1 0123456784")
        page.locator(f'button[data-action="{action}"]').click()
        expect(page.locator("#stage")).to_have_text(label)
        expect(page.locator("#history li").first).to_contain_text(stage)
        customer_sees(live_server, paid_order, stage, done)

    expect(page.locator("#dates")).to_contain_text("1Z999AA10123456784")
    screenshot(page, "backoffice-work-order-delivered")
    page.get_by_role("link", name="← Board").click()
    expect(page.locator("#col-delivered")).to_contain_text("Recently delivered")
    expect(page.locator("#board .stage-delivered")).to_contain_text(paid_order.number)
    assert len(customer_emails()) == len(STEPS)

    page.get_by_role("link", name="Inventory").click()
    expect(page.locator("#component-FRAME-FD")).to_contain_text("1 of 1 due")
    screenshot(page, "backoffice-inventory")

    # receiving that frame in the stock room, on a phone: each component is a card, nothing scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    found = audit(page, "inventory, 390 px")
    assert not found.violations and found.overflow_px == 0, table([found])
    frame = page.locator("#component-FRAME-FD")
    receive = frame.get_by_role("button", name="Receive")
    receive.scroll_into_view_if_needed()
    expect(receive).to_be_in_viewport(ratio=1)
    screenshot(page, "backoffice-inventory-phone")
