"""What a Stripe Checkout Session carries besides the build: the shipping line, the table's tax lines, or, with
Stripe Tax, `automatic_tax` and a Customer holding the shipping address so Stripe can compute the tax."""

from __future__ import annotations

from typing import Any

import stripe

from ..models import Checkout
from .port import PaymentError, TaxNotComputed

TAX_NOT_COMPUTED = (
    "We could not work out the sales tax for this address, so nothing was charged. "
    "Please check the street, city, ZIP or postal code and region."
)


def _charges(checkout: Checkout) -> dict[str, Any] | None:
    return checkout.snapshot.get("charges")


def stripe_computes_tax(checkout: Checkout) -> bool:
    charges = _charges(checkout)
    return charges is not None and charges["tax"]["source"] == "stripe"


def price_tax_behavior(checkout: Checkout) -> dict[str, str]:
    """Stripe Tax needs every price to say whether tax is on top of it; ours never include it."""
    return {"tax_behavior": "exclusive"} if stripe_computes_tax(checkout) else {}


def tax_line_items(checkout: Checkout) -> list[dict[str, Any]]:
    """The table's frozen taxes as lines of their own (Stripe Tax adds its own instead)."""
    charges = _charges(checkout)
    if charges is None or stripe_computes_tax(checkout):
        return []
    currency = checkout.currency.lower()
    return [
        {"quantity": 1, "price_data": {"currency": currency, "unit_amount": line["cents"],
                                       "product_data": {"name": line["label"]}}}
        for line in charges["tax"]["lines"] if line["cents"] > 0
    ]  # fmt: skip


def shipping_options(checkout: Checkout) -> dict[str, Any]:
    """The frozen shipping fee as the session's one fixed-amount shipping rate."""
    charges = _charges(checkout)
    if charges is None:
        return {}
    rate = {
        "display_name": charges["shipping"]["label"][:100],
        "type": "fixed_amount",
        "fixed_amount": {"amount": charges["shipping"]["cents"], "currency": checkout.currency.lower()},
        **price_tax_behavior(checkout),
    }
    return {"shipping_options": [{"shipping_rate_data": rate}]}


def customer_and_tax(client: stripe.StripeClient, checkout: Checkout) -> dict[str, Any]:
    """The customer's email, or with Stripe Tax a Customer at the shipping address and `automatic_tax`."""
    if not stripe_computes_tax(checkout):
        return {"customer_email": checkout.email}
    address = checkout.address
    stripe_address = {
        "line1": address["line1"], "line2": address.get("line2") or "", "city": address["city"],
        "state": address["region"], "postal_code": address["postal_code"], "country": address["country"],
    }  # fmt: skip
    params = {
        "email": checkout.email,
        "name": checkout.customer_name,
        "address": stripe_address,
        "shipping": {"name": checkout.customer_name, "address": stripe_address},
        "tax": {"validate_location": "immediately"},  # Stripe refuses an address it cannot tax
        "metadata": {"checkout_id": checkout.id},
    }
    try:
        customer = client.v1.customers.create(params, {"idempotency_key": f"checkout-customer-{checkout.id}"})
    except stripe.StripeError as exc:
        if exc.code == "customer_tax_location_invalid":
            raise TaxNotComputed(TAX_NOT_COMPUTED) from exc
        raise PaymentError("We could not reach our payment provider. Please try again in a moment.") from exc
    return {"customer": customer.id, "automatic_tax": {"enabled": True}}


def check_tax_computed(checkout: Checkout, session: dict[str, Any]) -> None:
    """A session whose tax Stripe could not compute is never shown to the customer."""
    if stripe_computes_tax(checkout) and (session.get("automatic_tax") or {}).get("status") != "complete":
        raise TaxNotComputed(TAX_NOT_COMPUTED)
