"""Checkout use cases: open a priced checkout and its payment session, handle provider events, reconcile."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import clock, payments, tax
from ..domain.build import BuildError
from ..domain.statuses import CheckoutStatus
from ..extensions import db
from ..models import Checkout, StripeEvent
from .charges import checkout_charges
from .fulfil import Outcome, fulfil_session, mark_checkout
from .quote import Quote, snapshot
from .unit_of_work import unit_of_work

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(hours=1)
REUSE_MARGIN = timedelta(minutes=10)  # a session this close to expiring is not handed out again
RECONCILE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Customer:
    name: str
    email: str
    phone: str | None
    address: dict[str, str]


class BuildInvalid(Exception):
    """The build no longer passes the catalog rules; nothing was stored."""

    def __init__(self, errors: list[BuildError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Urls:
    """Where the provider sends the customer back; success_url holds {CHECKOUT_SESSION_ID}."""

    success: str
    cancel: str


def new_checkout(
    current: Quote, customer: Customer, provider: str, checkout_id: str | None = None, fingerprint: str | None = None
) -> Checkout:
    """A pending checkout holding the frozen quote, its charges and the customer (added, not committed).

    Raises NotShipped, before anything is written, for an address the shop does not ship to."""
    frozen = snapshot(current)
    country, region = customer.address["country"], customer.address["region"]
    frozen["charges"] = checkout_charges(current, country, region, tax.source_for(provider))
    frozen["total_cents"] = frozen["charges"]["total_cents"]
    checkout = Checkout(
        id=checkout_id or uuid.uuid4().hex,
        provider=provider,
        snapshot=frozen,
        total_cents=frozen["total_cents"],
        currency=frozen["currency"],
        customer_name=customer.name,
        email=customer.email,
        phone=customer.phone,
        address=customer.address,
        fingerprint=fingerprint,
        created_at=clock.now(),
    )
    db.session.add(checkout)
    return checkout


def fingerprint(current: Quote, customer: Customer, browser: str) -> str:
    """One browser asking for one priced build with one set of details, as a digest."""
    frozen = snapshot(current)
    facts = [browser, frozen["build"], frozen["total_cents"], frozen["currency"], dataclasses.asdict(customer)]
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


def start_checkout(current: Quote, customer: Customer, urls: Urls, browser: str = "") -> str:
    """The payment URL for this build and customer: the open session this browser already has for them
    (a double click, a back-and-resubmit), else a new pending checkout and its payment session."""
    if not current.valid:
        raise BuildInvalid(current.all_errors())
    digest = fingerprint(current, customer, browser) if browser else None
    open_one = _open_checkout(digest) if digest else None
    if open_one is not None:
        return open_one.payment_url
    with unit_of_work():  # the row exists before the provider hears of it, so a retry finds it
        checkout = new_checkout(current, customer, payments.configured_name(), fingerprint=digest)
    return open_session(checkout, urls)


def _open_checkout(digest: str) -> Checkout | None:
    """A pending checkout of this fingerprint whose session is open for a while yet."""
    fresh_after = clock.now() - SESSION_LIFETIME + REUSE_MARGIN
    return db.session.scalars(
        select(Checkout)
        .where(Checkout.fingerprint == digest, Checkout.status == CheckoutStatus.PENDING)
        .where(Checkout.payment_url.is_not(None), Checkout.created_at > fresh_after)
        .order_by(Checkout.created_at.desc())
        .limit(1)
    ).first()


def open_session(checkout: Checkout, urls: Urls) -> str:
    """Ask the provider for the checkout's session (the same one on a retry: the key is per checkout)."""
    expires = int((checkout.created_at + SESSION_LIFETIME).timestamp())
    provider = payments.provider(checkout.provider)
    try:
        session = provider.create_session(
            checkout, success_url=urls.success, cancel_url=urls.cancel, expires_at=expires
        )
    except payments.TaxNotComputed as exc:
        with unit_of_work():  # the customer never sees this session, so it can never be paid
            checkout.status, checkout.failure_reason = CheckoutStatus.FAILED, str(exc)[:255]
        raise
    with unit_of_work():
        checkout.stripe_session_id, checkout.payment_url = session.id, session.url
    return session.url


def checkout_for_session(session_id: str) -> Checkout | None:
    return db.session.scalar(select(Checkout).where(Checkout.stripe_session_id == session_id))


# --- provider events -------------------------------------------------------------------------------------


class EventOutcome:
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    UNKNOWN_CHECKOUT = "unknown_checkout"


def _on_paid(session: dict[str, Any]) -> bool:
    return fulfil_session(session).outcome is not Outcome.UNKNOWN


def _marking(status: str, reason: str | None) -> Callable[[dict[str, Any]], bool]:
    def handler(session: dict[str, Any]) -> bool:
        return mark_checkout(session, status, reason) is not None

    return handler


EVENT_HANDLERS: Mapping[str, Callable[[dict[str, Any]], bool]] = {
    "checkout.session.completed": _on_paid,
    "checkout.session.async_payment_succeeded": _on_paid,
    "checkout.session.async_payment_failed": _marking(CheckoutStatus.FAILED, "the payment failed"),
    "checkout.session.expired": _marking(CheckoutStatus.EXPIRED, None),
}


