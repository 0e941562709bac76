"""Staff open the component forecast in Chromium: a table and one server-rendered SVG chart per component."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from storefront.services import workshop
from storefront.services.planning import replan
from tests.e2e.audit import audit, table
from tests.support.backoffice import STAFF_EMAIL, STAFF_PASSWORD

pytestmark = pytest.mark.e2e

BUILDS = [
    {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]},
    {"frame": ["high-step"], "motor": ["mid-500"], "battery": ["b625"], "color": ["glacier"], "accessories": ["rack"]},
    {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["custom"], "ral": ["RAL 5015"]},
]


def test_the_forecast_page_shows_every_component_with_its_stock_chart(
    app_ctx, live_server, page, screenshot, staff_user
):
    now = app_ctx.config["FIXED_NOW"]
    orders = [order_factory_build(app_ctx, BUILDS[n % 3], now - timedelta(days=20 - n), n) for n in range(12)]
    built = [o.work_order for o in orders[:8] if all(p.state == "reserved" for p in o.work_order.parts)]
    for n, work_order in enumerate(built):  # some were built over the last weeks: that is the usage rate
        app_ctx.config["FIXED_NOW"] = now - timedelta(days=18 - 2 * n)
        workshop.move(work_order.id, "start_assembly", version=work_order.version, staff_id=None)
    app_ctx.config["FIXED_NOW"] = now
    replan(now)
    assert len(built) >= 4

    page.goto(f"{live_server}/backoffice/forecast")
    expect(page).to_have_url(f"{live_server}/backoffice/login?next=%2Fbackoffice%2Fforecast")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Component demand forecast")
    expect(page.locator("svg.stock-chart")).to_have_count(20)
    expect(page.locator("#component-FRAME-FD .hint").first).to_contain_text("FRAME-FD")
    expect(page.locator(".formula")).to_contain_text("lead time + review period")
    # each named supplier's record, pooled over its components, above each component's own
    suppliers = page.locator("#supplier-reliability tr[id^=by-supplier-] th")
    expect(suppliers).to_have_text(["Brandt Frameworks", "Volta Drive Systems", "Harbor Cycle Parts"])
    expect(page.locator("#supplier-FRAME-FD td").first).to_have_text("Brandt Frameworks")
    audits = [audit(page, "forecast, desktop")]
    screenshot(page, "planning-forecast")
    page.set_viewport_size({"width": 390, "height": 844})
    audits.append(audit(page, "forecast, 390 px"))
    assert [a for a in audits if a.violations or a.overflow_px] == [], table(audits)


def order_factory_build(app_ctx, build, when, n):
    from tests.support.orders import make_paid_order

    return make_paid_order(when, build, email=f"rider{n}@example.com")
