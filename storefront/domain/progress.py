"""Where a bike is on its way to the customer: the customer's timeline, progress, parts, promise and tracking.

Plain Python: the tracker service feeds it facts read from the work order, and it answers with frozen
values that the status page and its JSON form both show.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from .carriers import CARRIERS
from .stages import CUSTOMER_STEPS, STAGES, StageCode
from .stages import FINAL_STAGES as FINAL_STAGES
from .statuses import IN_HAND, PartLineState, PurchaseRequestStatus

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")

# The customer's steps; the workshop's "shipping" and "shipped" are both "Shipping" to them.
CUSTOMER_STAGES = tuple((s.code, s.label) for s in CUSTOMER_STEPS)
STAGE_INDEX = {s.code: [c for c, _ in CUSTOMER_STAGES].index(s.step) for s in STAGES.values() if s.step}


def well_formed_token(token: str) -> bool:
    """A status token as links.new_secret_token makes them: 43 url-safe characters (256 bits)."""
    return TOKEN_PATTERN.fullmatch(token) is not None


def short_day(value: date) -> str:
    """`Tue 8 Dec`: the way a date reads in a sentence about the next few weeks."""
    return f"{value:%a} {value.day} {value:%b}"


@dataclass(frozen=True)
class StageFacts:
    """What the work order knows about one customer step: its plan date and when it started and ended."""

    code: str
    planned: date
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    state: str  # done | current | upcoming | cancelled
    planned: date
    started_at: datetime | None
    finished_at: datetime | None


def timeline(stage: str, facts: list[StageFacts]) -> list[Step]:
    """Each customer step marked done, current or upcoming for a work order in `stage`.

    A cancelled order keeps the steps it finished; the rest read as cancelled.
    """
    labels = dict(CUSTOMER_STAGES)
    current = STAGE_INDEX.get(stage)
    steps = []
    for index, fact in enumerate(facts):
        if stage == StageCode.CANCELLED:
            state = "done" if fact.finished_at else "cancelled"
        elif stage == StageCode.DELIVERED or index < current:
            state = "done"
        else:
            state = "current" if index == current else "upcoming"
        steps.append(Step(fact.code, labels[fact.code], state, fact.planned, fact.started_at, fact.finished_at))
    return steps


def progress_percent(stage: str, parts_in_hand: int = 0, parts_total: int = 0) -> int:
    """How far along the bike is, 0 to 100: equal legs between the customer's steps, payment to their door.

    Within sourcing the share of parts already in hand moves the bar; a bike on the truck is most of the
    way through its shipping leg.
    """
    if stage == StageCode.DELIVERED:
        return 100
    if stage not in STAGE_INDEX:
        return 0
    index = STAGE_INDEX[stage]
    if stage == StageCode.SOURCING:
        within = 0.1 + 0.8 * (parts_in_hand / parts_total) if parts_total else 0.5
    else:
        within = 0.75 if stage == StageCode.SHIPPED else 0.4
    return round(100 * (index + within) / (len(CUSTOMER_STAGES) - 1))


@dataclass(frozen=True)
class PartState:
    code: str  # reserved | ordered | delayed | arrived | fitted | released
    text: str


def part_state(
    line_state: str,
    expected: date | None = None,
    original_expected: date | None = None,
    request_status: str | None = None,
) -> PartState:
    """A component's state in the customer's words, such as "ordered from supplier, expected Tue 8 Dec"."""
    if line_state == PartLineState.CONSUMED:
        return PartState("fitted", "fitted to your bike")
    if line_state == PartLineState.RELEASED:
        return PartState("released", "released back to stock")
    if line_state == PartLineState.RESERVED:
        return PartState("reserved", "reserved from stock")
    if request_status == PurchaseRequestStatus.RECEIVED:
        return PartState("arrived", "arrived from the supplier")
    if expected is None:
        return PartState("ordered", "ordered from supplier")
    if original_expected is not None and expected > original_expected:
        return PartState("delayed", f"ordered from supplier, now expected {short_day(expected)}")
    return PartState("ordered", f"ordered from supplier, expected {short_day(expected)}")


def in_hand(line_state: str) -> bool:
    return line_state in IN_HAND


@dataclass(frozen=True)
class Outlook:
    """The promise made at payment beside today's forecast, and how they compare."""

    promised: tuple[date, date]
    forecast: tuple[date, date]
    status: str  # on_track | later | earlier
    reason: str | None


GENERIC_REASON = "Our workshop plan changed since your order."


def outlook(promised: tuple[date, date], forecast: tuple[date, date], reason: str | None) -> Outlook:
    """Compare the forecast with the promise; a forecast that differs always carries a reason."""
    if forecast == promised:
        return Outlook(promised, forecast, "on_track", None)
    later = forecast[1] > promised[1] or forecast[0] > promised[0]
    return Outlook(promised, forecast, "later" if later else "earlier", reason or GENERIC_REASON)


@dataclass(frozen=True)
class Tracking:
    carrier: str
    carrier_name: str
    number: str
    url: str | None


def tracking(carrier: str | None, number: str | None) -> Tracking | None:
    """The carrier's name and tracking page for a parcel; an unknown carrier still shows its number."""
    if not number:
        return None
    known = CARRIERS.get((carrier or "").strip().lower())
    name = known.name if known else (carrier or "Carrier")
    url = known.tracking_url(number.strip()) if known else None
    return Tracking((carrier or "").strip().upper(), name, number.strip(), url)


def fingerprint(*parts: object) -> str:
    """A short, stable validator for everything a status view depends on."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
