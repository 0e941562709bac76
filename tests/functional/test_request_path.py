"""The lean request path: public answers that never read the session send no `Vary: Cookie`, security
headers stay on every answer, and the limiter still counts on the routes that carry a limit."""

import pytest

from tests.support.backoffice import csrf_from

QUOTE = "/api/quote?frame=step-through&motor=hub-250&battery=b400&color=graphite"


def test_the_quote_api_reads_no_session_so_it_varies_on_no_cookie(client):
    client.get("/backoffice/login")  # the client now holds a session cookie (the sign-in form's CSRF token)
    assert client.get_cookie("session") is not None
    response = client.get(QUOTE)
    assert response.status_code == 200
    assert "Cookie" not in response.vary and "Set-Cookie" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_page_with_a_form_still_varies_on_the_cookie_that_holds_its_csrf_token(client):
    response = client.get("/configure?frame=step-through&motor=hub-250&battery=b400&color=graphite")
    assert "Cookie" in response.vary and "csrf" in response.get_data(as_text=True).lower()


def test_a_session_written_on_one_request_is_read_back_on_the_next(client):
    client.get("/backoffice/login")
    written = client.get_cookie("session").value
    client.get("/backoffice/login")
    assert client.get_cookie("session").value.split(".")[0] == written.split(".")[0]  # same data, read back


def test_a_view_that_sets_its_own_referrer_policy_keeps_it_and_gets_the_other_headers(client):
    response = client.get("/orders/lookup")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Content-Security-Policy"] and response.headers["X-Content-Type-Options"] == "nosniff"


def test_unlimited_routes_skip_the_limiter_and_limited_ones_still_count(client, fresh_limits):
    assert "X-RateLimit-Limit" not in client.get(QUOTE).headers
    token = csrf_from(client.get("/orders/lookup").get_data(as_text=True))
    data = {"csrf_token": token, "number": "EB-2026-99999", "email": "ada@example.com"}
    answers = [client.post("/orders/lookup", data=data) for _ in range(11)]
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[0].headers["X-RateLimit-Limit"] == "10"


def _opened(app, cookie: str):
    """The session the app opens for a request carrying `cookie`, read as a view reading it would."""
    with app.test_request_context(headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}):
        from flask import request

        opened = app.session_interface.open_session(app, request)
        opened.accessed = True  # what reading `flask.session` does
        return opened


