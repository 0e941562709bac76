"""The customer's order tracker: the private status page, its polled fragment, its JSON form, the lookup,
the delivery window as a calendar file, and the self-service cancel and delivery change."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from .. import cache, clock
from ..domain import ics
from ..domain.progress import short_day
from ..extensions import limiter
from ..payments import PaymentError
from ..services import self_service, tracking
from ..services.catalog import live_catalog
from ..services.links import token_hash
from ..web import client_has, keep_private, not_modified, render_page_or_fragment
from .forms import CancelOrderForm, DeliveryForm, LookupForm
from .presenters import heading, status_json, update_message

bp = Blueprint("orders", __name__)

REFUND_FAILED = "We could not reach our payment provider to refund you, so nothing was changed. Please try again."
NO_MATCH = "We could not find an order with that number and email. Please check both and try again."


def lookup_limit() -> str:
    return current_app.config.get("LOOKUP_RATE_LIMIT", "10 per minute")


def self_service_limit() -> str:
    return current_app.config.get("SELF_SERVICE_RATE_LIMIT", "5 per minute")


@bp.after_request
def keep_the_link_private(response: Response) -> Response:
    """Status links are secrets: no search index, no Referer, no shared caches.

    The lookup page holds no secret, and its form must send a same-origin Referer: over HTTPS, Flask-WTF
    refuses a POST without one ("The referrer header is missing").
    """
    return keep_private(response, "same-origin" if request.endpoint == "orders.lookup" else "no-referrer")


@bp.context_processor
def formatting() -> dict:
    return {"short_day": short_day, "short_moment": _short_moment, "heading": heading, "update_message": update_message}


_rendered = cache.named("status_html")  # status fragments, keyed by order and status fingerprint


def _rendered_status(token: str, stamp: tracking.Stamp) -> tuple[str, str, Markup]:
    """(order number, stage, rendered status fragment), built once per order and status fingerprint."""
    poll_seconds = _poll_seconds()

    def render() -> tuple[str, str, Markup] | None:
        view = tracking.status_view(token)
        if view is None:
            return None
        html = render_template("orders/partials/_progress.html", view=view, poll_seconds=poll_seconds)
        return view.number, view.stage, Markup(html)

    return _rendered.get_or_make((token_hash(token), stamp.etag, poll_seconds), render) or abort(404)


def _status_page(token: str, stamp: tracking.Stamp) -> str | bytes:
    """The whole page, rendered and encoded once per order and status, like its fragment; only a one-time
    message waiting in the session (after a cancel or a delivery change) is rendered fresh."""
    if session.get("_flashes"):
        return _render_status_page(token, stamp)
    key = (token_hash(token), stamp.etag, _poll_seconds(), "page")
    return _rendered.get_or_make(key, lambda: _render_status_page(token, stamp).encode())


def _render_status_page(token: str, stamp: tracking.Stamp) -> str:
    number, stage, progress_html = _rendered_status(token, stamp)
    return render_template("orders/status.html", number=number, stage=stage, token=token, progress_html=progress_html)


@bp.get("/orders/<token>")
def status(token: str):
    """The private status page: the whole story of one order, refreshed live while it is under way."""
    stamp = tracking.status_stamp(token) or abort(404)
    return _status_page(token, stamp)


@bp.get("/orders/<token>/progress")
def progress(token: str):
    """The polled status fragment; an unchanged status answers 304 after a single query."""
    stamp = tracking.status_stamp(token) or abort(404)
    return render_page_or_fragment(
        lambda: _status_page(token, stamp), lambda: _rendered_status(token, stamp)[2], etag=stamp.etag
    )


@bp.get("/orders/<token>.json")
def status_as_json(token: str):
    """The same status as JSON; an unchanged status answers 304 after a single query."""
    stamp = tracking.status_stamp(token) or abort(404)
    etag = f"{stamp.etag}-j"
    if client_has(etag):
        return not_modified(etag)
    view = tracking.status_view(token) or abort(404)
    response = jsonify(status_json(view))
    response.set_etag(etag)
    return response


@bp.route("/orders/lookup", methods=["GET", "POST"])
@limiter.limit(lookup_limit, methods=["POST"])
def lookup():
    """Find an order by number and email; any mismatch gets the same message."""
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("orders/lookup.html", form=form)
    order = tracking.find_by_number_and_email(form.number.data, form.email.data)
    if order is None:
        return render_template("orders/lookup.html", form=form, message=NO_MATCH)
    return redirect(url_for("orders.status", token=order.status_token), 303)


@bp.get("/orders/<token>/delivery.ics")
def delivery_calendar(token: str):
    """The promised delivery window as a calendar file; it names the order number and nothing personal."""
    order = self_service.order_for_token(token) or abort(404)
    catalog = live_catalog()
    body = ics.delivery_window(
        order.number or "", catalog.shop_name, order.promised_earliest, order.promised_latest, clock.now(), request.host
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{order.number}-delivery.ics"'
    return response


@bp.route("/orders/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(self_service_limit, methods=["POST"])
def cancel(token: str):
    """Cancel for a full refund while the parts are being gathered: a confirmation step, then the cancel."""
    order = self_service.order_for_token(token) or abort(404)
    form, problem = CancelOrderForm(), None
    if self_service.can_cancel(order) and form.validate_on_submit():
        try:
            self_service.cancel(order, form.email.data)
        except self_service.WrongEmail as exc:
            form.email.errors.append(str(exc))
        except (self_service.TooLate, PaymentError) as exc:
            problem = str(exc) if isinstance(exc, self_service.TooLate) else REFUND_FAILED
        else:
            flash("Your order is cancelled. The full refund is on its way to your card; we have emailed you.")
            return redirect(url_for("orders.status", token=token), 303)
    status = 422 if form.errors else (409 if problem else 200)
    return render_template("orders/cancel.html", order=order, token=token, form=form, problem=problem), status


@bp.route("/orders/<token>/delivery", methods=["GET", "POST"])
@limiter.limit(self_service_limit, methods=["POST"])
def change_delivery(token: str):
    """Change the delivery address or phone until the bike ships, checked as at checkout."""
    order = self_service.order_for_token(token) or abort(404)
    form, problem = DeliveryForm(data={"phone": order.phone, **order.address}), None
    if self_service.can_change_delivery(order) and form.validate_on_submit():
        try:
            changed = self_service.change_delivery(order, form.email.data, form.delivery())
        except self_service.WrongEmail as exc:
            form.email.errors.append(str(exc))
        except self_service.TooLate as exc:
            problem = str(exc)
        else:
            flash(
                "Delivery details saved. We have emailed you a note of the change." if changed else "Nothing changed."
            )
            return redirect(url_for("orders.status", token=token), 303)
    status = 422 if form.errors else (409 if problem else 200)
    return render_template("orders/delivery.html", order=order, token=token, form=form, problem=problem), status


@bp.errorhandler(429)
def too_many_attempts(error):
    """A friendly page instead of a bare 429: the lookup form, or the shop's page for other order actions."""
    if request.endpoint != "orders.lookup":
        return render_template("error.html", error=error), 429
    message = "Too many attempts from your connection. Please wait a minute, then try again."
    return render_template("orders/lookup.html", form=LookupForm(formdata=None), message=message, limited=True), 429


def _poll_seconds() -> int:
    return max(1, int(current_app.config["STATUS_POLL_SECONDS"]))


def _short_moment(value: datetime) -> str:
    return f"{short_day(value)}, {value:%H:%M}"
