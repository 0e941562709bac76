"""Cross-cutting web concerns: the page-or-fragment helper, 304s and private-link headers, error pages, filters."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request, session
from flask_wtf.csrf import generate_csrf
from htmx_flask.requests import HtmxAwareRequest
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import Headers, ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.http import quote_etag
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from . import cache
from .domain.pricing import format_cents
from .extensions import db
from .request_path import ShopResponse

log = logging.getLogger(__name__)


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


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route stops at the database's integer range: a larger id is a 404, not a 500."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits, min, max, signed)


class _Cleaned:
    """Path parameters get the same NUL cleaning as query strings and forms, as the URL is matched (so a route
    with no parameter pays nothing)."""

    def to_python(self, value: str) -> str:
        return _clean(value)


class CleanString(_Cleaned, UnicodeConverter):
    pass


class CleanPath(_Cleaned, PathConverter):
    pass


def _clean_path_converters(app: Flask) -> None:
    """Every text converter of the routes added from here on cleans. The static route was bound before, and a NUL
    in its file name is a 404 anyway (werkzeug's safe_join refuses it)."""
    app.url_map.converters.update(default=CleanString, string=CleanString, path=CleanPath)


def wants_fragment() -> bool:
    """An htmx request wants a fragment; a history restore (the browser's cache missed) needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


_csrf_tokens = cache.named("csrf_tokens")


def csrf_token_of_session() -> str:
    """The session's CSRF token as forms carry it, signed once per session: with no time limit on tokens
    (WTF_CSRF_TIME_LIMIT), a signed token stays valid for as long as its session, so it need not be signed on
    every request."""
    raw = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    if raw is None or current_app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    return _csrf_tokens.get_or_make(raw, generate_csrf)


def render_page_or_fragment(
    page: Callable[[], str],
    fragment: Callable[[], str],
    *,
    etag: str | None = None,
    memo: tuple[cache.LRU, Hashable] | None = None,
    fragment_headers: Mapping[str, str] | None = None,
) -> Response:
    """The one render path: the fragment for htmx, the full page otherwise, always with Vary: HX-Request.

    `etag` (the state the answer shows) answers 304 when the client already has it, before anything renders.
    `memo` (a declared cache and a key) renders and encodes the fragment once per key: fragments hold no
    per-session data, unlike pages, which carry the CSRF token.
    """
    is_fragment = wants_fragment()
    if etag is not None:
        etag = f"{etag}-{'f' if is_fragment else 'p'}"
        if client_has(etag):
            return not_modified(etag)
    if not is_fragment:
        body = page()
    elif memo is not None:
        body = memo[0].get_or_make(memo[1], lambda: fragment().encode())  # encoded once, sent as is
    else:
        body = fragment()
    response = make_response(body)
    response.vary.add("HX-Request")
    if is_fragment and fragment_headers:
        response.headers.update(fragment_headers)
    if etag is not None:
        response.set_etag(etag)
    return response


def render_templates(page: str, fragment: str, **context) -> Response:
    """render_page_or_fragment for a page template that includes its fragment template."""
    return render_page_or_fragment(
        lambda: render_template(page, **context), lambda: render_template(fragment, **context)
    )


def client_has(etag: str) -> bool:
    """Whether If-None-Match names `etag`, strong or weak (a proxy may weaken it). A poll sends back exactly the
    tag it was given, so that is compared first; anything else is parsed as werkzeug does."""
    sent = request.headers.get("If-None-Match")
    if not sent:
        return False
    if sent == f'"{etag}"' or sent == f'W/"{etag}"':
        return True
    return request.if_none_match.contains_weak(etag)


class NotModified(ShopResponse):
    """A 304: the most frequent answer of a polled page. Its headers are the tag, Vary and the ones every answer
    gets, none of them about a body, so werkzeug's copy and entity-header filter are skipped. (A ShopResponse,
    as the app's every answer is: Flask would otherwise recast it as one, and lose this.)"""

    def get_wsgi_headers(self, environ) -> Headers:
        return self.headers


def not_modified(etag: str) -> Response:
    """A 304 for `etag`, its two headers written as they are (an ETag is a quoted token of safe characters)."""
    # a content type given, werkzeug skips looking one up in the empty headers (a miss that raises inside)
    response = NotModified(status=304, content_type="")
    response.headers._list = [("ETag", quote_etag(etag)), ("Vary", "HX-Request")]
    return response


def keep_private(response: Response, referrer_policy: str = "no-referrer") -> Response:
    """Headers for a page reached through a secret link: no search index, no Referer, no shared caches."""
    # one pass over the few headers set so far (a werkzeug lookup that misses costs an exception)
    kept = [(name, value) for name, value in response.headers.items() if name.lower() not in _PRIVATE_REPLACED]
    kept += [("X-Robots-Tag", "noindex"), ("Referrer-Policy", referrer_policy)]
    if not any(name.lower() == "cache-control" for name, _ in kept):
        kept.append(("Cache-Control", "private, no-cache"))
    response.headers._list = kept
    return response


_PRIVATE_REPLACED = frozenset({"x-robots-tag", "referrer-policy"})


def too_many_requests(error: HTTPException):
    """A 429 that says what happened and what to do, as a page or as JSON."""
    message = "Too many requests from your connection. Please wait a minute, then try again."
    if wants_json():
        return jsonify(error="Too Many Requests", message=message), 429
    return render_template("error.html", error=error, message=message), 429


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest
    app.url_map.converters["int"] = BoundedInt
    _clean_path_converters(app)
    app.jinja_env.globals.pop("config", None)  # templates never see settings, so no secret can reach a page
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.jinja_env.filters["money"] = format_cents
    app.jinja_env.filters["day"] = _format_day
    app.jinja_env.filters["moment"] = lambda value: _format_moment(app, value)
    app.jinja_env.filters["signed_days"] = _signed_days


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
