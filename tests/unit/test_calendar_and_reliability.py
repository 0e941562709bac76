"""Working days from the holidays library, the order cut-off, supplier lateness and the window, learned."""

import copy
import math
import tomllib
from dataclasses import replace
from datetime import date, datetime, time
from statistics import NormalDist
from zoneinfo import ZoneInfo

import pytest

from storefront.domain.calendar import add_working_days, is_working_day, order_day
from storefront.domain.catalog import CatalogError, parse_catalog
from storefront.domain.reliability import (
    PRIOR,
    Lateness,
    bench_extra,
    builds_before,
    door,
    door_of,
    drift,
    learn,
    learn_each,
    quantile,
)
from storefront.domain.spread import quantile as dist_quantile
from tests.unit.conftest import CATALOG_FILE

NY = ZoneInfo("America/New_York")


@pytest.fixture
def data():
    with open(CATALOG_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_public_holidays_come_from_the_library_for_any_year(catalog):
    ws = catalog.workshop
    assert not is_working_day(date(2036, 7, 4), ws)  # Independence Day, a Friday, ten years on
    assert not is_working_day(date(2031, 11, 27), ws)  # Thanksgiving 2031
    assert is_working_day(date(2031, 11, 26), ws)
    assert add_working_days(date(2033, 12, 23), 1, ws) == date(2033, 12, 27)  # Christmas Monday 2033


def test_the_shops_own_closures_are_added_to_the_public_holidays(catalog, data):
    assert not is_working_day(date(2027, 12, 31), catalog.workshop)  # listed in the catalog's closures
    data["workshop"]["closures"] = []
    assert is_working_day(date(2027, 12, 30), parse_catalog(data).workshop)


def test_a_subdivision_adds_its_own_holidays(data):
    data["workshop"]["holiday_subdivision"] = "NY"
    assert not is_working_day(date(2027, 2, 12), parse_catalog(data).workshop)  # Lincoln's Birthday in New York


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("holiday_country", "XX", "workshop.holiday_country"),
        ("holiday_subdivision", "ZZ", "workshop.holiday_subdivision"),
        ("supplier_confidence", 0.995, "workshop.supplier_confidence"),
        ("promise_confidence", 0.4, "workshop.promise_confidence"),
        ("max_window_days", 0, "workshop.max_window_days"),
        ("order_cutoff", "25:00", "workshop.order_cutoff"),
    ],
)
def test_bad_workshop_settings_fail_with_a_message_naming_the_field(data, field, value, named):
    bad = copy.deepcopy(data)
    bad["workshop"][field] = value
    with pytest.raises(CatalogError, match=named.replace(".", r"\.")):
        parse_catalog(bad)


def test_an_order_paid_late_on_friday_counts_from_monday(catalog):
    ws = catalog.workshop
    assert ws.cutoff == time(15, 0)
    friday = date(2027, 3, 5)
    assert order_day(datetime(2027, 3, 5, 14, 59, tzinfo=NY), ws) == friday
    assert order_day(datetime(2027, 3, 5, 21, 30, tzinfo=NY), ws) == date(2027, 3, 8)
    assert order_day(datetime(2027, 3, 6, 10, 0, tzinfo=NY), ws) == date(2027, 3, 8)  # Saturday


def test_an_order_paid_late_the_day_before_a_holiday_counts_from_the_day_after_it(catalog):
    # Wednesday 24 Nov 2027, the day before Thanksgiving
    assert order_day(datetime(2027, 11, 24, 16, 0, tzinfo=NY), catalog.workshop) == date(2027, 11, 26)
    assert order_day(datetime(2027, 11, 24, 9, 0, tzinfo=NY), catalog.workshop) == date(2027, 11, 24)


def test_a_component_without_history_is_read_through_the_documented_prior():
    assert Lateness("X").at(0.9) == quantile(PRIOR, 0.9) == 2
    assert Lateness("X").on_time_share is None


