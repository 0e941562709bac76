"""What the workshop sees: the board of work orders, and everything about one work order.

Relationships are loaded on purpose, so the number of queries stays the same however many orders there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import selectinload

from .. import cache
from ..clock import now, shop_today
from ..domain.carriers import CARRIERS
from ..domain.stages import STAGES, Move, StageCode, blocked_reason, moves_from
from ..domain.statuses import IN_HAND
from ..extensions import db
from ..models import Order, PartLine, WorkOrder, WorkOrderEvent
from ..timeutil import local_date
from .catalog import catalog_for, live_catalog
from .plan_version import current_stamp
from .workshop import ChecklistState, checklist_state, situation

COLUMNS = tuple((s.code, s.board_column) for s in STAGES.values() if s.board_column)
ACTIVE_STAGES = tuple(s.code for s in STAGES.values() if s.board_column and not s.final)  # every card shows
RECENT_DAYS = 14
RECENT_DELIVERED = 12  # cards in the delivered column
MAX_SEARCH = 100
_builds = cache.named("board_builds")  # one line per order: its build and lines are frozen at payment


def planned_date(work_order) -> date | None:
    """The date the current stage is planned to be done by; a final stage is done."""
    stage = STAGES.get(work_order.stage)
    if stage is None or stage.final or stage.planned_column is None:
        return None
    return getattr(work_order, stage.planned_column)


def build_summary(order) -> str:
    """The build in a line: the single-choice parts, then how many accessories."""
    picks = order.build.get("picks", {})
    labels = [line["label"] for line in order.lines if line["group"] not in ("base", "accessories")]
    extras = len(picks.get("accessories", []))
    if extras:
        labels.append(f"+{extras} accessor{'y' if extras == 1 else 'ies'}")
    return " · ".join(labels)


def parts_ready(work_order: WorkOrder) -> bool:
    return all(line.state in IN_HAND for line in work_order.parts)


@dataclass(frozen=True)
class Card:
    id: int
    number: str
    customer: str
    build: str
    stage: str
    days_in_stage: int
    planned: date | None
    late: bool
    ready: bool
    at_risk: bool  # the live forecast is past the promised window
    test_mode: bool = False  # paid with a test card: nothing was charged, do not build it


@dataclass(frozen=True)
class Column:
    stage: str
    title: str
    cards: list[Card]


def board_key(search: str = "") -> tuple:
    """What the board shows depends on: the plan stamp (every order, work order and part write bumps it), the
    shop's day and the search. No query when the stamp is known (PostgreSQL's listener), else the stamp read."""
    stamp = current_stamp()
    tz = catalog_for(stamp[0]).timezone if stamp[0] else live_catalog().timezone
    return stamp, shop_today(tz), (search or "").strip()[:MAX_SEARCH]


def board(search: str = "") -> list[Column]:
    """The board's columns, oldest payment first, optionally filtered by order number, name or email.

    Every open or in-transit order shows; of the delivered ones, only the newest few of the last two weeks.
    Cards are read as plain rows in two queries, however many orders there are, plus one for the build lines
    of orders this process has not summarised yet.
    """
    tz = live_catalog().timezone
    today = shop_today(tz)
    term = (search or "").strip()[:MAX_SEARCH]
    active = _board_query(term).where(WorkOrder.stage.in_(ACTIVE_STAGES)).order_by(Order.paid_at, Order.id)
    newest = (  # picked from work orders alone, so only the few shown are joined to their orders
        select(WorkOrder.id)
        .where(WorkOrder.stage == StageCode.DELIVERED, WorkOrder.delivered_at >= now() - timedelta(days=RECENT_DAYS))
        .order_by(WorkOrder.delivered_at.desc(), WorkOrder.id.desc())
        .limit(RECENT_DELIVERED)
    )
    delivered = (
        _board_query(term, waiting_parts=False)  # delivered bikes wait for nothing
        .where(WorkOrder.id.in_(newest))
        .order_by(WorkOrder.delivered_at.desc(), WorkOrder.id.desc())
    )
    rows = [row for query in (active, delivered) for row in db.session.execute(query)]
    summaries = _build_summaries({row.order_id for row in rows})
    by_stage: dict[str, list[Card]] = {stage: [] for stage, _ in COLUMNS}
    for row in rows:
        by_stage[row.stage].append(_card(row, summaries[row.order_id], today, tz))
    return [Column(stage, title, by_stage[stage]) for stage, title in COLUMNS]


def _build_summaries(order_ids: set[int]) -> dict[int, str]:
    """Each order's build line, read (in one query) only for orders not summarised before."""
    found = {order_id: _builds.peek(order_id) for order_id in order_ids}
    missing = [order_id for order_id, summary in found.items() if summary is None]
    if missing:
        query = select(Order.id, Order.build, Order.lines).where(Order.id.in_(missing))
        for order in db.session.execute(query):
            found[order.id] = _builds.get_or_make(order.id, lambda order=order: build_summary(order))
    return found


