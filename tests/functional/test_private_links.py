"""Status tokens stay out of logs and caches; test orders say so wherever staff or the customer look."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from sqlalchemy import select

from storefront.extensions import db
from storefront.logs import AccessLogger, JsonFormatter, RequestIdFilter
from storefront.models import Order
from tests.support.checkout import pay_with_test_card, submit_checkout


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


def test_the_access_log_shows_at_most_four_characters_of_a_status_token(paid_order):
    token = paid_order.status_token
    logger = AccessLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/orders/{token}/progress",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": f"/orders/{token}/progress",
        "QUERY_STRING": "",
        "HTTP_REFERER": f"/bill-of-sale/{token}",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    logged = " ".join(str(value) for value in atoms.values())
    assert token[:5] not in logged
    assert f"/orders/{token[:4]}…/progress" in logged and f"/bill-of-sale/{token[:4]}…" in logged


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
