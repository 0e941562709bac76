"""The built-in test payment page, used when no STRIPE_SECRET_KEY is set. Clearly marked: no real charge."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from ..checkout.views import checkout_configure_url
from ..domain.statuses import CheckoutStatus
from ..services.checkout import checkout_for_session, pay_test_session, test_session_expired
from .forms import TestCardForm
from .test_gateway import CardDeclined, UnknownTestCard

bp = Blueprint("test_payments", __name__, url_prefix="/test-payments")


def _test_checkout(session_id: str):
    checkout = checkout_for_session(session_id) if len(session_id) <= 255 else None
    if checkout is None or checkout.provider != "test":
        abort(404)
    return checkout


@bp.route("/<session_id>", methods=["GET", "POST"])
def pay(session_id: str):
    """Pay a test session with a Stripe test card; success goes through the same fulfilment as Stripe."""
    checkout = _test_checkout(session_id)
    if checkout.status != CheckoutStatus.PENDING or test_session_expired(checkout):
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
