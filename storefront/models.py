"""SQLAlchemy 2.0 typed models. Money is integer cents; moments are aware UTC; plan dates are shop-local dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .domain.planning import REASON_PROMISE_MOVED
from .domain.roles import Role
from .domain.stages import OPEN_STAGES as OPEN_STAGES  # the services that list open work orders read it here
from .domain.stages import StageCode
from .domain.statuses import CheckoutStatus, PurchaseRequestStatus
from .extensions import db
from .timeutil import UTCDateTime, utcnow


def created_col() -> Mapped[datetime]:
    return mapped_column(UTCDateTime, default=utcnow, nullable=False)


class CatalogVersion(db.Model):
    """One loaded copy of the catalog data file; the newest row is the live catalog."""

    __tablename__ = "catalog_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    checksum: Mapped[str] = mapped_column(sa.String(64), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = created_col()
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))  # None: seed-demo
    diff: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)  # what changed from the version before

    published_by: Mapped[StaffUser | None] = relationship()


class CatalogDraft(db.Model):
    """An owner's working copy of the catalog (the data file's shape); nothing in it is live until published."""

    __tablename__ = "catalog_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    base_checksum: Mapped[str | None] = mapped_column(sa.String(64))  # the live version it started from
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    published_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalog_versions.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = created_col()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[StaffUser | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Setting(db.Model):
    """Shop settings that staff may change at run time (such as assembly capacity)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(255))


class Component(db.Model):
    __tablename__ = "components"
    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_stock"),
        sa.CheckConstraint("lead_time_days > 0", name="lead_time_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    lead_time_days: Mapped[int]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Checkout(db.Model):
    """A priced, frozen build waiting for payment. Becomes an Order exactly once."""

    __tablename__ = "checkouts"
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=CheckoutStatus.PENDING, index=True)
    provider: Mapped[str] = mapped_column(sa.String(16))  # stripe | test
    stripe_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # build, lines, estimate
    total_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    customer_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(255))
    # one browser, one build, one set of details: a repeated POST finds this checkout and its payment page
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    payment_url: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_col()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Order(db.Model):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    checkout_id: Mapped[str] = mapped_column(sa.ForeignKey("checkouts.id"), unique=True)
    stripe_session_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    payment_reference: Mapped[str | None] = mapped_column(sa.String(255))
    status_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    build: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    total_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(sa.String(3))
    promised_earliest: Mapped[date]
    promised_latest: Mapped[date]
    forecast_earliest: Mapped[date]
    forecast_latest: Mapped[date]
    forecast_reason: Mapped[str | None] = mapped_column(sa.String(255))
    slip_notified_latest: Mapped[date | None]  # the latest day the customer was last told of; None: on track
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refund_reference: Mapped[str | None] = mapped_column(sa.String(255))
    # random, stored before the refund is asked for, so a retried cancel reuses it and no two databases collide
    refund_key: Mapped[str | None] = mapped_column(sa.String(64))
    # What the customer paid, split for the books: the bike, shipping, tax (total_cents is their sum).
    subtotal_cents: Mapped[int] = mapped_column(server_default="0")
    shipping_cents: Mapped[int] = mapped_column(server_default="0")
    tax_cents: Mapped[int] = mapped_column(server_default="0")
    charges: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)  # labels and tax lines (services/charges.py)
    refunded_subtotal_cents: Mapped[int | None]
    refunded_shipping_cents: Mapped[int | None]
    refunded_tax_cents: Mapped[int | None]
    test_mode: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # paid with a test card
    created_at: Mapped[datetime] = created_col()

    work_order: Mapped[WorkOrder] = relationship(back_populates="order", uselist=False)
    checkout: Mapped[Checkout] = relationship()

    def record_full_refund(self, reference: str) -> None:
        """A full refund returns every part of what was paid: bike, shipping and tax."""
        self.refund_reference = reference
        self.refunded_subtotal_cents = self.subtotal_cents
        self.refunded_shipping_cents = self.shipping_cents
        self.refunded_tax_cents = self.tax_cents

    @property
    def first_name(self) -> str:
        return self.customer_name.split()[0] if self.customer_name.split() else ""

    @property
    def promise_moved_at_payment(self) -> bool:
        """The quote's window was no longer achievable at payment, so the promise is the plan's."""
        return self.forecast_reason == REASON_PROMISE_MOVED


class WorkOrder(db.Model):
    __tablename__ = "work_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    stage: Mapped[str] = mapped_column(sa.String(16), default=StageCode.SOURCING, index=True)
    version: Mapped[int] = mapped_column(default=1)
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    test_round: Mapped[int] = mapped_column(default=1)
    # plan (shop-local dates)
    planned_parts_date: Mapped[date]
    planned_assembly_date: Mapped[date] = mapped_column(index=True)
    planned_testing_date: Mapped[date]
    planned_ship_date: Mapped[date]
    planned_delivery_date: Mapped[date]
    # actuals
    assembly_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    testing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipping_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carrier: Mapped[str | None] = mapped_column(sa.String(32))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    order: Mapped[Order] = relationship(back_populates="work_order")
    parts: Mapped[list[PartLine]] = relationship(back_populates="work_order", order_by="PartLine.id")
    events: Mapped[list[WorkOrderEvent]] = relationship(back_populates="work_order", order_by="WorkOrderEvent.id")

    __mapper_args__ = {"version_id_col": version}


