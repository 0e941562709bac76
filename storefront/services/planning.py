"""Re-planning: recompute every open work order's slot and every order's forecast, and tell customers of slips.

Entry points, for every service that changes something the plan depends on:
- `replan(now, cause)` runs in a unit of work of its own and commits (the nightly `flask replan`, tools);
- `replan_in_transaction(now, cause)` does the same work inside the caller's transaction, without committing
  (payment, parts received, a supplier date changed, a failed test, a cancellation);
- `replan_after_move(...)` after a staff move: the same, unless the move holds no slot on either side (testing to
  shipping to shipped), when only the moved job is planned again.

The promise (`Order.promised_*`) is fixed at payment and never written here; only the forecast moves.

Customers hear of a slip only when the bike is late with the promise confidence: the day it arrives after with
that confidence (`JobPlan.soonest`) is past the promised latest day. They hear once per new forecast latest day
(`Order.slip_notified_latest`); a customer told of a slip whose forecast is back inside the promise gets one
"back on track" update, which also becomes the status page's latest update.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, select

from ..domain.calendar import working_day_on_or_after
from ..domain.planning import Job, JobPlan, PartWait, plan
from ..domain.stages import SLOT_HOLDING_STAGES, StageCode
from ..domain.statuses import PartLineState
from ..extensions import db
from ..mail.outbox import enqueue_mail
from ..models import OPEN_STAGES, Component, Order, PartLine, PurchaseRequest, Setting, WorkOrder, WorkOrderEvent
from ..timeutil import local_date
from . import plan_summary, plan_version
from .catalog import CAPACITY_COLUMN, CAPACITY_KEY, capacity_from, live_catalog, order_day_at
from .links import status_url
from .notifications import queue_customer_update
from .reliability import HISTORY_COLUMNS, History, Learned, history_of, learned
from .unit_of_work import unit_of_work

MIN_CAPACITY, MAX_CAPACITY = 1, 50
WORK_ORDER_PLAN = (
    "planned_parts_date",
    "planned_assembly_date",
    "planned_testing_date",
    "planned_ship_date",
    "planned_delivery_date",
)
ORDER_FORECAST = ("forecast_earliest", "forecast_latest", "forecast_reason", "slip_notified_latest")


class InvalidCapacity(ValueError):
    """Assembly capacity must be a whole number of bikes per working day, from 1 to 50."""


@dataclass(frozen=True)
class ReplanResult:
    cause: str | None
    jobs: int  # open work orders planned
    moved: int  # work orders whose planned dates changed
    slipped: tuple[int, ...]  # order ids whose customers were told of a new slip
    late_explained: tuple[int, ...] = ()  # order ids newly late whose reason the caller gives (and who it tells)
    back_on_track: tuple[int, ...] = ()  # order ids told of a slip earlier and back inside the promise now


@dataclass
class _Row:
    work_order_id: int
    order_id: int
    planned: tuple[date, ...]  # parts, assembly, testing, ship, delivery
    forecast: tuple[date, date, str | None]
    promised_latest: date
    notified: date | None  # the latest day the customer was last told of
    parts_in: bool = False  # past sourcing: the parts date is history and never moves later


def replan(now: datetime, cause: str | None = None) -> ReplanResult:
    """Re-plan every open work order in a unit of work of its own (commits)."""
    with unit_of_work():
        result = replan_in_transaction(now, cause)
    return result


def replan_in_transaction(
    now: datetime, cause: str | None = None, explained: Mapping[int, str] | None = None
) -> ReplanResult:
    """Re-plan every open work order inside the caller's transaction (no commit).

    `explained` maps work order ids to the reason the caller gives their customers (a supplier's delay, say);
    those orders' forecasts carry that reason, and the caller tells those customers itself.
    """
    return _replan_all(_Start.at(now), cause, explained or {})


def _replan_all(start: _Start, cause: str | None, explained: Mapping[int, str]) -> ReplanResult:
    jobs, rows = _load(start.today, start.learnt)
    plans = start.plan(jobs)
    result = _apply(start, plans, rows, cause, explained)
    holding = {job.work_order_id for job in jobs if job.stage in SLOT_HOLDING_STAGES}
    booked = (p.assembly for p in plans if p.work_order_id in holding)
    workshop, history = start.learnt.workshop, start.history.key
    plan_summary.note(db.session, booked, workshop, history, start.basis, start.day_key)  # what quotes read of it
    return result


def replan_after_move(work_order_id: int, source: str, target: str, now: datetime, cause: str) -> ReplanResult:
    """Re-plan after a work order moved from stage `source` to `target`, inside the caller's transaction.

    A move between stages that hold no slot (testing to shipping, shipping to shipped) leaves every other job
    as the last re-plan planned it, if that plan was made for the same day and order day, from the same history,
    with nothing committed since: the slots taken are the same, and so is what the plan learns from. Then only
    the moved job is planned again (none once it has left the plan), and that plan's summary is kept for the new
    stamp: a few queries instead of a whole re-plan, which takes a quarter of a second at 10,000 open orders.
    Any other move, a plan older than that, or a bike whose window would count the builds booked before its own
    assembly day (one tested two working days or more ahead) re-plans everything."""
    if source in SLOT_HOLDING_STAGES or target in SLOT_HOLDING_STAGES:
        return replan_in_transaction(now, cause)
    start = _Start.at(now)
    last = plan_summary.read(start.basis)
    if last is None or (last.history, last.planned_for) != (start.history.key, start.day_key):
        return _replan_all(start, cause, {})
    jobs, rows = _load(start.today, start.learnt, work_order_id)
    plans = start.plan(jobs)
    first_day = working_day_on_or_after(start.today, start.learnt.workshop)
    if any(p.assembly > first_day for p in plans):
        return _replan_all(start, cause, {})
    result = _apply(start, plans, rows, cause, {})
    plan_summary.carry(db.session, last, start.basis)
    return result


@dataclass(frozen=True)
class _Start:
    """What a re-plan reads before the work orders: the moment and its days, the stamp it plans from, and what
    the plan has learned."""

    moment: datetime
    today: date
    first_start: date  # the order day: after the cut-off, the next working day
    basis: str | None  # the plan stamp committed when the re-plan began (plan_summary.write)
    history: History
    learnt: Learned
    capacity: int

    @classmethod
    def at(cls, now: datetime) -> _Start:
        catalog = live_catalog()
        db.session.flush()
        basis, capacity, *counts = db.session.execute(_START).one()  # before the plan's inputs, in one round trip
        history = history_of(tuple(counts))
        today, first_start = local_date(now, catalog.timezone), order_day_at(now, catalog)
        learnt = learned(catalog, history)
        return cls(now, today, first_start, basis, history, learnt, capacity_from(capacity, catalog))

    @property
    def day_key(self) -> str:
        """The days a plan is made for, as its summary keeps them."""
        return f"{self.today.isoformat()} {self.first_start.isoformat()}"

    def plan(self, jobs: list[Job]) -> list[JobPlan]:
        return plan(jobs, self.learnt.workshop, self.capacity, self.today, self.first_start)


def _apply(
    start: _Start, plans: list[JobPlan], rows: dict[int, _Row], cause: str | None, explained: Mapping[int, str]
) -> ReplanResult:
    """Write what changed and tell the customers who are to hear of it."""
    moved, news = _write(plans, rows, explained)
    _tell_customers(news, start.moment)
    return ReplanResult(cause, len(plans), moved, news.slipped, news.late_explained, news.back_on_track)


def set_capacity(capacity: int, now: datetime) -> ReplanResult:
    """Change the assembly capacity per working day and re-plan, in one transaction."""
    if not isinstance(capacity, int) or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise InvalidCapacity(f"Capacity must be between {MIN_CAPACITY} and {MAX_CAPACITY} bikes a day.")
    with unit_of_work():
        setting = db.session.get(Setting, CAPACITY_KEY)
        if setting is None:
            db.session.add(Setting(key=CAPACITY_KEY, value=str(capacity)))
        else:
            setting.value = str(capacity)
        result = replan_in_transaction(now, cause="capacity changed")
    return result


# built once: a statement's construction costs more than running it on a small plan
_START = select(plan_version.STAMP_COLUMN, CAPACITY_COLUMN, *HISTORY_COLUMNS)
_AWAITED_PARTS = (
    select(
        PartLine.work_order_id,
        Component.sku,
        Component.name,
        PurchaseRequest.expected_date,
        PurchaseRequest.original_expected_date,
    )
    .join(Component, Component.id == PartLine.component_id)
    .join(PurchaseRequest, PurchaseRequest.id == PartLine.purchase_request_id)
    .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
    .where(PartLine.state == PartLineState.AWAITING, WorkOrder.stage.in_(OPEN_STAGES))
)
_OPEN_WORK_ORDERS = (
    select(
        WorkOrder.id,
        WorkOrder.order_id,
        WorkOrder.stage,
        WorkOrder.test_round,
        WorkOrder.planned_parts_date,
        WorkOrder.planned_assembly_date,
        WorkOrder.planned_testing_date,
        WorkOrder.planned_ship_date,
        WorkOrder.planned_delivery_date,
        Order.paid_at,
        Order.promised_earliest,
        Order.promised_latest,
        Order.forecast_earliest,
        Order.forecast_latest,
        Order.forecast_reason,
        Order.slip_notified_latest,
    )
    .join(Order, Order.id == WorkOrder.order_id)
    .where(WorkOrder.stage.in_(OPEN_STAGES))
)

_ONE_AWAITED = _AWAITED_PARTS.where(PartLine.work_order_id == bindparam("work_order_id"))
_ONE_OPEN = _OPEN_WORK_ORDERS.where(WorkOrder.id == bindparam("work_order_id"))


def _load(today: date, learnt: Learned, work_order_id: int | None = None) -> tuple[list[Job], dict[int, _Row]]:
    """Open work orders (or the one `work_order_id`, if open) and the supplier deliveries they wait for, in two
    plain selects."""
    waits: dict[int, list[PartWait]] = {}
    connection = db.session.connection()  # plain columns: the ORM's result machinery would add nothing here
    one = None if work_order_id is None else {"work_order_id": work_order_id}
    awaiting = connection.execute(_AWAITED_PARTS if one is None else _ONE_AWAITED, one)
    for wo_id, sku, name, expected, original in awaiting:
        # an overdue delivery is late too, even before the supplier names a new date
        delayed = expected > original or expected < today
        waits.setdefault(wo_id, []).append(PartWait(name, expected, delayed, original, learnt.spread(sku)))
    jobs, rows = [], {}
    result = connection.execute(_OPEN_WORK_ORDERS if one is None else _ONE_OPEN, one)
    # rows are unpacked once: reading a Row's fields by name costs more than everything else done per job here
    for (
        wo_id,
        order_id,
        stage,
        test_round,
        parts_date,
        assembly_date,
        testing_date,
        ship_date,
        delivery_date,
        paid_at,
        promised_earliest,
        promised_latest,
        forecast_earliest,
        forecast_latest,
        forecast_reason,
        notified,
    ) in result:
        jobs.append(
            Job(
                work_order_id=wo_id,
                paid_at=paid_at,
                stage=stage,
                waits=tuple(waits.get(wo_id, ())),
                rework=test_round > 1,
                planned_assembly=assembly_date,
                planned_testing=testing_date,
                planned_ship=ship_date,
                promised_earliest=promised_earliest,
                promised_latest=promised_latest,
            )
        )
        rows[wo_id] = _Row(
            wo_id,
            order_id,
            (parts_date, assembly_date, testing_date, ship_date, delivery_date),
            (forecast_earliest, forecast_latest, forecast_reason),
            promised_latest,
            notified,
            stage != StageCode.SOURCING,
        )
    return jobs, rows


@dataclass
class _News:
    """Who hears what after a re-plan."""

    slipped: tuple[int, ...] = ()
    late_explained: tuple[int, ...] = ()
    back_on_track: tuple[int, ...] = ()


def _notice(p: JobPlan, row: _Row) -> tuple[str | None, date | None]:
    """("slip" | "back" | None, the latest day the customer will have been told of).

    A slip is told when the bike is late with the promise confidence, and again only when the forecast's latest
    day moves past the one told; good news follows once the forecast is back inside the promise."""
    if row.notified is None:
        return ("slip", p.latest) if p.soonest > row.promised_latest else (None, None)
    if p.latest <= row.promised_latest:
        return "back", None
    if p.soonest > row.promised_latest and p.latest > row.notified:
        return "slip", p.latest
    return None, row.notified


def _write(plans: list[JobPlan], rows: dict[int, _Row], explained: Mapping[int, str]) -> tuple[int, _News]:
    """Write only what changed, with one executemany per table; note who is to hear of a slip or good news."""
    wo_params, order_params = [], []
    slipped, late_explained, back = [], [], []
    for p in plans:
        row = rows[p.work_order_id]
        parts = min(p.parts_ready, row.planned[0]) if row.parts_in else p.parts_ready
        planned = (parts, p.assembly, p.testing, p.ships, p.earliest)
        if planned != row.planned:
            wo_params.append((row.work_order_id, *planned))
        reason = p.reason
        if row.work_order_id in explained and (p.earliest, p.latest) != row.forecast[:2]:
            reason = explained[row.work_order_id]
        notice, notified = _notice(p, row)
        forecast = (p.earliest, p.latest, reason)
        if forecast != row.forecast or notified != row.notified:
            order_params.append((row.order_id, p.earliest, p.latest, reason, notified))
        if notice == "slip":
            (late_explained if row.work_order_id in explained else slipped).append(row.order_id)
        elif notice == "back":
            back.append(row.order_id)
    _bulk_update(WorkOrder.__table__, WORK_ORDER_PLAN, wo_params)
    _bulk_update(Order.__table__, ORDER_FORECAST, order_params)
    _expire({p[0] for p in wo_params}, {p[0] for p in order_params})
    return len(wo_params), _News(tuple(slipped), tuple(late_explained), tuple(back))


def _bulk_update(table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE `table` SET `columns` WHERE id, one row per (id, *values), through the driver's executemany.

    As SQLAlchemy would, it sets the table's `onupdate` columns (a work order's `updated_at`) and converts each
    value by its column's type; building SQLAlchemy's parameters row by row cost four times the update itself on
    a plan of 10,000 orders. Bypassing the ORM, it tells the plan stamp itself (`plan_version.note_bulk_write`)."""
    if not rows:
        return
    stamped = [c for c in table.c if c.onupdate is not None and c.name not in columns]
    if stamped:
        now = tuple(c.onupdate.arg(None) if c.onupdate.is_callable else c.onupdate.arg for c in stamped)
        columns, rows = (*columns, *(c.name for c in stamped)), [(*row, *now) for row in rows]
    connection = db.session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{quote(name)} = {mark}" for name in columns)
    sql = f"UPDATE {quote(table.name)} SET {assignments} WHERE {quote('id')} = {mark}"
    convert = [_converter(table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in columns]
    params = [(*(to(value) for to, value in zip(convert, values, strict=True)), row_id) for row_id, *values in rows]
    connection.exec_driver_sql(sql, params)
    plan_version.note_bulk_write(db.session, table.name)


def _converter(process: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    """A column type's bind processor, remembering each distinct value's result: a plan repeats few dates."""
    if process is None:
        return lambda value: value
    done: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = done.get(value, done)
        if found is done:
            found = done[value] = process(value)
        return found

    return convert


def _tell_customers(news: _News, now: datetime) -> None:
    """One slip email per new latest day; one "back on track" update (on the status page too) per recovery."""
    ids = (*news.slipped, *news.back_on_track)
    if not ids:
        return
    orders = db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)).all()
    for order in orders:
        if order.id in news.slipped:
            _tell_customer(order)
        else:
            _back_on_track(order, now)


def _back_on_track(order: Order, now: datetime) -> None:
    note = (
        f"Back on track: we now expect your bike {order.forecast_earliest:%a %d %b} to "
        f"{order.forecast_latest:%a %d %b %Y}, inside the window we promised."
    )
    event = WorkOrderEvent(work_order=order.work_order, at=now, action="forecast", note=note, customer_visible=True)
    db.session.add(event)
    db.session.flush()
    queue_customer_update(order, event)


def _expire(work_order_ids: set[int], order_ids: set[int]) -> None:
    """Loaded objects would show the old plan after a core UPDATE; expire the ones that changed."""
    for key, obj in list(db.session.identity_map.items()):
        model, identity = key[0], key[1][0]  # read the key, not obj.id, which would reload an expired object
        if (model is WorkOrder and identity in work_order_ids) or (model is Order and identity in order_ids):
            db.session.expire(obj)


def _tell_customer(order: Order) -> None:
    """One email per slip: the dedupe key names the new latest day, so a repeat re-plan queues nothing."""
    enqueue_mail(
        order.email,
        f"Order {order.number}: new delivery date",
        "delivery_slip",
        f"slip:{order.id}:{order.forecast_latest}",
        order=order,
        status_link=status_url(order),
        shop_name=live_catalog().shop_name,
    )
