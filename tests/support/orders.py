"""Factories for paid orders, shared by every test layer that needs one."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from storefront.extensions import db
from storefront.models import Checkout, Order
from storefront.services.catalog import live_catalog
from storefront.services.checkout import Customer, new_checkout
from storefront.services.orders import place_order
from storefront.services.quote import quote
from storefront.timeutil import local_date

DEFAULT_BUILD = {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}
DEFAULT_ADDRESS = {
    "line1": "12 Spoke Street",
    "line2": "",
    "city": "Burlington",
    "postal_code": "05401",
    "region": "VT",
    "country": "US",
}


def make_checkout(
    now: datetime, build: dict | None = None, email: str = "ada@example.com", name: str = "Ada Lovelace"
) -> Checkout:
    """A priced, pending checkout for `build`, committed."""
    catalog = live_catalog()
    current = quote(build or DEFAULT_BUILD, local_date(now, catalog.timezone))
    assert current.valid, current.all_errors()
    checkout = new_checkout(current, Customer(name, email, None, dict(DEFAULT_ADDRESS)), "test")
    db.session.commit()
    return checkout


def make_paid_order(now: datetime, build: dict | None = None, **customer) -> Order:
    """A checkout paid at `now` and turned into an order, work order and part lines, committed."""
    checkout = make_checkout(now, build, **customer)
    checkout.status = "fulfilled"
    session_id = f"cs_test_{uuid.uuid4().hex}"
    checkout.stripe_session_id = session_id
    order = place_order(
        checkout, live_catalog(), session_id=session_id, payment_reference="pi_test_fixture", paid_at=now
    )
    db.session.commit()
    return order


@pytest.fixture
def paid_order(app_ctx):
    """One paid order for the default in-stock build."""
    return make_paid_order(app_ctx.config["FIXED_NOW"])


@pytest.fixture
def order_factory(app_ctx):
    """Call with an optional build and customer fields to get another paid order."""

    def factory(build: dict | None = None, now: datetime | None = None, **customer) -> Order:
        return make_paid_order(now or app_ctx.config["FIXED_NOW"], build, **customer)

    return factory
