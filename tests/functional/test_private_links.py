"""Status tokens stay out of logs and caches; test orders say so wherever staff or the customer look."""

from __future__ import annotations

import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from sqlalchemy import select

from storefront.extensions import db
from storefront.logs import AccessLogger, JsonFormatter, RequestIdFilter
from storefront.models import Order
from tests.support.checkout import pay_with_test_card, submit_checkout

ROOT = Path(__file__).resolve().parents[2]


def test_the_bill_of_sale_sends_the_status_pages_private_headers(client, paid_order):
    bill = client.get(f"/bill-of-sale/{paid_order.status_token}")
    status = client.get(f"/orders/{paid_order.status_token}")
    for response in (bill, status):
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_lookup_page_sends_a_same_origin_referer_so_https_csrf_checks_pass(client):
    response = client.get("/orders/lookup")
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_access_log_shows_at_most_four_characters_of_a_status_token(paid_order, monkeypatch):
    """Whatever the format logs (the production one, or one naming the request line, the referer and the raw URI),
    a status token shows four characters at most."""
    token = paid_order.status_token
    monkeypatch.setenv("WEB_CONCURRENCY", "2")  # the config file writes it back: restored after the test
    production = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]
    everything = "%(r)s %(U)s %(f)s %({referer}i)s %({raw_uri}e)s %({location}o)s"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/orders/{token}/progress",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/orders/{token}/progress",
        "QUERY_STRING": "",
        "HTTP_REFERER": f"/bill-of-sale/{token}",
    }
    response = SimpleNamespace(status="303 SEE OTHER", sent=10, headers=[("Location", f"/orders/{token}")])
    request = SimpleNamespace(headers=[("REFERER", f"/bill-of-sale/{token}")])
    lines = []
    for access_log_format in (production, everything):
        config = Config()
        config.set("accesslog", "-")
        config.set("access_log_format", access_log_format)
        logger = AccessLogger(config)
        handler = _Capture()
        logger.access_log.addHandler(handler)
        logger.access(response, request, environ, timedelta(milliseconds=3))
        lines += handler.lines
    assert len(lines) == 2
    logged = " ".join(lines)
    assert token[:5] not in logged
    assert f"/orders/{token[:4]}…/progress" in lines[0]
    assert f"/orders/{token[:4]}…/progress" in lines[1] and f"/bill-of-sale/{token[:4]}…" in lines[1]
    assert lines[1].count("…") == 6  # every atom that held the token: r, U, f, referer, raw_uri, location


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_json_logs_mask_status_tokens(paid_order):
    token = paid_order.status_token
    record = logging.LogRecord("storefront", logging.INFO, __file__, 1, "GET /orders/%s.json", (token,), None)
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert token[:5] not in line and f"/orders/{token[:4]}…" in line


def test_orders_paid_with_a_test_card_are_marked_on_the_board_and_the_bill_of_sale(client, staff_client):
    location = submit_checkout(client).headers["Location"]
    pay_with_test_card(client, location)
    order = db.session.scalar(select(Order))
    assert order.test_mode
    board = staff_client.get("/backoffice/").get_data(as_text=True)
    assert "Test order" in board.split(f'data-order="{order.number}"')[1].split("</a>")[0]
    bill = client.get(f"/bill-of-sale/{order.status_token}").get_data(as_text=True)
    assert "Test order: paid in test mode, no real charge." in bill


def test_orders_paid_through_stripe_carry_no_test_mark(client, fake_stripe, fresh_limits):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    order = db.session.scalar(select(Order))
    assert not order.test_mode
    assert "Test order" not in client.get(f"/bill-of-sale/{order.status_token}").get_data(as_text=True)
