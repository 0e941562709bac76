"""fulfil() under concurrency: each thread has its own app context, session and database connection.

These run on both engines. On PostgreSQL they exercise real row locks and concurrent updates; on SQLite the
database serialises writers, and the same invariants must hold.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Checkout, Component, Order, OutboxMessage, PartLine, PurchaseRequest
from storefront.services.fulfil import Outcome, fulfil
from tests.support.orders import make_checkout

LAST_UNIT_BUILD = {"frame": ["step-through"], "motor": ["mid-750"], "battery": ["b400"], "color": ["graphite"]}


def _paid_test_checkout(app, build=None, email="ada@example.com") -> str:
    """A checkout whose test-mode session is paid but not yet fulfilled. Returns the session id."""
    checkout = make_checkout(app.config["FIXED_NOW"], build, email=email)
    checkout.stripe_session_id = f"cs_test_{checkout.id}"
    checkout.status = "paid"
    db.session.commit()
    return checkout.stripe_session_id


def _race(app, session_ids: list[str]) -> list[Outcome]:
    """Call fulfil for each session id in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(session_ids))
    outcomes: list[Outcome | BaseException] = [None] * len(session_ids)

    def run(index: int, session_id: str) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                outcomes[index] = fulfil(session_id).outcome
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(session_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(isinstance(o, BaseException) for o in outcomes), outcomes
    db.session.expire_all()
    return outcomes


def test_two_concurrent_fulfils_of_one_session_make_exactly_one_order(app_ctx):
    session_id = _paid_test_checkout(app_ctx)
    outcomes = _race(app_ctx, [session_id, session_id])
    assert sorted(o.value for o in outcomes) == ["created", "existed"]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert db.session.scalar(select(func.count()).select_from(PartLine)) == 4
    assert db.session.scalar(select(Component.reserved).where(Component.sku == "FRAME-ST")) == 1
    assert db.session.scalar(select(Checkout.status)) == "fulfilled"


def test_two_customers_paying_at_once_for_the_last_unit_get_one_reservation_and_one_purchase_request(app_ctx):
    motor = db.session.scalar(select(Component).where(Component.sku == "MOT-M750"))
    assert motor.on_hand - motor.reserved == 1
    sessions = [
        _paid_test_checkout(app_ctx, LAST_UNIT_BUILD, email="ada@example.com"),
        _paid_test_checkout(app_ctx, LAST_UNIT_BUILD, email="bob@example.com"),
    ]
    outcomes = _race(app_ctx, sessions)
    assert [o.value for o in outcomes] == ["created", "created"]
    lines = db.session.scalars(select(PartLine).join(Component).where(Component.sku == "MOT-M750")).all()
    assert sorted(line.state for line in lines) == ["awaiting", "reserved"]
    requests = db.session.scalars(select(PurchaseRequest)).all()
    assert len(requests) == 1 and requests[0].component.sku == "MOT-M750" and requests[0].quantity == 1
    motor = db.session.scalar(select(Component).where(Component.sku == "MOT-M750"))
    assert motor.reserved == motor.on_hand == 1


def test_fulfil_again_later_returns_the_same_order(app_ctx):
    session_id = _paid_test_checkout(app_ctx)
    first = fulfil(session_id)
    second = fulfil(session_id)
    assert first.outcome is Outcome.CREATED and second.outcome is Outcome.EXISTED
    assert first.order.id == second.order.id


def test_an_unpaid_or_unknown_session_makes_no_order(app_ctx):
    checkout = make_checkout(app_ctx.config["FIXED_NOW"])
    checkout.stripe_session_id = "cs_test_unpaid"
    db.session.commit()
    assert fulfil("cs_test_unpaid").outcome is Outcome.NOT_PAID
    assert fulfil("cs_test_nobody").outcome is Outcome.UNKNOWN
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
