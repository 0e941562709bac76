"""The payments port: what the shop asks of a payment provider, and the errors a provider may raise.

Sessions and events are plain dicts in Stripe's Checkout Session and Event shapes, whichever adapter made them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from flask import current_app

if TYPE_CHECKING:
    from ..models import Checkout, Order


class PaymentError(RuntimeError):
    """The payment provider refused or could not be reached; nothing was changed on our side."""


class PaymentsNotConfigured(PaymentError):
    """A setting the provider needs (a key, a webhook secret) is missing."""


class InvalidEvent(ValueError):
    """A webhook payload whose signature or shape we do not accept."""


class CardDeclined(PaymentError):
    """The test card was declined; nothing was charged."""


class UnknownTestCard(PaymentError):
    """Not one of the Stripe test card numbers the test payment page accepts."""


class TaxNotComputed(PaymentError):
    """The tax for this address could not be computed (Stripe Tax): nothing may be charged."""


class ProviderNotConfigured(PaymentError):
    """A checkout made with a provider this shop no longer takes payments through (a test checkout on a
    host with a live Stripe key): it can never be paid here."""


def configured_name() -> str:
    """The provider new checkouts use, and the only one that may take a payment now: 'stripe' with a secret
    key, else 'test' (which the config allows only in development, tests or with TEST_PAYMENTS=1)."""
    return "stripe" if current_app.config.get("STRIPE_SECRET_KEY") else "test"


@dataclass(frozen=True)
class NewSession:
    id: str
    url: str


class Provider(Protocol):
    """One payment provider. Each method raises PaymentError when the provider cannot answer."""

    name: str

    def create_session(self, checkout: Checkout, *, success_url: str, cancel_url: str, expires_at: int) -> NewSession:
        """Open a payment session for the checkout's frozen total."""
        ...

    def retrieve_session(self, checkout: Checkout) -> dict[str, Any] | None:
        """The provider's word on the checkout's session, or None when the provider does not know it."""
        ...

    def verify_event(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The event in a webhook body, after checking its signature; raises InvalidEvent otherwise."""
        ...

    def refund(self, payment_reference: str | None, *, idempotency_key: str, label: str) -> str:
        """Refund a payment in full; returns the provider's refund reference. A retry with the same key refunds
        nothing twice. `label` (an order number, say) names the refund in the provider's dashboard."""
        ...

    def label_payment(self, order: Order) -> None:
        """Tell the provider's record of the payment which order it paid for (never raises)."""
        ...