def verify_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event in a Stripe webhook, checked on its raw body (InvalidEvent for a bad one)."""
    return payments.provider("stripe").verify_event(payload, signature)


def check_event_shape(event: Any) -> None:
    """Refuse (InvalidEvent) an event whose fields we read are not the types Stripe sends."""
    if not isinstance(event, Mapping):
        raise payments.InvalidEvent("the event is not an object")
    if not isinstance(event.get("id"), str) or not 0 < len(event["id"]) <= 255:
        raise payments.InvalidEvent("the event id is not a string of 1 to 255 characters")
    if not isinstance(event.get("type"), str) or not isinstance(event.get("data"), Mapping):
        raise payments.InvalidEvent("the event has no type or no data")
    subject = event["data"].get("object")
    if event["type"] in EVENT_HANDLERS:
        if not isinstance(subject, Mapping) or not isinstance(subject.get("id"), str) or len(subject["id"]) > 255:
            raise payments.InvalidEvent("the event's session has no id")
        if not isinstance(subject.get("metadata") or {}, Mapping):
            raise payments.InvalidEvent("the event's session metadata is not an object")


def is_ours(session: Mapping[str, Any]) -> bool:
    """A session this shop made carries its checkout id in the metadata; another integration's does not."""
    return bool((session.get("metadata") or {}).get("checkout_id"))


def handle_event(event: Mapping[str, Any]) -> str:
    """Apply one provider event once. Handlers own their unit of work; the event id is stored after it."""
    check_event_shape(event)
    if db.session.get(StripeEvent, event["id"]) is not None:
        return EventOutcome.DUPLICATE
    handler = EVENT_HANDLERS.get(event["type"])
    if handler is None:
        return EventOutcome.IGNORED
    if not is_ours(event["data"]["object"]):
        log.info("stripe event %s (%s) is for a session this shop did not make; ignored", event["id"], event["type"])
        return EventOutcome.IGNORED
    if not handler(dict(event["data"]["object"])):
        return EventOutcome.UNKNOWN_CHECKOUT
    _remember(event)
    return EventOutcome.HANDLED


def _remember(event: Mapping[str, Any]) -> None:
    """Store the event id; a concurrent redelivery that stored it first is just as good."""
    try:
        with unit_of_work():
            db.session.add(StripeEvent(id=event["id"], type=event["type"][:80], received_at=clock.now()))
    except IntegrityError:
        pass


# --- test payments -----------------------------------------------------------------------------------------


def pay_test_session(checkout: Checkout, card_number: str) -> str:
    """Charge a test card; a success is delivered once as a checkout.session.completed event, like Stripe's."""
    test = payments.test_provider()
    test.charge(card_number)  # raises CardDeclined / UnknownTestCard; nothing written
    with unit_of_work():
        locked = db.session.scalar(select(Checkout).where(Checkout.id == checkout.id).with_for_update())
        if locked.status == CheckoutStatus.PENDING:
            locked.status = CheckoutStatus.PAID
    return handle_event(test.event("checkout.session.completed", locked, clock.now()))


def test_session_expired(checkout: Checkout) -> bool:
    """Expire a pending test session whose hour is up (delivering the expired event). True when expired."""
    test = payments.test_provider()
    if checkout.status == CheckoutStatus.PENDING and clock.now() >= test.expires_at(checkout):
        handle_event(test.event("checkout.session.expired", checkout, clock.now()))
    return checkout.status == CheckoutStatus.EXPIRED


# --- reconciliation ----------------------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    checked: int = 0
    created: list[str] = field(default_factory=list)
    expired: int = 0
    errors: list[str] = field(default_factory=list)


def reconcile(older_than: timedelta = RECONCILE_AFTER, limit: int = 200) -> ReconcileReport:
    """Ask the provider about pending checkouts older than `older_than`; fulfil the paid ones, expire the dead."""
    cutoff = clock.now() - older_than
    pending: Sequence[Checkout] = db.session.scalars(
        select(Checkout)
        .where(Checkout.status.in_((CheckoutStatus.PENDING, CheckoutStatus.PAID)), Checkout.created_at < cutoff)
        .where(Checkout.stripe_session_id.is_not(None))
        .order_by(Checkout.created_at)
        .limit(limit)
    ).all()
    report = ReconcileReport()
    report.expired += _expire_unopened(cutoff)
    for checkout in pending:
        report.checked += 1
        try:
            _reconcile_one(checkout, report)
        except payments.PaymentError as exc:
            db.session.rollback()
            report.errors.append(f"{checkout.id}: {exc}")
    return report


def _expire_unopened(cutoff) -> int:
    """Pending checkouts whose payment session never opened (the provider did not answer): the customer saw
    the try-again page and no payment page, so nothing can be paid on them. Returns how many were expired."""
    with unit_of_work():
        result = db.session.execute(
            update(Checkout)
            .where(Checkout.status == CheckoutStatus.PENDING, Checkout.stripe_session_id.is_(None))
            .where(Checkout.created_at < cutoff)
            .values(status=CheckoutStatus.EXPIRED, failure_reason="the payment page never opened")
            .execution_options(synchronize_session=False)
        )
    return result.rowcount


def _reconcile_one(checkout: Checkout, report: ReconcileReport) -> None:
    if checkout.provider == "test" and test_session_expired(checkout):
        report.expired += 1
        return
    session = payments.provider(checkout.provider).retrieve_session(checkout)
    if session is None:
        return
    result = fulfil_session(session)
    if result.outcome is Outcome.CREATED:
        report.created.append(result.order.number)
    elif result.outcome is Outcome.NOT_PAID and session.get("status") == "expired":
        mark_checkout(session, CheckoutStatus.EXPIRED)
        report.expired += 1
