"""Telling customers about changes they can see: one email per customer-visible work-order event."""

from __future__ import annotations

from ..mail.outbox import enqueue
from ..models import Order, OutboxMessage, WorkOrderEvent
from .catalog import live_catalog
from .links import status_url

NEWS_BY_STAGE = {
    "assembly": "your bike is being built",
    "testing": "your bike is being tested",
    "shipping": "your bike is being packed",
    "shipped": "your bike is on its way",
    "delivered": "your bike was delivered",
    "cancelled": "your order was cancelled",
}
FINISHED = ("delivered", "cancelled")


def queue_customer_update(order: Order, event: WorkOrderEvent) -> OutboxMessage | None:
    """Queue the email for a flushed `event`; an internal event, or a second call for the same one, queues nothing."""
    if not event.customer_visible:
        return None
    if event.action == "note":
        news = "a note from the workshop"
    elif event.action == "forecast":
        news = "a new delivery estimate"
    elif event.action == "delivery_changed":
        news = "your delivery details changed"
    else:
        news = NEWS_BY_STAGE.get(event.to_stage or "", "an update")
    estimate = ""
    if event.to_stage not in FINISHED and order.cancelled_at is None:
        estimate = (
            f"Estimated delivery: {order.forecast_earliest:%a %d %b %Y} to {order.forecast_latest:%a %d %b %Y}.\n\n"
        )
    body = (
        f"Hello {order.first_name},\n\n"
        f"{event.note or 'There is news about your order.'}\n\n"
        f"{estimate}"
        f"Follow every step of the build here (keep this link private):\n{status_url(order)}\n\n"
        f"{live_catalog().shop_name}\n"
    )
    return enqueue(order.email, f"Order {order.number}: {news}", body, f"wo-event:{event.id}")
