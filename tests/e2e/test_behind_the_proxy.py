"""The README's deployment in real Chromium: https through nginx to gunicorn (2 workers, TRUSTED_PROXIES=1).

Every public form is posted over https (Flask-WTF's strict referrer check applies), and a slow client cannot
starve the workers because nginx holds a request until it is complete.
"""

from __future__ import annotations

import re
import socket
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.backoffice import STAFF_EMAIL, STAFF_PASSWORD
from tests.support.checkout import BUILD_QUERY
from tests.support.deploy import insecure_tls

pytestmark = pytest.mark.e2e


@pytest.fixture
def https_page(browser):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    yield page
    context.close()
    assert errors == [], f"the browser reported errors: {errors}"


def test_a_customer_looks_up_an_order_and_reads_its_status_over_https(deployment, https_page, paid_order, fresh_limits):
    proxy, _ = deployment
    page = https_page
    page.goto(f"{proxy.url}/orders/lookup")
    page.get_by_label("Order number").fill(paid_order.number)
    page.get_by_label("Email used for the order").fill("eve@example.com")
    page.get_by_role("button", name="Show my order").click()
    expect(page.locator("#lookup-message")).to_contain_text("could not find an order")
    page.get_by_label("Email used for the order").fill("ada@example.com")
    page.get_by_role("button", name="Show my order").click()
    expect(page.locator(".order-number")).to_have_text(paid_order.number)
    assert page.url.startswith(f"{proxy.url}/orders/")
    logged = proxy.access_log.read_text()
    assert paid_order.status_token[:5] not in logged and "/orders/lookup" in logged


def test_a_customer_checks_out_and_pays_a_test_order_over_https(deployment, https_page, fresh_limits):
    proxy, _ = deployment
    page = https_page
    page.goto(f"{proxy.url}/checkout?{BUILD_QUERY}")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Address line 1").fill("1 Harbour Road")
    page.get_by_label("City").fill("Arlington")
    page.get_by_label("ZIP or postal code").fill("22201")
    page.get_by_label("State, province or territory").select_option("VA")
    page.locator("#terms").check()
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.locator("body")).to_contain_text("Test mode: no real charge")
    assert page.url.startswith(f"{proxy.url}/test-payments/")  # PUBLIC_URL-free: built from the proxied request
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(r"Pay \$")).click()
    page.locator("#bill-link").click()
    expect(page.locator("#bill-test-order")).to_contain_text("Test order")


def test_staff_sign_in_and_move_an_order_over_https(deployment, https_page, staff_user, paid_order):
    proxy, _ = deployment
    page = https_page
    page.goto(f"{proxy.url}/backoffice/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    card = page.locator(f'a.wo-card[data-order="{paid_order.number}"]')
    card.click()
    page.locator('button[data-action="start_assembly"]').click()
    expect(page.locator("#stage")).to_have_text("Assembly")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{proxy.url}/backoffice/login")


def test_static_files_come_from_nginx_and_plain_http_redirects_to_https(deployment):
    proxy, _ = deployment
    with urllib.request.urlopen(f"{proxy.url}/static/vendor/htmx.min.js", context=insecure_tls()) as response:
        assert response.status == 200 and "X-Request-ID" not in response.headers  # never reached the app
    request = urllib.request.Request(f"{proxy.http_url}/orders/lookup", method="HEAD")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_healthz_answers_while_two_slow_clients_trickle_headers(deployment):
    """Without a buffering proxy the two sync workers would wait on the slow clients and /healthz would hang
    until its 5 s socket timeout; through nginx it answers. (How fast is not asserted: see bench/.)"""
    proxy, _ = deployment
    slow = []
    for _ in range(2):
        sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        tls = insecure_tls().wrap_socket(sock, server_hostname="127.0.0.1")
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(tls)
    try:
        for line in range(3):  # a header line a second, as in the report; the request never completes
            for tls in slow:
                tls.sendall(f"X-Slow-{line}: x\r\n".encode())
            with urllib.request.urlopen(f"{proxy.url}/healthz", timeout=5, context=insecure_tls()) as response:
                assert response.status == 200
            time.sleep(1)
    finally:
        for tls in slow:
            tls.close()
