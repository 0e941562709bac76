"""The Stripe Tax adapter: Stripe computes the tax for the shipping address (`automatic_tax`) at payment, and
the order keeps what Stripe charged, read from the session's `total_details.amount_tax`."""

from __future__ import annotations

from typing import Any

from ..domain.catalog import Catalog
from ..payments import TaxNotComputed

COMPUTED = "complete"
NOT_COMPUTED = "We could not work out the sales tax for this address, so nothing was charged. Please check it."


def stripe_tax_cents(session: dict[str, Any]) -> int:
    """The tax Stripe charged on a session; TaxNotComputed when Stripe could not compute it."""
    status = (session.get("automatic_tax") or {}).get("status")
    if status != COMPUTED:
        raise TaxNotComputed(f"Stripe Tax status is {status!r}, not {COMPUTED!r}: {NOT_COMPUTED}")
    return int((session.get("total_details") or {}).get("amount_tax") or 0)


class StripeTax:
    name = "stripe"

    def quote(self, catalog: Catalog, taxable_cents: int, country: str, region: str) -> dict[str, Any]:
        """Nothing to freeze: Stripe adds the tax for the address at payment."""
        return {
            "source": self.name,
            "lines": [],
            "cents": None,
            "estimate": False,
            "note": "Sales tax, where we collect it, is computed by Stripe for your address and added at payment.",
        }

    def settle(self, frozen: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        """The tax Stripe charged, from the session's totals."""
        cents = stripe_tax_cents(session)
        lines = [{"label": "Sales tax (computed by Stripe)", "cents": cents}] if cents else []
        return {**frozen, "lines": lines, "cents": cents, "note": "Sales tax as computed and charged by Stripe."}
