"""The work-order stage machine: which moves exist, and what each needs before it is allowed. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass


class IllegalTransition(ValueError):
    """A move that the work order's stage or state does not allow; the message says why."""


@dataclass(frozen=True)
class Move:
    action: str
    source: str
    target: str
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
        Move("start_assembly", "sourcing", "assembly", "Start assembly", "All parts are in: your bike is being built."),
        Move(
            "start_testing",
            "assembly",
            "testing",
            "Assembly done: start testing",
            "Your bike is built and is being tested.",
        ),
        Move(
            "pass_testing",
            "testing",
            "shipping",
            "Tests passed: to shipping",
            "Your bike passed its tests and is being packed.",
        ),
        Move(
            "rework",
            "testing",
            "assembly",
            "Back to assembly (rework)",
            "Your bike went back to the bench for an adjustment.",
        ),
        Move("ship", "shipping", "shipped", "Mark shipped", "Your bike is on its way."),
        Move("deliver", "shipped", "delivered", "Mark delivered", "Your bike was delivered. Enjoy the ride!"),
        Move("cancel", "sourcing", "cancelled", "Cancel and refund", "Your order was cancelled and refunded in full."),
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
