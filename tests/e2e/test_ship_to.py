"""The "Ship to" region the customer picks stays picked, whatever answer for the build lands after it."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

BUILD = "frame=step-through&motor=hub-250&battery=b400&color=graphite"
WAIT_MS = 10_000

# Every request whose answer htmx swapped in, in the order they landed (set up through the DevTools protocol,
# which the shop's CSP does not block; the page's own scripts are untouched).
RECORD_SWAPS = """() => {
  window.__swapped = [];
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const url = e.detail.xhr && e.detail.xhr.responseURL;
    if (url && window.__swapped[window.__swapped.length - 1] !== url) window.__swapped.push(url);
  });
}"""


def until(page, condition, what: str) -> None:
    """Let the page run (Playwright handles routes and events meanwhile) until `condition()` holds."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(20)


def test_a_region_picked_while_a_build_change_is_in_flight_survives_its_late_answer(live_server, page, screenshot):
    page.goto(f"{live_server}/configure?{BUILD}")
    page.evaluate(RECORD_SWAPS)
    held = []
    build_change = re.compile(r"/configure/summary\?(?!.*ship_to=[A-Z]).*accessories=rack")
    page.route(build_change, lambda route: held.append(route))

    page.locator('label[data-option="rack"]').click()  # the build change: its answer is held back
    until(page, lambda: held, "the build change to reach the network")
    stale = held[0].request.url
    assert "ship_to=US" not in stale  # sent before the customer chose where the bike goes

    page.locator("#ship-to-region").select_option("US-HI")  # the customer picks a region meanwhile
    held[0].continue_()  # and now the answer to the earlier build change lands

    swapped = lambda: page.evaluate("window.__swapped")  # noqa: E731
    until(page, lambda: stale in swapped(), "the late answer to be swapped in")
    expect(page.locator("#ship-to-region")).to_have_value("US-HI")  # it did not undo the customer's choice
    until(page, lambda: "ship_to=US-HI" in swapped()[-1], "an answer for the chosen region to be swapped in last")
    assert swapped().index(stale) < len(swapped()) - 1  # the late answer landed after the pick, then the region's

    expect(page.locator("#ship-to-region")).to_have_value("US-HI")
    expect(page.locator("#total")).to_have_text("$1,355.00")  # the build change is kept too
    expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")
    expect(page.locator("#configurator-tax-note")).to_have_text("No sales tax: we do not collect tax in Hawaii.")
    expect(page.locator("#build-announcer")).to_contain_text("Shipping from $349.00.")  # said to screen readers
    expect(page.locator("a.buy")).to_have_attribute("href", re.compile(r"accessories=rack.*&country=US&region=HI$"))
    screenshot(page, "ship-to-after-late-answer")


def test_a_conflict_and_its_fix_keep_the_region(live_server, page):
    page.goto(f"{live_server}/configure?frame=step-through&motor=mid-500&battery=b750&color=graphite")
    page.locator("#ship-to-region").select_option("US-HI")
    expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")

    page.locator('label[data-option="folding"]').click()  # the 750 Wh battery does not fit the folding frame
    expect(page.locator(".problems")).to_contain_text("does not fit the folding frame")
    expect(page.locator("a.buy")).to_have_count(0)
    expect(page.locator("#shipping-from")).to_have_count(0)  # nothing to ship yet
    expect(page.locator("#ship-to-region")).to_have_value("US-HI")

    page.get_by_role("link", name="Switch battery to 400 Wh").click()
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.locator("#ship-to-region")).to_have_value("US-HI")
    expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")
    expect(page.locator("a.buy")).to_have_attribute("href", re.compile(r"battery=b400.*&country=US&region=HI$"))


def test_without_javascript_the_region_travels_with_the_build_its_conflicts_and_fixes(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/configure?frame=step-through&motor=mid-500&battery=b750&color=graphite")
        page.locator("#ship-to-region").select_option("US-HI")
        page.get_by_role("button", name="Show shipping").click()
        expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")

        page.locator('label[data-option="folding"]').click()
        page.get_by_role("button", name="Update price and date").click()
        expect(page.locator(".problems")).to_contain_text("does not fit the folding frame")
        expect(page.locator("#ship-to-region")).to_have_value("US-HI")

        page.get_by_role("link", name="Switch battery to 400 Wh").click()
        expect(page).to_have_url(re.compile(r"battery=b400.*ship_to=US-HI"))
        expect(page.locator("#shipping-from")).to_have_text("Shipping from $349.00")
        expect(page.locator("a.buy")).to_have_attribute("href", re.compile(r"&country=US&region=HI$"))
    finally:
        context.close()
