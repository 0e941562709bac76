"""Secrets stay secret: the Stripe key never reaches a template or a log line."""

import io
import logging

import pytest

from storefront.logs import JsonFormatter, RequestIdFilter
from tests.support.checkout import submit_checkout

SECRET = "sk_test_neverShowThis1234567890"


@pytest.fixture
def secret_key_set(app_ctx, fake_stripe):
    app_ctx.config["STRIPE_SECRET_KEY"] = SECRET
    yield SECRET


def test_templates_cannot_read_the_app_config(app_ctx):
    assert "config" not in app_ctx.jinja_env.globals
    with app_ctx.test_request_context():
        from flask import render_template_string

        assert render_template_string("{{ config }}") == ""


def test_no_page_or_log_line_carries_the_stripe_secret(client, secret_key_set, fake_stripe):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root, app_logger = logging.getLogger(), logging.getLogger("storefront")
    root.addHandler(handler)
    if not app_logger.propagate:  # a production-configured app gives it its own handler
        app_logger.addHandler(handler)
    previous, was_disabled, app_logger.disabled = root.level, app_logger.disabled, False
    root.setLevel(logging.DEBUG)
    try:
        pages = [
            client.get("/configure?frame=step-through&motor=hub-250&battery=b400&color=graphite"),
            client.get("/checkout?frame=step-through&motor=hub-250&battery=b400&color=graphite"),
            submit_checkout(client),
            client.get("/orders/lookup"),
            client.get("/backoffice/login"),
        ]
        logging.getLogger("storefront").warning("about to call Stripe with %s", SECRET)
    finally:
        root.removeHandler(handler)
        app_logger.removeHandler(handler)
        root.setLevel(previous)
        app_logger.disabled = was_disabled
    for response in pages:
        assert SECRET not in response.get_data(as_text=True)
        assert SECRET not in str(response.headers)
    assert SECRET not in stream.getvalue()
    assert "sk_test_[redacted]" in stream.getvalue()
