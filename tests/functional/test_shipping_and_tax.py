"""What the customer really pays: shipping and sales tax shown before payment, charged exactly, kept on the
order, the bill of sale, the status page and the email, and refunded part by part. Test mode freezes the
catalog's tax table; with Stripe, the fake Stripe computes tax the way Stripe Tax answers it."""

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from storefront import create_app
from storefront.config import ConfigError
from storefront.extensions import db
from storefront.models import CatalogDraft, Checkout, Order, OutboxMessage
from storefront.services import workshop
from tests.support.checkout import BUILD_QUERY, checkout_by_session, pay_with_test_card, submit_checkout

HAWAII = {"city": "Honolulu", "postal_code": "96813", "region": "HI", "country": "US"}
NEW_YORK = {"city": "New York", "postal_code": "10001", "region": "NY", "country": "US"}
ONTARIO = {"city": "Toronto", "postal_code": "M5V 2T6", "region": "ON", "country": "CA"}
NUNAVUT = {"city": "Iqaluit", "postal_code": "X0A 0H0", "region": "NU", "country": "CA"}
CARGO_QUERY = "frame=cargo&motor=mid-500&battery=b400&color=graphite"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _paid_test_order(client, build_query: str = BUILD_QUERY, **address) -> tuple[str, Order]:
    """Check out and pay with the test card; returns the test payment page as shown before paying, and the order."""
    location = submit_checkout(client, build_query, **address).headers["Location"]
    before = client.get(urlsplit(location).path).get_data(as_text=True)
    pay_with_test_card(client, location)
    db.session.expire_all()
    return before, db.session.scalar(select(Order))


def _bill(client, order: Order) -> str:
    return client.get(f"/bill-of-sale/{order.status_token}").get_data(as_text=True)


# --- test mode: the catalog's tables, frozen at checkout -------------------------------------------------------


def test_a_free_shipping_region_charges_the_bike_alone(client):
    _, order = _paid_test_order(client)
    assert (order.subtotal_cents, order.shipping_cents, order.tax_cents, order.total_cents) == (129000, 0, 0, 129000)
    assert "Shipping to Vermont" in _bill(client, order)


def test_a_paid_region_shows_its_shipping_before_payment_and_on_the_order_bill_status_and_email(client):
    before, order = _paid_test_order(client, **HAWAII)
    assert "Shipping to Hawaii" in before and "$349.00" in before and "Pay $1,639.00" in before
    assert (order.subtotal_cents, order.shipping_cents, order.tax_cents) == (129000, 34900, 0)
    assert order.total_cents == 163900
    bill = _bill(client, order)
    assert "Shipping to Hawaii" in bill and "$349.00" in bill and "$1,639.00" in bill
    status = client.get(f"/orders/{order.status_token}").get_data(as_text=True)
    assert 'id="build-charges"' in status and "$349.00" in status and "$1,639.00" in status
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == order.email))
    assert "Shipping to Hawaii: $349.00" in mail.body_text and "Total paid: $1,639.00" in mail.body_text
    assert "$349.00" in mail.body_html


def test_the_oversized_extra_is_charged_for_the_cargo_longtail(client):
    before, order = _paid_test_order(client, CARGO_QUERY)
    assert "Shipping to Vermont (oversized frame)" in before
    assert (order.subtotal_cents, order.shipping_cents) == (244000, 15000)


def test_a_taxed_state_adds_the_tables_tax_labelled_as_an_estimate(client):
    before, order = _paid_test_order(client, **NEW_YORK)
    assert "New York State sales tax 4% (estimate)" in before and "$51.60" in before
    assert (order.tax_cents, order.total_cents) == (5160, 134160)
    assert order.charges["tax"]["estimate"] is True
    assert "New York State sales tax 4%" in _bill(client, order)


def test_a_canadian_hst_province_charges_hst_on_the_bike_and_its_shipping(client):
    before, order = _paid_test_order(client, **ONTARIO)
    assert "HST 13%" in before and "(estimate)" not in before
    assert (order.shipping_cents, order.tax_cents, order.total_cents) == (19900, 19357, 168257)
    bill = _bill(client, order)
    assert "HST 13%" in bill and "$193.57" in bill and "$1,682.57" in bill


def test_a_region_not_shipped_to_is_refused_by_name_before_anything_is_stored(client):
    response = submit_checkout(client, **NUNAVUT)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "We do not ship to Nunavut" in html
    assert _count(Checkout) == 0


