"""The Stripe adapter, through stripe-python's StripeClient. STRIPE_API_BASE points it at another server (tests)."""

from __future__ import annotations

import logging
from threading import Lock
from typing import Any

import stripe
from flask import current_app

from ..config import STRIPE_RETRIES
from ..models import Checkout, Order
from .port import InvalidEvent, NewSession, PaymentError, PaymentsNotConfigured
from .stripe_charges import check_tax_computed, customer_and_tax, price_tax_behavior, shipping_options, tax_line_items

log = logging.getLogger(__name__)

# Pinned here, not by whichever stripe-python is installed: the webhook endpoint must send this version too.
API_VERSION = "2026-10-28.endive"

_clients: dict[tuple[str, str | None, float], stripe.StripeClient] = {}
_clients_lock = Lock()


def client() -> stripe.StripeClient:
    """One client per key, API base and timeout, reused so its HTTP connections are pooled.

    Each try is bounded (connect plus read within STRIPE_TIMEOUT_SECONDS) and retried once, so a hanging
    Stripe costs at most config.stripe_time_budget(), well inside the worker timeout.
    """
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise PaymentsNotConfigured("Stripe is not configured (STRIPE_SECRET_KEY is not set).")
    base = current_app.config.get("STRIPE_API_BASE")
    timeout = float(current_app.config["STRIPE_TIMEOUT_SECONDS"])
    with _clients_lock:
        found = _clients.get((key, base, timeout))
        if found is None:
            found = stripe.StripeClient(
                key,
                base_addresses={"api": base} if base else None,
                stripe_version=API_VERSION,
                max_network_retries=STRIPE_RETRIES,
                http_client=stripe.RequestsClient(timeout=(timeout * 0.3, timeout * 0.7)),
            )
            _clients[(key, base, timeout)] = found
    return found


def line_items(checkout: Checkout) -> list[dict[str, Any]]:
    """One Stripe line per priced build line (options that cost nothing are named in the base line)."""
    snapshot = checkout.snapshot
    free = [line["label"] for line in snapshot["lines"] if line["price_cents"] == 0]
    items = []
    for position, line in enumerate(snapshot["lines"]):
        if line["price_cents"] == 0 and position > 0:
            continue
        product: dict[str, Any] = {"name": line["label"]}
        if position == 0 and free:
            product["description"] = "Includes " + ", ".join(free)
        items.append(
            {
                "quantity": 1,
                "price_data": {
                    "currency": checkout.currency.lower(),
                    "unit_amount": line["price_cents"],
                    "product_data": product,
                    **price_tax_behavior(checkout),
                },
            }
        )
    return items + tax_line_items(checkout)


class StripeProvider:
    name = "stripe"

    def create_session(self, checkout: Checkout, *, success_url: str, cancel_url: str, expires_at: int) -> NewSession:
        """Create the Checkout Session; the idempotency key makes a retried create return the same session.

        With Stripe Tax, a session whose tax Stripe could not compute raises TaxNotComputed."""
        params = {
            "mode": "payment",
            "line_items": line_items(checkout),
            **shipping_options(checkout),
            **customer_and_tax(client(), checkout),
            "client_reference_id": checkout.id,
            "metadata": {"checkout_id": checkout.id},
            "payment_intent_data": {"metadata": {"checkout_id": checkout.id}},  # the payment leads to the order
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": expires_at,
        }
        try:
            session = client().v1.checkout.sessions.create(
                params, {"idempotency_key": f"checkout-session-{checkout.id}"}
            )
        except stripe.StripeError as exc:
            log.error("stripe session create failed for checkout %s: %s", checkout.id, exc.user_message or exc)
            raise PaymentError("We could not reach our payment provider. Please try again in a moment.") from exc
        check_tax_computed(checkout, session.to_dict())
        return NewSession(id=session.id, url=session.url)

    def retrieve_session(self, checkout: Checkout) -> dict[str, Any] | None:
        """The session as a plain dict, or None when Stripe does not know it."""
        try:
            session = client().v1.checkout.sessions.retrieve(checkout.stripe_session_id)
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                return None
            raise PaymentError(str(exc.user_message or exc)) from exc
        except stripe.StripeError as exc:
            raise PaymentError(str(exc.user_message or exc)) from exc
        return session.to_dict()

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The signed event, checked against STRIPE_WEBHOOK_SECRET on the raw body."""
        secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
        if not secret:
            raise PaymentsNotConfigured("STRIPE_WEBHOOK_SECRET is not set.")
        try:
            event = stripe.Webhook.construct_event(payload, signature, secret).to_dict()
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidEvent(exc.__class__.__name__) from exc
        if event.get("api_version") != API_VERSION:
            log.warning(
                "stripe event %s has API version %r but the shop pins %s: set the webhook endpoint's version to it",
                event.get("id"), event.get("api_version"), API_VERSION,
            )  # fmt: skip
        return event

    def label_payment(self, order: Order) -> None:
        """Add the order number to the PaymentIntent's metadata, so the Stripe dashboard leads to the order."""
        if not order.payment_reference:
            return
        try:
            client().v1.payment_intents.update(
                order.payment_reference, {"metadata": {"checkout_id": order.checkout_id, "order_number": order.number}}
            )
        except stripe.StripeError as exc:  # a label is a convenience; the order stands without it
            log.warning("could not label payment %s with order %s: %s", order.payment_reference, order.number, exc)

    def refund(self, payment_reference: str | None, *, idempotency_key: str, label: str) -> str:
        """Refund a payment intent in full. Returns the Stripe refund id."""
        if not payment_reference:
            raise PaymentError(f"{label} has no payment reference to refund.")
        try:
            result = client().v1.refunds.create(
                {"payment_intent": payment_reference, "metadata": {"reference": label}},
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            log.error("stripe refund failed for %s: %s", label, exc.user_message or exc)
            raise PaymentError(str(exc.user_message or exc)) from exc
        return result.id
