"""Payments behind one small interface: Stripe when STRIPE_SECRET_KEY is set, else the built-in test mode.

The checkout area owns this package; other areas call only the functions exported here.
"""

from __future__ import annotations

import secrets

from ..extensions import db
from ..models import Checkout, Order


class PaymentError(RuntimeError):
    """The payment provider refused or could not be reached; nothing was changed on our side."""


def refund_payment(order: Order) -> str:
    """Refund an order in full through the provider that took the payment. Returns the refund reference."""
    checkout = db.session.get(Checkout, order.checkout_id)
    if checkout is None or checkout.provider == "test":
        return f"re_test_{secrets.token_hex(12)}"
    from .stripe_gateway import refund as stripe_refund  # written by the checkout area

    return stripe_refund(order)
