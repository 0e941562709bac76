"""A synthetic workshop that runs the real services day by day against a fresh database.

Each calendar day: carriers deliver; suppliers announce delays (three days ahead) and deliver on their real
day; customers quote and pay (`services.quote.quote` then `services.orders.place_order`, which re-plans);
on working days staff ship, test (a few tests fail and go back to assembly) and assemble at capacity in plan
order, pulling ready jobs forward into spare slots; the plan is re-planned after every kind of event; and each
Monday stock is reordered by the forecast's suggested quantities. Everything random comes from one seeded
`random.Random`, so a seed always gives the same figures.
"""

from __future__ import annotations

import math
import random
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from .. import create_app
from ..domain.accuracy import Accuracy
from ..domain.calendar import add_working_days, is_working_day
from ..extensions import db
from ..models import Checkout, Component, Order, OutboxMessage, PurchaseRequest, WorkOrder
from ..services.catalog import assembly_capacity, live_catalog, load_catalog_file
from ..services.forecast import component_forecasts, promise_accuracy
from ..services.orders import place_order
from ..services.planning import replan
from ..services.quote import quote, snapshot
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
    rate: float = 4.0  # orders per working day on average, arriving on all seven days
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
    figures: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The figures as printed by `flask simulate`, the accuracy rows matching the back-office report."""
        c, t = self.config, self.total
        out = [
            f"Simulated {c.days} days from {c.start} with seed {c.seed}, {c.rate} orders per working day, "
            f"{c.test_fail_rate:.0%} of tests failing.",
            f"Orders {self.orders}, delivered {t.delivered}, still open {self.open_at_end}; supplier orders "
            f"{self.supplier_orders} ({self.late_supplier_orders} late); slip emails {self.slip_emails}.",
            f"{'month':<8} {'bikes':>5} {'on time':>8} {'days off':>9} {'quoted':>7} {'actual':>7}",
        ]
        for row in [*self.months, t]:
            out.append(
                f"{row.label:<8} {row.delivered:>5} {row.on_time_pct:>7.1f}% {row.mean_days_off:>+9.2f} "
                f"{row.quoted_lead_days:>7.1f} {row.actual_lead_days:>7.1f}"
            )
        out.append(f"({self.seconds:.1f} s)")
        return out


def run(config: SimConfig) -> SimReport:
    """Run the whole simulation in its own app and database; returns the figures."""
    started = time.perf_counter()
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        url = config.database_url or f"sqlite:///{Path(tmp) / 'simulation.db'}"
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "simulation", "FIXED_NOW": None})
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
        self.rng = random.Random(config.seed)
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
            open_at_end=db.session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.stage.in_(
                ("sourcing", "assembly", "testing", "shipping")))),
            slip_emails=db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key.like("slip:%"))
            ),
            supplier_orders=len(self.real_arrival),
            late_supplier_orders=late,
        )  # fmt: skip

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), self.tz).astimezone(UTC)

    def day(self, today: date) -> None:
        morning = self.at(today, 8)
        self.app.config["FIXED_NOW"] = morning
        working = is_working_day(today, self.catalog.workshop)
        self._deliveries(today, morning)
        if self._suppliers(today, morning, working):
            replan(morning, cause="supplier")
        for n in range(self._poisson(self.config.rate * 5 / 7)):
            self._customer(today, self.at(today, 9, n))
        if working:
            self._staff(today, self.at(today, 17))
            replan(self.at(today, 17), cause="stage changes")
            if today.weekday() == 0:
                self._reorder(today)

    def _poisson(self, mean: float) -> int:
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def _first_date(self, pr_id: int) -> date:
        return db.session.get(PurchaseRequest, pr_id).original_expected_date

    def _suppliers(self, today: date, now: datetime, working: bool) -> bool:
        changed = False
        for pr in db.session.scalars(
            select(PurchaseRequest).where(PurchaseRequest.status == "open").order_by(PurchaseRequest.id)
        ):
            if pr.id not in self.real_arrival:
                delay = self.rng.choices([d for d, _ in SUPPLIER_DELAYS], [w for _, w in SUPPLIER_DELAYS])[0]
                self.real_arrival[pr.id] = add_working_days(pr.expected_date, delay, self.catalog.workshop)
            real = self.real_arrival[pr.id]
            if real > pr.expected_date and today >= pr.expected_date - timedelta(days=NOTICE_DAYS):
                actions.change_supplier_date(pr, real, "supplier announced a delay")
                changed = True
            if working and real <= today:
                actions.receive(pr, now)
                changed = True
        return changed

    def _deliveries(self, today: date, now: datetime) -> None:
        for wo_id, day in sorted(self.delivery_day.items()):
            if day <= today:
                actions.deliver(db.session.get(WorkOrder, wo_id), now)
                del self.delivery_day[wo_id]
        db.session.commit()

    def _customer(self, today: date, paid_at: datetime) -> None:
        build = self.rng.choices([b for _, b in BUILDS], [w for w, _ in BUILDS])[0]
        current = quote(build, today)
        frozen = snapshot(current)
        self.orders += 1
        checkout = Checkout(
            id=uuid.UUID(int=self.rng.getrandbits(128)).hex,
            provider="test",
            status="fulfilled",
            snapshot=frozen,
            total_cents=frozen["total_cents"],
            currency=frozen["currency"],
            customer_name=f"Customer {self.orders}",
            email=f"customer{self.orders}@example.com",
            phone=None,
            address=dict(ADDRESS),
        )
        db.session.add(checkout)
        session_id = f"cs_sim_{checkout.id}"
        checkout.stripe_session_id = session_id
        place_order(checkout, self.catalog, session_id=session_id, payment_reference=None, paid_at=paid_at)
        db.session.commit()

    def _staff(self, today: date, now: datetime) -> None:
        open_wos = db.session.scalars(
            select(WorkOrder)
            .join(Order, Order.id == WorkOrder.order_id)
            .where(WorkOrder.stage.in_(("sourcing", "assembly", "testing", "shipping")))
            .order_by(WorkOrder.planned_assembly_date, Order.paid_at, WorkOrder.id)
        ).all()
        started_today = self.at(today, 0)
        for wo in open_wos:
            if wo.stage == "shipping" and wo.stage_entered_at < started_today:
                actions.ship(wo, now)
                self.delivery_day[wo.id] = add_working_days(
                    today, self.catalog.workshop.transit_days, self.catalog.workshop
                )
            elif wo.stage == "testing" and wo.stage_entered_at < started_today:
                actions.record_test(wo, self.rng.random() >= self.config.test_fail_rate, now)
        slots = assembly_capacity(self.catalog)
        rework = [wo for wo in open_wos if wo.stage == "assembly"]
        ready = [wo for wo in open_wos if wo.stage == "sourcing" and actions.all_parts_reserved(wo)]
        for wo in (rework + ready)[:slots]:
            if wo.stage == "sourcing":
                actions.start_assembly(wo, now)
            actions.finish_assembly(wo, now)

    def _reorder(self, today: date) -> None:
        for result in component_forecasts(self.at(today, 17)):
            if result.reorder_quantity > 0:
                component = db.session.scalar(select(Component).where(Component.sku == result.position.sku))
                expected = add_working_days(today, component.lead_time_days, self.catalog.workshop)
                actions.reorder(component, result.reorder_quantity, expected)
        db.session.commit()
