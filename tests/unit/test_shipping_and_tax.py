"""Shipping fees and table tax from the catalog's data, and the catalog checks that keep bad rates out."""

import copy
import tomllib
from decimal import Decimal

import pytest

from storefront.domain.catalog import CatalogError, parse_catalog
from storefront.domain.shipping import NotShipped, shipping_fee
from storefront.domain.tax import table_tax, tax_cents
from tests.unit.conftest import CATALOG_FILE

BASE = ["step-through", "hub-250", "b400", "graphite"]
CARGO = ["cargo", "mid-500", "b400", "graphite"]


@pytest.fixture
def data():
    with open(CATALOG_FILE, "rb") as fh:
        return tomllib.load(fh)


def test_a_bike_over_the_threshold_ships_free_in_the_contiguous_us(catalog):
    fee = shipping_fee(catalog.shipping, 129000, BASE, "US", "VT")
    assert (fee.label, fee.cents) == ("Shipping to Vermont", 0)


def test_under_the_threshold_or_in_a_region_with_its_own_rate_the_flat_fee_is_charged(catalog):
    assert shipping_fee(catalog.shipping, 99999, BASE, "US", "VT").cents == 14900
    assert shipping_fee(catalog.shipping, 129000, BASE, "US", "HI").cents == 34900  # Hawaii: no free threshold
    assert shipping_fee(catalog.shipping, 129000, BASE, "CA", "ON").cents == 19900  # Canada: free from $3,000
    assert shipping_fee(catalog.shipping, 300000, BASE, "CA", "ON").cents == 0


def test_an_oversized_frame_adds_its_extra_which_the_free_threshold_does_not_waive(catalog):
    free = shipping_fee(catalog.shipping, 250000, CARGO, "US", "VT")
    paid = shipping_fee(catalog.shipping, 250000, CARGO, "US", "AK")
    assert (free.label, free.cents) == ("Shipping to Vermont (oversized frame)", 15000)
    assert paid.cents == 34900 + 25000


def test_a_region_the_shop_does_not_ship_to_is_refused_by_name(catalog):
    with pytest.raises(NotShipped, match="We do not ship to Nunavut"):
        shipping_fee(catalog.shipping, 129000, BASE, "CA", "NU")


def test_a_taxed_state_gets_its_rate_on_the_bike_and_shipping_and_an_untaxed_one_none(catalog):
    assert [(t.label, t.cents) for t in table_tax(catalog.tax, 163800, "US", "NY")] == [
        ("New York State sales tax 4%", 6552)
    ]
    assert table_tax(catalog.tax, 163800, "US", "VT") == []


def test_a_canadian_hst_province_charges_hst_and_quebec_gst_and_qst_each_rounded(catalog):
    assert [(t.label, t.cents) for t in table_tax(catalog.tax, 148900, "CA", "ON")] == [("HST 13%", 19357)]
    assert [(t.label, t.cents) for t in table_tax(catalog.tax, 148900, "CA", "QC")] == [
        ("GST 5%", 7445),
        ("QST 9.975%", 14853),  # 14852.775 rounds up
    ]
    assert catalog.tax.collected_in("CA", "ON").exact and not catalog.tax.collected_in("US", "NY").exact


def test_tax_rounds_half_up_to_the_cent():
    assert tax_cents(10, Decimal(5)) == 1  # 0.5 cent
    assert tax_cents(9, Decimal(5)) == 0  # 0.45 cent


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["shipping"]["rates"][0].update(fee_cents=-100), "shipping.rates[0].fee_cents"),
        (lambda d: d["shipping"]["rates"][1].update(oversized_cents=-1), "shipping.rates[1].oversized_cents"),
        (lambda d: d["shipping"]["rates"][2].update(where="US-XX"), "shipping.rates[2].where: unknown region"),
        (lambda d: d["shipping"]["rates"][0].update(where="MX"), "shipping.rates[0].where: unknown region"),
        (lambda d: d["tax"]["collect"][2]["taxes"][0].update(percent=26), "tax.collect[2].taxes[0].percent"),
        (lambda d: d["tax"]["collect"][0]["taxes"][0].update(percent=-1), "tax.collect[0].taxes[0].percent"),
        (lambda d: d["tax"]["collect"][0].update(where="CA-ZZ"), "tax.collect[0].where: unknown region"),
        (lambda d: d["shipping"].update(oversized=["tandem"]), "shipping.oversized mentions unknown option"),
        (lambda d: d["shipping"]["rates"].append({"where": "US", "fee_cents": 1}), "shipping.rates lists US"),
    ],
)
def test_a_bad_rate_fails_the_catalog_naming_the_field(data, change, named):
    change(data)
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data)
    assert named in str(caught.value)


def test_a_catalog_from_before_shipping_and_tax_ships_free_and_collects_nothing(data):
    older = copy.deepcopy(data)
    del older["shipping"], older["tax"]
    catalog = parse_catalog(older)
    assert shipping_fee(catalog.shipping, 99999, CARGO, "CA", "NU").cents == 0
    assert table_tax(catalog.tax, 100000, "US", "NY") == []
