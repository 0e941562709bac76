"""Checkout pages: the details form, the test payment page, the success page and the printable bill of sale."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, session, url_for
from sqlalchemy import select

from .. import clock
from ..domain.build import Build
from ..domain.shipping import NotShipped
from ..domain.statuses import CheckoutStatus
from ..extensions import db, limiter
from ..models import Order
from ..payments import (
    CardDeclined,
    PaymentError,
    ProviderNotConfigured,
    TaxNotComputed,
    UnknownTestCard,
    test_provider,
)
from ..services.catalog import live_catalog
from ..services.charges import destination_charges
from ..services.checkout import (
    Customer,
    Urls,
    checkout_for_session,
    pay_test_session,
    start_checkout,
    test_session_expired,
)
from ..services.fulfil import fulfil_checkout
from ..services.links import token_hash
from ..services.quote import Quote, quote_at
from ..web import keep_private, render_templates
from .forms import CheckoutForm, TestCardForm

bp = Blueprint("checkout", __name__)

MAX_QUERY_LENGTH = 2048


def _quote_from_query() -> Quote:
    """The build comes from the query string, as in the configurator; prices come only from the catalog."""
    args = request.args if len(request.query_string) <= MAX_QUERY_LENGTH else {}
    return quote_at({k: args.getlist(k) for k in args}, clock.now())  # from the day the configurator quotes from


def _build_query(current: Quote) -> str:
    return urlencode(current.build.query_items())


def _asked_query(current: Quote) -> str:
    """The build as the link asked for it, so the configurator can say what changed (an option no longer
    offered, say) and offer the nearest valid build; the parsed build when the query was too long to read."""
    if len(request.query_string) <= MAX_QUERY_LENGTH:
        return request.query_string.decode("utf-8", errors="replace")
    return _build_query(current)


def checkout_configure_url(checkout) -> str:
    """The configurator link that brings a checkout's frozen build back."""
    build = checkout.snapshot["build"]
    return url_for("shop.configure") + "?" + urlencode(Build(build["picks"], build.get("ral")).query_items())


@bp.context_processor
def _helpers():
    return {"checkout_configure_url": checkout_configure_url}


def _urls(current: Quote) -> Urls:
    success = url_for("checkout.success", _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    return Urls(success=success, cancel=url_for("shop.configure", _external=True) + "?" + _build_query(current))


def _browser() -> str:
    """A random id for this browser, kept in its session cookie, so a repeated POST finds its open checkout."""
    return session.setdefault("browser", secrets.token_hex(16))


def checkout_limit() -> str:
    """Per client, across every worker and host; a real buyer never starts this many checkouts."""
    return current_app.config.get("CHECKOUT_RATE_LIMIT", "10 per minute;30 per hour")


@bp.route("/checkout", methods=["GET", "POST"])
@limiter.limit(checkout_limit, methods=["POST"])
def start():
    """Customer details for the build in the query string; a valid POST hands over to the payment page.

    The summary shows the shipping and tax for the region chosen (country and region in the query on GET);
    htmx asks for just the summary when the region changes."""
    current = _quote_from_query()
    if not current.valid:
        return redirect(url_for("shop.configure") + "?" + _asked_query(current), 303)
    form = CheckoutForm(data=_destination_args())
    payment_error, status = None, 200  # a form shown again with its errors is an ordinary page
    if form.validate_on_submit():
        customer = Customer(form.full_name.data, form.email.data.lower(), form.phone.data or None, form.address())
        try:
            return redirect(start_checkout(current, customer, _urls(current), browser=_browser()), 303)
        except NotShipped as exc:
            form.region.errors = [str(exc)]
        except PaymentError as exc:
            payment_error, status = str(exc), (422 if isinstance(exc, TaxNotComputed) else 503)
    charges, not_shipped = destination_charges(current, form.country.data, form.region.data)
    context = {"form": form, "quote": current, "build_query": _build_query(current), "payment_error": payment_error,
               "charges": charges, "not_shipped": not_shipped}  # fmt: skip
    response = render_templates("checkout/start.html", "checkout/partials/_summary.html", **context)
    return response, status


def _destination_args() -> dict[str, str]:
    """A destination already known (from the configurator, or the region select through htmx) pre-fills the form."""
    return {name: request.args[name][:8] for name in ("country", "region") if request.args.get(name)}


@bp.get("/checkout/success")
def success():
    """After payment: the order when it exists (fulfilling it if the webhook has not yet), else its state."""
    session_id = request.args.get("session_id", "")
    checkout = checkout_for_session(session_id) if 0 < len(session_id) <= 255 else None
    if checkout is None:
        abort(404)
    try:
        result = fulfil_checkout(checkout)
        order, checkout = result.order, result.checkout or checkout
    except PaymentError:
        order = None
    return render_template("checkout/success.html", order=order, checkout=checkout)


def _test_checkout(session_id: str):
    checkout = checkout_for_session(session_id) if len(session_id) <= 255 else None
    if checkout is None or checkout.provider != "test":
        abort(404)
    try:
        test_provider().check_enabled()  # a checkout is paid only through the provider configured now
    except ProviderNotConfigured as exc:
        abort(409, str(exc))
    return checkout


def test_payment_limit() -> str:
    return current_app.config.get("TEST_PAYMENT_RATE_LIMIT", "10 per minute;30 per hour")


@bp.route("/test-payments/<session_id>", methods=["GET", "POST"])
@limiter.limit(test_payment_limit, methods=["POST"])
def test_payment(session_id: str):
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


@bp.get("/bill-of-sale/<token>")
def bill_of_sale(token: str):
    """A printable bill of sale, reached through the order's private status token."""
    if len(token) > 128:
        abort(404)
    order = db.session.scalar(select(Order).where(Order.status_token_hash == token_hash(token)))
    if order is None:
        abort(404)
    html = render_template("checkout/bill_of_sale.html", order=order, shop_name=live_catalog().shop_name)
    return keep_private(make_response(html))