def test_the_checkout_summary_follows_the_region_through_htmx(client):
    url = f"/checkout?{BUILD_QUERY}"
    fragment = client.get(f"{url}&country=US&region=HI", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"] and "<form" not in html
    assert 'id="checkout-summary"' in html and "Shipping to Hawaii" in html and "$1,639.00" in html
    refused = client.get(f"{url}&country=CA&region=NU", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "We do not ship to Nunavut" in refused
    unknown = client.get(url).get_data(as_text=True)
    assert "Shipping and tax are added once you choose" in unknown


# --- Stripe: Stripe Tax computes the tax for the shipping address ------------------------------------------


def test_stripe_tax_gets_the_address_and_its_tax_flows_into_the_order(client, fake_stripe):
    response = submit_checkout(client, **NEW_YORK)
    assert response.status_code == 303
    _, _, params, _ = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    customer = fake_stripe.customers[params["customer"]]
    assert params["automatic_tax"]["enabled"] == "true"
    assert customer["shipping"]["address"] == {
        "line1": "12 Spoke Street", "line2": "", "city": "New York", "state": "NY", "postal_code": "10001",
        "country": "US",
    }  # fmt: skip
    assert params["shipping_options"][0]["shipping_rate_data"]["fixed_amount"]["amount"] == "0"
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    assert session["automatic_tax"]["status"] == "complete" and session["total_details"]["amount_tax"] == 11449
    client.get(f"/checkout/success?session_id={session['id']}")
    order = db.session.scalar(select(Order))
    assert (order.subtotal_cents, order.shipping_cents, order.tax_cents) == (129000, 0, 11449)
    assert order.total_cents == session["amount_total"] == 140449
    assert "Sales tax (computed by Stripe)" in _bill(client, order) and "$114.49" in _bill(client, order)


def test_stripe_tax_on_an_hst_province_taxes_shipping_too(client, fake_stripe):
    submit_checkout(client, **ONTARIO)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    order = db.session.scalar(select(Order))
    assert (order.shipping_cents, order.tax_cents) == (19900, 16770 + 2587)
    assert session["total_details"]["amount_shipping"] == 19900


def test_an_address_stripe_cannot_tax_is_refused_before_payment(client, fake_stripe):
    response = submit_checkout(client, postal_code="00000")  # a well-formed ZIP that does not exist
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "We could not work out the sales tax for this address" in html
    assert fake_stripe.sessions == {} and _count(Order) == 0
    assert db.session.scalar(select(Checkout.status)) == "failed"


def test_a_region_not_shipped_to_opens_no_stripe_session(client, fake_stripe):
    assert "We do not ship to Nunavut" in submit_checkout(client, **NUNAVUT).get_data(as_text=True)
    assert fake_stripe.requests == [] and _count(Checkout) == 0


def test_a_charge_that_differs_from_bike_shipping_and_stripes_tax_is_a_mismatch(client, fake_stripe):
    submit_checkout(client, **HAWAII)
    opened = fake_stripe.only_session()
    session = fake_stripe.complete(opened["id"], amount_total=opened["amount_total"] - 34900)  # shipping not paid
    client.get(f"/checkout/success?session_id={session['id']}")
    checkout = checkout_by_session(session["id"])
    assert checkout.status == "mismatch" and "expected 163900 usd" in checkout.failure_reason
    assert _count(Order) == 0


def test_a_paid_session_whose_tax_stripe_did_not_compute_is_a_mismatch(client, fake_stripe):
    submit_checkout(client, **NEW_YORK)
    with fake_stripe.lock:  # Stripe's word on the session as the success page reads it
        fake_stripe.only_session()["automatic_tax"]["status"] = "requires_location_inputs"
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    checkout = checkout_by_session(session["id"])
    assert checkout.status == "mismatch" and "requires_location_inputs" in checkout.failure_reason
    assert _count(Order) == 0


def test_shipping_charged_apart_from_the_frozen_fee_is_a_mismatch_even_when_the_total_agrees(client, fake_stripe):
    submit_checkout(client, **HAWAII)
    with fake_stripe.lock:
        opened = fake_stripe.only_session()
        opened["total_details"]["amount_shipping"] -= 100
        opened["amount_subtotal"] += 100
    session = fake_stripe.complete(opened["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    checkout = checkout_by_session(session["id"])
    assert checkout.status == "mismatch" and checkout.failure_reason == "shipping charged 34800, expected 34900"


def test_a_full_refund_returns_bike_shipping_and_tax_and_records_each_part(client, fake_stripe):
    submit_checkout(client, CARGO_QUERY, **NEW_YORK)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    order = db.session.scalar(select(Order))
    # Stripe rounds tax per line: 11448.75 + 6212.5 + 3993.75 on the bike's lines, 1331.25 on shipping
    assert (order.subtotal_cents, order.shipping_cents, order.tax_cents) == (244000, 15000, 11449 + 6213 + 3994 + 1331)
    workshop.cancel(order.work_order.id, version=order.work_order.version, staff_id=None)
    db.session.expire_all()
    refund = fake_stripe.refunds[order.refund_reference]
    assert refund["amount"] == order.total_cents == session["amount_total"]
    assert (order.refunded_subtotal_cents, order.refunded_shipping_cents, order.refunded_tax_cents) == (
        244000, 15000, 22987,
    )  # fmt: skip
    assert "$229.87 tax" in _bill(client, order)


def test_without_stripe_tax_the_tables_tax_is_a_line_on_the_stripe_session(client, fake_stripe, app_ctx):
    app_ctx.config["TAX_PROVIDER"] = "table"
    try:
        submit_checkout(client, **NEW_YORK)
    finally:
        app_ctx.config["TAX_PROVIDER"] = None
    _, _, params, _ = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    assert "automatic_tax" not in params and params["customer_email"] == "ada@example.com"
    assert params["line_items"][-1]["price_data"]["product_data"]["name"] == "New York State sales tax 4%"
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    assert session["amount_total"] == 134160
    client.get(f"/checkout/success?session_id={session['id']}")
    assert db.session.scalar(select(Order.tax_cents)) == 5160


# --- configuration and the catalog -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [("avalara", "TAX_PROVIDER='avalara' is not valid"), ("stripe", "TAX_PROVIDER=stripe needs STRIPE_SECRET_KEY")],
)
def test_a_tax_provider_that_cannot_work_stops_the_app_at_start(monkeypatch, setting, message):
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match=message):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "TAX_PROVIDER": setting})


