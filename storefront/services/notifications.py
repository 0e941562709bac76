"""Telling customers about changes they can see: one email per customer-visible work-order event."""

from __future__ import annotations

from ..domain.stages import FINAL_STAGES, STAGES
from ..mail.outbox import enqueue_mail
from ..models import Order, OutboxMessage, WorkOrderEvent
from .catalog import live_catalog
from .links import status_url

NEWS_BY_STAGE = {s.code: s.email_news for s in STAGES.values() if s.email_news}


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
    return enqueue_mail(
        order.email,
        f"Order {order.number}: {news}",
        "order_update",
        f"wo-event:{event.id}",
        order=order,
        note=event.note,
        show_estimate=event.to_stage not in FINAL_STAGES and order.cancelled_at is None,
        status_link=status_url(order),
        shop_name=live_catalog().shop_name,
    )
