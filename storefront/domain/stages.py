"""The work-order stages and the machine that moves between them. No Flask here.

`STAGES` is the one description of each stage: what the customer, the emails and the workshop board call it,
which columns hold its dates, and whether it holds a workshop slot. Every other table of stages derives from it,
so a new stage is one record here and its moves below; a stage with dates of its own also adds those columns to
models.py, with a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class StageCode(StrEnum):
    """A work order's stage as the database stores it."""

    SOURCING = "sourcing"
    ASSEMBLY = "assembly"
    TESTING = "testing"
    SHIPPING = "shipping"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Stage:
    """One stage of a work order, and everything the shop says or stores about it."""

    code: StageCode
    step: StageCode | None  # the customer's step this stage shows as; None when it is off their path
    label: str  # what the customer calls it: its step's label
    phrase: str  # finishes the status page's "your bike is ..."
    headline: str  # the sentence under that heading
    update: str  # the customer's update line when staff wrote no note
    email_news: str | None  # finishes the email subject "Order N: ..."; None sends no stage email of its own
    board_column: str | None  # the workshop board column's title; None keeps it off the board
    started_column: str | None  # WorkOrder timestamp set on entering; None: the stage starts at payment
    planned_column: str | None  # WorkOrder date the stage is planned to be done by
    holds_slot: bool  # still needs, or is using, a workshop assembly slot
    open: bool  # the workshop still has work to do on it
    final: bool  # nothing more will happen


STAGES: dict[StageCode, Stage] = {
    s.code: s
    for s in (
        Stage(
            code=StageCode.SOURCING,
            step=StageCode.SOURCING,
            label="Sourcing parts",
            phrase="waiting for its parts",
            headline="We are gathering every part of your build; each one is listed below.",
            update="Sourcing parts",
            email_news=None,
            board_column="Sourcing",
            started_column=None,
            planned_column="planned_parts_date",
            holds_slot=True,
            open=True,
            final=False,
        ),
        Stage(
            code=StageCode.ASSEMBLY,
            step=StageCode.ASSEMBLY,
            label="Assembly",
            phrase="being built",
            headline="A mechanic in our workshop is building your bike by hand.",
            update="Assembly started",
            email_news="your bike is being built",
            board_column="Assembly",
            started_column="assembly_started_at",
            planned_column="planned_assembly_date",
            holds_slot=True,
            open=True,
            final=False,
        ),
        Stage(
            code=StageCode.TESTING,
            step=StageCode.TESTING,
            label="Testing",
            phrase="being tested",
            headline="Your bike is going through our test checklist, road test included.",
            update="Testing started",
            email_news="your bike is being tested",
            board_column="Testing",
            started_column="testing_started_at",
            planned_column="planned_testing_date",
            holds_slot=False,
            open=True,
            final=False,
        ),
        Stage(
            code=StageCode.SHIPPING,
            step=StageCode.SHIPPING,
            label="Shipping",
            phrase="being packed",
            headline="It passed every check and is being packed for the carrier.",
            update="Packing for shipment",
            email_news="your bike is being packed",
            board_column="Shipping",
            started_column="shipping_started_at",
            planned_column="planned_ship_date",
            holds_slot=False,
            open=True,
            final=False,
        ),
        Stage(
            code=StageCode.SHIPPED,
            step=StageCode.SHIPPING,  # to the customer, packing and the truck are both "Shipping"
            label="Shipping",
            phrase="on its way",
            headline="It has left our workshop; follow it with the carrier below.",
            update="Handed to the carrier",
            email_news="your bike is on its way",
            board_column="Shipped, in transit",
            started_column="shipped_at",
            planned_column="planned_delivery_date",
            holds_slot=False,
            open=False,
            final=False,
        ),
        Stage(
            code=StageCode.DELIVERED,
            step=StageCode.DELIVERED,
            label="Delivered",
            phrase="delivered",
            headline="Enjoy the ride! We would love to hear how it goes.",
            update="Delivered",
            email_news="your bike was delivered",
            board_column="Recently delivered",
            started_column="delivered_at",
            planned_column="planned_delivery_date",
            holds_slot=False,
            open=False,
            final=True,
        ),
        Stage(
            code=StageCode.CANCELLED,
            step=None,
            label="Cancelled",
            phrase="cancelled",
            headline="This order was cancelled; nothing more will happen with it.",
            update="Order cancelled",
            email_news="your order was cancelled",
            board_column=None,
            started_column="cancelled_at",
            planned_column=None,
            holds_slot=False,
            open=False,
            final=True,
        ),
    )
}
OPEN_STAGES = tuple(s.code for s in STAGES.values() if s.open)
FINAL_STAGES = tuple(s.code for s in STAGES.values() if s.final)
SLOT_HOLDING_STAGES = tuple(s.code for s in STAGES.values() if s.holds_slot)
CUSTOMER_STEPS = tuple(s for s in STAGES.values() if s.step == s.code)  # the customer's steps, in order


