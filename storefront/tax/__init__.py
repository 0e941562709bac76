"""Sales tax behind one small port with two adapters: Stripe Tax (computed by Stripe at payment) when Stripe
takes the payments and TAX_PROVIDER is not "table", else the catalog's tax table.

Services reach an adapter only through `provider()` here.
"""

from __future__ import annotations

from flask import current_app

from .. import payments
from .port import TaxNotComputed, TaxProvider
from .stripe_tax import StripeTax
from .table import TableTax

__all__ = ["TaxNotComputed", "TaxProvider", "configured_name", "provider", "source_for"]

_PROVIDERS: dict[str, TaxProvider] = {"stripe": StripeTax(), "table": TableTax()}


def configured_name() -> str:
    """The tax source of new checkouts paid through the configured payment provider."""
    return source_for(payments.configured_name())


def source_for(payment_provider: str) -> str:
    """'stripe' for Stripe payments unless TAX_PROVIDER is 'table'; the table for everything else."""
    if payment_provider == "stripe" and current_app.config.get("TAX_PROVIDER") != "table":
        return "stripe"
    return "table"


def provider(name: str | None = None) -> TaxProvider:
    """The adapter called `name` (a checkout remembers its tax source), or the configured one."""
    return _PROVIDERS[name or configured_name()]
