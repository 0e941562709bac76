"""Checkout storm: many test-mode checkouts fulfilled at once, each webhook delivered twice and out of order.

    .venv/bin/python -m bench.storm --orders 500 [--threads 12] [--database-url postgresql://...]

For every paid checkout three deliveries race each other in a shuffled queue: the signed
`checkout.session.completed` event twice (same event id, as Stripe redelivers) and the customer's success
page. A delivery answered with 5xx is retried, as Stripe would. Afterwards the invariants are checked:
exactly one order per checkout, no component reserved beyond its stock, a purchase request behind every
part that stock could not cover, and exactly one confirmation email per order in the outbox.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import stripe
from sqlalchemy import func, select, update

from bench.seed_orders import ADDRESS, BUILDS
from storefront import payments
from storefront.extensions import db
from storefront.models import Checkout, Component, Order, OutboxMessage, PartLine, WorkOrder
from storefront.services.catalog import assembly_capacity, live_catalog
from storefront.services.checkout import Customer, Urls, start_checkout
from storefront.services.quote import quote_at

WEBHOOK_SECRET = "whsec_storm_only"


@dataclass
class StormReport:
    checkouts: int
    deliveries: int = 0
    retries: int = 0
    seconds: float = 0.0
    orders: int = 0
    duplicate_orders: int = 0
    over_reserved: list[str] = field(default_factory=list)
    awaiting_without_request: int = 0
    confirmations: int = 0
    duplicate_confirmations: int = 0
    days_over_capacity: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.orders == self.checkouts
            and not self.duplicate_orders
            and not self.over_reserved
            and not self.awaiting_without_request
            and self.confirmations == self.checkouts
            and not self.duplicate_confirmations
            and not self.days_over_capacity
        )


def prepare(app, count: int, seed: int) -> list[str]:
    """Open `count` test-mode checkouts and mark them paid, as the test payment page would. Returns session ids."""
    rng = random.Random(seed)
    with app.test_request_context():
        from storefront import clock

        for i in range(count):
            current = quote_at(rng.choice(BUILDS), clock.now())
            customer = Customer(f"Storm Buyer {i}", f"storm{i}@example.com", None, dict(ADDRESS))
            start_checkout(
                current, customer, Urls("http://shop/success?session_id={CHECKOUT_SESSION_ID}", "http://shop/configure")
            )
        db.session.execute(update(Checkout).where(Checkout.status == "pending").values(status="paid"))
        db.session.commit()
        sessions = list(db.session.scalars(select(Checkout.stripe_session_id).order_by(Checkout.id)))
        db.session.commit()  # ends the read: the caller's session would hold a pooled connection through the storm
    return sessions


def _deliveries(app, sessions: list[str], seed: int) -> list[tuple[str, str, str | None]]:
    """(kind, session id, payload) for every delivery, shuffled."""
    queue = []
    with app.app_context():
        for session_id in sessions:
            checkout = db.session.scalar(select(Checkout).where(Checkout.stripe_session_id == session_id))
            event = payments.test_provider().event("checkout.session.completed", checkout, checkout.created_at)
            payload = json.dumps(event)
            queue += [("webhook", session_id, payload), ("webhook", session_id, payload), ("success", session_id, None)]
    random.Random(seed).shuffle(queue)
    return queue


def _deliver(app, item: tuple[str, str, str | None]) -> int:
    """Deliver one item until it is accepted; returns how many retries it took."""
    kind, session_id, payload = item
    client = app.test_client()
    for attempt in range(20):
        if kind == "webhook":
            signature = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
            response = client.post(
                "/webhooks/stripe",
                data=payload,
                headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            )
        else:
            response = client.get(f"/checkout/success?session_id={session_id}")
        if response.status_code < 500:
            assert response.status_code == 200, (kind, response.status_code, response.get_data(as_text=True)[:300])
            return attempt
        time.sleep(0.05 * (attempt + 1))
    raise RuntimeError(f"{kind} for {session_id} kept failing")


# Fewer threads than the pool's 15 connections (SQLAlchemy's default 5 + 10 overflow; production's gthread workers
# run 4 each): a thread finding none free waits while the others keep taking theirs back. With 16 threads, and the
# caller's session holding one more, the PostgreSQL storm hit the pool's 30 s timeout in two of four runs on a
# machine half as fast as usual.
THREADS = 12


def storm(app, count: int = 500, threads: int = THREADS, seed: int = 1) -> StormReport:
    """Run the storm on `app` (whose database is prepared and seeded) and check the invariants."""
    saved = app.config.get("STRIPE_WEBHOOK_SECRET")
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    try:
        sessions = prepare(app, count, seed)
        queue = _deliveries(app, sessions, seed)
        report = StormReport(checkouts=len(sessions), deliveries=len(queue))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            report.retries = sum(pool.map(lambda item: _deliver(app, item), queue))
        report.seconds = time.perf_counter() - started
    finally:
        app.config["STRIPE_WEBHOOK_SECRET"] = saved
    with app.app_context():
        check(report)
    return report


def check(report: StormReport) -> None:
    """Fill the report's invariant fields from the database."""
    report.orders = db.session.scalar(select(func.count()).select_from(Order))
    report.duplicate_orders = report.orders - db.session.scalar(select(func.count(func.distinct(Order.checkout_id))))
    report.over_reserved = list(db.session.scalars(select(Component.sku).where(Component.reserved > Component.on_hand)))
    report.awaiting_without_request = db.session.scalar(
        select(func.count())
        .select_from(PartLine)
        .where(PartLine.state == "awaiting", PartLine.purchase_request_id.is_(None))
    )
    confirmations = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("order-confirmed:%"))
    keys = list(db.session.scalars(confirmations))
    report.confirmations = len(keys)
    report.duplicate_confirmations = len(keys) - len(set(keys))
    capacity = assembly_capacity(live_catalog())
    per_day = select(WorkOrder.planned_assembly_date, func.count()).group_by(WorkOrder.planned_assembly_date)
    report.days_over_capacity = [f"{day}: {n}" for day, n in db.session.execute(per_day) if n > capacity]


def main() -> None:
    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.services.catalog import load_catalog_file

    parser = argparse.ArgumentParser(description="checkout storm")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--database-url", default="sqlite:////tmp/storefront-storm.db")
    args = parser.parse_args()
    app = create_app({"TESTING": True, "DATABASE_URL": args.database_url, "SECRET_KEY": "storm"})
    with app.app_context():
        db.drop_all()
        from sqlalchemy import text

        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        load_catalog_file(app.config["CATALOG_PATH"])
    report = storm(app, args.orders, args.threads)
    print(json.dumps({**report.__dict__, "ok": report.ok}, indent=2))
    raise SystemExit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
