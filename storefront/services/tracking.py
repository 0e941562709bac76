"""The customer's order tracker: find an order by its private token or by number and email, and build
the status view the page, its polled fragment and the JSON form all show.

Read-only: nothing here writes, so nothing here commits.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import cache as caches
from ..domain import progress
from ..domain.build import Build
from ..domain.catalog import Catalog
from ..domain.stages import CUSTOMER_STEPS, STAGES, StageCode
from ..domain.statuses import PartLineState
from ..extensions import db
from ..models import ChecklistItem, Order, PartLine, PurchaseRequest, TestResult, WorkOrder, WorkOrderEvent
from .catalog import live_catalog
from .links import token_hash
from .plan_version import current_stamp

# Every plan date the customer sees, so that a re-plan changes the ETag.
_PLANNED_COLUMNS = tuple(
    getattr(WorkOrder, column) for column in dict.fromkeys(s.planned_column for s in STAGES.values()) if column
)
_stamps = caches.named("status_stamps")
# A dummy digest compared when no order matches, so a miss takes as long as a wrong email.
_NO_MATCH = token_hash("no order matches")


@dataclass(frozen=True)
class Stamp:
    """The cheap validator for a status: its ETag, and whether there is anything left to wait for."""

    etag: str
    live: bool


@dataclass(frozen=True)
class StepView:
    code: str
    label: str
    state: str
    planned: date
    started: date | None
    finished: date | None


@dataclass(frozen=True)
class ComponentView:
    name: str
    quantity: int
    state: progress.PartState
    expected: date | None


@dataclass(frozen=True)
class Update:
    at: datetime  # in the shop's time zone
    note: str | None  # what staff wrote, if anything
    stage: str | None  # the stage the work order moved to, if it moved


@dataclass(frozen=True)
class Picture:
    """What the shop's bike picture partial needs: the catalog and the build."""

    catalog: Catalog
    build: Build


@dataclass(frozen=True)
class StatusView:
    token: str
    number: str
    first_name: str
    city: str
    stage: str
    parts_ready: bool  # still sourcing, but every part is in hand
    live: bool
    percent: int
    steps: list[StepView]
    outlook: progress.Outlook
    components: list[ComponentView]
    checks: list[str]
    tracking: progress.Tracking | None
    updates: list[Update]
    lines: list[str]
    total_cents: int
    charges: dict | None  # bike, shipping and tax as paid (services/charges.py)
    currency: str
    picture: Picture
    shipped_on: date | None
    delivered_on: date | None
    cancelled_on: date | None


def status_stamp(token: str) -> Stamp | None:
    """The ETag of an order's status, or None for an unknown or malformed token.

    Read once per order and plan stamp: every write a status shows bumps that stamp (services/plan_version.py),
    so a warm poll needs no query on PostgreSQL and only the stamp read on SQLite.
    """
    if not progress.well_formed_token(token):
        return None
    digest = token_hash(token)
    return _stamps.get_or_make((digest, current_stamp()), lambda: _read_stamp(digest))


