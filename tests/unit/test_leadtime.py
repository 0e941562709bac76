"""The lead-time engine: working days, holidays, full assembly days, stock versus supplier, per-option deltas."""

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from storefront.domain.calendar import add_working_days, working_day_on_or_after, working_days_between
from storefront.domain.leadtime import Supply, component_ready, estimate, first_free_slot

TUE = date(2026, 12, 1)


def supplies(catalog, **available):
    return {
        c.sku: Supply(c.sku, c.name, c.lead_time_days, available.get(c.sku.replace("-", "_"), c.on_hand))
        for c in catalog.components
    }


def test_working_days_skip_weekends_and_holidays(catalog):
    ws = catalog.workshop
    assert add_working_days(date(2026, 12, 4), 1, ws) == date(2026, 12, 7)  # Fri -> Mon
    assert add_working_days(date(2026, 11, 25), 1, ws) == date(2026, 11, 27)  # Thanksgiving is a holiday
    assert working_day_on_or_after(date(2026, 12, 25), ws) == date(2026, 12, 28)  # Christmas Fri -> Mon
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 7), ws) == 1


def test_an_in_stock_build_is_assembled_today_and_delivered_a_week_later(catalog):
    result = estimate({"FRAME-ST": 1, "MOT-H250": 1}, supplies(catalog), {}, catalog.workshop, TUE)
    assert result.assembly == TUE
    assert result.testing == date(2026, 12, 2)
    assert result.ships == date(2026, 12, 3)
    # the prior door time: 4 to 7 working days from assembly to the door, 5 at the most likely (3 in transit)
    assert result.earliest == date(2026, 12, 7)  # the fastest carrier
    assert result.latest == date(2026, 12, 10)  # 95% of bikes arrive by then
    assert [s.kind for s in result.steps][-5:] == ["assembly", "testing", "shipping", "delivery", "window"]


def test_a_component_out_of_stock_waits_for_its_supplier_lead_time(catalog):
    result = estimate({"FRAME-FD": 1, "MOT-H250": 1}, supplies(catalog), {}, catalog.workshop, TUE)
    frame = next(s for s in result.steps if s.sku == "FRAME-FD")
    assert frame.source == "supplier"
    assert frame.detail == "from supplier, about 20 working days"
    assert frame.date == add_working_days(TUE, 20, catalog.workshop)  # a supplier with no lateness learned
    assert result.assembly == frame.date


def test_unpromised_incoming_stock_counts_from_its_arrival_date(catalog):
    arriving = date(2026, 12, 9)
    supply = Supply("BAT-750", "Battery 750 Wh", 12, available=0, incoming=((arriving, 2),))
    step = component_ready(supply, 1, TUE, catalog.workshop)
    assert step.date == arriving and step.source == "incoming"
    assert component_ready(supply, 3, TUE, catalog.workshop).source == "supplier"


def test_reserved_stock_is_not_available(catalog):
    step = component_ready(Supply("MOT-M750", "Motor", 18, available=0), 1, TUE, catalog.workshop)
    assert step.source == "supplier"


def test_a_full_assembly_day_moves_the_build_to_the_next_free_day(catalog):
    booked = {TUE: 4, date(2026, 12, 2): 4}
    assert first_free_slot(TUE, booked, catalog.workshop) == date(2026, 12, 3)
    result = estimate({"FRAME-ST": 1}, supplies(catalog), booked, catalog.workshop, TUE)
    assert result.assembly == date(2026, 12, 3)
    assert result.steps[-5].detail == "first free assembly slot"


def test_capacity_can_be_overridden(catalog):
    assert first_free_slot(TUE, {TUE: 4}, catalog.workshop, capacity=5) == TUE


def test_assembly_never_lands_on_a_holiday_or_weekend(catalog):
    result = estimate({"FRAME-ST": 1}, supplies(catalog), {}, catalog.workshop, date(2026, 11, 26))
    assert result.assembly == date(2026, 11, 27)
    weekend = estimate({"FRAME-ST": 1}, supplies(catalog), {}, catalog.workshop, date(2026, 12, 5))
    assert weekend.assembly == date(2026, 12, 7)


@given(st.data())
def test_adding_a_component_never_makes_delivery_earlier(catalog, data):
    skus = [c.sku for c in catalog.components]
    chosen = data.draw(st.lists(st.sampled_from(skus), unique=True, max_size=8))
    extra = data.draw(st.sampled_from(skus))
    stock = {sku: data.draw(st.integers(0, 3)) for sku in skus}
    supply = {c.sku: Supply(c.sku, c.name, c.lead_time_days, stock[c.sku]) for c in catalog.components}
    booked = {add_working_days(TUE, i, catalog.workshop): data.draw(st.integers(0, 5)) for i in range(10)}
    before = estimate({s: 1 for s in chosen}, supply, booked, catalog.workshop, TUE)
    after = estimate({s: 1 for s in {*chosen, extra}}, supply, booked, catalog.workshop, TUE)
    assert after.earliest >= before.earliest


