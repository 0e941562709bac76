"""Ten members of staff press the same button at once: exactly one action happens and the other nine get the
conflict (a 409 in the back office), never a database error. Every action on a work order is raced.

On PostgreSQL the ten transactions really overlap (row locks and the version column decide); on SQLite the
database serialises writers and the same outcome must hold.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Component, Order, WorkOrderEvent
from storefront.services import workshop
from tests.functional.test_backoffice_work_orders import shipping
from tests.support.backoffice import fresh
from tests.support.concurrency import at_once

RACERS = 10


def _race(app, order_id: int, call) -> list:
    """Run `call(version)` RACERS times at once, each on the version the work order has now."""
    version = db.session.get(Order, order_id).work_order.version
    return at_once(app, [lambda: call(version)] * RACERS)


def _one_wins(outcomes: list) -> None:
    wins = [o for o in outcomes if isinstance(o, WorkOrderEvent)]
    conflicts = [o for o in outcomes if isinstance(o, workshop.WorkOrderChanged)]
    assert len(wins) == 1 and len(conflicts) == RACERS - 1, outcomes


ACTIONS = {
    "move": lambda wo, v: workshop.move(wo, "start_assembly", version=v, staff_id=None),
    "cancel": lambda wo, v: workshop.cancel(wo, version=v, staff_id=None),
    "note": lambda wo, v: workshop.add_note(wo, version=v, staff_id=None, text="on it", customer_visible=False),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_ten_parallel_presses_of_one_action_give_one_success_and_nine_conflicts(app_ctx, paid_order, action):
    work_order_id = paid_order.work_order.id
    reserved_before = db.session.scalar(select(func.sum(Component.reserved)))
    _one_wins(_race(app_ctx, paid_order.id, lambda version: ACTIONS[action](work_order_id, version)))
    events = db.session.scalar(select(func.count()).select_from(WorkOrderEvent))
    assert events == 2  # "created" and the one action
    if action == "cancel":
        assert db.session.scalar(select(func.sum(Component.reserved))) == 0 < reserved_before
        assert fresh(paid_order).refund_reference is not None


def test_ten_parallel_ship_presses_give_one_success_and_nine_conflicts(app_ctx, paid_order, staff_client):
    shipping(staff_client, paid_order.work_order)
    work_order_id = paid_order.work_order.id

    def ship(version):
        return workshop.ship(
            work_order_id, version=version, staff_id=None, carrier="ups", tracking="1Z999AA10123456784"
        )

    _one_wins(_race(app_ctx, paid_order.id, ship))
    assert fresh(paid_order.work_order).stage == "shipped"
