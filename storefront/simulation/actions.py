"""What the synthetic staff and suppliers do, as thin adapters over the back office's own services.

Each call goes through the service a person would trigger in the back office (stage changes, the test
checklist, shipping, receiving, supplier date changes, reorders), so it owns its transaction and re-plans
exactly as it does in the shop. No staff member is signed in (`staff_id=None`). Each call is one request:
it reads the work order's current version, as a form would carry it, and ends with a fresh session, as a
request does, so nothing loaded by one call lingers (and is refreshed) in the next.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy import select

from ..extensions import db
from ..models import ChecklistItem, PurchaseRequest, WorkOrder
from ..services import inventory, workshop

P = ParamSpec("P")
R = TypeVar("R")
CARRIER = "dhl"  # ten-digit air waybills: easy to make up, and valid for `domain.carriers`


def request(action: Callable[P, R]) -> Callable[P, R]:
    """Run `action` as one request: whatever happens, the session is closed afterwards."""

    @wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return action(*args, **kwargs)
        finally:
            db.session.remove()

    return run


def _version(work_order_id: int) -> int:
    return db.session.scalar(select(WorkOrder.version).where(WorkOrder.id == work_order_id))


def _move(work_order_id: int, action: str, note: str | None = None) -> None:
    workshop.move(work_order_id, action, version=_version(work_order_id), staff_id=None, note=note)


@request
def start_assembly(work_order_id: int) -> None:
    """Sourcing to assembly: the reserved parts are consumed from stock."""
    _move(work_order_id, "start_assembly")


@request
def finish_assembly(work_order_id: int) -> None:
    _move(work_order_id, "start_testing")


@request
def record_test(work_order_id: int, rng: random.Random, fail_rate: float) -> bool:
    """Fill in the checklist (one random item fails at `fail_rate`), then pass to shipping or send back to rework."""
    items = list(
        db.session.scalars(select(ChecklistItem.id).where(ChecklistItem.active).order_by(ChecklistItem.position))
    )
    failed = rng.choice(items) if rng.random() < fail_rate else None
    results = {item: (item != failed, "Out of tolerance." if item == failed else None) for item in items}
    workshop.record_checklist(work_order_id, version=_version(work_order_id), staff_id=None, results=results)
    if failed is None:
        _move(work_order_id, "pass_testing")
    else:
        _move(work_order_id, "rework", note="Failed a test; back to assembly.")
    return failed is None


@request
def ship(work_order_id: int, rng: random.Random) -> None:
    """Hand the bike to the carrier with a made-up tracking number in the carrier's format."""
    tracking = f"{rng.randrange(10**10):010d}"
    workshop.ship(work_order_id, version=_version(work_order_id), staff_id=None, carrier=CARRIER, tracking=tracking)


@request
def deliver(work_order_id: int) -> None:
    _move(work_order_id, "deliver")


@request
def change_supplier_date(purchase_request_id: int, new_date: date, reason: str) -> None:
    inventory.change_expected_date(purchase_request_id, new_date, reason, staff_id=None)


@request
def receive(purchase_request_id: int) -> None:
    """Book the whole outstanding delivery."""
    pr = db.session.get(PurchaseRequest, purchase_request_id)
    inventory.receive(pr.id, pr.quantity - pr.received_quantity, staff_id=None)


@request
def reorder(component_id: int, quantity: int, expected: date) -> None:
    """A stock replenishment order nobody waits for yet."""
    inventory.create_purchase_request(component_id, quantity, expected)
