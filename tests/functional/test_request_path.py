"""The lean request path: public answers that never read the session send no `Vary: Cookie`, security
headers stay on every answer, and the limiter still counts on the routes that carry a limit."""

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
