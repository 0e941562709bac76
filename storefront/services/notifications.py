"""Telling customers about changes they can see: one email per customer-visible work-order event."""

from __future__ import annotations

from ..mail.outbox import enqueue_mail
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
    else:
        news = NEWS_BY_STAGE.get(event.to_stage or "", "an update")
    return enqueue_mail(
        order.email,
        f"Order {order.number}: {news}",
        "order_update",
        f"wo-event:{event.id}",
        order=order,
        note=event.note,
        show_estimate=event.to_stage not in FINISHED and order.cancelled_at is None,
        status_link=status_url(order),
        shop_name=live_catalog().shop_name,
    )
