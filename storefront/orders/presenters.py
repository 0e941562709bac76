"""The customer's words for a status view, on the page and in `GET /orders/<token>.json`."""

from __future__ import annotations

from datetime import date

from ..domain.stages import STAGES
from ..services.tracking import StatusView, Update

# Sourcing with every part already reserved: the heading says what the parts table shows.
PARTS_READY = ("ready to be built", "Every part of your build is reserved in our workshop; assembly is next.")


def heading(view: StatusView) -> tuple[str, str]:
    """How the heading finishes "your bike is ...", and the sentence under it."""
    if view.parts_ready:
        return PARTS_READY
    stage = STAGES[view.stage]
    return stage.phrase, stage.headline


def update_message(update: Update) -> str:
    """An update's words: the note staff wrote, or what the move means for the customer."""
    if update.note:
        return update.note
    known = STAGES.get(update.stage or "")
    return known.update if known else "Order updated"


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def status_json(view: StatusView) -> dict:
    """The same status as the page: stages, dates, promise, forecast, components, checks and tracking."""
    outlook = view.outlook
    return {
        "number": view.number,
        "customer": {"first_name": view.first_name, "city": view.city},
        "stage": view.stage,
        "live": view.live,
        "progress_percent": view.percent,
        "stages": [
            {
                "code": step.code,
                "label": step.label,
                "state": step.state,
                "planned": step.planned.isoformat(),
                "started": _iso(step.started),
                "finished": _iso(step.finished),
            }
            for step in view.steps
        ],
        "promise": {"earliest": outlook.promised[0].isoformat(), "latest": outlook.promised[1].isoformat()},
        "forecast": {
            "earliest": outlook.forecast[0].isoformat(),
            "latest": outlook.forecast[1].isoformat(),
            "status": outlook.status,
            "reason": outlook.reason,
        },
        "components": [
            {
                "name": c.name,
                "quantity": c.quantity,
                "state": c.state.code,
                "text": c.state.text,
                "expected": _iso(c.expected),
            }
            for c in view.components
        ],
        "checks_passed": view.checks,
        "tracking": (
            {
                "carrier": view.tracking.carrier,
                "carrier_name": view.tracking.carrier_name,
                "number": view.tracking.number,
                "url": view.tracking.url,
            }
            if view.tracking
            else None
        ),
        "updates": [{"at": u.at.isoformat(), "message": update_message(u)} for u in view.updates],
        "shipped_on": _iso(view.shipped_on),
        "delivered_on": _iso(view.delivered_on),
        "cancelled_on": _iso(view.cancelled_on),
    }
