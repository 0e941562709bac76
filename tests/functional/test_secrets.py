"""Secrets stay secret: the Stripe key never reaches a template or a log line."""

import io
import json
import logging

import pytest

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


def test_no_page_carries_the_stripe_secret(client, secret_key_set, fake_stripe):
    pages = [
        client.get("/configure?frame=step-through&motor=hub-250&battery=b400&color=graphite"),
        client.get("/checkout?frame=step-through&motor=hub-250&battery=b400&color=graphite"),
        submit_checkout(client),
        client.get("/orders/lookup"),
        client.get("/backoffice/login"),
    ]
    for response in pages:
        assert SECRET not in response.get_data(as_text=True)
        assert SECRET not in str(response.headers)


@pytest.fixture
def production_log(production_app):
    """What the log handler production installs writes, captured in a buffer."""
    (handler,) = logging.getLogger("storefront").handlers
    assert production_app.logger.handlers == [handler] and not production_app.logger.propagate
    assert logging.getLogger("gunicorn.error").handlers == [handler]
    stream = io.StringIO()
    handler.setStream(stream)
    return stream


def test_production_logs_are_json_lines_with_the_request_id_and_stripe_secrets_masked(production_app, production_log):
    @production_app.get("/__log-test")
    def log_test():
        try:
            raise RuntimeError(f"Stripe refused {SECRET}")
        except RuntimeError:
            production_app.logger.exception("about to call Stripe with %s and whsec_abc123", SECRET)
        return "logged"

    response = production_app.test_client().get("/__log-test", headers={"X-Request-ID": "req-12345678"})
    logging.getLogger("storefront.services").info("rk_live_abcdef1234 seen")  # a module logger of the shop
    assert response.status_code == 200
    lines = [json.loads(line) for line in production_log.getvalue().splitlines()]
    assert [(line["level"], line["logger"]) for line in lines] == [
        ("ERROR", "storefront"),
        ("INFO", "storefront.services"),
    ]
    assert lines[0]["request_id"] == "req-12345678" and lines[1]["request_id"] == "-"
    assert lines[0]["message"] == "about to call Stripe with sk_test_[redacted] and whsec_[redacted]"
    assert "RuntimeError: Stripe refused sk_test_[redacted]" in lines[0]["exc"]
    assert lines[1]["message"] == "rk_live_[redacted] seen"
    assert SECRET not in production_log.getvalue()
