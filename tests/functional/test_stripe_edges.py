"""Stripe at the edges: a Stripe that hangs, the metadata and API version we send, refund keys that cannot collide."""

import logging

import pytest
from sqlalchemy import select

from storefront.config import stripe_time_budget
from storefront.extensions import db
from storefront.models import Checkout, Order
from storefront.payments import PaymentError
from storefront.payments.stripe_gateway import API_VERSION
from storefront.services import workshop
from tests.support.backoffice import fresh
from tests.support.checkout import post_event, stripe_event, submit_checkout


def test_a_stripe_that_never_answers_gives_the_503_page_within_the_budget_and_keeps_the_checkout(
    client, fake_stripe, app_ctx
):
    app_ctx.config["STRIPE_TIMEOUT_SECONDS"] = 0.4
    fake_stripe.hang = True
    response = submit_checkout(client)
    assert response.status_code == 503
    assert "could not reach our payment provider" in response.get_data(as_text=True)
    # Stripe Tax first files the customer's address; that call hangs: one try and one retry, then we give up
    assert len(fake_stripe.calls("POST", "/v1/customers")) == 2
    assert fake_stripe.calls("POST", "/v1/checkout/sessions") == []
    checkout = db.session.scalar(select(Checkout))
    assert checkout.status == "pending" and checkout.stripe_session_id is None  # kept for reconcile


def test_the_default_budget_is_well_inside_the_worker_timeout(app_ctx):
    budget = stripe_time_budget(app_ctx.config["STRIPE_TIMEOUT_SECONDS"])
    assert budget <= app_ctx.config["WORKER_TIMEOUT_SECONDS"] * 0.75


def test_the_session_carries_the_checkout_on_its_payment_intent_and_the_pinned_version(client, fake_stripe):
    submit_checkout(client)
    checkout = db.session.scalar(select(Checkout))
    _, _, params, headers = fake_stripe.calls("POST", "/v1/checkout/sessions")[0]
    assert params["payment_intent_data"]["metadata"] == {"checkout_id": checkout.id}
    assert headers["stripe-version"] == API_VERSION


def test_after_fulfilment_the_payment_names_the_order(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    order = db.session.scalar(select(Order))
    labelled = fake_stripe.payment_intents[session["payment_intent"]]["metadata"]
    assert labelled == {"checkout_id": order.checkout_id, "order_number": order.number}


def test_an_event_of_another_api_version_is_handled_with_a_warning(client, fake_stripe, caplog):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    event = stripe_event("checkout.session.completed", session) | {"api_version": "2020-08-27"}
    with caplog.at_level(logging.WARNING, logger="storefront.payments.stripe_gateway"):
        assert post_event(client, event).status_code == 200
    assert any("2020-08-27" in r.getMessage() and API_VERSION in r.getMessage() for r in caplog.records)
    assert db.session.scalar(select(Order)) is not None


def _paid_stripe_order(client, fake_stripe) -> Order:
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    client.get(f"/checkout/success?session_id={session['id']}")
    return db.session.scalar(select(Order))


def test_a_refund_key_is_random_stored_with_the_cancel_and_reused_when_the_cancel_is_retried(client, fake_stripe):
    order = _paid_stripe_order(client, fake_stripe)
    work_order = order.work_order
    fake_stripe.down = True
    with pytest.raises(PaymentError):
        workshop.cancel(work_order.id, version=work_order.version, staff_id=None)
    assert fresh(order).cancelled_at is None
    first_key = fresh(order).refund_key
    assert first_key and str(order.id) not in first_key.split("-") and len(first_key) == 32
    fake_stripe.down = False
    workshop.cancel(work_order.id, version=fresh(work_order).version, staff_id=None)
    keys = [headers["idempotency-key"] for _, _, _, headers in fake_stripe.calls("POST", "/v1/refunds")]
    assert keys and set(keys) == {f"refund-{first_key}"}
    assert fresh(order).refund_reference in fake_stripe.refunds
