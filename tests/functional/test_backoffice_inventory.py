"""The inventory page: stock per component, receiving, supplier dates and lead times through the forms."""

from datetime import timedelta

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Component, PartLine, PurchaseRequest
from tests.support.backoffice import FOLDING_BUILD, fresh


def waiting_request(order) -> PurchaseRequest:
    db.session.expire_all()
    line = db.session.scalar(
        select(PartLine).where(PartLine.work_order_id == order.work_order.id, PartLine.state == "awaiting")
    )
    return line.purchase_request


def test_the_inventory_page_shows_counters_incoming_deliveries_and_lead_times(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    request = waiting_request(order)
    html = staff_client.get("/backoffice/inventory").get_data(as_text=True)
    assert 'id="component-FRAME-FD"' in html and f"PR {request.id}" in html
    assert "1 of 1 due " in html and 'name="lead-1-days"' in html


def test_receiving_through_the_form_reserves_for_the_waiting_order_and_marks_it_ready(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    request = waiting_request(order)
    response = staff_client.post(
        f"/backoffice/inventory/purchase-requests/{request.id}/receive", {f"receive-{request.id}-quantity": "1"}
    )
    assert response.status_code == 303
    flashed = staff_client.get("/backoffice/inventory").get_data(as_text=True)
    assert f"Ready for assembly: {order.number}" in flashed
    board = staff_client.get("/backoffice/").get_data(as_text=True)
    assert f'data-order="{order.number}"' in board and "flag-ready" in board


def test_bad_receiving_quantities_get_a_message_and_change_nothing(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    request = waiting_request(order)
    url = f"/backoffice/inventory/purchase-requests/{request.id}/receive"
    for quantity, message in (("-2", "between 1 and"), ("5", "between 1 and 1"), ("lots", "Not a valid integer")):
        response = staff_client.post(url, {f"receive-{request.id}-quantity": quantity})
        assert response.status_code == 422, quantity
        assert message in response.get_data(as_text=True)
    assert fresh(request).received_quantity == 0
    response = staff_client.post("/backoffice/inventory/purchase-requests/999/receive", {"receive-999-quantity": "1"})
    assert response.status_code == 422 and "not open" in response.get_data(as_text=True)


def test_a_supplier_date_change_through_the_form_moves_the_customer_forecast(staff_client, order_factory):
    order = order_factory(FOLDING_BUILD)
    request = waiting_request(order)
    new_date = request.expected_date + timedelta(days=7)
    response = staff_client.post(
        f"/backoffice/inventory/purchase-requests/{request.id}/expected-date",
        {f"date-{request.id}-expected": new_date.isoformat(), f"date-{request.id}-reason": "strike at the port"},
    )
    assert response.status_code == 303
    assert f"New forecast for {order.number}" in staff_client.get("/backoffice/inventory").get_data(as_text=True)
    assert fresh(order).forecast_reason == "supplier delay: strike at the port"


def test_lead_times_are_edited_with_validation(staff_client, app_ctx):
    component = db.session.scalar(select(Component).where(Component.sku == "BAT-750"))
    url = f"/backoffice/inventory/components/{component.id}/lead-time"
    field = f"lead-{component.id}-days"
    assert staff_client.post(url, {field: "6"}).status_code == 303
    for bad in ("0", "-1", "2.5", "", "9999"):
        assert staff_client.post(url, {field: bad}).status_code == 422, bad
    assert fresh(component).lead_time_days == 6
