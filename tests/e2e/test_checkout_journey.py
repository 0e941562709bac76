"""A customer goes from the configurator through checkout and the test card 4242 to the success page."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Order

pytestmark = pytest.mark.e2e


def test_from_configurator_through_test_card_to_the_success_page_and_status_link(
    app_ctx, live_server, page, screenshot
):
    page.goto(f"{live_server}/configure?frame=step-through&motor=hub-250&battery=b400&color=graphite")
    page.locator('label[data-option="rack"]').click()
    expect(page.locator("#total")).to_have_text("$1,355.00")
    page.get_by_role("link", name="Buy this build").click()

    expect(page).to_have_url(re.compile(r"/checkout\?.*accessories=rack"))
    expect(page.locator("#checkout-total")).to_have_text("$1,355.00")
    expect(page.locator("#terms-window")).to_have_text("Mon 7 Dec 2026 – Thu 10 Dec 2026")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Address line 1").fill("1 Harbour Road")
    page.get_by_label("City").fill("New York")
    page.get_by_label("ZIP or postal code").fill("10001")
    page.get_by_label("State, province or territory").select_option("NY")
    # the summary takes in the region's shipping and tax before payment (New York: free shipping, 4 % estimated)
    expect(page.locator("#shipping-line")).to_contain_text("Shipping to New York")
    expect(page.locator(".tax-line")).to_contain_text("New York State sales tax 4% (estimate)$54.20")
    expect(page.locator("#checkout-total")).to_have_text("$1,409.20")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator(".error").first).to_contain_text("Please correct the fields")  # terms not yet accepted
    expect(page.get_by_label("Full name")).to_have_value("Grace Hopper")
    page.locator("#terms").check()
    screenshot(page, "checkout-form")
    page.get_by_role("button", name="Continue to payment").click()

    expect(page).to_have_url(re.compile(r"/test-payments/cs_test_"))
    expect(page.locator(".test-banner")).to_contain_text("Test mode: no real charge")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    expect(page.locator(".tax-line")).to_contain_text("$54.20")
    page.get_by_role("button", name=re.compile(r"Pay \$1,409\.20")).click()

    expect(page).to_have_url(re.compile(r"/checkout/success\?session_id=cs_test_"))
    order = db.session.scalar(select(Order))
    expect(page.locator("#order-number")).to_have_text(order.number)
    expect(page.locator("#promise")).to_have_text("Mon 7 Dec 2026 – Thu 10 Dec 2026")
    status_link = page.locator("#status-link")
    expect(status_link).to_have_attribute("href", f"/orders/{order.status_token}")  # relative: works on any host
    screenshot(page, "checkout-success")

    page.locator("#bill-link").click()
    expect(page.locator("#bill-number")).to_have_text(order.number)
    expect(page.locator("#payment-reference")).to_have_text(order.payment_reference)
    expect(page.locator(".checkout-lines")).to_contain_text("Rear rack")
    expect(page.locator("#shipping-line")).to_contain_text("Shipping to New York")
    expect(page.locator(".tax-line")).to_contain_text("New York State sales tax 4% (estimate)$54.20")
    expect(page.locator("#checkout-total")).to_have_text("$1,409.20")


def test_a_declined_card_shows_a_clear_message_in_the_browser(live_server, page):
    page.goto(f"{live_server}/checkout?frame=high-step&motor=hub-250&battery=b400&color=glacier")
    page.get_by_label("Full name").fill("Alan Turing")
    page.get_by_label("Email").fill("alan@example.com")
    page.get_by_label("Address line 1").fill("10 Rue Sainte-Catherine")
    page.get_by_label("City").fill("Montréal")
    page.get_by_label("Country").select_option("CA")
    page.get_by_label("State, province or territory").select_option("QC")
    page.get_by_label("ZIP or postal code").fill("h2x 1y4")
    page.locator("#terms").check()
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(r"Pay ")).click()
    expect(page.locator("#card_number-error")).to_contain_text("Your card was declined")
    assert db.session.scalar(select(Order)) is None
