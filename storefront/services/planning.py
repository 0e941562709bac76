"""Re-planning: recompute every open work order's slot and every order's forecast, and tell customers of slips.

Entry points, for every service that changes something the plan depends on:
- `replan(now, cause)` runs in a unit of work of its own and commits (the nightly `flask replan`, tools);
- `replan_in_transaction(now, cause)` does the same work inside the caller's transaction, without committing
  (payment, parts received, a supplier date changed, a failed test, a cancellation).

The promise (`Order.promised_*`) is fixed at payment and never written here; only the forecast moves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select, update

from ..domain.planning import Job, JobPlan, PartWait, plan
from ..domain.statuses import PartLineState
from ..extensions import db
from ..mail.outbox import enqueue_mail
from ..models import OPEN_STAGES, Component, Order, PartLine, PurchaseRequest, Setting, WorkOrder
from ..timeutil import local_date
from .catalog import CAPACITY_KEY, assembly_capacity, live_catalog
from .links import status_url
from .unit_of_work import unit_of_work

MIN_CAPACITY, MAX_CAPACITY = 1, 50
PLAN_PARAMS = ("b_parts", "b_assembly", "b_testing", "b_ship", "b_delivery")


class InvalidCapacity(ValueError):
    """Assembly capacity must be a whole number of bikes per working day, from 1 to 50."""


@dataclass(frozen=True)
class ReplanResult:
    cause: str | None
    jobs: int  # open work orders planned
    moved: int  # work orders whose planned dates changed
    slipped: tuple[int, ...]  # order ids whose customers were told of a new slip


@dataclass
class _Row:
    work_order_id: int
    order_id: int
    planned: tuple[date, ...]  # parts, assembly, testing, ship, delivery
    forecast: tuple[date, date, str | None]
    promised_latest: date


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
    catalog = live_catalog()
    today = local_date(now, catalog.timezone)
    db.session.flush()
    jobs, rows = _load(today)
    plans = plan(jobs, catalog.workshop, assembly_capacity(catalog), today)
    moved, slipped = _write(plans, rows, explained or {})
    return ReplanResult(cause, len(jobs), moved, tuple(slipped))


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


def _load(today: date) -> tuple[list[Job], dict[int, _Row]]:
    """Open work orders and the supplier deliveries they wait for, in two plain selects."""
    waits: dict[int, list[PartWait]] = {}
    awaiting = db.session.execute(
        select(
            PartLine.work_order_id,
            Component.name,
            PurchaseRequest.expected_date,
            PurchaseRequest.original_expected_date,
        )
        .join(Component, Component.id == PartLine.component_id)
        .join(PurchaseRequest, PurchaseRequest.id == PartLine.purchase_request_id)
        .join(WorkOrder, WorkOrder.id == PartLine.work_order_id)
        .where(PartLine.state == PartLineState.AWAITING, WorkOrder.stage.in_(OPEN_STAGES))
    )
    for wo_id, name, expected, original in awaiting:
        # an overdue delivery is late too, even before the supplier names a new date
        waits.setdefault(wo_id, []).append(PartWait(name, expected, expected > original or expected < today))
    jobs, rows = [], {}
    result = db.session.execute(
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
        )
        .join(Order, Order.id == WorkOrder.order_id)
        .where(WorkOrder.stage.in_(OPEN_STAGES))
    )
    for r in result:
        jobs.append(
            Job(
                work_order_id=r.id,
                paid_at=r.paid_at,
                stage=r.stage,
                waits=tuple(waits.get(r.id, ())),
                rework=r.test_round > 1,
                planned_testing=r.planned_testing_date,
                planned_ship=r.planned_ship_date,
                promised_earliest=r.promised_earliest,
            )
        )
        rows[r.id] = _Row(
            r.id,
            r.order_id,
            (r.planned_parts_date, r.planned_assembly_date, r.planned_testing_date, r.planned_ship_date)
            + (r.planned_delivery_date,),
            (r.forecast_earliest, r.forecast_latest, r.forecast_reason),
            r.promised_latest,
        )
    return jobs, rows


def _write(plans: list[JobPlan], rows: dict[int, _Row], explained: Mapping[int, str]) -> tuple[int, list[int]]:
    """Write only what changed, with one executemany per table; queue one email per new slip."""
    wo_params, order_params, slipped = [], [], []
    for p in plans:
        row = rows[p.work_order_id]
        planned = (p.parts_ready, p.assembly, p.testing, p.ships, p.earliest)
        if planned != row.planned:
            wo_params.append({"b_id": row.work_order_id, **dict(zip(PLAN_PARAMS, planned, strict=True))})
        reason = p.reason
        if row.work_order_id in explained and (p.earliest, p.latest) != row.forecast[:2]:
            reason = explained[row.work_order_id]
        forecast = (p.earliest, p.latest, reason)
        if forecast != row.forecast:
            order_params.append(
                {"b_id": row.order_id, "b_earliest": p.earliest, "b_latest": p.latest, "b_reason": reason}
            )
            newly_late = p.latest > row.promised_latest and p.latest > row.forecast[1]
            if newly_late and row.work_order_id not in explained:
                slipped.append(row.order_id)
    if wo_params:
        table = WorkOrder.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                planned_parts_date=bindparam("b_parts"),
                planned_assembly_date=bindparam("b_assembly"),
                planned_testing_date=bindparam("b_testing"),
                planned_ship_date=bindparam("b_ship"),
                planned_delivery_date=bindparam("b_delivery"),
            ),
            wo_params,
        )
    if order_params:
        table = Order.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                forecast_earliest=bindparam("b_earliest"),
                forecast_latest=bindparam("b_latest"),
                forecast_reason=bindparam("b_reason"),
            ),
            order_params,
        )
    _expire({p["b_id"] for p in wo_params}, {p["b_id"] for p in order_params})
    if slipped:
        for order in db.session.scalars(select(Order).where(Order.id.in_(slipped)).order_by(Order.id)):
            _tell_customer(order)
    return len(wo_params), slipped


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
