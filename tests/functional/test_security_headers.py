"""Security headers on every response, a CSP that allows no inline script, request ids, and CSRF on."""

import logging
import os

from storefront.logs import JsonFormatter, RequestIdFilter


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/configure?frame=step-through&motor=hub-250&battery=b400&color=graphite")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_contain_no_inline_script_or_style(client):
    html = client.get("/configure?frame=cargo&motor=mid-500&battery=b400&color=graphite").get_data(as_text=True)
    assert "<script>" not in html and "<script " not in html.replace('<script src="', "")
    assert " style=" not in html and "<style" not in html
    assert " onclick=" not in html.lower()


def test_every_response_gets_a_request_id_and_keeps_a_sane_incoming_one(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "lb-abc12345"}).headers["X-Request-ID"] == "lb-abc12345"
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers["X-Request-ID"]
    assert "<" not in hostile and len(hostile) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != generated


def test_each_forked_worker_draws_its_own_request_ids(app):
    """Ids come from `random`, which Python reseeds in a forked child: two workers never share a sequence."""
    from storefront.logs import _assign_request_id

    def draw() -> str:
        with app.test_request_context("/healthz"):
            _assign_request_id()
            from flask import g

            return g.request_id

    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child writes what it draws, then leaves at once
        os.write(write, draw().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 64).decode() != draw()


def test_json_logs_carry_the_request_id_and_mask_secrets():
    record = logging.LogRecord("storefront", logging.INFO, __file__, 1, "key sk_live_abcdef123 used", (), None)
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert '"request_id": "-"' in line
    assert "abcdef123" not in line and "sk_live_[redacted]" in line


def test_secret_key_is_required_outside_debug_and_tests(monkeypatch):
    import pytest

    from storefront import create_app
    from storefront.config import ConfigError

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_nul_bytes_in_forms_and_queries_reach_validation_as_bad_values(client):
    from tests.support.checkout import csrf_token

    token = csrf_token(client, "/backoffice/login")
    response = client.post(
        "/backoffice/login", data={"email": "a\x00b@example.com", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 422
    quote = client.get("/api/quote?frame=%00&motor=hub-250&battery=b400&color=graphite")
    assert quote.status_code == 422 and "not an option we offer" in quote.get_json()["errors"][0]["message"]
