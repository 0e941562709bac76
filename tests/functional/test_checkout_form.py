"""Every bad input on the checkout form gets an inline error next to its field, never a 500, and stores nothing."""

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Checkout
from tests.support.checkout import checkout_by_session, submit_checkout


def _inline_error(html: str, field_id: str) -> str:
    marker = f'id="{field_id}-error"'
    assert marker in html, f"no inline error for {field_id}"
    return html.split(marker, 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "   ", "Enter your full name."),
        ("full_name", "x" * 121, "Field cannot be longer than 120 characters."),
        ("email", "", "Enter your email address."),
        ("email", "ada-at-example", "Enter an email address such as you@example.com."),
        ("phone", "call me", "Enter a phone number of 7 to 15 digits"),
        ("phone", "12", "Enter a phone number of 7 to 15 digits"),
        ("line1", "", "Enter the street address."),
        ("city", "", "Enter the city."),
        ("postal_code", "", "Enter the ZIP or postal code."),
        ("postal_code", "5401", "Enter a ZIP code of 5 digits, or ZIP+4"),
        ("postal_code", "K1A 0B1", "Enter a ZIP code of 5 digits"),
        ("region", "", "Choose a state, province or territory."),
        ("region", "ON", "Choose a state of United States."),
        ("region", "ZZ", "Choose a state of United States."),
        ("country", "FR", "We ship to the United States and Canada only."),
        ("terms", None, "Please accept the build-to-order terms to continue."),
    ],
)
def test_an_invalid_field_gets_an_inline_error_and_nothing_is_stored(client, field, value, message):
    response = submit_checkout(client, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in _inline_error(html, field)
    assert "Please correct the fields marked below." in html
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 0


def test_canadian_addresses_check_the_postal_code_against_the_province(client):
    wrong = submit_checkout(client, country="CA", region="QC", postal_code="K1A 0B1")
    assert "That postal code is not in Quebec." in _inline_error(wrong.get_data(as_text=True), "postal_code")
    bad = submit_checkout(client, country="CA", region="ON", postal_code="12345")
    assert "Canadian postal code such as K1A 0B1" in _inline_error(bad.get_data(as_text=True), "postal_code")
    state = submit_checkout(client, country="CA", region="VT", postal_code="K1A 0B1")
    assert "Choose a province or territory of Canada." in _inline_error(state.get_data(as_text=True), "region")


def test_valid_postal_codes_are_stored_in_their_standard_spelling(client):
    response = submit_checkout(client, country="CA", region="on", postal_code="k1a0b1", city="Ottawa")
    assert response.status_code == 303
    checkout = checkout_by_session(response.headers["Location"].rsplit("/", 1)[1])
    assert checkout.address["postal_code"] == "K1A 0B1" and checkout.address["region"] == "ON"
    response = submit_checkout(client, postal_code="05401 1234", email="  Ada@Example.COM ")
    checkout = checkout_by_session(response.headers["Location"].rsplit("/", 1)[1])
    assert checkout.address["postal_code"] == "05401-1234" and checkout.email == "ada@example.com"


def test_a_hostile_query_string_is_not_an_error(client):
    assert client.get("/checkout?frame=" + "x" * 5000).status_code in (303, 200)
    assert client.get("/checkout").status_code == 303
