"""A paid session that cannot become an order is an incident: the customer is emailed, staff are emailed, and
the case waits on the back office's "Needs attention" list until it is refunded in one click."""

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Checkout, Order, OutboxMessage, PaymentIncident
from tests.support.backoffice import StaffClient, sign_in
from tests.support.checkout import checkout_by_session, post_event, stripe_event, submit_checkout

STAFF = "workshop-alerts@voltwerk.example"


def _mismatched_payment(client, fake_stripe) -> dict:
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"], amount_total=100)
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    return session


def _mail(to: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == to)).all()


def test_a_paid_mismatch_emails_the_customer_what_the_page_promises(client, fake_stripe):
    session = _mismatched_payment(client, fake_stripe)
    (mail,) = _mail("ada@example.com")
    assert mail.subject == "We are checking your payment"
    assert (
        "we refund your payment in full" in mail.body_text and checkout_by_session(session["id"]).id in mail.body_text
    )
    page = client.get(f"/checkout/success?session_id={session['id']}").get_data(as_text=True)
    assert "We have emailed ada@example.com" in page
    # a redelivery, or the success page asking again, opens nothing new
    post_event(client, stripe_event("checkout.session.completed", session))
    assert len(_mail("ada@example.com")) == 1
    assert db.session.scalar(select(func.count()).select_from(PaymentIncident)) == 1


def test_a_paid_mismatch_emails_the_staff_alert_address(client, fake_stripe, app_ctx):
    app_ctx.config["STAFF_ALERT_EMAIL"] = STAFF
    try:
        session = _mismatched_payment(client, fake_stripe)
    finally:
        app_ctx.config["STAFF_ALERT_EMAIL"] = None
    (mail,) = _mail(STAFF)
    assert "Needs attention" in mail.subject
    assert session["id"] in mail.body_text and session["payment_intent"] in mail.body_text
    assert "Expected: $1,290.00" in mail.body_text and "Paid: $1.00" in mail.body_text


def test_the_needs_attention_list_shows_the_case_and_refunds_it_in_one_click(client, fake_stripe, staff_user):
    session = _mismatched_payment(client, fake_stripe)
    sign_in(client)
    staff = StaffClient(client, staff_user)
    html = staff.get("/backoffice/attention/").get_data(as_text=True)
    incident = db.session.scalar(select(PaymentIncident))
    assert session["id"] in html and "$1,290.00" in html and "$1.00" in html and "paid 100 usd" in html
    response = staff.post(f"/backoffice/attention/{incident.id}/refund")
    assert response.status_code == 303
    (refund,) = fake_stripe.refunds.values()
    assert refund["payment_intent"] == session["payment_intent"]
    (_, _, _, headers) = fake_stripe.calls("POST", "/v1/refunds")[0]
    assert headers["idempotency-key"] == f"refund-incident-{incident.refund_key}"
    assert "no-incidents" in staff.get("/backoffice/attention/").get_data(as_text=True)
    again = staff.post(f"/backoffice/attention/{incident.id}/refund")
    assert again.status_code == 409 and len(fake_stripe.refunds) == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_payment_for_a_checkout_already_given_up_on_is_an_incident_too(client, fake_stripe):
    submit_checkout(client)
    session = fake_stripe.complete(fake_stripe.only_session()["id"])
    db.session.execute(db.update(Checkout).values(status="expired"))
    db.session.commit()
    assert post_event(client, stripe_event("checkout.session.completed", session)).status_code == 200
    incident = db.session.scalar(select(PaymentIncident))
    assert incident.reason == "paid after the checkout was marked expired" and incident.paid_cents == 129000
    assert len(_mail("ada@example.com")) == 1
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_needs_attention_list_is_for_staff_only(client):
    assert client.get("/backoffice/attention/").status_code == 302
