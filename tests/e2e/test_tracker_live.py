"""A customer keeps the status page open; staff move the bike on and the page follows without a reload."""

import pytest
from playwright.sync_api import expect

from tests.support.tracker import move_to, pass_checks

pytestmark = pytest.mark.e2e


@pytest.fixture
def fast_polls(app_ctx):
    app_ctx.config["STATUS_POLL_SECONDS"] = 1
    yield
    app_ctx.config["STATUS_POLL_SECONDS"] = 5


@pytest.fixture
def progress_statuses(app_ctx):
    """Status codes the server sent for the polled fragment, recorded around the WSGI app."""
    seen: list[int] = []
    inner = app_ctx.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, *args):
            if environ["PATH_INFO"].endswith("/progress"):
                seen.append(int(status.split()[0]))
            return start_response(status, headers, *args)

        return inner(environ, start)

    app_ctx.wsgi_app = recording
    yield seen
    app_ctx.wsgi_app = inner


def wait_for(page, condition, timeout_ms: int = 10_000) -> None:
    """Let the page run until `condition()` holds (checked every 100 ms); fail after `timeout_ms`."""
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    assert condition(), f"still false after {timeout_ms} ms"


def test_a_stage_change_by_staff_appears_without_a_reload(
    live_server, page, screenshot, order_factory, fast_polls, progress_statuses
):
    order = order_factory({"frame": ["folding"], "motor": ["mid-500"], "battery": ["b400"], "color": ["racing-red"]})
    page.goto(f"{live_server}/orders/{order.status_token}")
    expect(page.locator("#step-sourcing")).to_have_class("step step-current")
    expect(page.locator("#parts")).to_contain_text("ordered from supplier, expected")
    page.evaluate("window.__sameDocument = true")
    screenshot(page, "tracker-sourcing-desktop")
    wait_for(page, lambda: 304 in progress_statuses)  # an unchanged poll: the browser revalidates, the server says 304

    move_to(order, "assembly", note="Your frame is on the assembly stand.")
    expect(page.locator("#step-assembly")).to_have_class("step step-current", timeout=10_000)
    expect(page.locator("#stage-name")).to_have_text("being built")
    expect(page.locator("#updates li").first).to_contain_text("Your frame is on the assembly stand.")
    assert page.evaluate("window.__sameDocument") is True

    move_to(order, "testing")
    pass_checks(order)
    move_to(order, "shipped", carrier="ups", tracking_number="1Z999AA10123456784")
    expect(page.locator("#tracking")).to_contain_text("1Z999AA10123456784", timeout=10_000)
    expect(page.locator("#checks li")).to_have_count(6)
    screenshot(page, "tracker-shipped-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "tracker-shipped-phone")

    move_to(order, "delivered")
    expect(page.locator("#step-delivered")).to_have_class("step step-done", timeout=10_000)
    expect(page.locator("#order-status")).not_to_have_attribute("hx-trigger", "every 1s")
    polls = len(progress_statuses)
    page.wait_for_timeout(2500)
    assert len(progress_statuses) == polls  # delivered: polling has stopped
    assert page.evaluate("window.__sameDocument") is True


def test_a_delayed_order_explains_itself_on_a_phone(live_server, page, screenshot, order_factory):
    from datetime import timedelta

    from storefront.extensions import db

    order = order_factory({"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["glacier"]})
    order.forecast_earliest += timedelta(days=7)
    order.forecast_latest += timedelta(days=7)
    order.forecast_reason = "The folding frame is a week late at the supplier."
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/orders/{order.status_token}")
    expect(page.locator("#forecast-reason")).to_contain_text("a week late")
    screenshot(page, "tracker-delayed-phone")


def test_the_lookup_takes_a_customer_to_their_status_page(live_server, page, paid_order, fresh_limits, screenshot):
    page.goto(f"{live_server}/orders/lookup")
    page.get_by_label("Order number").fill(paid_order.number)
    page.get_by_label("Email used for the order").fill("eve@example.com")
    page.get_by_role("button", name="Show my order").click()
    expect(page.locator("#lookup-message")).to_contain_text("could not find an order")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "tracker-lookup-phone")
    page.get_by_label("Email used for the order").fill("ada@example.com")
    page.get_by_role("button", name="Show my order").click()
    expect(page.locator(".order-number")).to_have_text(paid_order.number)


def test_a_back_office_service_action_shows_on_the_open_page(live_server, page, order_factory, fast_polls):
    from storefront.extensions import db
    from storefront.services import workshop

    order = order_factory()  # every part in stock: ready for assembly
    page.goto(f"{live_server}/orders/{order.status_token}")
    expect(page.locator("#step-sourcing")).to_have_class("step step-current")
    page.evaluate("window.__sameDocument = true")
    work_order = order.work_order
    workshop.move(
        work_order.id, "start_assembly", version=work_order.version, staff_id=None, note="Your frame is on the stand."
    )
    db.session.expire_all()
    expect(page.locator("#step-assembly")).to_have_class("step step-current", timeout=10_000)
    expect(page.locator("#updates li").first).to_contain_text("Your frame is on the stand.")
    assert page.evaluate("window.__sameDocument") is True
