"""Fulfilment: a paid Checkout Session becomes exactly one Order, however often and however concurrently asked."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock, payments
from ..domain.statuses import CheckoutStatus
from ..extensions import db
from ..models import Checkout, Order
from .catalog import live_catalog
from .charges import charges_mismatch, paid_charges
from .incidents import open_incident
from .orders import place_order
from .unit_of_work import unit_of_work

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    CREATED = "created"
    EXISTED = "existed"
    NOT_PAID = "not_paid"
    MISMATCH = "mismatch"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FulfilResult:
    outcome: Outcome
    checkout: Checkout | None = None
    order: Order | None = None

    @property
    def has_order(self) -> bool:
        return self.order is not None


def fulfil(session_id: str) -> FulfilResult:
    """Create the order for a session, asking its provider whether it is paid. Safe to repeat, concurrently too."""
    checkout = db.session.scalar(select(Checkout).where(Checkout.stripe_session_id == session_id))
    if checkout is None:
        return FulfilResult(Outcome.UNKNOWN)
    return fulfil_checkout(checkout)


def fulfil_checkout(checkout: Checkout) -> FulfilResult:
    """The order of a fulfilled checkout; otherwise ask its provider for the session (no lock held) and fulfil."""
    if checkout.status == CheckoutStatus.FULFILLED:
        order = db.session.scalar(select(Order).where(Order.checkout_id == checkout.id))
        return FulfilResult(Outcome.EXISTED, checkout, order)
    session = payments.provider(checkout.provider).retrieve_session(checkout)
    if session is None:
        return FulfilResult(Outcome.UNKNOWN)
    return fulfil_session(session)


def fulfil_session(session: dict[str, Any]) -> FulfilResult:
    """The provider's word on a session (a verified event, or a retrieval) becomes exactly one order."""
    try:
        with unit_of_work() as uow:
            result = _fulfil_locked(session)
            if result.outcome is Outcome.CREATED:
                order = result.order
                uow.after_commit(lambda: payments.provider(order.checkout.provider).label_payment(order))
        return result
    except IntegrityError:
        # Another transaction created the order first; the unique session id is the backstop.
        order = _order_for(session["id"])
        if order is None:
            raise
        return FulfilResult(Outcome.EXISTED, order.checkout, order)


def _fulfil_locked(session: dict[str, Any]) -> FulfilResult:
    session_id = session["id"]
    checkout = _lock_checkout(session)
    if checkout is None:
        log.warning("session %s matches no checkout", session_id)
        return FulfilResult(Outcome.UNKNOWN)
    if checkout.status == CheckoutStatus.FULFILLED:
        return FulfilResult(Outcome.EXISTED, checkout, _order_for(session_id))
    if session.get("payment_status") != "paid":
        return FulfilResult(Outcome.NOT_PAID, checkout)
    problem = _mismatch(checkout, session) or _unfulfillable(checkout)
    if problem:
        checkout.status, checkout.failure_reason = CheckoutStatus.MISMATCH, problem[:255]
        open_incident(checkout, session, problem)
        return FulfilResult(Outcome.MISMATCH, checkout)
    checkout.stripe_session_id = session_id
    order = place_order(
        checkout,
        live_catalog(),
        session_id=session_id,
        payment_reference=session.get("payment_intent"),
        paid_at=clock.now(),
        charges=paid_charges(checkout.snapshot, session),
    )
    checkout.status, checkout.failure_reason = CheckoutStatus.FULFILLED, None
    db.session.flush()
    log.info("order %s placed for checkout %s", order.number, checkout.id)
    return FulfilResult(Outcome.CREATED, checkout, order)


def _lock_checkout(session: dict[str, Any]) -> Checkout | None:
    """The checkout row, read fresh and locked until commit (PostgreSQL), by session id or by its own id."""
    locked = select(Checkout).with_for_update().execution_options(populate_existing=True)
    checkout = db.session.scalar(locked.where(Checkout.stripe_session_id == session["id"]))
    if checkout is None and session.get("client_reference_id"):
        checkout = db.session.scalar(locked.where(Checkout.id == session["client_reference_id"]))
        if checkout is not None and checkout.stripe_session_id not in (None, session["id"]):
            return None
    return checkout


def _order_for(session_id: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.stripe_session_id == session_id))


def _mismatch(checkout: Checkout, session: dict[str, Any]) -> str | None:
    """Why the paid amount does not match the frozen snapshot (plus Stripe's tax), or None when it does."""
    if checkout.total_cents != checkout.snapshot["total_cents"]:
        return f"the checkout's total {checkout.total_cents} differs from its snapshot's"
    return charges_mismatch(checkout.snapshot, session)


def _unfulfillable(checkout: Checkout) -> str | None:
    """Why a paid checkout can never become an order here (it was given up on before the payment came)."""
    if checkout.status in (CheckoutStatus.EXPIRED, CheckoutStatus.FAILED):
        return f"paid after the checkout was marked {checkout.status}"
    return None


def mark_checkout(session: dict[str, Any], status: str, reason: str | None = None) -> Checkout | None:
    """Mark a still-pending checkout failed or expired, and commit. Returns None for an unknown session."""
    with unit_of_work():
        checkout = _lock_checkout(session)
        if checkout is not None and checkout.status == CheckoutStatus.PENDING:
            checkout.status, checkout.failure_reason = status, reason
    return checkout