def _read_stamp(digest: str) -> Stamp | None:
    row = db.session.execute(_stamp_query(), {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row.status_token_hash, digest):
        return None
    live = row.stage not in progress.FINAL_STAGES and row.cancelled_at is None
    return Stamp(progress.fingerprint(*row[1:]), live)


@cache
def _stamp_query():
    """Order joined with its work order, plus what changes without touching the work order row.

    Built once: constructing this statement costs more than running it.
    """
    wo = WorkOrder.id

    def correlated(column, *where):
        return select(column).where(*where).correlate(WorkOrder).scalar_subquery()

    return (
        select(
            Order.status_token_hash,
            WorkOrder.version,
            WorkOrder.stage,
            *_PLANNED_COLUMNS,
            Order.forecast_earliest,
            Order.forecast_latest,
            Order.forecast_reason,
            Order.cancelled_at,
            correlated(
                func.max(WorkOrderEvent.id),
                WorkOrderEvent.work_order_id == wo,
                WorkOrderEvent.customer_visible.is_(True),
            ),
            correlated(func.count(PartLine.id), PartLine.work_order_id == wo, PartLine.state == PartLineState.AWAITING),
            correlated(
                func.max(PurchaseRequest.expected_date),
                PurchaseRequest.id == PartLine.purchase_request_id,
                PartLine.work_order_id == wo,
            ),
            correlated(func.max(TestResult.id), TestResult.work_order_id == wo),
        )
        .join(WorkOrder, WorkOrder.order_id == Order.id)
        .where(Order.status_token_hash == bindparam("digest"))
    )


def find_by_token(token: str) -> Order | None:
    """The order behind a status token, with its work order and parts loaded; None if there is none."""
    if not progress.well_formed_token(token):
        return None
    digest = token_hash(token)
    order = db.session.scalar(
        select(Order)
        .where(Order.status_token_hash == digest)
        .options(
            joinedload(Order.work_order)
            .selectinload(WorkOrder.parts)
            .options(selectinload(PartLine.component), selectinload(PartLine.purchase_request))
        )
    )
    if order is None or not hmac.compare_digest(order.status_token_hash, digest):
        return None
    return order


def find_by_number_and_email(number: str, email: str) -> Order | None:
    """The order with this number whose email matches (ignoring case); None on any mismatch."""
    order = db.session.scalar(select(Order).where(Order.number == number.strip().upper()))
    expected = order.email.strip().casefold() if order else _NO_MATCH
    matches = hmac.compare_digest(expected.encode(), email.strip().casefold().encode())
    return order if order is not None and matches else None


def status_view(token: str) -> StatusView | None:
    """Everything the customer sees about the order behind `token`, in a constant number of queries."""
    order = find_by_token(token)
    if order is None:
        return None
    catalog = live_catalog()
    zone = ZoneInfo(catalog.timezone)
    work = order.work_order
    parts = [line for line in work.parts if line.state != PartLineState.RELEASED or work.stage == StageCode.CANCELLED]
    cancelled = work.stage == StageCode.CANCELLED or order.cancelled_at is not None
    stage = StageCode.CANCELLED if cancelled else work.stage
    tested = progress.STAGE_INDEX.get(stage, 0) > progress.STAGE_INDEX[StageCode.TESTING]
    return StatusView(
        token=token,
        number=order.number or "",
        first_name=order.first_name,
        city=str((order.address or {}).get("city", "")),
        stage=stage,
        parts_ready=stage == StageCode.SOURCING and bool(parts) and all(progress.in_hand(p.state) for p in parts),
        live=stage not in progress.FINAL_STAGES,
        percent=progress.progress_percent(stage, sum(progress.in_hand(p.state) for p in parts), len(parts)),
        steps=_steps(order, work, stage, zone),
        outlook=progress.outlook(
            (order.promised_earliest, order.promised_latest),
            (order.forecast_earliest, order.forecast_latest),
            order.forecast_reason,
        ),
        components=[_component(line) for line in parts],
        checks=_passed_checks(work) if tested else [],
        tracking=progress.tracking(work.carrier, work.tracking_number),
        updates=_updates(work, zone),
        lines=[line["label"] for line in order.lines],
        total_cents=order.total_cents,
        charges=order.charges,
        currency=order.currency,
        picture=Picture(catalog, _build(order.build)),
        shipped_on=_local_date(work.shipped_at, zone),
        delivered_on=_local_date(work.delivered_at, zone),
        cancelled_on=_local_date(order.cancelled_at or work.cancelled_at, zone),
    )


def _steps(order: Order, work: WorkOrder, stage: str, zone: ZoneInfo) -> list[StepView]:
    """Each customer step starts when the work order enters it (the first at payment) and ends when the next
    one starts; the last ends when it starts."""
    starts = [getattr(work, step.started_column) if step.started_column else order.paid_at for step in CUSTOMER_STEPS]
    facts = [
        progress.StageFacts(step.code, getattr(work, step.planned_column), started, finished)
        for step, started, finished in zip(CUSTOMER_STEPS, starts, starts[1:] + starts[-1:], strict=True)
    ]
    return [
        StepView(
            step.code,
            step.label,
            step.state,
            step.planned,
            _local_date(step.started_at, zone),
            _local_date(step.finished_at, zone),
        )
        for step in progress.timeline(stage, facts)
    ]


def _component(line: PartLine) -> ComponentView:
    request = line.purchase_request
    state = progress.part_state(
        line.state,
        request.expected_date if request else None,
        request.original_expected_date if request else None,
        request.status if request else None,
    )
    expected = request.expected_date if request and state.code in ("ordered", "delayed") else None
    return ComponentView(line.component.name, line.quantity, state, expected)


def _passed_checks(work: WorkOrder) -> list[str]:
    return list(
        db.session.scalars(
            select(ChecklistItem.label)
            .join(TestResult, TestResult.item_id == ChecklistItem.id)
            .where(
                TestResult.work_order_id == work.id, TestResult.round == work.test_round, TestResult.passed.is_(True)
            )
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )


def _updates(work: WorkOrder, zone: ZoneInfo) -> list[Update]:
    events = db.session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == work.id, WorkOrderEvent.customer_visible.is_(True))
        .order_by(WorkOrderEvent.at.desc(), WorkOrderEvent.id.desc())
    )
    return [Update(event.at.astimezone(zone), event.note, event.to_stage) for event in events]


def _build(raw: dict) -> Build:
    picks = {group: tuple(codes) for group, codes in (raw.get("picks") or {}).items()}
    return Build(picks, raw.get("ral"))


def _local_date(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment else None
