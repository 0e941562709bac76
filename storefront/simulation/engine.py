"""A synthetic workshop that runs the real services day by day against a fresh database.

Each calendar day: the nightly `replan` runs; carriers deliver and staff mark bikes delivered; suppliers
announce delays (three days ahead, `inventory.change_expected_date`) and deliver on their real day
(`inventory.receive`); customers quote and pay (`services.quote.quote` then `services.orders.place_order`); on
working days staff ship (`workshop.ship`), fill in the test checklist (a few tests fail and go back to
assembly: `workshop.record_checklist`, then `pass_testing` or `rework`) and assemble at capacity in plan order
(`start_assembly`, `start_testing`); and each Monday stock is reordered by the forecast's suggested quantities
(`inventory.create_purchase_request`). Every service re-plans as it does in the shop.

Customers, suppliers and the workshop each draw from their own seeded `random.Random`, so a seed always
gives the same figures, and the same customers whatever the shop's policy.
"""

from __future__ import annotations

import math
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from ..domain.accuracy import Accuracy
from ..domain.calendar import add_working_days, is_working_day
from ..domain.stages import StageCode
from ..domain.statuses import CheckoutStatus, PartLineState, PurchaseRequestStatus
from ..extensions import db
from ..models import (
    OPEN_STAGES,
    Component,
    Order,
    OutboxMessage,
    PartLine,
    PurchaseRequest,
    WorkOrder,
    WorkOrderEvent,
)
from ..services.catalog import assembly_capacity, live_catalog, load_catalog_file
from ..services.checkout import Customer, new_checkout
from ..services.forecast import component_forecasts, promise_accuracy
from ..services.orders import place_order
from ..services.planning import replan
from ..services.quote import quote
from . import actions

# (weight, build): a plausible mix of what customers choose
BUILDS = (
    (30, {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}),
    (20, {"frame": ["high-step"], "motor": ["mid-500"], "battery": ["b625"], "color": ["glacier"],
          "accessories": ["rack"]}),
    (15, {"frame": ["step-through"], "motor": ["mid-500"], "battery": ["b625"], "color": ["racing-red"],
          "accessories": ["fenders", "lights"]}),
    (10, {"frame": ["cargo"], "motor": ["mid-750"], "battery": ["b750"], "color": ["graphite"],
          "accessories": ["child-seat"]}),
    (10, {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["custom"], "ral": ["RAL 5015"]}),
    (15, {"frame": ["high-step"], "motor": ["mid-750"], "battery": ["b750"], "color": ["graphite"],
          "accessories": ["lock"]}),
)  # fmt: skip
# working days late a supplier delivery arrives, and how often
SUPPLIER_DELAYS = ((0, 0.62), (1, 0.18), (2, 0.09), (3, 0.05), (4, 0.03), (6, 0.02), (9, 0.01))
DEFAULT_RATE = 3.2
STREAMS = ("customers", "suppliers", "workshop")
NOTICE_DAYS = 3  # suppliers announce a delay this many calendar days before the date they first gave
ADDRESS = {
    "line1": "1 Test Lane",
    "line2": "",
    "city": "Albany",
    "postal_code": "12207",
    "region": "NY",
    "country": "US",
}


@dataclass(frozen=True)
class SimConfig:
    days: int = 90
    seed: int = 1
    # Orders per working day on average, arriving on all seven days. 3.2 is 80% of the default assembly capacity
    # of 4: a make-to-order shop near 100% has a backlog, and quoted lead times, that grow without bound.
    rate: float = DEFAULT_RATE
    test_fail_rate: float = 0.05
    start: date = date(2027, 3, 1)
    database_url: str | None = None  # a fresh temporary SQLite file when None


