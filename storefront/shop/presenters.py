"""Turn a Quote into the JSON the API answers with."""

from __future__ import annotations

from ..domain.leadtime import Estimate
from ..services.quote import Quote


def estimate_json(estimate: Estimate) -> dict:
    return {
        "earliest": estimate.earliest.isoformat(),
        "latest": estimate.latest.isoformat(),
        "steps": [
            {"kind": s.kind, "label": s.label, "date": s.date.isoformat(), "detail": s.detail, "sku": s.sku}
            for s in estimate.steps
        ],
    }


def quote_json(quote: Quote) -> dict:
    return {
        "valid": quote.valid,
        "errors": [{"group": e.group, "message": e.message} for e in quote.all_errors()],
        "currency": quote.catalog.currency,
        "total_cents": quote.total_cents,
        "lines": [
            {"group": line.group, "code": line.code, "label": line.label, "price_cents": line.price_cents}
            for line in quote.lines
        ],
        "estimate": estimate_json(quote.estimate),
    }
