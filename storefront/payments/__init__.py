"""Payments behind one small port (create, retrieve, verify an event, refund) with two adapters:
Stripe when STRIPE_SECRET_KEY is set, else the built-in test provider.

Services reach a provider only through `provider()` here; no service or view imports an adapter or the SDK.
"""

from __future__ import annotations

from .port import (
    CardDeclined,
    InvalidEvent,
    NewSession,
    PaymentError,
    PaymentsNotConfigured,
    Provider,
    ProviderNotConfigured,
    TaxNotComputed,
    UnknownTestCard,
    configured_name,
)
from .stripe_gateway import StripeProvider
from .test_gateway import TestProvider

__all__ = [
    "CardDeclined",
    "InvalidEvent",
    "NewSession",
    "PaymentError",
    "PaymentsNotConfigured",
    "Provider",
    "ProviderNotConfigured",
    "TaxNotComputed",
    "UnknownTestCard",
    "configured_name",
    "provider",
    "test_provider",
]

_PROVIDERS: dict[str, Provider] = {"stripe": StripeProvider(), "test": TestProvider()}


def provider(name: str | None = None) -> Provider:
    """The adapter called `name` (a checkout remembers its provider), or the configured one."""
    return _PROVIDERS[name or configured_name()]


def test_provider() -> TestProvider:
    """The built-in test provider, for the test payment page."""
    return _PROVIDERS["test"]
