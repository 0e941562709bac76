"""Hostile input gets a clear answer, never a 500: NUL in paths, redirects off the site, numbers and dates
beyond what the database or the plan can hold."""

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import PurchaseRequest
from tests.support.backoffice import FOLDING_BUILD, fresh, sign_in


@pytest.mark.parametrize(
    "path", ["/test-payments/cs_%00", "/orders/%00abc", "/orders/a%00b/progress", "/static/a%00b.css"]
)
def test_nul_in_a_path_parameter_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_path_parameters_reach_the_view_with_nul_made_visible(app):
    with app.test_request_context("/orders/a%00b/progress"):
        from flask import request

        assert request.endpoint == "orders.progress" and request.view_args == {"token": "a\ufffdb"}


@pytest.mark.parametrize(
    "target",
    [
        "/backoffice/%0D%0ASet-Cookie:%20stolen=1",
        "/backoffice/inventory%0AX-Injected:%201",
        "https://evil.example/backoffice",
        "//evil.example/backoffice",
        "/%5Cevil.example/backoffice",
        "/backoffice%5C..%5C..%5Cevil",
        "javascript:alert(1)//backoffice",
        "/orders/lookup",
    ],
)
def test_sign_in_follows_next_only_to_a_plain_back_office_path(client, staff_user, target):
    response = sign_in(client, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/backoffice/"
    assert "Set-Cookie: stolen" not in str(response.headers) and "X-Injected" not in str(response.headers)


def test_sign_in_still_follows_a_back_office_next(client, staff_user):
    response = sign_in(client, next_url="/backoffice/inventory")
    assert response.headers["Location"] == "/backoffice/inventory"


@pytest.mark.parametrize("wo_id", ["2147483648", "99999999999999999999"])
def test_an_id_beyond_the_integer_range_is_a_404(staff_client, wo_id):
    assert staff_client.get(f"/backoffice/work-orders/{wo_id}").status_code == 404
    assert staff_client.post(f"/backoffice/work-orders/{wo_id}/notes", {"version": "1", "text": "x"}).status_code == 404
    assert staff_client.post(f"/backoffice/inventory/purchase-requests/{wo_id}/receive").status_code == 404


@pytest.mark.parametrize("version", ["2147483648", "-1", "99999999999999999999"])
def test_a_version_beyond_the_integer_range_gets_a_message(staff_client, paid_order, version):
    url = f"/backoffice/work-orders/{paid_order.work_order.id}/notes"
    response = staff_client.post(url, {"version": version, "text": "hello", "visibility": "internal"})
    assert response.status_code == 422
    assert "This form is out of date; reload." in response.get_data(as_text=True)
    assert len(fresh(paid_order.work_order).events) == 1


def test_an_expected_date_years_away_gets_a_message_and_changes_nothing(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    request = db.session.scalar(select(PurchaseRequest))
    before = request.expected_date
    for far in ("9999-12-31", "2031-01-01"):
        response = staff_client.post(
            f"/backoffice/inventory/purchase-requests/{request.id}/expected-date",
            {f"date-{request.id}-expected": far, f"date-{request.id}-reason": "typo"},
        )
        assert response.status_code == 422, far
        assert "must be within two years" in response.get_data(as_text=True)
    assert fresh(request).expected_date == before and fresh(order).forecast_reason is None
