"""Misconfiguration stops the shop at start with one clear line; test payments run only where meant."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from storefront import create_app
from storefront.config import ConfigError
from storefront.extensions import db
from storefront.models import Order
from storefront.payments.test_gateway import TEST_MODE_OFF
from tests.conftest import REDIS_URL
from tests.support.checkout import csrf_token, submit_checkout

PRODUCTION = {"SECRET_KEY": "x" * 32, "DATABASE_URL": "sqlite://"}


@pytest.fixture
def production_env(monkeypatch):
    for name in (
        "FLASK_DEBUG",
        "STRIPE_SECRET_KEY",
        "TEST_PAYMENTS",
        "RATELIMIT_STORAGE_URI",
        "WEB_CONCURRENCY",
        "STRIPE_TIMEOUT_SECONDS",
        "GUNICORN_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    return monkeypatch


def test_production_without_a_stripe_key_or_test_payments_refuses_to_start(production_env):
    with pytest.raises(ConfigError, match="STRIPE_SECRET_KEY is not set.*TEST_PAYMENTS=1"):
        create_app(PRODUCTION)


def test_memory_limits_with_several_workers_refuse_to_start(production_env):
    production_env.setenv("WEB_CONCURRENCY", "2")
    with pytest.raises(ConfigError, match="2 workers serve.*RATELIMIT_STORAGE_URI=redis://"):
        create_app({**PRODUCTION, "TEST_PAYMENTS": True})


def test_a_proxy_count_that_is_not_a_small_number_refuses_to_start(production_env):
    production_env.setenv("TRUSTED_PROXIES", "yes")
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES='yes' is not valid"):
        create_app({**PRODUCTION, "TEST_PAYMENTS": True})


def test_the_wsgi_entry_point_prints_one_line_and_exits(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "STRIPE_SECRET_KEY", "TEST_PAYMENTS")}
    env.update(SECRET_KEY="x" * 32, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", WEB_CONCURRENCY="1")
    result = subprocess.run(
        [sys.executable, "-c", "import storefront.wsgi"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "storefront will not start: STRIPE_SECRET_KEY is not set: set it to take real payments, "
        "or set TEST_PAYMENTS=1 to run a test shop that charges nothing."
    ]


def test_a_shop_with_test_payments_and_shared_limits_starts(production_env):
    production_env.setenv("WEB_CONCURRENCY", "2")
    app = create_app({**PRODUCTION, "TEST_PAYMENTS": True, "RATELIMIT_STORAGE_URI": REDIS_URL})
    assert app.config["TEST_PAYMENTS"] and app.config["SESSION_COOKIE_SECURE"]


def test_a_test_checkout_cannot_be_paid_where_a_live_key_is_configured(client, app_ctx, monkeypatch, fresh_limits):
    path = submit_checkout(client).headers["Location"].split("localhost", 1)[-1]
    token = csrf_token(client, path)
    monkeypatch.setitem(app_ctx.config, "STRIPE_SECRET_KEY", "sk_live_from_another_host")
    data = {"card_number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123", "csrf_token": token}
    response = client.post(path, data=data)
    assert response.status_code == 409
    assert TEST_MODE_OFF in response.get_data(as_text=True)
    session_id = path.rsplit("/", 1)[1]
    assert client.get(f"/checkout/success?session_id={session_id}").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_stripe_budget_beyond_the_worker_timeout_refuses_to_start(production_env):
    production_env.setenv("STRIPE_TIMEOUT_SECONDS", "20")
    production_env.setenv("GUNICORN_TIMEOUT", "30")
    with pytest.raises(ConfigError, match="A Stripe call may take 40.5 s.*GUNICORN_TIMEOUT"):
        create_app({**PRODUCTION, "TEST_PAYMENTS": True})
