"""Planning benchmark: a full re-plan, an uncached configurator quote and a bike passing its tests, at 100 and at
10,000 open work orders.

    .venv/bin/python bench/plan_bench.py [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/DB] [--runs 20]

SQLite runs in a temporary file; PostgreSQL in the (emptied!) database named. Open orders are inserted in bulk
(a tenth wait for a supplier delivery), then each figure is the median of `--runs` timings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, update  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.domain.reliability import door_after, drift  # noqa: E402
from storefront.domain.spread import window  # noqa: E402
from storefront.domain.stages import StageCode  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.models import Checkout, Component, Order, PartLine, PurchaseRequest, WorkOrder  # noqa: E402
from storefront.services.catalog import load_catalog_file  # noqa: E402
from storefront.services.planning import replan, replan_after_move  # noqa: E402
from storefront.services.quote import _plans, cached_quote, quote  # noqa: E402
from storefront.services.unit_of_work import unit_of_work  # noqa: E402
from storefront.simulation.engine import _fresh_schema  # noqa: E402

NOW = datetime(2026, 12, 1, 14, tzinfo=UTC)
TODAY = date(2026, 12, 1)
FAR = date(2040, 1, 1)  # promises beyond the whole plan, so no slip emails skew the timings
BUILD = {
    "frame": ["high-step"],
    "motor": ["mid-500"],
    "battery": ["b625"],
    "color": ["glacier"],
    "accessories": ["rack"],
}


def add_open_orders(start: int, count: int) -> None:
    """Insert `count` paid, open orders in bulk: four reserved parts each, one in ten also awaiting a delivery."""
    components = db.session.execute(select(Component.id, Component.sku)).all()
    frame = next(c.id for c in components if c.sku == "FRAME-FD")
    request = db.session.scalar(select(PurchaseRequest.id).where(PurchaseRequest.component_id == frame))
    if request is None:
        request = db.session.execute(
            insert(PurchaseRequest).values(
                component_id=frame, quantity=1_000_000, expected_date=TODAY + timedelta(days=20),
                original_expected_date=TODAY + timedelta(days=20),
            ).returning(PurchaseRequest.id)
        ).scalar_one()  # fmt: skip
    checkouts, orders, wos, lines = [], [], [], []
    for i in range(start, start + count):
        paid = NOW - timedelta(minutes=count - i)
        checkouts.append(
            {"id": f"bench{i:08d}", "provider": "test", "status": "fulfilled", "snapshot": {}, "total_cents": 1,
             "currency": "USD", "customer_name": "Bench", "email": f"b{i}@example.com", "address": {}}
        )  # fmt: skip
        orders.append(
            {"id": i, "checkout_id": f"bench{i:08d}", "stripe_session_id": f"cs_{i}", "status_token": f"t{i}",
             "status_token_hash": f"h{i}", "customer_name": "Bench", "email": f"b{i}@example.com", "address": {},
             "build": BUILD, "lines": [], "total_cents": 1, "currency": "USD", "promised_earliest": FAR,
             "promised_latest": FAR, "forecast_earliest": TODAY, "forecast_latest": TODAY, "paid_at": paid,
             "number": f"EB-{i:06d}"}
        )  # fmt: skip
        wos.append(
            {"id": i, "order_id": i, "stage": "sourcing", "planned_parts_date": TODAY, "planned_assembly_date": TODAY,
             "planned_testing_date": TODAY, "planned_ship_date": TODAY, "planned_delivery_date": TODAY,
             "stage_entered_at": paid}
        )  # fmt: skip
        for component_id, _ in components[:4]:
            lines.append({"work_order_id": i, "component_id": component_id, "state": "reserved", "reserved_at": paid})
        if i % 10 == 0:
            lines.append(
                {"work_order_id": i, "component_id": frame, "state": "awaiting", "purchase_request_id": request}
            )
    for model, rows in ((Checkout, checkouts), (Order, orders), (WorkOrder, wos), (PartLine, lines)):
        db.session.execute(insert(model), rows)
    db.session.commit()
    settle_like_autovacuum()


def settle_like_autovacuum() -> None:
    """On PostgreSQL, what autovacuum does soon after a bulk insert: statistics, and the visibility map that lets
    an index answer alone (a shop with 10,000 open orders has long been vacuumed; a bench that just inserted
    them has not)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def forget_the_plan() -> None:
    """What a quote after a plan change finds: no plan inputs, and none of the distributions computed for the
    old plan (the worst case: a real change leaves most of them in place)."""
    _plans.clear()
    for cached in (drift, door_after, window):
        cached.cache_clear()


def pass_testing(ids: range):
    """Put the work orders `ids` in testing and re-plan; then each call moves the next one on to shipping, as
    `workshop.move` does (the stage, then `replan_after_move`), in a transaction of its own."""
    db.session.execute(
        update(WorkOrder).where(WorkOrder.id.in_(ids)).values(stage=StageCode.TESTING, planned_testing_date=TODAY)
    )
    db.session.commit()
    replan(NOW, cause="bench")
    movers = iter(ids)

    def move() -> None:
        work_order_id = next(movers)
        with unit_of_work():
            db.session.get(WorkOrder, work_order_id).stage = StageCode.SHIPPING
            replan_after_move(work_order_id, StageCode.TESTING, StageCode.SHIPPING, NOW, cause="bench")

    return move


def median_ms(fn, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bench(url: str, runs: int) -> list[str]:
    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench", "FIXED_NOW": NOW})
    out = []
    with app.app_context():
        _fresh_schema()
        load_catalog_file(app.config["CATALOG_PATH"])
        done = 0
        for target in (100, 10_000):
            add_open_orders(done + 1, target - done)
            done = target
            first = median_ms(lambda: replan(NOW, cause="bench"), 1)  # writes every changed plan
            steady = median_ms(lambda: replan(NOW, cause="bench"), max(3, runs // 4))
            cold = median_ms(lambda: (forget_the_plan(), quote(BUILD, TODAY)), runs)
            warm = median_ms(lambda: quote(BUILD, TODAY), runs)
            cached = median_ms(lambda: cached_quote(BUILD, NOW), runs)
            passed = median_ms(pass_testing(range(done - runs + 1, done + 1)), runs)
            open_count = db.session.scalar(select(func.count()).select_from(WorkOrder))
            out.append(
                f"{db.engine.dialect.name:<10} {open_count:>6} open: re-plan {first:7.1f} ms (first, writing), "
                f"{steady:7.1f} ms (steady); quote {cold:6.2f} ms (plan just changed), {warm:5.2f} ms "
                f"(new build, plan unchanged), {cached:5.2f} ms (same build again); a bike passing its tests "
                f"{passed:6.2f} ms (its move, re-plan and commit)"
            )
        db.session.remove()
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL (its schema is dropped)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for line in bench(f"sqlite:///{Path(tmp) / 'plan.db'}", args.runs):
            print(line)
    if args.postgres:
        for line in bench(args.postgres, args.runs):
            print(line)


if __name__ == "__main__":
    main()
