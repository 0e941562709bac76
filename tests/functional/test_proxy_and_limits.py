"""Proxy trust is configuration, and rate limits count per real client in Redis, whatever X-Forwarded-For says."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import func, select

from storefront import create_app
from storefront.extensions import db
from storefront.models import Checkout
from tests.conftest import FIXED_NOW, REDIS_URL
from tests.support.backoffice import csrf_from
from tests.support.checkout import BUILD_QUERY, CUSTOMER, csrf_token, submit_checkout

pytestmark = pytest.mark.usefixtures("fresh_limits")

PROXY = "127.0.0.1"


@pytest.fixture(scope="session")
def proxied_app(app, database_url):
    """The same shop behind one trusted proxy hop (TRUSTED_PROXIES=1), on the same database and Redis."""
    proxied = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "FIXED_NOW": FIXED_NOW,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "TRUSTED_PROXIES": 1,
        }
    )
    yield proxied
    with proxied.app_context():
        db.engine.dispose()  # its pooled connections are closed, not left to the garbage collector


def wrong_logins(client, count: int, forwarded_for) -> list[int]:
    token = csrf_from(client.get("/backoffice/login").get_data(as_text=True))
    data = {"csrf_token": token, "email": "eve@example.com", "password": "guess-guess-guess"}
    return [
        client.post("/backoffice/login", data=data, headers={"X-Forwarded-For": forwarded_for(i)}).status_code
        for i in range(count)
    ]


def lookups(client, count: int, forwarded_for) -> list[int]:
    token = csrf_from(client.get("/orders/lookup").get_data(as_text=True))
    data = {"csrf_token": token, "number": "EB-2026-99999", "email": "ada@example.com"}
    return [
        client.post("/orders/lookup", data=data, headers={"X-Forwarded-For": forwarded_for(i)}).status_code
        for i in range(count)
    ]


def test_with_no_trusted_proxy_a_rotating_forwarded_for_never_escapes_the_login_limit(client):
    answers = wrong_logins(client, 8, lambda i: f"198.51.100.{i}")
    assert answers == [422] * 5 + [429] * 3


def test_with_no_trusted_proxy_a_rotating_forwarded_for_never_escapes_the_lookup_limit(client):
    answers = lookups(client, 12, lambda i: f"198.51.100.{i}")
    assert answers == [200] * 10 + [429] * 2


def test_with_one_trusted_hop_only_the_proxys_own_entry_counts(app_ctx, proxied_app):
    client = proxied_app.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    # The client writes whatever it likes first; the proxy appends the address it really saw.
    answers = wrong_logins(client, 8, lambda i: f"198.51.100.{i}, 203.0.113.7")
    assert answers == [422] * 5 + [429] * 3
    assert lookups(client, 12, lambda i: f"10.0.0.{i}, 203.0.113.7") == [200] * 10 + [429] * 2
    # Another real client behind the same proxy has its own allowance.
    assert wrong_logins(client, 1, lambda i: "203.0.113.8") == [422]


def test_limits_are_counted_in_redis(client):
    store = redis.Redis.from_url(REDIS_URL)
    lookups(client, 1, lambda i: "198.51.100.1")
    assert any(b"orders" in key or b"lookup" in key for key in store.scan_iter("LIMITS*"))


def test_checkout_posts_are_limited_per_client_with_a_readable_429(client):
    # other details each time: the same details again would reuse the open session (test_one_open_session)
    answers = [submit_checkout(client, email=f"buyer{i}@example.com").status_code for i in range(11)]
    assert answers == [303] * 10 + [429]
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 10
    url = f"/checkout?{BUILD_QUERY}"
    response = client.post(url, data={**CUSTOMER, "csrf_token": csrf_token(client, url)})
    assert response.status_code == 429
    assert "Too many requests from your connection" in response.get_data(as_text=True)


def test_test_payment_posts_are_limited_per_client(client):
    path = submit_checkout(client).headers["Location"].split("localhost", 1)[-1]
    declined = {"card_number": "4000 0000 0000 0002", "expiry": "12/34", "cvc": "123"}
    data = {**declined, "csrf_token": csrf_token(client, path)}
    answers = [client.post(path, data=data).status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]
