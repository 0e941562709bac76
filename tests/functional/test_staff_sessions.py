"""Staff sessions you can end: sign-out, a new password and deactivation end every session; idle ones expire."""

from __future__ import annotations

import time

import itsdangerous.timed
import pytest
from flask import g

from storefront.extensions import db
from storefront.services.staff import deactivate, set_password
from tests.support.backoffice import STAFF_EMAIL, csrf_from, sign_in


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str, **environ):
    """A fresh client (another browser, or an attacker) presenting a copied session cookie.

    The tests' app context outlives requests, so `g` would carry the user Flask-Login loaded for an earlier
    request; a real request starts with an empty `g`, and so does this one.
    """
    g.pop("_login_user", None)
    other = app.test_client()
    other.environ_base.update(environ)
    other.set_cookie("session", cookie)
    return other.get("/backoffice/")


def is_sign_in_page(response) -> bool:
    return response.status_code == 302 and "/backoffice/login" in response.headers["Location"]


def test_a_cookie_copied_before_sign_out_gets_the_sign_in_page(app_ctx, staff_client):
    copied = session_cookie(staff_client.client)
    assert replay(app_ctx, copied).status_code == 200
    assert staff_client.post("/backoffice/logout").status_code == 303
    assert is_sign_in_page(replay(app_ctx, copied))


def test_signing_out_ends_the_users_other_sessions_too(app_ctx, client, staff_user):
    sign_in(client)
    laptop = session_cookie(client)
    other = app_ctx.test_client()
    sign_in(other)
    token = csrf_from(other.get("/backoffice/").get_data(as_text=True))
    other.post("/backoffice/logout", data={"csrf_token": token})
    assert is_sign_in_page(replay(app_ctx, laptop))


@pytest.mark.parametrize(
    "ending", [lambda: set_password(STAFF_EMAIL, "a-brand-new-pass"), lambda: deactivate(STAFF_EMAIL)]
)
def test_a_new_password_or_deactivation_ends_every_session(app_ctx, staff_client, ending):
    copied = session_cookie(staff_client.client)
    ending()
    db.session.remove()
    assert is_sign_in_page(replay(app_ctx, copied))


def test_an_idle_session_expires_after_the_configured_working_day(app_ctx, staff_client, monkeypatch):
    copied = session_cookie(staff_client.client)
    hours = app_ctx.config["PERMANENT_SESSION_LIFETIME"].total_seconds() / 3600
    assert hours == 12
    later = time.time() + 12 * 3600 + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert is_sign_in_page(replay(app_ctx, copied))


def test_an_active_session_is_re_signed_once_a_minute_and_outlives_the_idle_limit(app_ctx, staff_client, monkeypatch):
    start = time.time()
    client = staff_client.client

    def cookie_set_at(seconds: float) -> bool:
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: start + seconds)
        g.pop("_login_user", None)
        response = client.get("/backoffice/")
        assert response.status_code == 200
        return "Set-Cookie" in response.headers

    assert not cookie_set_at(10)  # an unchanged session is not signed again on every request
    assert cookie_set_at(120)  # a minute on, its idle expiry moves on
    assert not cookie_set_at(150)
    for hour in range(8, 40, 8):  # a working day and more, never idle for the 12-hour limit
        assert cookie_set_at(hour * 3600)
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: start + 40 * 3600 + 12 * 3600 + 60)
    assert is_sign_in_page(replay(app_ctx, session_cookie(client)))


def test_a_session_is_tied_to_the_address_the_app_trusts_not_to_forwarded_for(app_ctx, client, staff_user):
    client.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    sign_in(client)
    copied = session_cookie(client)
    assert replay(app_ctx, copied, REMOTE_ADDR="192.0.2.10").status_code == 200
    forged = replay(app_ctx, copied, REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert is_sign_in_page(forged)


def test_signing_in_rotates_the_csrf_token_and_the_session(client, staff_user):
    before = csrf_from(client.get("/backoffice/login").get_data(as_text=True))
    cookie_before = session_cookie(client)
    sign_in(client)
    after = csrf_from(client.get("/backoffice/").get_data(as_text=True))
    assert after != before and session_cookie(client) != cookie_before
    stale = client.post("/backoffice/logout", data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get("/backoffice/").status_code == 200
