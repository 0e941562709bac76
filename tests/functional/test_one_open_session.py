"""One open payment session per browser, build and details; checkouts whose session never opened are expired."""

from datetime import timedelta

from flask import g
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Checkout
from storefront.services.checkout import reconcile
from tests.support.checkout import submit_checkout


def _checkouts() -> int:
    return db.session.scalar(select(func.count()).select_from(Checkout))


def test_a_repeated_checkout_post_redirects_to_the_same_stripe_session(client, fake_stripe):
    first = submit_checkout(client)
    again = submit_checkout(client)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"] == fake_stripe.only_session()["url"]
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1 and _checkouts() == 1


def test_other_details_another_build_or_another_browser_get_a_session_of_their_own(app_ctx, client, fake_stripe):
    first = submit_checkout(client).headers["Location"]
    other_email = submit_checkout(client, email="grace@example.com").headers["Location"]
    other_build = submit_checkout(client, build_query="frame=high-step&motor=hub-250&battery=b400&color=graphite")
    client.delete_cookie("session")  # another browser: a cookie jar of its own ...
    g.pop("csrf_token", None)  # ... and no token cached in the test's long-lived app context
    other_browser = submit_checkout(client).headers["Location"]
    assert len({first, other_email, other_build.headers["Location"], other_browser}) == 4
    assert _checkouts() == 4


def test_a_session_close_to_expiring_is_not_handed_out_again(app_ctx, client, fake_stripe):
    first = submit_checkout(client).headers["Location"]
    app_ctx.config["FIXED_NOW"] += timedelta(minutes=55)
    assert submit_checkout(client).headers["Location"] != first


def test_reconcile_expires_a_checkout_whose_session_never_opened(app_ctx, client, fake_stripe):
    fake_stripe.down = True
    assert submit_checkout(client).status_code == 503
    fake_stripe.down = False
    assert reconcile().expired == 0  # too recent: the customer may still be on the try-again page
    app_ctx.config["FIXED_NOW"] += timedelta(minutes=6)
    assert reconcile().expired == 1
    db.session.expire_all()
    checkout = db.session.scalar(select(Checkout))
    assert checkout.status == "expired" and checkout.failure_reason == "the payment page never opened"
    # and the customer trying again gets a fresh session
    assert submit_checkout(client).status_code == 303 and _checkouts() == 2