def _board_query(term: str, waiting_parts: bool = True):
    waiting = (
        select(func.count(PartLine.id))
        .where(PartLine.work_order_id == WorkOrder.id, PartLine.state.not_in(IN_HAND))
        .correlate(WorkOrder)
        .scalar_subquery()
        if waiting_parts
        else literal(0)
    )
    query = select(
        WorkOrder.id,
        WorkOrder.stage,
        WorkOrder.stage_entered_at,
        WorkOrder.planned_parts_date,
        WorkOrder.planned_assembly_date,
        WorkOrder.planned_testing_date,
        WorkOrder.planned_ship_date,
        WorkOrder.planned_delivery_date,
        WorkOrder.order_id,
        Order.number,
        Order.customer_name,
        Order.promised_latest,
        Order.forecast_latest,
        Order.test_mode,
        waiting.label("parts_waiting"),
    ).join(Order, WorkOrder.order_id == Order.id)
    if term:
        query = query.where(
            or_(
                Order.number.icontains(term, autoescape=True),
                Order.customer_name.icontains(term, autoescape=True),
                Order.email.icontains(term, autoescape=True),
            )
        )
    return query


def _card(row, build: str, today: date, tz: str) -> Card:
    planned = planned_date(row)
    return Card(
        id=row.id,
        number=row.number or "",
        customer=row.customer_name,
        build=build,
        stage=row.stage,
        days_in_stage=(today - local_date(row.stage_entered_at, tz)).days,
        planned=planned,
        late=planned is not None and planned < today and row.stage != StageCode.DELIVERED,
        ready=row.stage == StageCode.SOURCING and row.parts_waiting == 0,
        at_risk=row.stage != StageCode.DELIVERED and row.forecast_latest > row.promised_latest,
        test_mode=row.test_mode,
    )


@dataclass(frozen=True)
class Action:
    move: Move
    blocked: str | None


@dataclass(frozen=True)
class WorkOrderPage:
    work_order: WorkOrder
    order: Order
    card: Card
    checklist: ChecklistState
    actions: list[Action]
    tracking_url: str | None
    carrier_name: str | None


def work_order_page(work_order_id: int) -> WorkOrderPage | None:
    """Everything the work-order page shows, or None for an unknown id."""
    work_order = db.session.scalar(
        select(WorkOrder)
        .where(WorkOrder.id == work_order_id)
        .options(
            selectinload(WorkOrder.order),
            selectinload(WorkOrder.parts).selectinload(PartLine.component),
            selectinload(WorkOrder.parts).selectinload(PartLine.purchase_request),
            selectinload(WorkOrder.events).selectinload(WorkOrderEvent.staff),
        )
    )
    if work_order is None:
        return None
    tz = live_catalog().timezone
    checklist = checklist_state(work_order)
    facts = situation(work_order, checklist, shipment_ready=True)  # the shipping form checks the parcel itself
    actions = [Action(m, blocked_reason(m, facts)) for m in moves_from(work_order.stage)]
    carrier = CARRIERS.get(work_order.carrier or "")
    row = db.session.execute(_board_query("").where(WorkOrder.id == work_order.id)).one()
    return WorkOrderPage(
        work_order=work_order,
        order=work_order.order,
        card=_card(row, build_summary(work_order.order), shop_today(tz), tz),
        checklist=checklist,
        actions=actions,
        tracking_url=carrier.tracking_url(work_order.tracking_number)
        if carrier and work_order.tracking_number
        else None,
        carrier_name=carrier.name if carrier else None,
    )
