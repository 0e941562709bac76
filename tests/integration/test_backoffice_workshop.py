"""Workshop services against a real database: concurrent writers, refunds that fail, and one email per event."""

import pytest
from sqlalchemy import func, select, update

from storefront import payments
from storefront.extensions import db
from storefront.models import OutboxMessage, WorkOrder, WorkOrderEvent
from storefront.payments import PaymentError
from storefront.services import workshop
from storefront.services.notifications import queue_customer_update
from tests.support.backoffice import fresh


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_write_that_lands_between_read_and_save_is_caught_by_the_version_column(paid_order):
    work_order = paid_order.work_order
    version = work_order.version  # loaded into this session, as a request would have it
    with db.engine.begin() as other:  # another member of staff saves first
        other.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(version=WorkOrder.version + 1))
    with pytest.raises(workshop.WorkOrderChanged):
        workshop.add_note(work_order.id, version=version, staff_id=None, text="mine", customer_visible=True)
    assert count(WorkOrderEvent) == 1 and count(OutboxMessage) == 1  # the order's confirmation only


def test_a_stale_version_from_the_form_is_refused_before_any_write(paid_order):
    work_order = paid_order.work_order
    with pytest.raises(workshop.WorkOrderChanged):
        workshop.move(work_order.id, "start_assembly", version=work_order.version - 1, staff_id=None)
    assert fresh(work_order).stage == "sourcing"


def test_a_failed_refund_leaves_the_order_as_it_was(paid_order, monkeypatch):
    def refuse(payment_reference, *, idempotency_key, label):
        raise PaymentError("card network unavailable")

    monkeypatch.setattr(payments.test_provider(), "refund", refuse)
    with pytest.raises(PaymentError):
        workshop.cancel(paid_order.work_order.id, version=paid_order.work_order.version, staff_id=None)
    order = fresh(paid_order)
    assert order.cancelled_at is None and order.work_order.stage == "sourcing"
    assert {line.state for line in order.work_order.parts} == {"reserved"}


def test_an_event_is_emailed_once_however_often_it_is_queued(paid_order):
    event = workshop.add_note(
        paid_order.work_order.id, version=paid_order.work_order.version, staff_id=None, text="hi", customer_visible=True
    )
    assert queue_customer_update(fresh(paid_order), fresh(event)) is None
    db.session.commit()
    keys = db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.startswith("wo-"))).all()
    assert keys == [f"wo-event:{event.id}"]


def test_the_unknown_work_order_raises_not_found(app_ctx):
    with pytest.raises(workshop.WorkOrderNotFound):
        workshop.move(424242, "deliver", version=1, staff_id=None)
