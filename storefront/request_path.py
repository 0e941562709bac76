"""What every request pays for, kept small: sessions decoded only when read, security headers computed once,
answers sent without werkzeug checking their headers a second time, and the rate limiter consulted only on the
routes that carry a limit.

A public answer that never reads the session (the quote API, a status poll) then neither decodes the cookie
nor sends `Vary: Cookie`, so it stays cacheable by the browser and costs little more than a bare route.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.datastructures import Headers

from . import cache
from .extensions import csrf, limiter, login_manager

_SESSION = "storefront.session"  # the request's session object, for hooks that must not mark it accessed
_LIMITER_INSTANCE = "__wrapper-limiter-instance"  # how Flask-Limiter marks a view it decorated


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


_verified_cookies = cache.named("sessions")
_SCALARS = (str, int, float, bool, type(None))


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """The remembered data is shared: a session gets its own copy (a deep one only when a value can change in
    place, such as the list of flashed messages)."""
    if all(type(value) in _SCALARS for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)


REFRESH_AFTER_SECONDS = 60  # an unchanged permanent session is re-signed at most this often


class LazySession(SecureCookieSession):
    """A signed-cookie session whose cookie is decoded the first time the request reads the session.

    Flask marks a session `accessed` on every read through `flask.session`; that is the moment to decode.
    `signed_at` is when its cookie was signed (None for a new session).
    """

    def __init__(self, load: Callable[[], dict[str, Any] | None]) -> None:
        super().__init__()
        self._load: Callable[[], dict[str, Any] | None] | None = load
        self.signed_at: float | None = None

    @property
    def accessed(self) -> bool:
        return self._load is None

    @accessed.setter
    def accessed(self, value: bool) -> None:
        if value and self._load is not None:
            load, self._load = self._load, None
            dict.update(self, load() or {})  # loading is not a change: `modified` stays False


class LazySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie decoded on first read and the serializer built once.

    An unchanged permanent session is re-signed (its idle expiry moved on) once its cookie is a minute old
    rather than on every request: signing and compressing it again was most of a warm back-office page's cost,
    and an idle timeout of hours then ends at most a minute early.
    """

    def __init__(self) -> None:
        self._serializers: dict[Any, Any] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers = {keys: super().get_signing_serializer(app)}
        return self._serializers[keys]

    def open_session(self, app: Flask, request) -> LazySession | None:
        if not app.secret_key:
            return None  # Flask then uses its null session, which refuses writes

        def load() -> dict[str, Any] | None:
            cookie = request.cookies.get(self.get_cookie_name(app))
            if not cookie:
                return None
            verified = self._verified(app, cookie)
            if verified is None:
                return None
            data, session.signed_at = verified
            return _copy(data)

        session = LazySession(load)
        request.environ[_SESSION] = session
        return session

    def _verified(self, app: Flask, cookie: str) -> tuple[dict[str, Any], float] | None:
        """(data, signed at) of a cookie whose signature holds and is younger than the session lifetime.

        A cookie verified once is remembered (`cache` "sessions"): a signed-in member of staff sends the same
        cookie with every request, and checking its signature, inflating and parsing it cost more than the rest
        of a cached back-office page."""
        lifetime = app.permanent_session_lifetime.total_seconds()
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()), cookie)
        found = _verified_cookies.peek(key)
        if found is not None:
            return found if time.time() - found[1] <= lifetime else None
        try:
            data, signed = self.get_signing_serializer(app).loads(cookie, max_age=int(lifetime), return_timestamp=True)
        except Exception:  # noqa: BLE001 - a bad or expired signature is an empty session, as in Flask
            return None
        verified = data, signed.timestamp()
        _verified_cookies.put(key, verified)
        return verified

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= REFRESH_AFTER_SECONDS


def security_headers(debug: bool) -> tuple[tuple[str, str], ...]:
    """Every page's security headers, decided once at start; HSTS only off plain-http development."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if not debug:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return tuple(headers)


def _add_security_headers(defaults: tuple[tuple[str, str], ...]) -> Callable[[Response], Response]:
    Headers(defaults)  # werkzeug checks each value here, once: the hook below appends them as they are
    lowered = tuple((name.lower(), (name, value)) for name, value in defaults)
    names = frozenset(name for name, _ in lowered)

    def add(response: Response) -> Response:
        headers = response.headers
        # one pass over the few headers a view set (a `name in headers` miss costs werkzeug an exception)
        present = {key.lower() for key, _ in headers._list}
        if names.isdisjoint(present):
            headers._list.extend(defaults)
        else:  # a view chose its own: keep it, add the rest
            headers._list.extend([header for name, header in lowered if name not in present])
        return response

    return add


class ShopResponse(Response):
    """Flask's response, served without werkzeug re-checking every header on the way out.

    Werkzeug's `get_wsgi_headers` copies the headers through `Headers(...)`, which checks each value for newlines
    again (each was checked when it was set, the security headers once at start): 3-4 us on every answer. When
    none of its fixes applies (no Location or Content-Location to rewrite, a status that keeps its entity headers,
    a Content-Length already set), the copy is taken as it is; otherwise werkzeug does its whole work.
    """

    def get_wsgi_headers(self, environ) -> Headers:
        names = {name.lower() for name, _ in self.headers._list}
        status = self.status_code
        if (
            _REWRITTEN.isdisjoint(names)
            and status >= 200
            and status not in (204, 304)
            and ("content-length" in names or not (self.automatically_set_content_length and self.is_sequence))
        ):
            headers = Headers()
            headers._list = list(self.headers._list)
            return headers
        return super().get_wsgi_headers(environ)


_REWRITTEN = frozenset({"location", "content-location"})  # what werkzeug's get_wsgi_headers makes a URI


def _remember_cookie_if_session_read(response: Response) -> Response:
    """Flask-Login's remember-cookie upkeep, only on requests that read the session (it reads it itself)."""
    session = request.environ.get(_SESSION)
    if session is not None and session.accessed:
        return login_manager._update_remember_cookie(response)
    return response


