"""A synthetic workshop that runs the real services day by day against a fresh database.

Each calendar day: the nightly `replan` runs; carriers deliver and staff mark bikes delivered; suppliers
announce delays (three days ahead, `inventory.change_expected_date`) and deliver on their real day
(`inventory.receive`); customers quote and pay (`services.quote.quote` then `services.orders.place_order`); on
working days staff ship (`workshop.ship`), fill in the test checklist (a few tests fail and go back to
assembly: `workshop.record_checklist`, then `pass_testing` or `rework`) and assemble at capacity in plan order
(`start_assembly`, `start_testing`); and each Monday stock is reordered by the forecast's suggested quantities
(`inventory.create_purchase_request`). Every service re-plans as it does in the shop.

Customers and suppliers each draw from their own seeded `random.Random`, and each bike's luck in the workshop
(an overrun, a failed test, the carrier's days) from a stream of its own, keyed by the seed and its work order. So
a seed always gives the same figures, and the same customers and the same luck for each bike whatever the
shop's policy: two planners are compared on the same bikes, not on whichever bikes their plans put first.
"""

from __future__ import annotations

import math
import random
import statistics
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
from ..domain.calendar import add_working_days, is_working_day, working_days_between
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
from ..services.quote import cached_quote
from ..timeutil import local_date
from . import actions

