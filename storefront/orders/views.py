"""The customer's order tracker: the private status page, its polled fragment, its JSON form and the lookup."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import cache
from ..domain.progress import short_day
from ..extensions import limiter
from ..services import tracking
from ..services.orders import token_hash
from ..web import keep_private, not_modified, render_page_or_fragment
from .forms import LookupForm
from .presenters import status_json

bp = Blueprint("orders", __name__)

NO_MATCH = "We could not find an order with that number and email. Please check both and try again."


def lookup_limit() -> str:
    return current_app.config.get("LOOKUP_RATE_LIMIT", "10 per minute")


@bp.after_request
def keep_the_link_private(response: Response) -> Response:
    """Status links are secrets: no search index, no Referer, no shared caches.

    The lookup page holds no secret, and its form must send a same-origin Referer: over HTTPS, Flask-WTF
    refuses a POST without one ("The referrer header is missing").
    """
    return keep_private(response, "same-origin" if request.endpoint == "orders.lookup" else "no-referrer")


@bp.context_processor
def formatting() -> dict:
    return {"short_day": short_day, "short_moment": _short_moment}


_rendered = cache.named("status_html")  # status fragments, keyed by order and status fingerprint


def _rendered_status(token: str, stamp: tracking.Stamp) -> tuple[str, Markup]:
    """(order number, rendered status fragment), built once per order and status fingerprint."""
    poll_seconds = _poll_seconds()

    def render() -> tuple[str, Markup] | None:
        view = tracking.status_view(token)
        if view is None:
            return None
        html = render_template("orders/partials/_progress.html", view=view, poll_seconds=poll_seconds)
        return view.number, Markup(html)

    return _rendered.get_or_make((token_hash(token), stamp.etag, poll_seconds), render) or abort(404)


def _status_page(token: str, stamp: tracking.Stamp) -> str:
    number, progress_html = _rendered_status(token, stamp)
    return render_template("orders/status.html", number=number, token=token, progress_html=progress_html)


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
        lambda: _status_page(token, stamp), lambda: _rendered_status(token, stamp)[1], etag=stamp.etag
    )


@bp.get("/orders/<token>.json")
def status_as_json(token: str):
    """The same status as JSON; an unchanged status answers 304 after a single query."""
    stamp = tracking.status_stamp(token) or abort(404)
    etag = f"{stamp.etag}-j"
    if request.if_none_match.contains_weak(etag):
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


@bp.errorhandler(429)
def too_many_lookups(error):
    """A friendly page instead of a bare 429 when someone tries too many order numbers."""
    message = "Too many attempts from your connection. Please wait a minute, then try again."
    return render_template("orders/lookup.html", form=LookupForm(formdata=None), message=message, limited=True), 429


def _poll_seconds() -> int:
    return max(1, int(current_app.config["STATUS_POLL_SECONDS"]))


def _short_moment(value: datetime) -> str:
    return f"{short_day(value)}, {value:%H:%M}"
