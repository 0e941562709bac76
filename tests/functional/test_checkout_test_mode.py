"""Checkout in test mode (no Stripe key): the form, the test payment page, the success page, the bill of sale."""

from datetime import datetime

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Checkout, Component, Order, OutboxMessage
from storefront.services import fulfil as fulfil_service
from tests.support.checkout import BUILD_QUERY, checkout_by_session, pay_with_test_card, submit_checkout

AFTER_THE_CUT_OFF = datetime.fromisoformat("2026-12-01T21:30:00+00:00")  # Tue 16:30 in New York (cut-off 15:00)


def _session_id(payment_url: str) -> str:
    return payment_url.rstrip("/").rsplit("/", 1)[1]


def test_the_checkout_page_shows_the_build_price_and_the_window_in_the_terms(client):
    response = client.get(f"/checkout?{BUILD_QUERY}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "$1,290.00" in html
    terms = html.split('class="terms')[1].split("</label>")[0]
    assert "Mon 7 Dec 2026" in terms and "Thu 10 Dec 2026" in terms
    assert 'name="csrf_token"' in html


def test_after_the_cut_off_checkout_quotes_the_next_working_day_as_the_configurator_and_the_plan_do(client, app_ctx):
    """Today's assembly list is closed at the cut-off: a checkout quoting today's free slot would promise a day
    the plan at payment cannot keep, and the confirmation would blame orders that never came in between."""
    app_ctx.config["FIXED_NOW"] = AFTER_THE_CUT_OFF
    configurator = client.get(f"/api/quote?{BUILD_QUERY}").get_json()["estimate"]
    terms = client.get(f"/checkout?{BUILD_QUERY}").get_data(as_text=True).split('id="terms-window">')[1]
    assert terms.startswith("Tue 8 Dec 2026 – Fri 11 Dec 2026")  # counted from Wednesday's slot
    assert (configurator["earliest"], configurator["latest"]) == ("2026-12-08", "2026-12-11")
    location = submit_checkout(client).headers["Location"]
    pay_with_test_card(client, location)
    order = db.session.scalar(select(Order))
    assert (order.promised_earliest.isoformat(), order.promised_latest.isoformat()) == ("2026-12-08", "2026-12-11")
    assert not order.promise_moved_at_payment


def test_an_invalid_build_goes_back_to_the_configurator(client):
    response = client.get("/checkout?frame=folding&motor=mid-500&battery=b750&color=graphite")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/configure?frame=folding")


def test_a_valid_form_stores_a_pending_checkout_and_redirects_to_the_test_payment_page(client):
    response = submit_checkout(client)
    assert response.status_code == 303
    assert "/test-payments/cs_test_" in response.headers["Location"]
    checkout = checkout_by_session(_session_id(response.headers["Location"]))
    assert checkout.status == "pending" and checkout.provider == "test"
    assert checkout.total_cents == 129000 and checkout.currency == "USD"
    assert checkout.snapshot["estimate"]["earliest"] == "2026-12-07"
    assert checkout.address == {
        "line1": "12 Spoke Street",
        "line2": "",
        "city": "Burlington",
        "postal_code": "05401",
        "region": "VT",
        "country": "US",
    }
    assert checkout.phone == "+1 802 555 0100"


def test_the_test_payment_page_is_clearly_marked(client):
    location = submit_checkout(client).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "Test mode: no real charge" in html
    assert "Pay $1,290.00" in html


def test_the_card_4242_pays_and_the_success_page_shows_the_order(client):
    location = submit_checkout(client).headers["Location"]
    response = pay_with_test_card(client, location)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/checkout/success?session_id=cs_test_")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    order = db.session.scalar(select(Order))
    assert order.number in html and f"/orders/{order.status_token}" in html
    assert "Mon 7 Dec 2026" in html and "Step-through" in html
    assert order.payment_reference.startswith("pi_test_")
    assert order.work_order.stage == "sourcing"
    assert checkout_by_session(_session_id(location)).status == "fulfilled"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_declined_test_card_says_so_and_creates_no_order(client):
    location = submit_checkout(client).headers["Location"]
    response = pay_with_test_card(client, location, card="4000 0000 0000 0002")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your card was declined" in html and 'class="error"' in html
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    assert db.session.scalar(select(func.sum(Component.reserved))) == 0
    assert checkout_by_session(_session_id(location)).status == "pending"  # another card may still pay
    assert pay_with_test_card(client, location).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_an_unknown_card_number_is_refused_inline(client):
    location = submit_checkout(client).headers["Location"]
    html = pay_with_test_card(client, location, card="1234 5678 9012 3456").get_data(as_text=True)
    assert "Test mode accepts only the test cards" in html
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_paying_twice_still_makes_one_order(client):
    location = submit_checkout(client).headers["Location"]
    pay_with_test_card(client, location)
    again = client.get(location)  # a paid session's page sends the customer to the success page
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1


def test_a_test_session_expires_after_an_hour(app_ctx, client):
    from datetime import timedelta

    location = submit_checkout(client).headers["Location"]
    app_ctx.config["FIXED_NOW"] = app_ctx.config["FIXED_NOW"] + timedelta(hours=1, minutes=1)
    response = client.get(location)
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This checkout has expired" in html
    assert checkout_by_session(_session_id(location)).status == "expired"
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_bill_of_sale_lists_every_line_total_customer_and_payment_reference(client):
    location = submit_checkout(client, build_query=BUILD_QUERY + "&accessories=rack").headers["Location"]
    pay_with_test_card(client, location)
    order = db.session.scalar(select(Order))
    html = client.get(f"/bill-of-sale/{order.status_token}").get_data(as_text=True)
    assert order.number in html and "Tue 1 Dec 2026" in html
    assert "Ada Lovelace" in html and "12 Spoke Street" in html and "Burlington, VT 05401" in html
    assert "Rear rack" in html and "$65.00" in html and "$1,355.00" in html
    assert order.payment_reference in html
    assert "@media print" in client.get("/static/css/checkout.css").get_data(as_text=True)


def test_an_unknown_bill_of_sale_token_is_404(client):
    assert client.get("/bill-of-sale/not-a-token").status_code == 404


def test_an_unknown_session_on_the_success_page_is_404(client):
    assert client.get("/checkout/success?session_id=cs_test_nope").status_code == 404
    assert client.get("/checkout/success").status_code == 404
    assert client.get("/test-payments/cs_test_nope").status_code == 404


def test_checkouts_are_not_created_without_a_csrf_token(client):
    from tests.support.checkout import CUSTOMER

    response = client.post(f"/checkout?{BUILD_QUERY}", data=CUSTOMER)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 0


def test_one_test_payment_runs_fulfilment_once_and_locks_the_checkout_once(client, monkeypatch):
    runs, locks = [], []
    real_run, real_lock = fulfil_service._fulfil_locked, fulfil_service._lock_checkout
    monkeypatch.setattr(fulfil_service, "_fulfil_locked", lambda session: runs.append(1) or real_run(session))
    monkeypatch.setattr(fulfil_service, "_lock_checkout", lambda session: locks.append(1) or real_lock(session))
    location = submit_checkout(client).headers["Location"]
    success = pay_with_test_card(client, location).headers["Location"]
    assert db.session.scalar(select(Order)).number in client.get(success).get_data(as_text=True)
    assert len(runs) == 1 and len(locks) == 1
