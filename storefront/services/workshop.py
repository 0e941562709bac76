"""Workshop use cases: stage changes, notes, checklist results, shipping and cancelling a work order.

Each function owns its transaction. Forms carry the work order's version; a stale one (or a concurrent write
caught by the version column) raises WorkOrderChanged and nothing is written.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, update

from .. import payments
from ..clock import now
from ..domain.carriers import validate_tracking
from ..domain.stages import STAGES, IllegalTransition, Move, Situation, StageCode, check
from ..domain.statuses import PartLineState
from ..extensions import db
from ..models import ChecklistItem, Component, Order, TestResult, WorkOrder, WorkOrderEvent
from . import inventory
from .notifications import queue_customer_update
from .planning import replan_after_move
from .unit_of_work import ConcurrentChange, unit_of_work


class WorkOrderChanged(ConcurrentChange):
    """Someone else changed the work order since the form was shown."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this work order while you had it open. Nothing was saved: check it and try again."
        )


class InvalidInput(ValueError):
    """Input the workshop cannot act on, such as an empty note."""


class WorkOrderNotFound(LookupError):
    """No work order with that id."""


@dataclass(frozen=True)
class ChecklistState:
    items: list[ChecklistItem]
    results: dict[int, TestResult]  # item id -> result this round

    @property
    def complete(self) -> bool:
        return bool(self.items) and all(item.id in self.results for item in self.items)

    @property
    def failed(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.id in self.results and not self.results[item.id].passed]


NO_CHECKLIST = ChecklistState([], {})


def checklist_state(work_order: WorkOrder) -> ChecklistState:
    """Active checklist items and this round's results."""
    items = list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.active).order_by(ChecklistItem.position)))
    results = db.session.scalars(
        select(TestResult).where(TestResult.work_order_id == work_order.id, TestResult.round == work_order.test_round)
    )
    return ChecklistState(items, {r.item_id: r for r in results})


def situation(
    work_order: WorkOrder, checklist: ChecklistState | None = None, shipment_ready: bool = False
) -> Situation:
    """The facts the stage machine needs about `work_order`; the checklist is read only in testing, the one stage
    whose moves depend on it."""
    if checklist is None:
        checklist = checklist_state(work_order) if work_order.stage == StageCode.TESTING else NO_CHECKLIST
    return Situation(
        stage=work_order.stage,
        # read only before assembly, the one stage whose moves depend on it: loading the parts costs a query
        parts_reserved=work_order.stage == StageCode.SOURCING
        and all(line.state == PartLineState.RESERVED for line in work_order.parts),
        checklist_complete=checklist.complete,
        checklist_failed=bool(checklist.failed),
        shipment_ready=shipment_ready,
    )


@contextmanager
def _editing(work_order_id: int, version: int | None) -> Iterator[WorkOrder]:
    """Load the work order and insist on the version the form was rendered with, in one unit of work."""
    with unit_of_work(conflict=WorkOrderChanged):
        work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.id == work_order_id))
        if work_order is None:
            raise WorkOrderNotFound(work_order_id)
        if version != work_order.version:
            raise WorkOrderChanged()
        # Claim the row first (a version-checked UPDATE): a concurrent writer fails here, before stock moves.
        work_order.updated_at = now()
        db.session.flush()
        yield work_order


def _record(
    work_order: WorkOrder,
    staff_id: int | None,
    action: str,
    note: str | None,
    *,
    visible: bool,
    from_stage: str | None = None,
    to_stage: str | None = None,
    actor: str | None = None,
) -> WorkOrderEvent:
    """Write the audit event, bump the version, and tell the customer when they can see it."""
    moment = now()
    work_order.updated_at = moment  # a real change to the row, so the version column moves on
    event = WorkOrderEvent(
        work_order=work_order,
        at=moment,
        staff_id=staff_id,
        actor=actor,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        customer_visible=visible,
    )
    db.session.add(event)
    db.session.flush()  # the event id is the email's dedupe key; a stale version fails here
    queue_customer_update(work_order.order, event)
    return event


def _enter(
    work_order: WorkOrder, move: Move, staff_id: int | None, note: str | None, actor: str | None = None
) -> WorkOrderEvent:
    moment = now()
    stamp = STAGES[move.target].started_column
    if stamp and getattr(work_order, stamp) is None:
        setattr(work_order, stamp, moment)
    work_order.stage = move.target
    work_order.stage_entered_at = moment
    text = (note or "").strip() or move.customer_message
    event = _record(
        work_order, staff_id, move.action, text, visible=True, from_stage=move.source, to_stage=move.target, actor=actor
    )
    replan_after_move(work_order.id, move.source, move.target, moment, cause=move.action)
    return event


def move(
    work_order_id: int, action: str, *, version: int | None, staff_id: int | None, note: str | None = None
) -> WorkOrderEvent:
    """Start assembly, start testing, pass testing, send back for rework or mark delivered."""
    if action in ("ship", "cancel"):
        raise IllegalTransition("Use the shipping or cancel form for that.")
    with _editing(work_order_id, version) as work_order:
        chosen = check(action, situation(work_order))
        if chosen.action == "start_assembly":
            _consume_parts(work_order)
        if chosen.action == "rework":
            work_order.test_round += 1
        event = _enter(work_order, chosen, staff_id, note)
    return event


