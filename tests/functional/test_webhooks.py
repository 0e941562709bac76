"""The Stripe webhook: signatures, duplicates, event types, unknown checkouts and failures that roll back."""

import logging
import time

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Component, Order, OutboxMessage, StripeEvent
from storefront.services import orders as orders_service
from tests.support.checkout import checkout_by_session, post_event, stripe_event, submit_checkout


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _paid_session(client, fake_stripe, **kwargs) -> dict:
    submit_checkout(client)
    return fake_stripe.complete(fake_stripe.only_session()["id"], **kwargs)


def test_a_completed_event_creates_one_order_with_its_work_order_and_email(client, fake_stripe):
    session = _paid_session(client, fake_stripe)
    response = post_event(client, stripe_event("checkout.session.completed", session))
    assert response.status_code == 200 and response.json["outcome"] == "handled"
    order = db.session.scalar(select(Order))
    assert order.stripe_session_id == session["id"] and order.work_order.stage == "sourcing"
    assert {p.state for p in order.work_order.parts} == {"reserved"}
    assert _count(OutboxMessage) == 1 and _count(StripeEvent) == 1


def test_a_duplicate_event_gets_200_and_changes_nothing(client, fake_stripe):
    session = _paid_session(client, fake_stripe)
    event = stripe_event("checkout.session.completed", session)
    assert post_event(client, event).status_code == 200
    reserved = db.session.scalar(select(func.sum(Component.reserved)))
    again = post_event(client, event)
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    assert _count(Order) == 1 and _count(StripeEvent) == 1 and _count(OutboxMessage) == 1
    assert db.session.scalar(select(func.sum(Component.reserved))) == reserved


def test_a_forged_signature_gets_400_and_writes_nothing(client, fake_stripe):
    session = _paid_session(client, fake_stripe)
    event = stripe_event("checkout.session.completed", session)
    assert post_event(client, event, secret="whsec_forged").status_code == 400
    assert post_event(client, event, signature="").status_code == 400  # no header at all
    assert post_event(client, event, signature="t=1,v1=deadbeef").status_code == 400
    assert post_event(client, event, timestamp=int(time.time()) - 3600).status_code == 400  # stale
    assert _count(Order) == 0 and _count(StripeEvent) == 0


def test_a_body_changed_after_signing_is_rejected(client, fake_stripe):
    import json

    import stripe

    session = _paid_session(client, fake_stripe)
    payload = json.dumps(stripe_event("checkout.session.completed", session))
    header = stripe.WebhookSignature.generate_signature_header(payload, "whsec_test_secret_for_the_fake")
    tampered = payload.replace('"livemode": false', '"livemode": true')
    response = client.post("/webhooks/stripe", data=tampered, headers={"Stripe-Signature": header})
    assert response.status_code == 400 and _count(Order) == 0


def test_the_webhook_needs_no_csrf_token_but_other_posts_do(client, fake_stripe):
    session = _paid_session(client, fake_stripe)
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    assert client.post("/checkout?frame=step-through", data={}).status_code == 400


def test_an_unknown_event_type_gets_200_and_is_ignored(client, fake_stripe):
    session = _paid_session(client, fake_stripe)
    response = post_event(client, stripe_event("payment_intent.created", session))
    assert response.status_code == 200 and response.json["outcome"] == "ignored"
    assert _count(Order) == 0


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _logged(logger_name: str, deliver) -> tuple[object, list[str]]:
    records, logger = _Records(), logging.getLogger(logger_name)
    records.setLevel(logging.INFO)
    logger.addHandler(records)
    was_disabled, logger.disabled = logger.disabled, False  # Alembic's fileConfig disables loaded loggers
    was_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        return deliver(), records.messages
    finally:
        logger.removeHandler(records)
        logger.disabled, logger.level = was_disabled, was_level


def _stranger(fake_stripe, metadata=None) -> dict:
    stranger = fake_stripe.create_session(
        {
            "mode": "payment",
            "success_url": "https://elsewhere.example/ok",
            "line_items": [{"quantity": "1", "price_data": {"currency": "usd", "unit_amount": "500"}}],
            "metadata": metadata or {},
        }
    )
    return fake_stripe.complete(stranger["id"])