def _limited_endpoints(app: Flask) -> frozenset[str]:
    return frozenset(name for name, view in app.view_functions.items() if getattr(view, _LIMITER_INSTANCE, None))


def _limit_only_limited_routes(app: Flask) -> None:
    """Each `@limiter.limit` view checks its own limit; the shop has no default, application or blueprint
    limits, so the limiter's every-request hooks run only on the routes that carry a limit."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits:
        return  # a limit that applies everywhere needs the every-request check after all
    hooks = (app.before_request_funcs[None], app.after_request_funcs[None], app.teardown_request_funcs[None])
    owned = [[h for h in hook if _is_limiter_hook(h)] for hook in hooks]
    for hook, found in zip(hooks, owned, strict=True):
        for h in found:
            hook.remove(h)
    limited = _limited_endpoints(app)
    # hung on the blueprints that hold a limited route: the others (the quote, the configurator) never ask
    for blueprint in {endpoint.rpartition(".")[0] or None for endpoint in limited}:
        for h in owned[1]:
            app.after_request_funcs[blueprint].append(
                lambda response, h=h: h(response) if request.endpoint in limited else response
            )
        for h in owned[2]:
            app.teardown_request_funcs[blueprint].append(
                lambda error=None, h=h: h(error) if request.endpoint in limited else None
            )


def _is_limiter_hook(hook) -> bool:
    """Flask-Limiter registers bound methods and a partial over the limiter."""
    return getattr(hook, "__self__", None) is limiter or getattr(hook, "args", None) == (limiter,)


def _csrf_on_unsafe_methods(app: Flask) -> Callable[[], None]:
    """Flask-WTF's own hook looks up the view's exemptions on every request, GETs included; this one asks
    the method first, then does exactly what that hook did (`WTF_CSRF_CHECK_DEFAULT` turns it off)."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    before = app.before_request_funcs[None]
    before[:] = [hook for hook in before if getattr(hook, "__module__", None) != "flask_wtf.csrf"]  # its own, now idle
    methods = app.config["WTF_CSRF_METHODS"]

    def protect() -> None:
        if request.method in methods and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)

    return protect


def _fuse_before(hooks: list[Callable]) -> None:
    """Replace the app-wide before-request hooks by one that calls each in turn and stops at the first answer:
    Flask then resolves one function per request instead of one per hook."""
    funcs = tuple(hooks)

    def before_all():
        for func in funcs:
            answer = func()
            if answer is not None:
                return answer
        return None

    hooks[:] = [before_all]


def _fuse_after(hooks: list[Callable]) -> None:
    """The same for after-request hooks, which Flask runs in reverse order of registration."""
    funcs = tuple(reversed(hooks))

    def after_all(response: Response) -> Response:
        for func in funcs:
            response = func(response)
        return response

    hooks[:] = [after_all]


def _sync_known(app: Flask) -> None:
    """Flask asks `inspect.iscoroutinefunction` of every hook and view on every request; the answer depends
    only on the function's code, so it is remembered per code object (a bounded set)."""
    plain = app.ensure_sync
    sync_codes: set = set()

    def ensure_sync(func):
        code = getattr(func, "__code__", None)
        if code is not None and code in sync_codes:
            return func
        found = plain(func)
        if found is func and code is not None:
            sync_codes.add(code)
        return found

    app.ensure_sync = ensure_sync


def init_app(app: Flask) -> None:
    """Install the lean request path; called once every blueprint is registered."""
    app.session_interface = LazySessionInterface()
    app.response_class = ShopResponse
    app.before_request(_csrf_on_unsafe_methods(app))
    after = app.after_request_funcs[None]
    after[:] = [_remember_cookie_if_session_read if h == login_manager._update_remember_cookie else h for h in after]
    app.after_request(_add_security_headers(security_headers(app.debug)))
    _limit_only_limited_routes(app)
    _fuse_before(app.before_request_funcs[None])
    _fuse_after(app.after_request_funcs[None])
    _sync_known(app)