def ship(
    work_order_id: int, *, version: int | None, staff_id: int | None, carrier: str, tracking: str
) -> WorkOrderEvent:
    """Hand the bike to a carrier: the tracking number must match the carrier's format."""
    with _editing(work_order_id, version) as work_order:
        chosen = check("ship", situation(work_order, shipment_ready=True))  # the stage first, then the parcel
        found, number = validate_tracking(carrier, tracking)
        work_order.carrier, work_order.tracking_number = found.code, number
        note = f"{chosen.customer_message} {found.name} tracking number {number}."
        event = _enter(work_order, chosen, staff_id, note)
    return event


def cancel(
    work_order_id: int, *, version: int | None, staff_id: int | None, note: str | None = None, actor: str | None = None
) -> WorkOrderEvent:
    """Cancel before assembly: release reservations and promised deliveries, refund, tell the customer.
    `actor="customer"` records a cancel the customer made from the status page."""
    refund_key = _refund_key(work_order_id)
    with _editing(work_order_id, version) as work_order:
        chosen = check("cancel", situation(work_order))
        inventory.hand_out_freed(_release_parts(work_order), staff_id)  # paid orders waiting come first
        event = _enter(work_order, chosen, staff_id, note, actor)
        order = work_order.order
        order.cancelled_at = work_order.cancelled_at
        db.session.flush()  # a concurrent change stops us here, before any money moves
        provider = payments.provider(order.checkout.provider)
        key = f"refund-{refund_key}"
        order.refund_reference = provider.refund(order.payment_reference, idempotency_key=key, label=order.number)
        order.record_full_refund(order.refund_reference)
    return event


def _refund_key(work_order_id: int) -> str:
    """The order's refund key: a random id stored (and committed) before the refund is asked for, so a
    cancel retried after a lost answer reuses it, and two databases on one Stripe account never share one."""
    order = db.session.scalar(select(Order).join(WorkOrder).where(WorkOrder.id == work_order_id))
    if order is None:
        raise WorkOrderNotFound(work_order_id)
    if order.refund_key is None:
        with unit_of_work():
            db.session.execute(
                update(Order)
                .where(Order.id == order.id, Order.refund_key.is_(None))
                .values(refund_key=secrets.token_hex(16))
                .execution_options(synchronize_session=False)
            )
        db.session.refresh(order)
    return order.refund_key


def add_note(
    work_order_id: int, *, version: int | None, staff_id: int | None, text: str, customer_visible: bool
) -> WorkOrderEvent:
    """An internal note, or one the customer sees on the status page and by email."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Write the note first.")
    with _editing(work_order_id, version) as work_order:
        event = _record(work_order, staff_id, "note", text, visible=customer_visible)
    return event


def record_checklist(
    work_order_id: int, *, version: int | None, staff_id: int | None, results: Mapping[int, tuple[bool, str | None]]
) -> WorkOrderEvent:
    """Record pass or fail (with a note) per checklist item for this test round."""
    with _editing(work_order_id, version) as work_order:
        if work_order.stage != StageCode.TESTING:
            raise IllegalTransition("The checklist is filled in while the bike is in testing.")
        state = checklist_state(work_order)
        moment = now()
        for item in state.items:
            if item.id not in results:
                continue
            passed, note = results[item.id]
            result = state.results.get(item.id)
            if result is None:
                result = TestResult(
                    work_order_id=work_order.id, item_id=item.id, round=work_order.test_round, passed=passed
                )
                db.session.add(result)
                state.results[item.id] = result
            result.passed, result.note, result.staff_id, result.at = passed, (note or None), staff_id, moment
        failed = [
            f"{item.label}" + (f" ({state.results[item.id].note})" if state.results[item.id].note else "")
            for item in state.failed
        ]
        summary = f"Test round {work_order.test_round}: {sum(r.passed for r in state.results.values())} passed"
        summary += f", failed: {'; '.join(failed)}." if failed else "."
        event = _record(work_order, staff_id, "checklist", summary, visible=False)
    return event


def _consume_parts(work_order: WorkOrder) -> None:
    """The reserved parts go into the bike: they leave stock and the reservation together."""
    for line in work_order.parts:
        line.state = PartLineState.CONSUMED
        _adjust_component(line.component_id, on_hand=-line.quantity, reserved=-line.quantity)


def _release_parts(work_order: WorkOrder) -> list[int]:
    """Reserved stock becomes available again; promised incoming stock becomes unpromised. Returns the
    components whose stock was freed."""
    freed = []
    for line in work_order.parts:
        if line.state == PartLineState.RESERVED:
            _adjust_component(line.component_id, reserved=-line.quantity)
            freed.append(line.component_id)
        if line.state in (PartLineState.RESERVED, PartLineState.AWAITING):
            line.state = PartLineState.RELEASED
            line.purchase_request_id = None
    return freed


def _adjust_component(component_id: int, on_hand: int = 0, reserved: int = 0) -> None:
    """Change the counters in SQL, so that concurrent writers never lose an update."""
    db.session.execute(
        update(Component)
        .where(Component.id == component_id)
        .values(on_hand=Component.on_hand + on_hand, reserved=Component.reserved + reserved)
        .execution_options(synchronize_session=False)
    )