class IllegalTransition(ValueError):
    """A move that the work order's stage or state does not allow; the message says why."""


@dataclass(frozen=True)
class Move:
    action: str
    source: StageCode
    target: StageCode
    label: str
    customer_message: str


@dataclass(frozen=True)
class Situation:
    """What the guards look at: the stage, and the facts that gate leaving it."""

    stage: str
    parts_reserved: bool = False  # every part line is reserved from stock
    checklist_complete: bool = False  # every active item has a result this round
    checklist_failed: bool = False  # at least one item failed this round
    shipment_ready: bool = False  # a carrier and a valid tracking number were given


MOVES: dict[str, Move] = {
    m.action: m
    for m in (
        Move(
            "start_assembly",
            StageCode.SOURCING,
            StageCode.ASSEMBLY,
            "Start assembly",
            "All parts are in: your bike is being built.",
        ),
        Move(
            "start_testing",
            StageCode.ASSEMBLY,
            StageCode.TESTING,
            "Assembly done: start testing",
            "Your bike is built and is being tested.",
        ),
        Move(
            "pass_testing",
            StageCode.TESTING,
            StageCode.SHIPPING,
            "Tests passed: to shipping",
            "Your bike passed its tests and is being packed.",
        ),
        Move(
            "rework",
            StageCode.TESTING,
            StageCode.ASSEMBLY,
            "Back to assembly (rework)",
            "Your bike went back to the bench for an adjustment.",
        ),
        Move("ship", StageCode.SHIPPING, StageCode.SHIPPED, "Mark shipped", "Your bike is on its way."),
        Move(
            "deliver",
            StageCode.SHIPPED,
            StageCode.DELIVERED,
            "Mark delivered",
            "Your bike was delivered. Enjoy the ride!",
        ),
        Move(
            "cancel",
            StageCode.SOURCING,
            StageCode.CANCELLED,
            "Cancel and refund",
            "Your order was cancelled and refunded in full.",
        ),
    )
}


def moves_from(stage: str) -> list[Move]:
    """The moves that start at `stage`, in the order staff see them."""
    return [m for m in MOVES.values() if m.source == stage]


def blocked_reason(move: Move, situation: Situation) -> str | None:
    """Why `move` cannot happen now, or None when it can."""
    if move.source != situation.stage:
        return f"Cannot {move.label.lower()} from {situation.stage}."
    if move.action == "start_assembly" and not situation.parts_reserved:
        return "Assembly can start only when every part is reserved."
    if move.action == "pass_testing" and not (situation.checklist_complete and not situation.checklist_failed):
        return "Every checklist item must pass before shipping."
    if move.action == "rework" and not situation.checklist_failed:
        return "Rework needs at least one failed checklist item."
    if move.action == "ship" and not situation.shipment_ready:
        return "Shipping needs a carrier and a valid tracking number."
    return None


def check(action: str, situation: Situation) -> Move:
    """The move for `action` if it is allowed now; raises IllegalTransition otherwise."""
    move = MOVES.get(action)
    if move is None:
        raise IllegalTransition(f"Unknown action {action!r}.")
    reason = blocked_reason(move, situation)
    if reason is not None:
        raise IllegalTransition(reason)
    return move