def _signed(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_remembered_session_cookie_gives_each_request_its_own_copy(app):
    cookie = _signed(app, {"_flashes": [["message", "Saved."]], "_user_id": "1:1"})
    first = _opened(app, cookie)
    first["_flashes"].append(["message", "Another."])  # what flask.flash does to the list in place
    first["_user_id"] = "2:1"
    second = _opened(app, cookie)  # the same cookie again: its verified data is remembered
    assert second["_flashes"] == [["message", "Saved."]] and second["_user_id"] == "1:1"


def test_a_remembered_session_cookie_expires_with_the_session_lifetime(app, monkeypatch):
    cookie = _signed(app, {"_user_id": "1:1"})
    assert _opened(app, cookie)["_user_id"] == "1:1"  # verified, and remembered
    lifetime = app.permanent_session_lifetime.total_seconds()
    import storefront.request_path as request_path

    later = request_path.time.time() + lifetime + 1
    monkeypatch.setattr(request_path.time, "time", lambda: later)
    assert dict(_opened(app, cookie)) == {}  # too old now: an empty session, as for an expired signature


def test_a_tampered_session_cookie_is_refused_after_the_genuine_one_was_remembered(app):
    cookie = _signed(app, {"_user_id": "1:1"})
    assert _opened(app, cookie)["_user_id"] == "1:1"
    payload, _, signature = cookie.rpartition(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert dict(_opened(app, forged)) == {}


def _wsgi_headers_both_ways(app, response):
    """(ours, werkzeug's) headers of `response` as the server would send them."""
    from flask import Response

    with app.test_request_context("/somewhere/deep?x=1"):
        from flask import request

        ours = response.get_wsgi_headers(request.environ).to_wsgi_list()
        theirs = Response.get_wsgi_headers(response, request.environ).to_wsgi_list()
    return ours, theirs


def test_answers_go_out_with_exactly_the_headers_werkzeug_would_send(app):
    """ShopResponse skips werkzeug's copy only where werkzeug would change nothing: a redirect's relative
    Location, a Content-Location, a 204 or 1xx, a 304 and a body whose length is still unknown get its whole
    work."""
    Shop = app.response_class

    def streamed():
        yield b"part"

    no_length = Shop([b"ab", b"cd"])
    no_length.headers.remove("Content-Length")
    cases = [
        Shop("hello"),
        Shop('{"a": 1}', status=422, mimetype="application/json", headers={"X-Extra": "1"}),
        Shop("", status=302, headers={"Location": "/configure?frame=é"}),
        Shop("moved", headers={"Content-Location": "/pages/ü"}),
        Shop("", status=204),
        Shop("", status=304, headers={"ETag": '"x"', "Content-Type": "text/plain"}),
        Shop(streamed()),
        no_length,
    ]
    for response in cases:
        ours, theirs = _wsgi_headers_both_ways(app, response)
        assert ours == theirs, response


def test_a_plain_answer_is_not_copied_through_werkzeugs_checks_again(app, monkeypatch):
    """Every value was checked when it was set: a 200 with its length known goes out without a second check."""
    from werkzeug.datastructures import Headers

    response = app.response_class("hello", headers={"X-Extra": "1"})
    monkeypatch.setattr(Headers, "extend", lambda *a, **k: pytest.fail("headers copied through Headers.extend"))
    sent = response.get_wsgi_headers({})
    assert sent.to_wsgi_list() == response.headers.to_wsgi_list() and sent._list is not response.headers._list


def test_every_answer_of_the_app_is_a_shop_response(client):
    from storefront.request_path import ShopResponse

    assert client.application.response_class is ShopResponse
    assert client.get(QUOTE).headers["Content-Length"] == str(len(client.get(QUOTE).data))


def _served_without_a_header_recheck(app, monkeypatch, path: str, headers: dict[str, str]) -> str:
    """Serve `path` through the app's WSGI callable while werkzeug's checked header copy fails the test."""
    from werkzeug.datastructures import Headers
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path.partition("?")[0], query_string=path.partition("?")[2], headers=headers)
    environ, sent = environ.get_environ(), {}
    with monkeypatch.context() as patched:
        patched.setattr(Headers, "extend", lambda *a, **k: pytest.fail(f"{path}: headers copied through a re-check"))
        b"".join(app.wsgi_app(environ, lambda status, h, exc_info=None: sent.update(s=status)))
    return sent["s"]


def test_warm_answers_go_out_without_a_second_header_check(app, client, paid_order, monkeypatch):
    """The quote, the configurator's fragment, the status page and its 304 poll are all the app's own response
    class by the time they are sent: a NotModified or a plain flask.Response recast by Flask would be copied."""
    build = QUOTE.partition("?")[2]
    poll = f"/orders/{paid_order.status_token}/progress"
    etag = client.get(poll, headers={"HX-Request": "true"}).headers["ETag"]
    client.get(QUOTE), client.get(f"/configure/summary?{build}", headers={"HX-Request": "true"})  # warm
    assert _served_without_a_header_recheck(app, monkeypatch, QUOTE, {}) == "200 OK"
    assert _served_without_a_header_recheck(app, monkeypatch, f"/orders/{paid_order.status_token}", {}) == "200 OK"
    fragment = f"/configure/summary?{build}"
    assert _served_without_a_header_recheck(app, monkeypatch, fragment, {"HX-Request": "true"}) == "200 OK"
    not_modified = {"HX-Request": "true", "If-None-Match": etag}
    assert _served_without_a_header_recheck(app, monkeypatch, poll, not_modified) == "304 NOT MODIFIED"