class PurchaseRequest(db.Model):
    """Supplier order for a component; awaiting part lines point at it."""

    __tablename__ = "purchase_requests"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("received_quantity >= 0 AND received_quantity <= quantity", name="received_in_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(sa.ForeignKey("components.id"), index=True)
    quantity: Mapped[int]
    received_quantity: Mapped[int] = mapped_column(default=0)
    expected_date: Mapped[date]
    original_expected_date: Mapped[date]
    received_on: Mapped[date | None] = mapped_column(index=True)  # shop day the last unit came in
    status: Mapped[str] = mapped_column(sa.String(16), default=PurchaseRequestStatus.OPEN, index=True)
    delay_reason: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = created_col()

    component: Mapped[Component] = relationship()


class PartLine(db.Model):
    """One component a work order needs: reserved from stock, or awaiting a supplier delivery."""

    __tablename__ = "part_lines"
    # covers the quote's "awaited quantity per delivery" sum, read from the index alone
    __table_args__ = (sa.Index("ix_part_lines_state_request_quantity", "state", "purchase_request_id", "quantity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(sa.ForeignKey("work_orders.id"), index=True)
    component_id: Mapped[int] = mapped_column(sa.ForeignKey("components.id"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(sa.String(16), index=True)  # a PartLineState
    purchase_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("purchase_requests.id"), index=True)
    reserved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_col()

    work_order: Mapped[WorkOrder] = relationship(back_populates="parts")
    component: Mapped[Component] = relationship()
    purchase_request: Mapped[PurchaseRequest | None] = relationship()


class WorkOrderEvent(db.Model):
    """Audit trail: who did what to a work order, when, and what the customer may see."""

    __tablename__ = "work_order_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(sa.ForeignKey("work_orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    actor: Mapped[str | None] = mapped_column(sa.String(16))  # "customer" for self-service; staff_id names staff
    action: Mapped[str] = mapped_column(sa.String(32))
    from_stage: Mapped[str | None] = mapped_column(sa.String(16))
    to_stage: Mapped[str | None] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.Text)
    customer_visible: Mapped[bool] = mapped_column(default=False)

    work_order: Mapped[WorkOrder] = relationship(back_populates="events")
    staff: Mapped[StaffUser | None] = relationship()


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class TestResult(db.Model):
    __tablename__ = "test_results"
    __table_args__ = (sa.UniqueConstraint("work_order_id", "item_id", "round", name="uq_test_results_item_round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(sa.ForeignKey("work_orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_items.id"))
    round: Mapped[int] = mapped_column(default=1)
    passed: Mapped[bool]
    note: Mapped[str | None] = mapped_column(sa.String(500))
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[ChecklistItem] = relationship()


class StaffUser(db.Model):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_col()
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's user id: raising it (sign-out, new password, deactivation) ends every session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.OWNER, server_default=Role.OWNER.value)
    # Raised by every change an owner makes on the Staff page (role, active, a new password link): a form
    # rendered before another owner's change is stale. Sign-in and sign-out leave it alone.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # None while an invited account has never set a password (its hash is of a random secret nobody knows).
    password_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def staff_role(self) -> Role:
        return Role(self.role)

    # Flask-Login protocol, kept duck-typed so this module stays free of Flask
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class StaffPasswordLink(db.Model):
    """A set-password link sent by email (an invitation or a reset): single use, 48 hours.

    Only the SHA-256 of the link's token is stored, so a copy of the database opens no account.
    """

    __tablename__ = "staff_password_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(16))  # "invite" or "reset"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))

    staff: Mapped[StaffUser] = relationship(foreign_keys=[staff_id])


class AssemblyDay(db.Model):
    """One row per assembly day that has been booked: payments lock it so the day's slots are counted one at a time."""

    __tablename__ = "assembly_days"
    day: Mapped[date] = mapped_column(primary_key=True)


class PlanSummary(db.Model):
    """What a quote needs of the plan, in one row: the booked assembly slots as runs of working days and the
    learned history's key, written with the plan stamp of the re-plan's commit (services/plan_summary.py)."""

    __tablename__ = "plan_summaries"
    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(sa.String(32))
    slot_runs: Mapped[str] = mapped_column(sa.Text)  # JSON: [[first day ordinal, last day ordinal, booked], ...]
    history: Mapped[str] = mapped_column(sa.String(64))
    planned_for: Mapped[str | None] = mapped_column(sa.String(32))  # "today order-day", ISO dates


class PaymentIncident(db.Model):
    """A paid session that could not become an order (a mismatched amount, say): on the back office's
    "Needs attention" list until staff refund it."""

    __tablename__ = "payment_incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[str] = mapped_column(sa.ForeignKey("checkouts.id"), unique=True)
    session_id: Mapped[str] = mapped_column(sa.String(255))
    payment_reference: Mapped[str | None] = mapped_column(sa.String(255))
    expected_cents: Mapped[int]
    paid_cents: Mapped[int | None]
    currency: Mapped[str] = mapped_column(sa.String(3))
    paid_currency: Mapped[str | None] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.String(255))
    refund_key: Mapped[str] = mapped_column(sa.String(64))
    refund_reference: Mapped[str | None] = mapped_column(sa.String(255))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = created_col()

    checkout: Mapped[Checkout] = relationship()


class StripeEvent(db.Model):
    """Stripe event ids already handled, so a redelivery changes nothing."""

    __tablename__ = "stripe_events"
    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(80))
    received_at: Mapped[datetime] = created_col()


class OutboxMessage(db.Model):
    """An email written in the same transaction as the change it reports; a sender delivers it."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    to_email: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)  # the same words, for mail clients that show HTML
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", index=True)  # pending | sent | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_col()
