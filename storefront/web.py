"""Cross-cutting web concerns: the page-or-fragment helper, security headers, error pages, filters."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from htmx_flask.requests import HtmxAwareRequest
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from .domain.pricing import format_cents
from .extensions import db

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _clean(value):
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class CleanParameters(ImmutableMultiDict):
    """Query and form values with NUL made visible as U+FFFD: no person types NUL, and PostgreSQL cannot
    store it, so hostile input reaches validation as an ordinary bad value and gets an inline error."""

    def __init__(self, mapping=None):
        if isinstance(mapping, dict):
            mapping = list(mapping.items())
        if mapping is not None:
            mapping = [(_clean(key), _clean(value)) for key, value in mapping]
        super().__init__(mapping)


class CleanRequest(HtmxAwareRequest):
    parameter_storage_class = CleanParameters


def render_page_or_partial(page: str, partial: str, **context) -> Response:
    """An htmx request gets the fragment; anything else gets the full page that includes it."""
    fragment = request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")
    template = partial if fragment else page
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest
    app.jinja_env.globals.pop("config", None)  # templates never see settings, so no secret can reach a page
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.jinja_env.filters["money"] = format_cents
    app.jinja_env.filters["day"] = _format_day
    app.jinja_env.filters["moment"] = lambda value: _format_moment(app, value)
    app.jinja_env.filters["signed_days"] = _signed_days


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not current_app.debug:  # development runs on plain http
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _http_error(error: HTTPException):
    if wants_json():
        return jsonify(error=error.name, message=error.description), error.code
    return render_template("error.html", error=error), error.code


def _database_unavailable(error: OperationalError):
    """A dropped database connection: answer 503 cleanly, and let the pool reconnect next time."""
    log.error("database unavailable: %s", error.__class__.__name__)
    db.session.rollback()
    db.session.remove()
    message = "The shop is briefly unavailable. Please try again in a moment."
    if wants_json():
        return jsonify(error="Service Unavailable", message=message), 503
    response = make_response(render_template("error.html", error=None, message=message), 503)
    response.headers["Retry-After"] = "5"
    return response


def _format_day(value: date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%a} {value.day} {value:%b %Y}"


def _format_moment(app: Flask, value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(_shop_zone())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


def _shop_zone() -> ZoneInfo:
    """The shop's time zone, read from the catalog once per request."""
    from flask import g

    from .services.catalog import live_catalog

    if "shop_zone" not in g:
        g.shop_zone = ZoneInfo(live_catalog().timezone)
    return g.shop_zone


def _signed_days(days: int) -> str:
    if days == 0:
        return "same date"
    unit = "day" if abs(days) == 1 else "days"
    return f"+{days} {unit}" if days > 0 else f"−{-days} {unit}"
