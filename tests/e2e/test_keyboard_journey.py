"""A customer who uses only the keyboard builds a bike, fixes a checkout error and pays with the test card."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAX_TABS = 80


def tab_to(page, selector: str) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user would; fails if it is never reached."""
    for _ in range(MAX_TABS):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def focus_is_visible(page) -> bool:
    """The focused element draws a focus ring (an outline or a box shadow)."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"""
    )


def test_a_keyboard_only_customer_builds_checks_out_and_pays(app_ctx, live_server, page):
    page.goto(f"{live_server}/configure?frame=step-through&motor=hub-250&battery=b400&color=graphite")
    tab_to(page, 'input[name="accessories"][value="rack"]')
    assert focus_is_visible(page)
    page.keyboard.press("Space")
    expect(page.locator("#total")).to_have_text("$1,355.00")
    tab_to(page, "a.buy")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/checkout\?.*accessories=rack"))
    for selector, text in (
        ("#full_name", "Grace Hopper"),
        ("#email", "grace@example.com"),
        ("#line1", "1 Harbour Road"),
        ("#city", "New York"),
        ("#postal_code", "10001"),
    ):
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#region")
    page.keyboard.type("New York")  # a select follows typed letters, as with a keyboard
    expect(page.locator("#region")).to_have_value("NY")
    tab_to(page, "#city")
    page.keyboard.press("Enter")  # submits without the terms: the error takes the focus
    expect(page.locator("#terms")).to_be_focused()
    expect(page.locator("#full_name")).to_have_value("Grace Hopper")
    page.keyboard.press("Space")
    tab_to(page, 'button[type="submit"]')
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/test-payments/cs_test_"))
    for selector, text in (("#card_number", "4242 4242 4242 4242"), ("#expiry", "12/34"), ("#cvc", "123")):
        tab_to(page, selector)
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/checkout/success\?session_id=cs_test_"))
    tab_to(page, "#status-link")
    page.keyboard.press("Enter")
    expect(page.locator("#stage-name")).to_have_text("ready to be built")
