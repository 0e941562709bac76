"""Payments behind one small interface: Stripe when STRIPE_SECRET_KEY is set, else the built-in test mode.

The checkout area owns this package; other areas call only the functions exported here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Checkout, Order


class PaymentError(RuntimeError):
    """The payment provider refused or could not be reached; nothing was changed on our side."""


@dataclass(frozen=True)
class NewSession:
    id: str
    url: str


def provider_name() -> str:
    """The provider new checkouts use: 'stripe' with a secret key, else 'test'."""
    return "stripe" if current_app.config.get("STRIPE_SECRET_KEY") else "test"


def _gateway(provider: str):
    if provider == "test":
        from . import test_gateway

        return test_gateway
    from . import stripe_gateway

    return stripe_gateway


def create_session(checkout: Checkout, *, success_url: str, cancel_url: str, expires_at: int) -> NewSession:
    """Open a payment session for the checkout with the checkout's own provider."""
    return _gateway(checkout.provider).create_session(
        checkout, success_url=success_url, cancel_url=cancel_url, expires_at=expires_at
    )


def retrieve_session(session_id: str) -> dict[str, Any] | None:
    """The provider's view of a session, in Stripe's Checkout Session shape; None when nobody knows it."""
    checkout = db.session.scalar(select(Checkout).where(Checkout.stripe_session_id == session_id))
    if checkout is not None and checkout.provider == "test":
        if provider_name() != "test":
            return None  # a test checkout is never paid where real payments are configured
        from .test_gateway import session_dict

        return session_dict(checkout)
    if checkout is None and provider_name() == "test":
        return None
    return _gateway("stripe").retrieve_session(session_id)


def refund_payment(order: Order) -> str:
    """Refund an order in full through the provider that took the payment. Returns the refund reference."""
    checkout = db.session.get(Checkout, order.checkout_id)
    if checkout is None or checkout.provider == "test":
        return f"re_test_{secrets.token_hex(12)}"
    from .stripe_gateway import refund as stripe_refund

    return stripe_refund(order)
