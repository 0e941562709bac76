"""Stripe's webhook: verify the signature on the raw body, then hand the event to the checkout service."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from ..extensions import csrf
from ..payments import InvalidEvent, PaymentsNotConfigured
from ..services.checkout import EventOutcome, handle_event, verify_webhook

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    """Apply a signed Stripe event once: 400 for a bad signature or shape, 200 `ignored` for another
    integration's session, 404 for one of ours whose checkout is missing (Stripe retries)."""
    try:
        event = verify_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except PaymentsNotConfigured:
        log.error("stripe webhook received but STRIPE_WEBHOOK_SECRET is not set")
        return jsonify(error="webhooks are not configured"), 503
    except InvalidEvent as exc:
        log.warning("stripe webhook rejected: %s", exc)
        return jsonify(error="invalid signature or payload"), 400
    try:
        outcome = handle_event(event)
    except InvalidEvent as exc:
        log.warning("stripe webhook rejected: %s", exc)
        return jsonify(error="invalid event shape"), 400
    except Exception:  # noqa: BLE001 - the unit of work rolled back; a 500 makes Stripe deliver it again
        log.exception("stripe event %s (%s) failed", event["id"], event["type"])
        return jsonify(error="event handling failed", event=event["id"]), 500
    if outcome == EventOutcome.UNKNOWN_CHECKOUT:
        log.error("stripe event %s (%s) is for a checkout we do not know", event["id"], event["type"])
        return jsonify(error="unknown checkout", event=event["id"]), 404
    return jsonify(received=True, outcome=outcome)
