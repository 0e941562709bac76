"""Turn a Quote into the JSON the API answers with."""

from __future__ import annotations

from ..services.quote import Quote, estimate_record, line_record


def quote_json(quote: Quote) -> dict:
    return {
        "valid": quote.valid,
        "errors": [{"group": e.group, "message": e.message} for e in quote.all_errors()],
        "currency": quote.catalog.currency,
        "total_cents": quote.total_cents,
        "lines": [line_record(line) for line in quote.lines],
        "estimate": estimate_record(quote.estimate),
    }
