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