@dataclass
class SimReport:
    config: SimConfig
    months: list[Accuracy]
    total: Accuracy
    orders: int = 0
    open_at_end: int = 0
    slip_emails: int = 0
    supplier_orders: int = 0
    late_supplier_orders: int = 0
    seconds: float = 0.0
    events: dict[str, int] = field(default_factory=dict)  # work-order events by action, as the services wrote them

    def lines(self) -> list[str]:
        """The figures as printed by `flask simulate`, the accuracy rows matching the back-office report."""
        c, t = self.config, self.total
        out = [
            f"Simulated {c.days} days from {c.start} with seed {c.seed}, {c.rate} orders per working day, "
            f"{c.test_fail_rate:.0%} of tests failing.",
            f"Orders {self.orders}, delivered {t.delivered}, still open {self.open_at_end}; supplier orders "
            f"{self.supplier_orders} ({self.late_supplier_orders} late); slip emails {self.slip_emails}; "
            f"supplier-delay notices {self.events.get('forecast', 0)}.",
            f"Tests {self.events.get('checklist', 0)} ({self.events.get('rework', 0)} failed, reworked); "
            f"shipped {self.events.get('ship', 0)}.",
            f"{'month':<8} {'bikes':>5} {'on time':>8} {'days off':>9} {'quoted':>7} {'actual':>7}",
        ]
        for row in [*self.months, t]:
            out.append(
                f"{row.label:<8} {row.delivered:>5} {row.on_time_pct:>7.1f}% {row.mean_days_off:>+9.2f} "
                f"{row.quoted_lead_days:>7.1f} {row.actual_lead_days:>7.1f}"
            )
        out.append(f"({self.seconds:.1f} s)")
        return out


def run(config: SimConfig, make_app: Callable[[dict], Flask]) -> SimReport:
    """Run the whole simulation in an app of its own (made by `make_app`, the app factory) and its own database."""
    started = time.perf_counter()
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        url = config.database_url or f"sqlite:///{Path(tmp) / 'simulation.db'}"
        app = make_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "simulation", "FIXED_NOW": None})
        with app.app_context():
            _fresh_schema()
            load_catalog_file(app.config["CATALOG_PATH"])
            try:
                report = Workshop(app, config).run()
            finally:
                db.session.remove()
                db.engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _fresh_schema() -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            for table in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all():
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
    upgrade()


