"""The built-in test provider: sessions live in the checkouts row and speak Stripe's shapes.

It is the default when no STRIPE_SECRET_KEY is set, so a fresh clone can take an order end to end. The
customer pays on the shop's own test payment page with Stripe's test card numbers; its events are delivered
in-process, so it has no webhook to verify.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context, url_for

from ..domain.statuses import CheckoutStatus
from ..models import Checkout, Order
from .port import CardDeclined, InvalidEvent, NewSession, ProviderNotConfigured, UnknownTestCard, configured_name
from .stripe_gateway import API_VERSION

TEST_MODE_OFF = "This shop now takes real payments, so this test checkout cannot be paid. Nothing was charged."

SESSION_LIFETIME = timedelta(hours=1)
SUCCEEDS = "4242424242424242"
DECLINES = "4000000000000002"
PAID_STATES = (CheckoutStatus.PAID, CheckoutStatus.FULFILLED, CheckoutStatus.MISMATCH)


def payment_page_url(session_id: str) -> str:
    """The absolute test payment page URL, from the request, or from PUBLIC_URL outside one (CLI, workers)."""
    if has_request_context():
        return url_for("checkout.test_payment", session_id=session_id, _external=True)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for("checkout.test_payment", session_id=session_id, _external=True)


def _payment_intent_id(session_id: str) -> str:
    return "pi_test_" + session_id.removeprefix("cs_test_")[:24]


class TestProvider:
    __test__ = False  # not a pytest class
    name = "test"

    def create_session(self, checkout: Checkout, *, success_url: str, cancel_url: str, expires_at: int) -> NewSession:
        """A new test session id; the customer pays on our own test payment page."""
        session_id = f"cs_test_{secrets.token_hex(24)}"
        return NewSession(id=session_id, url=payment_page_url(session_id))

    def retrieve_session(self, checkout: Checkout) -> dict[str, Any] | None:
        """The test session in the shape of a Stripe Checkout Session, read from the checkout row.

        Where real payments are configured, no test session exists: it can never become an order there.
        """
        if configured_name() != self.name:
            return None
        paid = checkout.status in PAID_STATES
        status = "complete" if paid else ("expired" if checkout.status == CheckoutStatus.EXPIRED else "open")
        shipping = (checkout.snapshot.get("charges") or {}).get("shipping", {}).get("cents", 0)
        return {
            "id": checkout.stripe_session_id,
            "object": "checkout.session",
            # as with Stripe without Stripe Tax: the table's taxes are line items, shipping is the shipping rate
            "amount_subtotal": checkout.total_cents - shipping,
            "amount_total": checkout.total_cents,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "total_details": {"amount_discount": 0, "amount_shipping": shipping, "amount_tax": 0},
            "client_reference_id": checkout.id,
            "created": int(checkout.created_at.timestamp()),
            "currency": checkout.currency.lower(),
            "customer_email": checkout.email,
            "expires_at": int(self.expires_at(checkout).timestamp()),
            "livemode": False,
            "metadata": {"checkout_id": checkout.id},
            "mode": "payment",
            "payment_intent": _payment_intent_id(checkout.stripe_session_id) if paid else None,
            "payment_status": "paid" if paid else "unpaid",
            "status": status,
            "url": None if paid else payment_page_url(checkout.stripe_session_id),
        }

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        raise InvalidEvent("The test provider sends no webhooks; its events are delivered in-process.")

    def refund(self, payment_reference: str | None, *, idempotency_key: str, label: str) -> str:
        """Nothing was charged, so nothing moves; the reference still marks the refund as done."""
        return f"re_test_{secrets.token_hex(12)}"

    def label_payment(self, order: Order) -> None:
        """The test payment lives in our own tables, which already link it to the order."""

    # --- what only the test payment page needs --------------------------------------------------------------

    def check_enabled(self) -> None:
        """Test payments are taken only where they are the configured provider."""
        if configured_name() != self.name:
            raise ProviderNotConfigured(TEST_MODE_OFF)

    def expires_at(self, checkout: Checkout) -> datetime:
        return checkout.created_at + SESSION_LIFETIME

    def event(self, event_type: str, checkout: Checkout, now: datetime) -> dict[str, Any]:
        """A Stripe-shaped event carrying the session, as a webhook would deliver it."""
        return {
            "id": f"evt_test_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": int(now.timestamp()),
            "livemode": False,
            "type": event_type,
            "data": {"object": self.retrieve_session(checkout)},
        }

    def charge(self, card_number: str) -> None:
        """Accept the succeeding test card, refuse the declining one, and reject anything else."""
        self.check_enabled()
        digits = re.sub(r"[\s-]", "", card_number or "")
        if digits == SUCCEEDS:
            return
        if digits == DECLINES:
            raise CardDeclined("Your card was declined. No money was taken; try another card.")
        raise UnknownTestCard("Test mode accepts only the test cards 4242 4242 4242 4242 and 4000 0000 0000 0002.")
