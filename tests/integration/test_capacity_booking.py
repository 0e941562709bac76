"""Booking assembly slots at payment is serialised per day: concurrent payments never overbook a day.

Runs on both engines; on PostgreSQL the threads really overlap and only the per-day row lock keeps the count.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select, update

from storefront.extensions import db
from storefront.models import Component, OutboxMessage, Setting, WorkOrder
from storefront.services.catalog import CAPACITY_KEY
from tests.integration.test_fulfil_concurrency import _paid_test_checkout, _race

# Three builds with no part in common (as in the overbooking that was reported); extras make twelve distinct
# builds, so three payments at a time share no component row that would queue them one behind another.
DISJOINT = (
    {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]},
    {"frame": ["high-step"], "motor": ["mid-500"], "battery": ["b625"], "color": ["glacier"]},
    {"frame": ["cargo"], "motor": ["mid-750"], "battery": ["b750"], "color": ["racing-red"]},
)
EXTRAS = ([], ["rack"], ["fenders"], ["lights"])


def _distinct_builds() -> list[dict]:
    return [{**base, "accessories": extra} for extra in EXTRAS for base in DISJOINT]


def test_twelve_concurrent_payments_against_two_free_slots_book_two_and_move_ten_later(app_ctx):
    db.session.execute(update(Component).values(on_hand=100, reserved=0))  # parts are never the constraint here
    db.session.merge(Setting(key=CAPACITY_KEY, value="2"))
    db.session.commit()
    builds = _distinct_builds()
    sessions = [_paid_test_checkout(app_ctx, build, email=f"buyer{i}@example.com") for i, build in enumerate(builds)]

    outcomes = _race(app_ctx, sessions)

    assert [o.value for o in outcomes] == ["created"] * 12
    days = Counter(db.session.scalars(select(WorkOrder.planned_assembly_date)))
    first = min(days)
    assert days[first] == 2
    assert max(days.values()) == 2 and sum(days.values()) == 12  # ten on later days, none above capacity
    slips = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("slip:"))
    )
    assert slips == 0  # nobody is told "later than promised" seconds after paying
