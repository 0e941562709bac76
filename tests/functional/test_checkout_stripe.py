"""Checkout against a fake Stripe: the session we create, the success page in either order with the webhook."""

from urllib.parse import urlsplit

import pytest
import stripe
from sqlalchemy import func, select

from storefront import payments
from storefront.extensions import db
from storefront.models import Checkout, Order
from storefront.payments.stripe_gateway import client as stripe_client
from tests.support.checkout import BUILD_QUERY, checkout_by_session, post_event, stripe_event, submit_checkout


def _orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def test_checkout_creates_a_stripe_session_with_the_snapshot_and_redirects_to_it(client, fake_stripe):
    response = submit_checkout(client, build_query=BUILD_QUERY + "&accessories=rack")
    session = fake_stripe.only_session()
    assert response.status_code == 303
    assert response.headers["Location"] == session["url"]
    checkout = checkout_by_session(session["id"])
    assert checkout.provider == "stripe" and checkout.status == "pending"
    _, _, params, headers = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    assert params["mode"] == "payment"
    assert fake_stripe.customers[params["customer"]]["email"] == "ada@example.com"  # Stripe Tax needs a Customer
    assert params["client_reference_id"] == checkout.id == params["metadata"]["checkout_id"]
    amounts = [int(item["price_data"]["unit_amount"]) for item in params["line_items"]]
    assert sum(amounts) == 135500 == checkout.total_cents == session["amount_total"]
    assert {item["price_data"]["currency"] for item in params["line_items"]} == {"usd"}
    assert params["success_url"].endswith("/checkout/success?session_id={CHECKOUT_SESSION_ID}")
    assert urlsplit(params["cancel_url"]).path == "/configure"
    assert "accessories=rack" in params["cancel_url"] and "frame=step-through" in params["cancel_url"]
    assert int(params["expires_at"]) - int(checkout.created_at.timestamp()) == 3600
    assert headers["idempotency-key"] == f"checkout-session-{checkout.id}"
    assert headers["authorization"] == "Bearer sk_test_fake_key"


def test_a_tampered_price_field_is_ignored(client, fake_stripe):
    response = submit_checkout(client, total_cents="100", price_cents="1", amount="1", unit_amount="1")
    assert response.status_code == 303
    session = fake_stripe.only_session()
    assert session["amount_total"] == 129000
    assert checkout_by_session(session["id"]).total_cents == 129000


def test_stripe_being_down_shows_a_message_not_an_error_page(client, fake_stripe):
    fake_stripe.down = True
    response = submit_checkout(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "could not reach our payment provider" in html
    assert 'value="Ada Lovelace"' in html  # the form keeps what the customer typed


def test_the_success_page_before_the_webhook_creates_the_order_and_the_webhook_then_changes_nothing(
    client, fake_stripe
):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    html = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    order = db.session.scalar(select(Order))
    assert order.number in html and f"/orders/{order.status_token}" in html
    assert order.payment_reference == session["payment_intent"]
    response = post_event(client, stripe_event("checkout.session.completed", session))
    assert response.status_code == 200
    assert _orders() == 1


def test_the_webhook_before_the_success_page_creates_the_order_and_the_page_shows_it(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    order = db.session.scalar(select(Order))
    html = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    assert order.number in html
    assert _orders() == 1
    assert checkout_by_session(session["id"]).status == "fulfilled"


def test_the_success_page_says_payment_processing_while_unpaid(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"], payment_status="unpaid")
    html = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    assert "Payment processing" in html
    assert _orders() == 0


def test_an_amount_that_does_not_match_creates_no_order(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"], amount_total=100)
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    assert _orders() == 0
    checkout = checkout_by_session(session["id"])
    assert checkout.status == "mismatch" and "paid 100 usd, expected 129000 usd" in checkout.failure_reason
    html = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    assert "We need to check your payment" in html


def test_an_order_is_refunded_through_stripe(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    order = db.session.scalar(select(Order))
    reference = payments.provider(order.checkout.provider).refund(
        order.payment_reference, idempotency_key="refund-test-key", label=order.number
    )
    refund = fake_stripe.refunds[reference]
    assert refund["payment_intent"] == session["payment_intent"] and refund["amount"] == 129000


def test_the_fake_answers_unknown_parameters_with_stripes_400(app_ctx, fake_stripe):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client().v1.checkout.sessions.create({"mode": "payment", "colour": "red"})
    assert caught.value.http_status == 400
    assert caught.value.code == "parameter_unknown" and caught.value.param == "colour"
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 0
