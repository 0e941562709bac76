"""The built-in test payment page, used when no STRIPE_SECRET_KEY is set. Clearly marked: no real charge."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from ..checkout.views import checkout_configure_url
from ..extensions import limiter
from ..services.checkout import checkout_for_session, pay_test_session, test_session_expired
from . import provider_name
from .forms import TestCardForm
from .test_gateway import CardDeclined, UnknownTestCard

bp = Blueprint("test_payments", __name__, url_prefix="/test-payments")


TEST_MODE_OFF = "This shop now takes real payments, so this test checkout cannot be paid. Nothing was charged."


def _test_checkout(session_id: str):
    checkout = checkout_for_session(session_id) if len(session_id) <= 255 else None
    if checkout is None or checkout.provider != "test":
        abort(404)
    if provider_name() != "test":  # a checkout is paid only through the provider configured now
        abort(409, TEST_MODE_OFF)
    return checkout


def test_payment_limit() -> str:
    return current_app.config.get("TEST_PAYMENT_RATE_LIMIT", "10 per minute;30 per hour")


@bp.route("/<session_id>", methods=["GET", "POST"])
@limiter.limit(test_payment_limit, methods=["POST"])
def pay(session_id: str):
    """Pay a test session with a Stripe test card; success goes through the same fulfilment as Stripe."""
    checkout = _test_checkout(session_id)
    if checkout.status != "pending" or test_session_expired(checkout):
        return redirect(url_for("checkout.success", session_id=session_id), 303)
    form = TestCardForm()
    if form.validate_on_submit():
        try:
            pay_test_session(checkout, form.card_number.data)
            return redirect(url_for("checkout.success", session_id=session_id), 303)
        except (CardDeclined, UnknownTestCard) as exc:
            form.card_number.errors = [str(exc)]
    return render_template(
        "checkout/test_payment.html", form=form, checkout=checkout, cancel_url=checkout_configure_url(checkout)
    )