STAFF_HOUR = 16  # staff book the day's work at 16:00 shop time; customers come before and after

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
# Three suppliers, told apart by the component's sku prefix as the demo catalog names them (frames and paint from
# Brandt Frameworks, motors and batteries from Volta Drive Systems, the rest from Harbor Cycle Parts): (working days
# late, weight)
SUPPLIERS = {
    "reliable": ((0, 0.90), (1, 0.08), (2, 0.02)),
    "often late": ((0, 0.50), (1, 0.22), (2, 0.15), (3, 0.09), (4, 0.04)),
    "rare long delays": ((0, 0.88), (1, 0.05), (8, 0.04), (12, 0.03)),
}
SUPPLIER_OF = {"FRAME": "reliable", "PNT": "reliable", "MOT": "often late", "BAT": "often late"}  # else: rare long
# customers per hour of the day (shop time): a lunchtime bump and an evening peak; weekends bring 1.5x a weekday
HOURLY = (1, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 5, 7, 6, 5, 5, 5, 6, 8, 10, 11, 10, 7, 3)
WEEKEND_FACTOR = 1.5
TRANSIT = ((2, 0.15), (3, 0.60), (4, 0.18), (5, 0.07))  # working days with the carrier
OVERRUN = 0.10  # share of assemblies, and separately of tests, that take a working day longer
DEFAULT_RATE = 3.2
WARM_UP_DAYS = 60
SCENARIOS = {"default": (DEFAULT_RATE, 1.0), "busy": (3.6, 1.0), "unreliable": (DEFAULT_RATE, 2.0)}  # rate, lateness
STREAMS = ("customers", "suppliers")
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
    start: date = date(2027, 3, 1)  # the first scored day; the warm-up runs before it
    database_url: str | None = None  # a fresh temporary SQLite file when None
    warm_up_days: int = WARM_UP_DAYS  # orders paid in these days are not scored: the shop learns from them
    late_factor: float = 1.0  # how much more often than usual suppliers are late (2.0 in `unreliable`)
    scenario: str = "default"

    @classmethod
    def for_scenario(cls, scenario: str, **kwargs) -> SimConfig:
        """`default` (80% of the assembly slots), `busy` (90%, more than the workshop builds once overruns and
        reworks take their bench days: `bikes_per_working_day`) or `unreliable` (suppliers late twice as often)."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}: choose one of {', '.join(SCENARIOS)}")
        rate, late = SCENARIOS[scenario]
        return cls(**{"rate": rate, "late_factor": late, "scenario": scenario, **kwargs})


def extra_bench_days(test_fail_rate: float) -> float:
    """Bench days a build holds beyond its first, on average: an overrun (`OVERRUN`), and one more day for each
    failed test, a reworked bike being tested again until it passes."""
    return OVERRUN + test_fail_rate / (1 - test_fail_rate)


def bikes_per_working_day(capacity: int, test_fail_rate: float) -> float:
    """What the workshop builds a working day when it never runs out of work: its benches over the bench days a
    build holds. An order rate above it grows the backlog without bound."""
    return capacity / (1 + extra_bench_days(test_fail_rate))


def supplier_delays(sku: str, late_factor: float) -> tuple[list[int], list[float]]:
    """Working days late and their weights for the supplier of `sku`; late outcomes `late_factor` times as often."""
    profile = SUPPLIERS[SUPPLIER_OF.get(sku.split("-")[0], "rare long delays")]
    late = [(d, w * late_factor) for d, w in profile if d > 0]
    on_time = max(0.0, 1.0 - sum(w for _, w in late))
    return [0, *(d for d, _ in late)], [on_time, *(w for _, w in late)]


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
    # work-order events by action, as the services wrote them: those customers see, checklists and re-plan notes
    events: dict[str, int] = field(default_factory=dict)
    scores: dict[str, float | int] = field(default_factory=dict)  # the scored orders' figures (`simulate --json`)
    breakdown: dict[str, dict] = field(default_factory=dict)  # where early, in-window and late bikes met the plan
    warning: str | None = None

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


def score(start: date, end: date, catalog) -> dict[str, float | int]:
    """The figures of orders paid from `start` on (the warm-up's are not scored), as `simulate --json` prints them.

    An order still undelivered at `end` whose promised latest day has passed counts as late (by its forecast, in
    `late_working_days_*`); one whose promise is still ahead is not scored. A slip notice is a "later than we
    promised" email from the planner, or a customer-visible supplier-delay update.
    """
    tz, ws = catalog.timezone, catalog.workshop
    rows = db.session.execute(
        select(
            Order.id,
            Order.paid_at,
            Order.promised_earliest,
            Order.promised_latest,
            WorkOrder.delivered_at,
            Order.forecast_latest,
        )
        .join(WorkOrder, WorkOrder.order_id == Order.id)
        .where(_paid_from(start, tz))
    ).all()
    noticed = _slip_noticed()
    scored, late_by = [], []
    for order_id, paid, earliest, latest, delivered_at, forecast_latest in rows:
        delivered = local_date(delivered_at, tz) if delivered_at else None
        if delivered is None and latest >= end:
            continue
        scored.append((order_id, local_date(paid, tz), earliest, latest, delivered))
        late = working_days_between(latest, delivered or forecast_latest, ws)  # still open: its forecast
        if late > 0:
            late_by.append(late)
    n = len(scored) or 1
    on_time = [r for r in scored if r[4] is not None and r[4] <= r[3]]
    delivered = [r for r in scored if r[4] is not None]
    return {
        "orders_scored": len(scored),
        "on_time_share": round(len(on_time) / n, 4),
        "in_window_share": round(sum(1 for r in delivered if r[2] <= r[4] <= r[3]) / n, 4),
        "early_share": round(sum(1 for r in delivered if r[4] < r[2]) / n, 4),
        "median_padding_working_days": _median([working_days_between(r[4], r[3], ws) for r in delivered]),
        "median_quoted_lead_days": _median([(r[3] - r[1]).days for r in scored]),
        "median_actual_lead_days": _median([(r[4] - r[1]).days for r in delivered]),
        "slip_notice_share": round(sum(1 for r in scored if r[0] in noticed) / n, 4),
        "false_alarm_share": round(sum(1 for r in on_time if r[0] in noticed) / n, 4),
        "late_working_days_mean": round(statistics.mean(late_by), 2) if late_by else 0.0,  # over late orders
        "late_working_days_max": max(late_by, default=0),
    }


def breakdown(start: date, catalog, at_payment: dict[int, tuple[date, date]]) -> dict[str, dict]:
    """For the scored, delivered bikes, grouped as early, in the window or late: how many working days after the
    plan made at payment their assembly started and they were delivered (value -> bikes), and how many had a
    reworked test. It shows which step a miss came from: the queue before assembly, or what follows it."""
    tz, ws = catalog.timezone, catalog.workshop
    rows = db.session.execute(
        select(
            WorkOrder.id,
            WorkOrder.assembly_started_at,
            WorkOrder.delivered_at,
            WorkOrder.test_round,
            Order.promised_earliest,
            Order.promised_latest,
        )
        .join(Order, Order.id == WorkOrder.order_id)
        .where(
            _paid_from(start, tz),
            WorkOrder.delivered_at.is_not(None),
        )
    ).all()
    groups = {name: {"bikes": 0, "assembly_slip": {}, "delivery_slip": {}, "reworked": 0} for name in OUTCOMES}
    for wo_id, started, delivered_at, test_round, earliest, latest in rows:
        planned_assembly, planned_delivery = at_payment[wo_id]
        delivered = local_date(delivered_at, tz)
        group = groups["early" if delivered < earliest else "late" if delivered > latest else "in window"]
        group["bikes"] += 1
        group["reworked"] += test_round > 1
        for key, planned, actual in (
            ("assembly_slip", planned_assembly, local_date(started, tz)),
            ("delivery_slip", planned_delivery, delivered),
        ):
            slip = working_days_between(planned, actual, ws)
            group[key][slip] = group[key].get(slip, 0) + 1
    for group in groups.values():
        for key in ("assembly_slip", "delivery_slip"):
            group[key] = dict(sorted(group[key].items()))
    return groups


OUTCOMES = ("early", "in window", "late")


def _paid_from(start: date, tz: str):
    """Scored orders: paid from the start of `start` in the shop's timezone (after the warm-up)."""
    return Order.paid_at >= datetime.combine(start, clock_time(0), ZoneInfo(tz)).astimezone(UTC)


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _slip_noticed() -> set[int]:
    """Orders told "later than we promised": by the planner's slip email or a visible supplier-delay update."""
    keys = db.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like("slip:%")))
    told = {int(key.split(":")[1]) for key in keys}
    told |= set(
        db.session.scalars(
            select(WorkOrder.order_id)
            .join(WorkOrderEvent, WorkOrderEvent.work_order_id == WorkOrder.id)
            .where(
                WorkOrderEvent.customer_visible,
                WorkOrderEvent.action == "forecast",
                WorkOrderEvent.note.like("New delivery estimate%"),
            )
        )
    )
    return told


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
        # the others alone; each bike's luck is its own (`_luck`).
        self.customer_rng, self.supplier_rng = (random.Random(f"{config.seed}:{s}") for s in STREAMS)
        self.catalog = live_catalog()
        self.tz = ZoneInfo(self.catalog.timezone)
        self.real_arrival: dict[int, date] = {}
        self.delivery_day: dict[int, date] = {}
        self.orders = 0
        self.test_overrun: set[int] = set()
        self.tests: dict[int, int] = {}
        self.at_payment: dict[int, tuple[date, date]] = {}  # work order -> (assembly, delivery) planned at payment
        self.first_day = config.start - timedelta(days=config.warm_up_days)
        self.end = config.start + timedelta(days=config.days)

    def run(self) -> SimReport:
        day = self.first_day
        while day < self.end:
            self.day(day)
            day += timedelta(days=1)
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
                WorkOrderEvent.customer_visible | WorkOrderEvent.action.in_(("checklist", "replanned"))).group_by(
                WorkOrderEvent.action)).all()),
            warning=self._capacity_warning(),
            scores={"scenario": self.config.scenario, "seed": self.config.seed, "days": self.config.days,
                    **score(self.config.start, self.end, self.catalog)},
            breakdown=breakdown(self.config.start, self.catalog, self.at_payment),
        )  # fmt: skip

    def _capacity_warning(self) -> str | None:
        capacity = assembly_capacity(self.catalog)
        throughput = bikes_per_working_day(capacity, self.config.test_fail_rate)
        if self.config.rate <= throughput:
            return None
        held = 1 + extra_bench_days(self.config.test_fail_rate)
        return (
            f"{self.config.rate} orders a working day is above the {throughput:.2f} bikes the workshop can build "
            f"({capacity} builds a day, each holding its bench {held:.2f} working days on average with overruns and "
            "reworks): the backlog, and the promised lead time, grow without bound."
        )

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
        arrivals = self._arrivals(today)
        for hour, minute in (a for a in arrivals if a[0] < STAFF_HOUR):
            self._customer(self.clock(self.at(today, hour, minute)))
        if working:
            self.clock(self.at(today, STAFF_HOUR))
            self._staff(today)
            if today.weekday() == 0:
                self._reorder(today)
        for hour, minute in (a for a in arrivals if a[0] >= STAFF_HOUR):
            self._customer(self.clock(self.at(today, hour, minute)))

    def _arrivals(self, today: date) -> list[tuple[int, int]]:
        """Customers of the day, at hours drawn from the daily profile; weekends are busier."""
        weekend = today.weekday() >= 5
        per_day = self.config.rate * 5 / (5 + 2 * WEEKEND_FACTOR) * (WEEKEND_FACTOR if weekend else 1.0)
        count = self._poisson(per_day)
        hours = self.customer_rng.choices(range(24), HOURLY, k=count)
        return sorted((h, self.customer_rng.randrange(60)) for h in hours)

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
            select(PurchaseRequest.id, PurchaseRequest.expected_date, Component.sku)
            .join(Component, Component.id == PurchaseRequest.component_id)
            .where(PurchaseRequest.status == PurchaseRequestStatus.OPEN)
            .order_by(PurchaseRequest.id)
        ).all()
        for pr_id, expected, sku in open_requests:
            if pr_id not in self.real_arrival:
                delay = self.supplier_rng.choices(*supplier_delays(sku, self.config.late_factor))[0]
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

    def _customer(self, paid_at: datetime) -> None:
        build = self.customer_rng.choices([b for _, b in BUILDS], [w for w, _ in BUILDS])[0]
        current, _ = cached_quote(build, paid_at)  # as the configurator quotes: after the cut-off, from the next day
        self.orders += 1
        customer = Customer(f"Customer {self.orders}", f"customer{self.orders}@example.com", None, dict(ADDRESS))
        checkout_id = uuid.UUID(int=self.customer_rng.getrandbits(128)).hex
        checkout = new_checkout(current, customer, "test", checkout_id)
        checkout.status = CheckoutStatus.FULFILLED
        session_id = f"cs_sim_{checkout.id}"
        checkout.stripe_session_id = session_id
        order = place_order(checkout, self.catalog, session_id=session_id, payment_reference=None, paid_at=paid_at)
        db.session.commit()
        planned = order.work_order
        self.at_payment[planned.id] = (planned.planned_assembly_date, planned.planned_delivery_date)
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
                actions.ship(wo_id, self._luck(wo_id, "parcel"))
                transit = self._luck(wo_id, "transit").choices([d for d, _ in TRANSIT], [w for _, w in TRANSIT])[0]
                self.delivery_day[wo_id] = add_working_days(today, transit, self.catalog.workshop)
            elif stage[wo_id] == StageCode.TESTING and entered < started_today:
                visit = self.tests[wo_id] = self.tests.get(wo_id, 0) + 1
                luck = self._luck(wo_id, "test", visit)
                if wo_id not in self.test_overrun and luck.random() < OVERRUN:
                    self.test_overrun.add(wo_id)  # this test takes a working day longer
                    continue
                self.test_overrun.discard(wo_id)
                passed = actions.record_test(wo_id, luck, self.config.test_fail_rate)
                stage[wo_id] = StageCode.SHIPPING if passed else StageCode.ASSEMBLY
        rework = [wo_id for wo_id, _, _ in open_wos if stage[wo_id] == StageCode.ASSEMBLY]
        ready = [wo_id for wo_id, _, _ in open_wos if stage[wo_id] == StageCode.SOURCING and wo_id not in waiting]
        for wo_id in (rework + ready)[: assembly_capacity(self.catalog)]:
            if stage[wo_id] == StageCode.SOURCING:
                actions.start_assembly(wo_id)
                if self._luck(wo_id, "assembly").random() < OVERRUN:
                    continue  # this build takes a working day longer: it is finished (and holds a bench) tomorrow
            actions.finish_assembly(wo_id)

    def _luck(self, wo_id: int, *what) -> random.Random:
        """The stream of one bike's luck in one step (`what`: the step and, for tests, which round)."""
        return random.Random(f"{self.config.seed}:workshop:{wo_id}:" + ":".join(map(str, what)))

    def _reorder(self, today: date) -> None:
        """Each Monday, order what the forecast suggests, due after each component's supplier lead time."""
        for result in component_forecasts(self.at(today, 17)):
            if result.reorder_quantity > 0:
                component = db.session.scalar(select(Component).where(Component.sku == result.position.sku))
                expected = add_working_days(today, component.lead_time_days, self.catalog.workshop)
                actions.reorder(component.id, result.reorder_quantity, expected)
