"""What the planner learns (supplier lateness, door times, the start rate) is read again only in the part whose
history changed, and the answer always equals a cold read of the whole history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event

from storefront import cache
from storefront.extensions import db
from storefront.services import inventory
from storefront.services.catalog import live_catalog
from storefront.services.reliability import Learned, learned
from tests.support.backoffice import FOLDING_BUILD
from tests.support.tracker import move_to

LEARNED_CACHES = ("learned", "learned_lateness", "learned_delivered", "learned_start_rate")
# how each part's read orders its rows: it names the part in the SQL sent
READS = {
    "lateness": "order by purchase_requests.received_on desc",
    "delivered": "order by work_orders.delivered_at desc",
    "start rate": "order by work_orders.assembly_started_at desc",
}


def parts_read_during(action: Callable[[], object]) -> set[str]:
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(" ".join(statement.lower().split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return {part for part, clause in READS.items() if any(clause in statement for statement in sent)}


def cold_read() -> Learned:
    for name in LEARNED_CACHES:
        cache.named(name).clear()
    return learned(live_catalog())


@pytest.fixture
def shop_with_history(app_ctx, order_factory):
    """Four paid orders, one of them waiting for a supplier's frame; one bike delivered (which received nothing)."""
    orders = [order_factory(email=f"h{n}@example.com") for n in range(3)]
    waiting = order_factory(FOLDING_BUILD, email="folding@example.com")
    move_to(orders[0], "delivered")
    return orders, waiting


def test_the_first_read_reads_every_part(shop_with_history):
    for name in LEARNED_CACHES:
        cache.named(name).clear()
    assert parts_read_during(lambda: learned(live_catalog())) == set(READS)


def test_a_start_of_assembly_re_reads_the_start_rate_alone(shop_with_history):
    orders, _ = shop_with_history
    learned(live_catalog())
    assert parts_read_during(lambda: move_to(orders[1], "assembly")) == {"start rate"}  # its re-plan learns
    warm = learned(live_catalog())
    assert warm == cold_read()
    assert warm.workshop.start_rate > 0


def test_a_delivered_bike_re_reads_the_delivered_bikes_alone(shop_with_history):
    orders, _ = shop_with_history
    move_to(orders[1], "shipping")
    before = learned(live_catalog())
    assert parts_read_during(lambda: move_to(orders[1], "delivered")) == {"delivered"}
    warm = learned(live_catalog())
    assert warm == cold_read()
    assert warm.workshop.door != before.workshop.door  # the second bike's door time counts now


def test_a_received_delivery_re_reads_supplier_lateness_alone(shop_with_history):
    _, waiting = shop_with_history
    before = learned(live_catalog())
    request_id = next(line.purchase_request_id for line in waiting.work_order.parts if line.purchase_request_id)
    assert parts_read_during(lambda: inventory.receive(request_id, 1, staff_id=None)) == {"lateness"}
    warm = learned(live_catalog())
    assert warm == cold_read()
    assert warm.lateness != before.lateness  # the frame's first delivery is on record
