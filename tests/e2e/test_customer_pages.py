"""Every page of the customer's journey passes axe-core (no critical or serious violation) and fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order

from .audit import audit, table

pytestmark = pytest.mark.e2e

CONFLICT_READY = "frame=step-through&motor=mid-500&battery=b750&color=graphite"
CHECKOUT = "frame=high-step&motor=hub-250&battery=b400&color=glacier"


def fill_checkout(page) -> None:
    page.get_by_label("Full name").fill("Alan Turing")
    page.get_by_label("Email").fill("alan@example.com")
    page.get_by_label("Address line 1").fill("10 Rue Sainte-Catherine")
    page.get_by_label("City").fill("Montréal")
    page.get_by_label("Country").select_option("CA")
    page.get_by_label("State, province or territory").select_option("QC")
    page.get_by_label("ZIP or postal code").fill("h2x 1y4")
    page.locator("#terms").check()


def pay_with(page, card: str) -> None:
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def journey(page, base: str):
    """Walk the customer's journey, yielding the name of each page state once it is on screen."""
    page.goto(f"{base}/configure?{CONFLICT_READY}")
    yield "configurator"
    page.locator('label[data-option="folding"]').click()
    expect(page.locator(".problems")).to_contain_text("does not fit the folding frame")
    yield "configurator-conflict"

    page.goto(f"{base}/checkout?{CHECKOUT}")
    yield "checkout"
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator("#full_name-error")).to_be_visible()
    yield "checkout-errors"
    fill_checkout(page)
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator(".test-banner")).to_be_visible()
    yield "test-payment"
    pay_with(page, "4000 0000 0000 0002")
    expect(page.locator("#card_number-error")).to_contain_text("declined")
    yield "test-payment-declined"
    pay_with(page, "4242 4242 4242 4242")
    expect(page.locator("#order-number")).to_be_visible()
    yield "confirmation"

    order = db.session.scalar(select(Order))
    page.goto(f"{base}/orders/{order.status_token}")
    expect(page.locator(".order-number")).to_have_text(order.number)
    yield "status"
    page.locator("#change-delivery").click()
    page.get_by_label("ZIP or postal code").fill("K1A 0B1")  # an Ontario code for a Quebec address
    page.get_by_label("Email used for the order").fill("alan@example.com")
    page.get_by_role("button", name="Save delivery details").click()
    expect(page.locator("#postal_code-error")).to_contain_text("not in Quebec")
    expect(page.get_by_label("ZIP or postal code")).to_be_focused()
    yield "delivery-change-errors"
    page.goto(f"{base}/orders/{order.status_token}/cancel")
    expect(page.get_by_role("button", name="Yes, cancel and refund")).to_be_visible()
    yield "cancel-confirmation"
    page.goto(f"{base}/bill-of-sale/{order.status_token}")
    expect(page.locator("#bill-number")).to_have_text(order.number)
    yield "bill-of-sale"
    page.goto(f"{base}/orders/lookup")
    page.get_by_role("button", name="Show my order").click()
    expect(page.locator("#number-error")).to_be_visible()
    yield "lookup-errors"
    response = page.goto(f"{base}/orders/not-a-real-link")
    assert response.status == 404
    yield "not-found"


def walk_and_audit(page, base: str, device: str, screenshot) -> list:
    audits = []
    for name in journey(page, base):
        audits.append(audit(page, name))
        screenshot(page, f"{device}-{name}")
    return audits


def test_every_customer_page_passes_axe_at_desktop_width(live_server, page, screenshot, fresh_limits):
    audits = walk_and_audit(page, live_server, "desktop", screenshot)
    print("\ndesktop\n" + table(audits))
    assert [a for a in audits if a.violations] == [], table(audits)


def test_every_customer_page_fits_a_phone_without_sideways_scrolling(live_server, phone_page, screenshot, fresh_limits):
    audits = walk_and_audit(phone_page, live_server, "phone", screenshot)
    print("\nphone\n" + table(audits))
    assert [a for a in audits if a.violations or a.overflow_px] == [], table(audits)
