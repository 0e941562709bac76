"""On a phone the configurator keeps the total, the delivery window and any conflict in view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_summary_bar_follows_the_options_and_leads_to_the_full_summary(live_server, phone_page, screenshot):
    page = phone_page
    page.goto(f"{live_server}/configure?frame=step-through&motor=mid-500&battery=b750&color=graphite")
    bar = page.locator("#summary-bar")
    expect(bar).to_contain_text("$")
    page.locator('label[data-option="rack"]').scroll_into_view_if_needed()  # far down the options
    expect(bar).to_be_in_viewport()

    page.locator('label[data-option="folding"]').tap()
    expect(bar).to_contain_text("1 conflict")
    expect(page.locator("#clash-folding")).to_contain_text("does not fit the folding frame")
    expect(page.locator("#frame-3")).to_have_attribute("aria-describedby", "clash-folding")
    expect(page.locator("#build-announcer")).to_contain_text("1 conflict: The 750 Wh battery does not fit")
    screenshot(page, "phone-configurator-conflict-in-view", full_page=False)

    bar.tap()
    expect(page.locator(".problems")).to_be_in_viewport()
    page.get_by_role("link", name="Switch battery to 400 Wh").tap()
    expect(bar).not_to_contain_text("conflict")
    expect(page.locator("#clash-folding")).to_have_count(0)
