"""A customer clicks through a build in Chromium and sees price and date change without a reload."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_choosing_options_updates_price_and_date_without_a_reload(live_server, page, screenshot):
    page.goto(f"{live_server}/configure")
    expect(page.locator("#total")).to_have_text("$1,290.00")
    page.evaluate("window.__sameDocument = true")  # survives only if nothing reloads the page
    first_window = page.locator("#delivery-window").inner_text()

    page.locator('label[data-option="mid-500"]').click()
    expect(page.locator("#total")).to_have_text("$1,740.00")

    page.locator('label[data-option="folding"]').click()  # out of stock: 20 working days from the supplier
    expect(page.locator("#total")).to_have_text("$1,890.00")
    expect(page.locator("#delivery-window")).not_to_have_text(first_window)
    expect(page).to_have_url(re.compile(r"frame=folding"))

    page.locator('label[data-option="rack"]').click()
    expect(page.locator("#total")).to_have_text("$1,955.00")

    page.locator("#ship-to-region").select_option("US-HI")  # a destination brings its shipping
    expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")
    page.locator('label[data-option="fenders"]').click()  # and stays chosen as the build changes
    expect(page.locator("#total")).to_have_text("$2,000.00")
    expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "configurator-desktop")


def test_a_conflict_is_fixed_with_one_click(live_server, page):
    page.goto(f"{live_server}/configure?frame=step-through&motor=mid-500&battery=b750&color=graphite")
    page.locator('label[data-option="folding"]').click()
    expect(page.locator(".problems")).to_contain_text("The 750 Wh battery does not fit the folding frame.")
    expect(page.locator(".buy")).to_have_count(0)
    page.get_by_role("link", name="Switch battery to 400 Wh").click()
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.locator('input[name="battery"][value="b400"]')).to_be_checked()
    expect(page.locator('input[name="battery"][value="b750"]')).to_be_disabled()


def test_custom_colour_asks_for_a_ral_code(live_server, page, screenshot):
    page.goto(f"{live_server}/configure?frame=high-step&motor=hub-250&battery=b400&color=graphite")
    page.locator('label[data-option="custom"]').click()
    expect(page.locator(".problems")).to_contain_text("enter a RAL code")
    page.locator("#ral").fill("RAL 5015")
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.locator("#total")).to_have_text("$1,530.00")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "configurator-phone")
