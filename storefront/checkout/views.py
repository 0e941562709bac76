"""Checkout pages: the details form, the success page and the printable bill of sale."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from ..clock import shop_today
from ..domain.build import Build
from ..extensions import db
from ..models import Order
from ..payments import PaymentError
from ..services.catalog import live_catalog
from ..services.checkout import Customer, Urls, checkout_for_session, start_checkout
from ..services.fulfil import fulfil
from ..services.orders import token_hash
from ..services.quote import Quote, quote
from .forms import CheckoutForm

bp = Blueprint("checkout", __name__)

MAX_QUERY_LENGTH = 2048


def _quote_from_query() -> Quote:
    """The build comes from the query string, as in the configurator; prices come only from the catalog."""
    args = request.args if len(request.query_string) <= MAX_QUERY_LENGTH else {}
    catalog = live_catalog()
    return quote({k: args.getlist(k) for k in args}, shop_today(catalog.timezone))


def _build_query(current: Quote) -> str:
    return urlencode(current.build.query_items())


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


@bp.route("/checkout", methods=["GET", "POST"])
def start():
    """Customer details for the build in the query string; a valid POST hands over to the payment page."""
    current = _quote_from_query()
    if not current.valid:
        return redirect(url_for("shop.configure") + "?" + _build_query(current), 303)
    form = CheckoutForm()
    payment_error = None
    if form.validate_on_submit():
        customer = Customer(form.full_name.data, form.email.data.lower(), form.phone.data or None, form.address())
        try:
            return redirect(start_checkout(current, customer, _urls(current)), 303)
        except PaymentError as exc:
            payment_error = str(exc)
    status = 503 if payment_error else 200  # a form shown again with its errors is an ordinary page
    return render_template(
        "checkout/start.html", form=form, quote=current, build_query=_build_query(current), payment_error=payment_error
    ), status


@bp.get("/checkout/success")
def success():
    """After payment: the order when it exists (fulfilling it if the webhook has not yet), else its state."""
    session_id = request.args.get("session_id", "")
    checkout = checkout_for_session(session_id) if 0 < len(session_id) <= 255 else None
    if checkout is None:
        abort(404)
    try:
        result = fulfil(session_id)
        order, checkout = result.order, result.checkout or checkout
    except PaymentError:
        order = None
    return render_template("checkout/success.html", order=order, checkout=checkout)


@bp.get("/bill-of-sale/<token>")
def bill_of_sale(token: str):
    """A printable bill of sale, reached through the order's private status token."""
    if len(token) > 128:
        abort(404)
    order = db.session.scalar(select(Order).where(Order.status_token_hash == token_hash(token)))
    if order is None:
        abort(404)
    return render_template("checkout/bill_of_sale.html", order=order, shop_name=live_catalog().shop_name)