def test_seed_demo_refuses_a_catalog_with_a_negative_rate_naming_the_field(app_ctx, tmp_path):
    text = Path(app_ctx.config["CATALOG_PATH"]).read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('{ where = "US-HI", fee_cents = 34900', '{ where = "US-HI", fee_cents = -34900'))
    app_ctx.config["CATALOG_PATH"], saved = str(bad), app_ctx.config["CATALOG_PATH"]
    try:
        result = app_ctx.test_cli_runner().invoke(args=["seed-demo"])
    finally:
        app_ctx.config["CATALOG_PATH"] = saved
    assert result.exit_code == 1
    assert "shipping.rates[2].fee_cents must be a whole number of cents, 0 or more (got -34900)" in result.output


# --- the configurator ----------------------------------------------------------------------------------------


def test_the_configurator_shows_shipping_from_once_a_destination_is_known_and_says_how_tax_is_charged(client):
    unknown = client.get(f"/configure?{BUILD_QUERY}").get_data(as_text=True)
    assert 'id="ship-to"' in unknown and 'id="shipping-from"' not in unknown
    response = client.get(f"/configure/summary?{BUILD_QUERY}&ship_to=US-HI", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Shipping from <strong>$349.00</strong>" in html
    assert "No sales tax: we do not collect tax in Hawaii." in html
    assert "country=US&amp;region=HI" in html  # the checkout opens with the destination and its charges
    taxed = client.get(f"/configure?{BUILD_QUERY}&ship_to=US-NY").get_data(as_text=True)
    assert (
        "<strong>Free shipping</strong> for this build" in taxed
        and "Shipping from" not in taxed
        and "Estimated sales tax for New York" in taxed
    )
    refused = client.get(f"/configure?{BUILD_QUERY}&ship_to=CA-NU").get_data(as_text=True)
    assert "We do not ship to Nunavut" in refused


def test_the_summary_answer_never_carries_the_ship_to_select_and_brings_the_destination_lines_out_of_band(client):
    """A late answer cannot undo the region picked: the select is on the page, never in what htmx swaps."""
    page = client.get(f"/configure?{BUILD_QUERY}&ship_to=US-HI").get_data(as_text=True)
    assert '<option value="US-HI" selected>' in page
    html = client.get(f"/configure/summary?{BUILD_QUERY}&ship_to=US-HI", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'id="ship-to-region"' not in html and 'name="ship_to"' not in html
    destination = html[html.index('<div id="destination" class="destination" hx-swap-oob="true">') :]
    assert "Shipping from <strong>$349.00</strong>" in destination and "country=US&amp;region=HI" in destination


def test_a_build_that_cannot_be_made_keeps_the_region_and_its_fixes_carry_it_without_javascript(client):
    conflict = "frame=folding&motor=mid-500&battery=b750&color=graphite"
    page = client.get(f"/configure?{conflict}&ship_to=US-HI").get_data(as_text=True)
    assert '<option value="US-HI" selected>' in page
    assert "Buy this build" not in page and 'id="shipping-from"' not in page  # nothing to ship yet
    assert "battery=b400&amp;color=graphite&amp;ship_to=US-HI" in page  # the fix keeps the destination


def test_a_too_long_query_drops_its_destination_with_the_rest_so_no_cached_page_shows_it_to_others(client):
    client.get(f"/configure?frame=step-through&ship_to=CA-NU&ral={'x' * 2100}")  # read as no query at all
    assert '"CA-NU" selected' not in client.get("/configure/summary").get_data(as_text=True)


def test_with_stripe_tax_the_configurator_says_tax_is_added_at_payment(client, fake_stripe):
    html = client.get(f"/configure?{BUILD_QUERY}&ship_to=US-NY").get_data(as_text=True)
    assert "computed by Stripe for your address and added at payment" in html


def test_the_catalog_editor_refuses_an_import_with_a_tax_rate_above_25_percent_naming_the_field(staff_client):
    live = staff_client.get("/backoffice/catalog/live.toml").get_data(as_text=True)
    assert "[shipping]" in live and "percent = 9.975" in live  # the export carries the tables
    broken = live.replace('{ name = "HST", percent = 13 }', '{ name = "HST", percent = 31 }')
    response = staff_client.post(
        "/backoffice/catalog/import",
        {"file": (io.BytesIO(broken.encode()), "c.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "tax.collect[2].taxes[0].percent must be a percentage from 0 to 25 (got 31)" in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(CatalogDraft)).all() == []
