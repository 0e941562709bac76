"""Finding an order by number and email: a match redirects, every mismatch reads the same, and it is rate limited."""

import re

import pytest

from storefront.orders.views import NO_MATCH

pytestmark = pytest.mark.usefixtures("fresh_limits")


def csrf_token(client) -> str:
    html = client.get("/orders/lookup").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def submit(client, **fields):
    return client.post("/orders/lookup", data={"csrf_token": csrf_token(client), **fields})


def test_the_lookup_page_asks_for_number_and_email(client):
    response = client.get("/orders/lookup")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="number"' in html and 'name="email"' in html and 'name="csrf_token"' in html
    assert 'action="/orders/lookup" method="post"' in html


def test_a_matching_number_and_email_redirect_to_the_status_page(client, paid_order):
    response = submit(client, number=f"  {paid_order.number.lower()} ", email="ADA@Example.com ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/orders/{paid_order.status_token}"


def test_an_unknown_number_and_a_wrong_email_get_the_same_answer(client, paid_order):
    wrong_email = submit(client, number=paid_order.number, email="eve@example.com")
    unknown_number = submit(client, number="EB-2026-99999", email="ada@example.com")
    assert wrong_email.status_code == unknown_number.status_code == 200
    for response in (wrong_email, unknown_number):
        html = response.get_data(as_text=True)
        assert NO_MATCH in html and paid_order.status_token not in html
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731 - the echoed input differs
    assert strip(wrong_email) == strip(unknown_number)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "Enter your order number."),
        ({"number": "EB-2026-00001"}, "Enter the email you ordered with."),
        ({"number": "x" * 5000, "email": "ada@example.com"}, "Order numbers are at most 20 characters."),
        ({"number": "'; DROP TABLE orders; --", "email": "ada@example.com"}, "Order numbers look like EB-2026-00042."),
        ({"number": "EB-2026-00001", "email": "not an email"}, "Enter a valid email address."),
        ({"number": "EB-2026-00001", "email": "a" * 300 + "@example.com"}, "That email address is too long."),
        ({"number": "EB-2026-\u0000\u202e", "email": "ada@example.com"}, "Order numbers look like EB-2026-00042."),
    ],
)
def test_garbage_or_missing_fields_get_inline_errors(client, paid_order, fields, error):
    response = submit(client, **fields)
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)


def test_bytes_that_are_not_utf8_get_inline_errors(client, paid_order):
    body = f"csrf_token={csrf_token(client)}&number=%FF%FE%00&email=%C0%AF%40x".encode()
    response = client.post("/orders/lookup", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Order numbers look like EB-2026-00042." in response.get_data(as_text=True)


def test_a_post_without_its_csrf_token_is_refused_cleanly(client, paid_order):
    response = client.post("/orders/lookup", data={"number": paid_order.number, "email": "ada@example.com"})
    assert response.status_code == 400


def test_too_many_attempts_get_a_friendly_429(client, paid_order):
    token = csrf_token(client)
    answers = [
        client.post("/orders/lookup", data={"csrf_token": token, "number": "EB-2026-99999", "email": "a@b.co"})
        for _ in range(10)
    ]
    assert {r.status_code for r in answers} == {200}
    limited = client.post(
        "/orders/lookup", data={"csrf_token": token, "number": paid_order.number, "email": "ada@example.com"}
    )
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429
    assert "Too many attempts" in html and "Track your order" in html
    assert "Retry-After" in limited.headers
    assert client.get("/orders/lookup").status_code == 200  # reading the form is never limited


def test_the_nav_links_to_the_lookup(client):
    assert 'href="/orders/lookup"' in client.get("/orders/lookup").get_data(as_text=True)