def test_history_outweighs_the_prior_as_it_grows(catalog):
    given = date(2027, 3, 1)
    punctual = learn("X", [(given, given)] * 90, catalog.workshop)
    assert punctual.at(0.9) == 0 and punctual.on_time_share == 1.0
    late = learn("X", [(given, date(2027, 3, 8))] * 30 + [(given, given)] * 60, catalog.workshop)
    assert late.history[0] == 5 and late.at(0.9) == 5 and late.at(0.5) == 0
    assert late.on_time_share == pytest.approx(60 / 90)


def test_the_door_time_is_learned_around_the_nominal_days_until_history_outweighs_it(catalog):
    ws = catalog.workshop  # nominal: 1 assembly + 1 testing + 3 transit = 5 working days
    assert door_of(ws) == door((), ws) == ((4, 1), (5, 5), (6, 3), (7, 1))
    learned = door([6] * 90, ws)
    assert dict(learned)[6] == 93 and sum(w for _, w in learned) == 100


def test_a_slot_starts_later_by_the_extra_bench_days_of_the_builds_before_it():
    prior = bench_extra([])
    assert prior == ((0, 9), (1, 1))  # one build in ten holds its bench a day longer
    assert drift(0, 0, prior, 4) == ((0, 1),)  # nothing before it: today's slot, or an idle workshop
    assert dist_quantile(drift(80, 0, prior, 4), 0.5) == 2  # twenty full days: about 8 extra bench days
    assert dist_quantile(drift(80, 40, prior, 4), 0.95) == 0  # ten free days before it absorb them all
    steady = bench_extra([1] * 90)  # every build takes a second day (with the prior: 0.91 a build)
    assert dist_quantile(drift(40, 0, steady, 4), 0.5) == 9  # 40 x 0.91 bench days over 4 a day
    far, near = drift(80, 0, prior, 4), drift(8, 0, prior, 4)
    assert dist_quantile(far, 0.95) - dist_quantile(far, 0.05) > dist_quantile(near, 0.95) - dist_quantile(near, 0.05)


def test_the_drift_groups_the_normal_approximation_whole_day_by_whole_day_into_late_days():
    bench = ((0, 7), (1, 2), (2, 1))  # mean 0.4, variance 0.44 extra bench days a build
    for ahead, free, capacity in ((30, 0, 4), (400, 17, 4), (2_000, 0, 3), (9, 2, 1)):
        centre, sd = ahead * 0.4, math.sqrt(ahead * 0.44)
        expected: dict[int, float] = {}
        for extra in range(max(0, math.floor(centre - 3 * sd)), math.ceil(centre + 3 * sd) + 1):
            share = NormalDist(centre, sd).cdf(extra + 0.5) - NormalDist(centre, sd).cdf(extra - 0.5)
            late = math.floor(max(0, extra - free) / capacity + 0.5)
            expected[late] = expected.get(late, 0.0) + 1000 * share
        found = dict(drift(ahead, free, bench, capacity))
        assert set(found) == {late for late, weight in expected.items() if round(weight) > 0}
        assert all(abs(found[late] - expected[late]) <= 0.5 + 1e-6 for late in found)  # thousandths, rounded


def test_the_builds_before_a_slot_are_those_booked_or_those_the_recent_start_rate_brings_by_then(catalog):
    busy = replace(catalog.workshop, start_rate=3.5)
    assert builds_before(0, 10, busy) == 35  # free slots now are filled by orders not yet paid
    assert builds_before(40, 10, busy) == 40  # more booked than the rate brings
    assert builds_before(5, 10, catalog.workshop) == 5  # no starts learned yet: only what is booked


def test_a_suppliers_record_pools_its_components_deliveries_oldest_first(catalog):
    given = date(2027, 3, 1)
    deliveries = [("A", given, date(2027, 3, 3)), ("B", given, given), ("A", given, date(2027, 3, 2))]
    learnt = learn_each(deliveries, catalog.workshop)
    assert learnt["A"].history == (2, 1) and learnt["B"].history == (0,)
    assert learnt["A"].on_time_share == 0 and learnt["B"].on_time_share == 1