def test_an_event_for_another_integrations_session_gets_200_ignored_and_is_logged_once(client, fake_stripe):
    stranger = _stranger(fake_stripe, {"shopify_order": "1001"})
    event = stripe_event("checkout.session.completed", stranger)
    response, messages = _logged("storefront.services.checkout", lambda: post_event(client, event))
    assert response.status_code == 200 and response.json["outcome"] == "ignored"
    assert len([m for m in messages if event["id"] in m and "did not make" in m]) == 1
    assert _count(Order) == 0


def test_an_event_for_our_session_without_its_checkout_row_gets_404_so_stripe_retries(client, fake_stripe):
    ours = _stranger(fake_stripe, {"checkout_id": "0" * 32})
    deliver = lambda: post_event(client, stripe_event("checkout.session.completed", ours))  # noqa: E731
    response, messages = _logged("storefront.webhooks.views", deliver)
    assert response.status_code == 404
    assert any("a checkout we do not know" in m for m in messages)
    assert _count(StripeEvent) == 0 and _count(Order) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"id": ["evt_1"]},
        {"id": {"nested": "evt_1"}},
        {"id": ""},
        {"type": 7},
        {"data": "session"},
        {"data": {"object": {"id": ["cs_1"]}}},
        {"data": {"object": {"id": "cs_1", "metadata": ["checkout_id"]}}},
    ],
)
def test_a_signed_event_of_the_wrong_shape_gets_400_and_writes_nothing(client, fake_stripe, change):
    session = _paid_session(client, fake_stripe)
    response = post_event(client, stripe_event("checkout.session.completed", session) | change)
    assert response.status_code == 400 and response.json["error"] == "invalid event shape"
    assert _count(StripeEvent) == 0 and _count(Order) == 0


def test_a_failure_while_handling_gets_500_with_no_partial_writes_and_a_retry_succeeds(
    client, fake_stripe, monkeypatch
):
    session = _paid_session(client, fake_stripe)
    event = stripe_event("checkout.session.completed", session)

    def broken_mail(order, catalog):
        raise RuntimeError("mail template exploded")

    monkeypatch.setattr(orders_service, "_queue_confirmation", broken_mail)
    assert post_event(client, event).status_code == 500
    assert _count(Order) == 0 and _count(StripeEvent) == 0 and _count(OutboxMessage) == 0
    assert db.session.scalar(select(func.sum(Component.reserved))) == 0
    assert checkout_by_session(session["id"]).status == "pending"
    monkeypatch.undo()
    assert post_event(client, event).status_code == 200
    assert _count(Order) == 1 and _count(StripeEvent) == 1


def test_a_delayed_payment_is_fulfilled_when_it_succeeds(client, fake_stripe):
    session = _paid_session(client, fake_stripe, payment_status="unpaid")
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    assert _count(Order) == 0
    session = fake_stripe.complete(session["id"])
    assert post_event(client, stripe_event("checkout.session.async_payment_succeeded", session)).status_code == 200
    assert _count(Order) == 1


def test_a_failed_delayed_payment_marks_the_checkout_failed(client, fake_stripe):
    session = _paid_session(client, fake_stripe, payment_status="unpaid")
    assert post_event(client, stripe_event("checkout.session.async_payment_failed", session)).status_code == 200
    assert checkout_by_session(session["id"]).status == "failed"
    assert _count(Order) == 0
    html = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    assert "Your payment did not go through" in html


def test_an_expired_session_marks_the_checkout_expired(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.expire(fake_stripe.only_session()["id"])
    assert post_event(client, stripe_event("checkout.session.expired", session)).status_code == 200
    assert checkout_by_session(session["id"]).status == "expired"
    assert _count(Order) == 0
    html = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    assert "This checkout has expired" in html and "/configure?frame=step-through" in html


def test_an_expired_event_never_unmakes_a_paid_order(client, fake_stripe):
    session = _paid_session(client, fake_stripe)
    post_event(client, stripe_event("checkout.session.completed", session))
    assert post_event(client, stripe_event("checkout.session.expired", session)).status_code == 200
    assert checkout_by_session(session["id"]).status == "fulfilled"


def test_webhooks_answer_503_when_no_secret_is_configured(client):
    response = post_event(client, {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}})
    assert response.status_code == 503
    assert _count(StripeEvent) == 0