def test_supplier_parts_are_planned_in_at_their_learned_lateness_and_stock_is_not(catalog):
    arriving = date(2026, 12, 9)
    punctual = Supply("BAT-750", "Battery 750 Wh", 12, available=1, incoming=((arriving, 2),))
    late = replace(punctual, lateness=((0, 4), (3, 6)))  # three working days late more often than not
    assert component_ready(late, 1, TUE, catalog.workshop).date == TUE  # in stock
    assert component_ready(punctual, 2, TUE, catalog.workshop).date == arriving
    assert component_ready(late, 2, TUE, catalog.workshop).date == date(2026, 12, 14)  # Wed 9 Dec + 3 working days
    assert component_ready(punctual, 2, TUE, catalog.workshop).detail == "arriving from supplier"
    assert "half of its deliveries are no later" in component_ready(late, 2, TUE, catalog.workshop).detail
    overdue = Supply(
        "BAT-750", "Battery 750 Wh", 12, available=0, incoming=((date(2026, 11, 20), 1),), lateness=((2, 1),)
    )
    assert component_ready(overdue, 1, TUE, catalog.workshop).date == TUE  # never before today
    from_supplier = component_ready(replace(late, available=0, incoming=()), 1, TUE, catalog.workshop)
    assert from_supplier.date == add_working_days(TUE, 12 + 3, catalog.workshop)


def test_a_delay_the_supplier_announced_is_not_padded_again(catalog):
    first_given, announced = date(2026, 12, 9), date(2026, 12, 16)
    supply = Supply("BAT-750", "Battery 750 Wh", 12, 0, incoming=((announced, 1, first_given),), lateness=((2, 1),))
    assert component_ready(supply, 1, TUE, catalog.workshop).date == announced
    slightly = replace(supply, incoming=((date(2026, 12, 10), 1, first_given),))
    assert component_ready(slightly, 1, TUE, catalog.workshop).date == date(2026, 12, 11)  # first given + 2


def test_the_window_runs_from_the_soonest_arrival_to_the_promise_confidence_day(catalog):
    ws = catalog.workshop  # the prior door time: 4 (1 in 10), 5 (5), 6 (3) or 7 (1) working days
    arriving = TUE  # due today, so its slot is today's and no queue drifts before it
    punctual = Supply("BAT-750", "Battery 750 Wh", 12, available=0, incoming=((arriving, 1),))
    on_time = estimate({"BAT-750": 1}, {"BAT-750": punctual}, {}, ws, TUE)
    assert on_time.steps[0].source == "incoming"
    assert on_time.assembly == arriving
    assert (on_time.earliest, on_time.latest) == (add_working_days(arriving, 4, ws), add_working_days(arriving, 7, ws))
    # late one delivery in five by two working days: still planned in on its day; the last day moves a day on,
    # and the first with it, as the window is never wider than three working days
    sometimes = replace(punctual, lateness=((0, 8), (2, 2)))
    spread = estimate({"BAT-750": 1}, {"BAT-750": sometimes}, {}, ws, TUE)
    assert spread.assembly == arriving
    assert (spread.earliest, spread.latest) == (add_working_days(arriving, 5, ws), add_working_days(arriving, 8, ws))
    # late half the time by four: the window would be wider than three working days, so it starts later
    often = replace(punctual, lateness=((0, 5), (4, 5)))
    wide = estimate({"BAT-750": 1}, {"BAT-750": often}, {}, ws, TUE)
    assert wide.assembly == arriving and working_days_between(wide.earliest, wide.latest, ws) == ws.max_window_days
    assert wide.latest == add_working_days(arriving, 4 + 6, ws)  # half late by 4, and 9 in 10 doors take 6 or less


def test_a_slot_far_ahead_is_promised_later_for_the_builds_that_overrun_before_it(catalog):
    ws = catalog.workshop
    booked = {add_working_days(TUE, i, ws): 4 for i in range(20)}  # twenty full days ahead
    far = estimate({"FRAME-ST": 1}, supplies(catalog), booked, ws, TUE)
    assert far.assembly == add_working_days(TUE, 20, ws)
    # 80 builds before it, one in ten a day longer: about two working days' drift, a day or so either way
    assert working_days_between(far.assembly, far.latest, ws) > 7
    near = estimate({"FRAME-ST": 1}, supplies(catalog), {}, ws, TUE)
    assert working_days_between(near.assembly, near.latest, ws) == 7


def test_an_idle_workshop_promises_no_drift_however_far_away_the_parts_are(catalog):
    ws = catalog.workshop
    arriving = add_working_days(TUE, 20, ws)
    supply = Supply("BAT-750", "Battery 750 Wh", 12, available=0, incoming=((arriving, 1),))
    idle = estimate({"BAT-750": 1}, {"BAT-750": supply}, {}, ws, TUE)
    assert idle.assembly == arriving and idle.latest == add_working_days(arriving, 7, ws)
