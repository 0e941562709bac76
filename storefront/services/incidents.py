"""Payment incidents: a paid session that cannot become an order is told to the customer and to staff, listed
under "Needs attention" in the back office, and refunded there with one click."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import clock, payments
from ..extensions import db
from ..mail.outbox import enqueue_mail
from ..models import Checkout, PaymentIncident
from .catalog import live_catalog
from .unit_of_work import ConcurrentChange, unit_of_work

log = logging.getLogger(__name__)


class IncidentNotFound(LookupError):
    """No open incident with that id."""


def open_incident(checkout: Checkout, session: dict[str, Any], reason: str) -> PaymentIncident:
    """Record the case and queue both emails, inside the caller's transaction (once per checkout)."""
    found = db.session.scalar(select(PaymentIncident).where(PaymentIncident.checkout_id == checkout.id))
    if found is not None:
        return found
    paid = session.get("amount_total")
    incident = PaymentIncident(
        checkout_id=checkout.id,
        session_id=session["id"],
        payment_reference=session.get("payment_intent") if isinstance(session.get("payment_intent"), str) else None,
        expected_cents=checkout.total_cents,
        paid_cents=paid if isinstance(paid, int) else None,
        currency=checkout.currency,
        paid_currency=str(session.get("currency") or "")[:3].upper() or None,
        reason=reason[:255],
        refund_key=secrets.token_hex(16),
        created_at=clock.now(),
    )
    db.session.add(incident)
    db.session.flush()
    log.error("payment incident %s: checkout %s paid but not fulfilled: %s", incident.id, checkout.id, reason)
    shop_name = live_catalog().shop_name
    context = {"incident": incident, "checkout": checkout, "shop_name": shop_name}
    enqueue_mail(checkout.email, "We are checking your payment", "payment_check", f"incident:{incident.id}", **context)
    staff = current_app.config.get("STAFF_ALERT_EMAIL")
    if staff:
        subject = f"Needs attention: a paid checkout could not become an order ({checkout.id[:8]})"
        enqueue_mail(staff, subject, "staff_incident", f"incident-staff:{incident.id}", **context)
    return incident


def open_incidents() -> Sequence[PaymentIncident]:
    """The cases still waiting for staff, oldest first."""
    return db.session.scalars(
        select(PaymentIncident).where(PaymentIncident.resolved_at.is_(None)).order_by(PaymentIncident.id)
    ).all()


def refund_incident(incident_id: int) -> PaymentIncident:
    """Refund the customer's payment in full with the incident's own key (a retry refunds nothing twice)."""
    with unit_of_work():
        incident = db.session.scalar(select(PaymentIncident).where(PaymentIncident.id == incident_id).with_for_update())
        if incident is None:
            raise IncidentNotFound(incident_id)
        if incident.resolved_at is not None:
            raise ConcurrentChange("This payment was already refunded.")
        provider = payments.provider(incident.checkout.provider)
        key = f"refund-incident-{incident.refund_key}"
        label = f"checkout {incident.checkout_id}"
        incident.refund_reference = provider.refund(incident.payment_reference, idempotency_key=key, label=label)
        incident.resolved_at = clock.now()
    return incident
