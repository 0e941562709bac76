"""The component demand forecast and the promise-accuracy figures."""

import math
from datetime import date

from storefront.domain.accuracy import Delivery, by_month
from storefront.domain.forecast import (
    FORMULA,
    StockPosition,
    daily_sigma,
    forecast,
    reorder_quantity,
    safety_stock,
    usage_rate,
)

TUE = date(2026, 12, 1)


def position(**kw) -> StockPosition:
    base = dict(sku="BAT-400", name="Battery 400 Wh", lead_time_days=8, on_hand=10, reserved=2, awaiting=0, on_order=0)
    return StockPosition(**{**base, **kw})


def test_the_rate_is_units_per_working_day_over_the_window():
    assert usage_rate([1, 0, 2, 1]) == 1.0
    assert usage_rate([]) == 0.0


def test_safety_stock_is_z_times_sigma_times_the_root_of_the_lead_time():
    usage = [0, 2] * 10
    assert daily_sigma(usage) == 1.0
    assert safety_stock(1.0, 9) == math.ceil(1.65 * 3)  # 4.95 -> 5
    assert safety_stock(0.0, 9) == 0


def test_reorder_covers_lead_time_plus_review_plus_safety_less_the_stock_position():
    # rate 2 x (8 + 5) = 26, + safety 3 = 29; position = 10 - 2 + 5 - 1 = 12; reorder 17
    p = position(on_order=5, awaiting=1)
    assert reorder_quantity(p, rate=2.0, safety=3) == 17
    assert reorder_quantity(position(on_hand=100), rate=2.0, safety=3) == 0  # never negative


def test_an_idle_component_needs_no_reorder_and_never_runs_out(catalog):
    result = forecast(position(daily_usage=(0,) * 20), catalog.workshop, TUE)
    assert result.reorder_quantity == 0 and result.run_out is None
    assert result.projection[0] == (TUE, 8.0)


def test_projected_stock_falls_with_use_and_rises_with_arrivals(catalog):
    p = position(on_hand=4, reserved=0, on_order=10, arrivals=((date(2026, 12, 4), 10),), daily_usage=(2,) * 20)
    result = forecast(p, catalog.workshop, TUE)
    levels = dict(result.projection)
    assert levels[TUE] == 4 and levels[date(2026, 12, 2)] == 2 and levels[date(2026, 12, 3)] == 0
    assert levels[date(2026, 12, 4)] == 8  # 14 free units less 3 days of use
    assert result.run_out == date(2026, 12, 11)  # 8 on Fri 4th, then 2 a day: -2 on Fri 11th
    assert result.rate == 2.0 and result.safety_stock == 0
    assert result.reorder_quantity == math.ceil(2 * 13 - (4 + 10))


def test_a_component_already_short_runs_out_today(catalog):
    assert forecast(position(on_hand=1, reserved=1, awaiting=2), catalog.workshop, TUE).run_out == TUE


def test_the_formula_is_spelled_out_for_the_help_text():
    assert "lead time + review period" in FORMULA and "safety stock" in FORMULA


def test_accuracy_counts_deliveries_by_the_latest_promised_day_per_month():
    on_time = Delivery(date(2026, 11, 20), date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 2))
    early = Delivery(date(2026, 11, 20), date(2026, 12, 1), date(2026, 12, 3), date(2026, 11, 29))
    late = Delivery(date(2026, 12, 20), date(2027, 1, 4), date(2027, 1, 6), date(2027, 1, 9))
    months, total = by_month([on_time, early, late])
    assert [m.label for m in months] == ["2026-11", "2026-12", "2027-01"]
    assert total.delivered == 3 and total.on_time == 2 and round(total.on_time_pct, 1) == 66.7
    assert total.mean_days_off == (0 - 2 + 3) / 3
    assert total.quoted_lead_days == (13 + 13 + 17) / 3
    assert total.actual_lead_days == (12 + 9 + 20) / 3
