"""Fill a bench database with past orders: `python bench/seed_orders.py N [--open M]`.

Orders go through the real `place_order` service; all but the newest M are then marked delivered, the way
a shop with history looks. Prints one status token so the benchmark can open a status page.
"""

from __future__ import annotations

import argparse
import random
from datetime import timedelta

from sqlalchemy import update

from storefront import create_app
from storefront.extensions import db
from storefront.models import Component, Order, WorkOrder
from storefront.services.catalog import live_catalog
from storefront.services.checkout import Customer, new_checkout
from storefront.services.orders import place_order
from storefront.services.quote import quote
from storefront.timeutil import local_date, utcnow

ADDRESS = {"line1": "1 Main St", "line2": "", "city": "Albany", "postal_code": "12207", "region": "NY", "country": "US"}
BUILDS = [
    {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]},
    {"frame": ["high-step"], "motor": ["mid-500"], "battery": ["b625"], "color": ["glacier"], "accessories": ["rack"]},
    {
        "frame": ["cargo"],
        "motor": ["mid-750"],
        "battery": ["b750"],
        "color": ["racing-red"],
        "accessories": ["child-seat", "lights"],
    },
    {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["custom"], "ral": ["RAL 5015"]},
]


def seed(count: int, open_count: int) -> str:
    catalog = live_catalog()
    db.session.execute(update(Component).values(on_hand=Component.on_hand + count))  # plenty of stock
    db.session.commit()
    start = utcnow() - timedelta(days=count // 20 + 1)
    rng = random.Random(7)
    token = ""
    for i in range(count):
        paid_at = start + timedelta(minutes=i * 72)  # twenty orders a day
        current = quote(rng.choice(BUILDS), local_date(paid_at, catalog.timezone))
        customer = Customer(f"Bench Customer {i}", f"bench{i}@example.com", None, dict(ADDRESS))
        checkout = new_checkout(current, customer, "test")
        checkout.status = "fulfilled"
        order = place_order(
            checkout,
            catalog,
            session_id=f"cs_test_bench_{checkout.id}",
            payment_reference=f"pi_bench_{i}",
            paid_at=paid_at,
        )
        db.session.commit()
        if i % 100 == 99:
            _deliver_all_but_newest(open_count)  # keeps each re-plan as small as a real workshop's
        token = order.status_token
    _deliver_all_but_newest(open_count)
    return token


def _deliver_all_but_newest(open_count: int) -> None:
    cutoff = db.session.query(Order.id).order_by(Order.id.desc()).offset(open_count).limit(1).scalar() or 0
    db.session.execute(
        update(WorkOrder)
        .where(WorkOrder.order_id <= cutoff, WorkOrder.stage != "delivered")
        .values(stage="delivered", delivered_at=utcnow())
    )
    db.session.commit()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("--open", type=int, default=200)
    args = parser.parse_args()
    with create_app().app_context():
        print(seed(args.count, args.open))