class Workshop:
    def __init__(self, app, config: SimConfig) -> None:
        self.app, self.config = app, config
        # One stream per source of chance, so a change in one (a new purchase request, a failed test) leaves
        # the others alone: the same seed brings the same customers whatever the shop's policy.
        self.customer_rng, self.supplier_rng, self.test_rng = (random.Random(f"{config.seed}:{s}") for s in STREAMS)
        self.catalog = live_catalog()
        self.tz = ZoneInfo(self.catalog.timezone)
        self.real_arrival: dict[int, date] = {}
        self.delivery_day: dict[int, date] = {}
        self.orders = 0

    def run(self) -> SimReport:
        for n in range(self.config.days):
            self.day(self.config.start + timedelta(days=n))
        months, total = promise_accuracy()
        late = sum(1 for pr_id, day in self.real_arrival.items() if day > self._first_date(pr_id))
        return SimReport(
            self.config,
            months,
            total,
            orders=self.orders,
            open_at_end=db.session.scalar(
                select(func.count()).select_from(WorkOrder).where(WorkOrder.stage.in_(OPEN_STAGES))),
            slip_emails=db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.like("slip:%"))
            ),
            supplier_orders=len(self.real_arrival),
            late_supplier_orders=late,
            events=dict(db.session.execute(select(WorkOrderEvent.action, func.count()).where(
                WorkOrderEvent.customer_visible | (WorkOrderEvent.action == "checklist")).group_by(
                WorkOrderEvent.action)).all()),
        )  # fmt: skip

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), self.tz).astimezone(UTC)

    def clock(self, moment: datetime) -> datetime:
        """Pin the shop's clock: the services stamp and plan with `clock.now()`."""
        self.app.config["FIXED_NOW"] = moment
        return moment

    def day(self, today: date) -> None:
        morning = self.clock(self.at(today, 7))
        working = is_working_day(today, self.catalog.workshop)
        replan(morning, cause="scheduled")  # the nightly `flask replan`: releases the slots of days gone by
        self._deliveries(today)
        self.clock(self.at(today, 8))
        self._suppliers(today, working)
        for n in range(self._poisson(self.config.rate * 5 / 7)):
            self._customer(today, self.clock(self.at(today, 9, n)))
        if working:
            self.clock(self.at(today, 17))
            self._staff(today)
            if today.weekday() == 0:
                self._reorder(today)

    def _poisson(self, mean: float) -> int:
        limit, count, product = math.exp(-mean), 0, self.customer_rng.random()
        while product > limit:
            count += 1
            product *= self.customer_rng.random()
        return count

    def _first_date(self, pr_id: int) -> date:
        return db.session.get(PurchaseRequest, pr_id).original_expected_date

    def _suppliers(self, today: date, working: bool) -> None:
        """Suppliers announce delays `NOTICE_DAYS` ahead, and deliver on working days; staff book both."""
        open_requests = db.session.execute(
            select(PurchaseRequest.id, PurchaseRequest.expected_date)
            .where(PurchaseRequest.status == PurchaseRequestStatus.OPEN)
            .order_by(PurchaseRequest.id)
        ).all()
        for pr_id, expected in open_requests:
            if pr_id not in self.real_arrival:
                delay = self.supplier_rng.choices([d for d, _ in SUPPLIER_DELAYS], [w for _, w in SUPPLIER_DELAYS])[0]
                self.real_arrival[pr_id] = add_working_days(expected, delay, self.catalog.workshop)
            real = self.real_arrival[pr_id]
            if real > expected and today >= expected - timedelta(days=NOTICE_DAYS):
                actions.change_supplier_date(pr_id, real, "the supplier announced a later delivery")
            if working and real <= today:
                actions.receive(pr_id)

    def _deliveries(self, today: date) -> None:
        """The carrier delivers; staff mark the bike delivered."""
        for wo_id, day in sorted(self.delivery_day.items()):
            if day <= today:
                actions.deliver(wo_id)
                del self.delivery_day[wo_id]

    def _customer(self, today: date, paid_at: datetime) -> None:
        build = self.customer_rng.choices([b for _, b in BUILDS], [w for w, _ in BUILDS])[0]
        current = quote(build, today)
        self.orders += 1
        customer = Customer(f"Customer {self.orders}", f"customer{self.orders}@example.com", None, dict(ADDRESS))
        checkout_id = uuid.UUID(int=self.customer_rng.getrandbits(128)).hex
        checkout = new_checkout(current, customer, "test", checkout_id)
        checkout.status = CheckoutStatus.FULFILLED
        session_id = f"cs_sim_{checkout.id}"
        checkout.stripe_session_id = session_id
        place_order(checkout, self.catalog, session_id=session_id, payment_reference=None, paid_at=paid_at)
        db.session.commit()
        db.session.remove()

    def _staff(self, today: date) -> None:
        """Ship yesterday's tested bikes, test yesterday's builds, then fill today's assembly slots in plan order."""
        open_wos = db.session.execute(
            select(WorkOrder.id, WorkOrder.stage, WorkOrder.stage_entered_at)
            .join(Order, Order.id == WorkOrder.order_id)
            .where(WorkOrder.stage.in_(OPEN_STAGES))
            .order_by(WorkOrder.planned_assembly_date, Order.paid_at, WorkOrder.id)
        ).all()
        waiting = set(
            db.session.scalars(select(PartLine.work_order_id).where(PartLine.state == PartLineState.AWAITING))
        )
        db.session.remove()
        started_today, stage = self.at(today, 0), {}
        for wo_id, stage[wo_id], entered in open_wos:
            if stage[wo_id] == StageCode.SHIPPING and entered < started_today:
                actions.ship(wo_id, self.test_rng)
                self.delivery_day[wo_id] = add_working_days(
                    today, self.catalog.workshop.transit_days, self.catalog.workshop
                )
            elif stage[wo_id] == StageCode.TESTING and entered < started_today:
                passed = actions.record_test(wo_id, self.test_rng, self.config.test_fail_rate)
                stage[wo_id] = StageCode.SHIPPING if passed else StageCode.ASSEMBLY
        rework = [wo_id for wo_id, _, _ in open_wos if stage[wo_id] == StageCode.ASSEMBLY]
        ready = [wo_id for wo_id, _, _ in open_wos if stage[wo_id] == StageCode.SOURCING and wo_id not in waiting]
        for wo_id in (rework + ready)[: assembly_capacity(self.catalog)]:
            if stage[wo_id] == StageCode.SOURCING:
                actions.start_assembly(wo_id)
            actions.finish_assembly(wo_id)

    def _reorder(self, today: date) -> None:
        """Each Monday, order what the forecast suggests, due after each component's supplier lead time."""
        for result in component_forecasts(self.at(today, 17)):
            if result.reorder_quantity > 0:
                component = db.session.scalar(select(Component).where(Component.sku == result.position.sku))
                expected = add_working_days(today, component.lead_time_days, self.catalog.workshop)
                actions.reorder(component.id, result.reorder_quantity, expected)
