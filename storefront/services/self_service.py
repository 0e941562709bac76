"""What customers may do themselves from their private status page: cancel before assembly starts, and
change where the bike goes (or the phone number) until it ships.

Every action needs the status token and the email on the order. A cancel goes through the workshop's own
cancel, so the refund, the released parts, the re-plan and the email are the ones staff would trigger.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import select

from ..clock import now
from ..domain.progress import well_formed_token
from ..domain.stages import IllegalTransition
from ..extensions import db
from ..models import Order, WorkOrder, WorkOrderEvent
from . import workshop
from .links import token_hash
from .notifications import queue_customer_update
from .unit_of_work import unit_of_work

CUSTOMER = "customer"
CANCELLABLE = ("sourcing",)
ADDRESS_CHANGEABLE = ("sourcing", "assembly", "testing", "shipping")
TOO_LATE_TO_CANCEL = (
    "Assembly of your bike has already started, so the order can no longer be cancelled here. Nothing was changed. "
    "Reply to your order confirmation email and the workshop will help."
)
TOO_LATE_TO_CHANGE = (
    "Your bike has already left our workshop, so its delivery address can no longer be changed here. "
    "Nothing was changed. Reply to your order confirmation email and the workshop will help."
)
CUSTOMER_CANCEL_NOTE = "You cancelled this order from your status page. It is refunded in full."


class WrongEmail(ValueError):
    """The email given is not the one on the order."""

    def __init__(self) -> None:
        super().__init__("That is not the email address this order was placed with.")


class TooLate(ValueError):
    """The order has moved past the point where the customer may do this; the message says what to do."""


@dataclass(frozen=True)
class Delivery:
    phone: str | None
    address: dict[str, str]


def order_for_token(token: str) -> Order | None:
    """The order behind a status token (with its work order), or None."""
    if not well_formed_token(token):
        return None
    return db.session.scalar(select(Order).where(Order.status_token_hash == token_hash(token)))


def can_cancel(order: Order) -> bool:
    return order.cancelled_at is None and order.work_order.stage in CANCELLABLE


def can_change_delivery(order: Order) -> bool:
    return order.cancelled_at is None and order.work_order.stage in ADDRESS_CHANGEABLE


def _check_email(order: Order, email: str) -> None:
    if not hmac.compare_digest(order.email.strip().casefold().encode(), (email or "").strip().casefold().encode()):
        raise WrongEmail()


def cancel(order: Order, email: str) -> WorkOrderEvent:
    """Cancel and refund in full while the order is still in sourcing, through the workshop's cancel.

    A staff move that lands first (assembly started) wins: TooLate is raised and nothing changes.
    """
    _check_email(order, email)
    work_order = order.work_order
    if not can_cancel(order):
        raise TooLate(TOO_LATE_TO_CANCEL)
    try:
        return workshop.cancel(
            work_order.id, version=work_order.version, staff_id=None, note=CUSTOMER_CANCEL_NOTE, actor=CUSTOMER
        )
    except (IllegalTransition, workshop.WorkOrderChanged) as exc:
        raise TooLate(TOO_LATE_TO_CANCEL) from exc


def change_delivery(order: Order, email: str, delivery: Delivery) -> WorkOrderEvent | None:
    """New delivery address and phone until the bike ships; staff see the change in the history and the
    customer gets an email about it. Returns None when nothing actually changed."""
    _check_email(order, email)
    with unit_of_work():
        # Lock the work order, so a ship move cannot slip in between the check and the change.
        work_order = db.session.scalar(
            select(WorkOrder)
            .where(WorkOrder.id == order.work_order.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if order.cancelled_at is not None or work_order.stage not in ADDRESS_CHANGEABLE:
            raise TooLate(TOO_LATE_TO_CHANGE)
        before = (order.phone, dict(order.address))
        if before == (delivery.phone, delivery.address):
            return None
        order.phone, order.address = delivery.phone, dict(delivery.address)
        moment = now()
        work_order.updated_at = moment
        event = WorkOrderEvent(
            work_order=work_order,
            at=moment,
            staff_id=None,
            actor=CUSTOMER,
            action="delivery_changed",
            note=f"Delivery details changed from {describe(*before)} to {describe(delivery.phone, delivery.address)}.",
            customer_visible=True,
        )
        db.session.add(event)
        db.session.flush()
        queue_customer_update(order, event)
    return event


def describe(phone: str | None, address: dict) -> str:
    """One line for the history and the email: the address, then the phone."""
    parts = [address.get("line1"), address.get("line2"), address.get("city")]
    parts.append(f"{address.get('region')} {address.get('postal_code')}".strip())
    parts.append(address.get("country"))
    text = ", ".join(p for p in parts if p)
    return f"{text} (phone {phone or 'none'})"
