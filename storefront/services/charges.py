"""What a customer pays: the bike, shipping to their address and sales tax, frozen before payment and settled
against what the payment provider charged.

A charges record is plain data, kept in the checkout snapshot and then on the order:
    {"subtotal_cents": int, "shipping": {"label": str, "cents": int}, "tax": <tax record, see tax.port>,
     "total_cents": int}
Before a Stripe Tax payment, "total_cents" is the bike and shipping only; Stripe adds the tax.
"""

from __future__ import annotations

from typing import Any

from .. import tax
from ..domain.regions import REGIONS
from ..domain.shipping import NotShipped, shipping_fee
from .quote import Quote


def checkout_charges(current: Quote, country: str, region: str, tax_source: str | None = None) -> dict[str, Any]:
    """The exact shipping fee and the tax for a build shipped to a region (NotShipped where we do not go)."""
    catalog = current.catalog
    fee = shipping_fee(catalog.shipping, current.total_cents, current.build.codes(), country, region)
    taxable = current.total_cents + fee.cents
    tax_record = tax.provider(tax_source).quote(catalog, taxable, country, region)
    return {
        "subtotal_cents": current.total_cents,
        "shipping": {"label": fee.label, "cents": fee.cents},
        "tax": tax_record,
        "total_cents": taxable + (tax_record["cents"] or 0),
    }


def destination_charges(current: Quote, country: str | None, region: str | None) -> tuple[dict | None, str | None]:
    """The charges for a destination once one is known: (charges, None), (None, why we do not ship), or
    (None, None) while the country or region is not chosen yet."""
    if not current.valid or region not in REGIONS.get(country or "", {}):
        return None, None
    try:
        return checkout_charges(current, country, region), None
    except NotShipped as exc:
        return None, str(exc)


def expected_total(snapshot: dict[str, Any], session: dict[str, Any]) -> int:
    """What the session should have charged: the frozen total, plus Stripe's tax where Stripe computes it."""
    charges = snapshot.get("charges")
    if charges is None or charges["tax"]["source"] != "stripe":
        return snapshot["total_cents"]
    return snapshot["total_cents"] + tax.provider("stripe").settle(charges["tax"], session)["cents"]


def charges_mismatch(snapshot: dict[str, Any], session: dict[str, Any]) -> str | None:
    """Why a paid session differs from the frozen bike and shipping plus the tax, or None when it matches."""
    try:
        expected = (expected_total(snapshot, session), snapshot["currency"].lower())
    except tax.TaxNotComputed as exc:
        return str(exc)
    paid = (session.get("amount_total"), str(session.get("currency") or "").lower())
    if paid != expected:
        return f"paid {paid[0]} {paid[1]}, expected {expected[0]} {expected[1]}"
    charges = snapshot.get("charges")
    shipping = (session.get("total_details") or {}).get("amount_shipping")
    if charges is not None and shipping != charges["shipping"]["cents"]:
        return f"shipping charged {shipping}, expected {charges['shipping']['cents']}"
    return None


def paid_charges(snapshot: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
    """The order's charges: the frozen bike and shipping, the tax as charged, and the total paid."""
    charges = snapshot.get("charges") or legacy_charges(snapshot["total_cents"])
    settled = tax.provider(charges["tax"]["source"]).settle(charges["tax"], session)
    total = charges["subtotal_cents"] + charges["shipping"]["cents"] + (settled["cents"] or 0)
    return {**charges, "tax": settled, "total_cents": total}


def legacy_charges(total_cents: int) -> dict[str, Any]:
    """A checkout frozen before shipping and tax existed: the bike was the whole price."""
    none = {"source": "table", "lines": [], "cents": 0, "estimate": False, "note": ""}
    return {"subtotal_cents": total_cents, "shipping": {"label": "Shipping", "cents": 0}, "tax": none,
            "total_cents": total_cents}  # fmt: skip
