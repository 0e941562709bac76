"""Customers cancel before assembly and change delivery details themselves, with the link and their email."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Component, OutboxMessage, WorkOrderEvent
from tests.support.checkout import csrf_token
from tests.support.tracker import move_to

pytestmark = pytest.mark.usefixtures("fresh_limits")

ADDRESS = {
    "line1": "500 Rue Saint-Paul",
    "line2": "",
    "city": "Montréal",
    "postal_code": "h2y 1h5",
    "region": "QC",
    "country": "CA",
    "phone": "+1 514 555 0100",
}


def post(client, url: str, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def events(order, action: str) -> list[WorkOrderEvent]:
    return list(
        db.session.scalars(
            select(WorkOrderEvent).where(
                WorkOrderEvent.work_order_id == order.work_order.id, WorkOrderEvent.action == action
            )
        )
    )


def test_the_status_page_offers_cancel_and_delivery_change_while_parts_are_gathered(client, paid_order):
    html = client.get(f"/orders/{paid_order.status_token}").get_data(as_text=True)
    assert f'href="/orders/{paid_order.status_token}/cancel"' in html
    assert f'href="/orders/{paid_order.status_token}/delivery"' in html
    assert f'href="/orders/{paid_order.status_token}/delivery.ics"' in html


def test_once_assembly_started_the_page_explains_and_offers_only_the_delivery_change(client, paid_order):
    move_to(paid_order, "assembly")
    html = client.get(f"/orders/{paid_order.status_token}").get_data(as_text=True)
    assert "/cancel" not in html
    assert "being built for you" in html and "reply to your order confirmation email" in html
    assert f'href="/orders/{paid_order.status_token}/delivery"' in html


def test_cancel_asks_for_confirmation_first(client, paid_order):
    response = client.get(f"/orders/{paid_order.status_token}/cancel")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Cancel your order?" in html and "$1,290.00" in html and "Yes, cancel and refund" in html
    db.session.refresh(paid_order)
    assert paid_order.cancelled_at is None


def test_a_customer_cancel_refunds_releases_parts_emails_and_is_recorded_as_the_customers(client, paid_order):
    reserved_before = {c.sku: c.reserved for c in db.session.scalars(select(Component))}
    url = f"/orders/{paid_order.status_token}/cancel"
    response = post(client, url, email=" ADA@example.com ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/orders/{paid_order.status_token}"

    db.session.expire_all()
    assert paid_order.cancelled_at is not None and paid_order.refund_reference.startswith("re_test_")
    assert paid_order.work_order.stage == "cancelled"
    assert all(line.state == "released" for line in paid_order.work_order.parts)
    reserved_after = {c.sku: c.reserved for c in db.session.scalars(select(Component))}
    assert sum(reserved_before.values()) - sum(reserved_after.values()) == len(paid_order.work_order.parts)
    (event,) = events(paid_order, "cancel")
    assert event.actor == "customer" and event.staff_id is None
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"wo-event:{event.id}"))
    assert mail.to_email == "ada@example.com" and "cancelled" in mail.subject
    assert "Your order is cancelled" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_wrong_email_cancels_nothing_and_says_so_on_the_field(client, paid_order):
    response = post(client, f"/orders/{paid_order.status_token}/cancel", email="eve@example.com")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in html and "not the email address this order was placed with" in html
    db.session.expire_all()
    assert paid_order.cancelled_at is None and paid_order.work_order.stage == "sourcing"


def test_a_cancel_after_assembly_started_changes_nothing_and_explains(client, paid_order):
    url = f"/orders/{paid_order.status_token}/cancel"
    token = csrf_token(client, url)
    move_to(paid_order, "assembly")  # staff got there between the form and the click
    response = client.post(url, data={"csrf_token": token, "email": "ada@example.com"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your bike is being built" in html and "can no longer be cancelled" in html
    db.session.expire_all()
    assert paid_order.cancelled_at is None and paid_order.work_order.stage == "assembly"


def test_self_service_needs_a_csrf_token(client, paid_order):
    response = client.post(f"/orders/{paid_order.status_token}/cancel", data={"email": "ada@example.com"})
    assert response.status_code == 400
    db.session.expire_all()
    assert paid_order.cancelled_at is None


@pytest.mark.parametrize("path", ["", "/cancel", "/delivery", "/delivery.ics"])
def test_a_wrong_link_gets_the_404_page(client, paid_order, path):
    response = client.get(f"/orders/{'x' * 43}{path}")
    assert response.status_code == 404
    assert "We can’t find that page" in response.get_data(as_text=True)


def test_self_service_posts_are_rate_limited_with_a_friendly_page(client, paid_order):
    url = f"/orders/{paid_order.status_token}/cancel"
    statuses = [post(client, url, email="eve@example.com").status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429
    html = post(client, url, email="ada@example.com").get_data(as_text=True)
    assert "Too many attempts" in html and "Back to the shop" in html
    db.session.expire_all()
    assert paid_order.cancelled_at is None


def test_a_delivery_change_is_saved_shown_to_staff_and_emailed(client, paid_order):
    url = f"/orders/{paid_order.status_token}/delivery"
    form = client.get(url).get_data(as_text=True)
    assert 'value="12 Spoke Street"' in form and 'autocomplete="postal-code"' in form
    response = post(client, url, email="ada@example.com", **ADDRESS)
    assert response.status_code == 303
    db.session.expire_all()
    assert paid_order.address["city"] == "Montréal" and paid_order.address["postal_code"] == "H2Y 1H5"
    assert paid_order.phone == "+1 514 555 0100"
    (event,) = events(paid_order, "delivery_changed")
    assert event.actor == "customer"
    assert "12 Spoke Street" in event.note and "500 Rue Saint-Paul" in event.note
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == f"wo-event:{event.id}"))
    assert mail.subject.endswith("your delivery details changed")


def test_an_invalid_postal_code_gets_the_same_inline_error_as_checkout(client, paid_order):
    url = f"/orders/{paid_order.status_token}/delivery"
    response = post(client, url, email="ada@example.com", **{**ADDRESS, "postal_code": "K1A 0B1"})  # Ontario code
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="postal_code-error">([^<]+)</p>', html).group(1)
    assert error == "That postal code is not in Quebec."
    assert re.search(r'<input[^>]*aria-describedby="postal_code-hint postal_code-error"[^>]*aria-invalid="true"', html)
    assert 'value="500 Rue Saint-Paul"' in html  # what the customer typed is kept
    db.session.expire_all()
    assert paid_order.address["city"] == "Burlington"


def test_the_delivery_cannot_change_once_the_bike_has_shipped(client, paid_order):
    url = f"/orders/{paid_order.status_token}/delivery"
    token = csrf_token(client, url)
    move_to(paid_order, "shipped", carrier="ups", tracking_number="1Z999AA10123456784")
    html = client.get(url).get_data(as_text=True)
    assert "can no longer be changed here" in html and "<form" not in html.split("<main")[1]
    response = client.post(url, data={"csrf_token": token, "email": "ada@example.com", **ADDRESS})
    assert response.status_code == 200
    db.session.expire_all()
    assert paid_order.address["city"] == "Burlington"
