"""Only staff reach the back office: sign-in, sign-out, rate limit, CSRF, cookies and the account commands."""

import re

import pytest
from sqlalchemy import func, select

from storefront.config import build_config
from storefront.extensions import db
from storefront.models import StaffUser
from storefront.services.staff import DEMO_EMAIL, authenticate
from tests.support.backoffice import STAFF_EMAIL, STAFF_PASSWORD, act, csrf_from, fresh, sign_in

# The customer-facing blueprints; every other route in the app is for staff, whichever blueprint adds it.
PUBLIC_BLUEPRINTS = {"shop", "checkout", "orders", "webhooks", "ops"}
PUBLIC_ENDPOINTS = {"static", "backoffice.login", "staff.set_password"}  # the last opens by an emailed token


def backoffice_urls(app) -> list[tuple[str, str]]:
    """(method, url) for every staff route, with 1 for each URL argument."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
        found += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_every_back_office_and_planning_route_but_login_sends_outsiders_to_login(client, app_ctx):
    token = csrf_from(client.get("/backoffice/login").get_data(as_text=True))
    routes = backoffice_urls(app_ctx)
    assert len(routes) >= 13 and ("POST", "/backoffice/capacity") in routes
    assert ("GET", "/backoffice/attention/") in routes and ("GET", "/backoffice/catalog/") in routes
    assert ("GET", "/backoffice/staff/") in routes and ("POST", "/backoffice/staff/1/deactivate") in routes
    for method, url in routes:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/backoffice/login?next="), (method, url)


def test_the_login_page_is_public(client):
    response = client.get("/backoffice/login")
    assert response.status_code == 200 and 'name="password"' in response.get_data(as_text=True)


def test_staff_sign_in_and_land_on_the_page_they_asked_for(client, staff_user):
    response = sign_in(client, next_url="/backoffice/inventory")
    assert response.status_code == 303 and response.headers["Location"] == "/backoffice/inventory"
    assert client.get("/backoffice/inventory").status_code == 200


def test_an_outside_next_address_is_ignored(client, staff_user):
    response = sign_in(client, next_url="//evil.example/steal")
    assert response.headers["Location"] == "/backoffice/"


def test_a_wrong_password_or_unknown_email_is_refused_alike(client, staff_user):
    for email, password in ((STAFF_EMAIL, "wrong-password"), ("nobody@example.com", STAFF_PASSWORD)):
        response = sign_in(client, email, password)
        assert response.status_code == 422
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/backoffice/").status_code == 302


def test_an_inactive_account_cannot_sign_in(client, staff_user):
    staff_user.active = False
    db.session.commit()
    assert sign_in(client).status_code == 422


def test_passwords_are_stored_as_argon2_hashes(staff_user):
    assert staff_user.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in staff_user.password_hash
    assert authenticate(STAFF_EMAIL.upper(), STAFF_PASSWORD).id == staff_user.id


def test_tests_hash_with_argon2_s_cheapest_profile_and_production_with_its_defaults(staff_user, tmp_path):
    assert staff_user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    production = {"SECRET_KEY": "x" * 32, "TEST_PAYMENTS": True}
    assert build_config(str(tmp_path), production)["PASSWORD_HASH_PARAMS"] is None


def test_login_is_rate_limited(client, staff_user):
    codes = [sign_in(client, STAFF_EMAIL, "wrong-password").status_code for _ in range(6)]
    assert codes == [422] * 5 + [429]


def test_logout_is_a_post_and_ends_the_session(staff_client):
    assert staff_client.get("/backoffice/logout").status_code == 405
    assert staff_client.get("/backoffice/").status_code == 200
    response = staff_client.post("/backoffice/logout")
    assert response.status_code == 303
    assert staff_client.get("/backoffice/").status_code == 302


def test_a_post_without_a_csrf_token_is_a_400_and_changes_nothing(staff_client, paid_order):
    work_order = paid_order.work_order
    response = staff_client.client.post(
        f"/backoffice/work-orders/{work_order.id}/move",
        data={"move-version": fresh(work_order).version, "move-action": "start_assembly"},
    )
    assert response.status_code == 400
    assert fresh(work_order).stage == "sourcing"
    assert staff_client.client.post("/backoffice/login", data={"email": "a", "password": "b"}).status_code == 400


def test_a_form_with_a_valid_token_goes_through(staff_client, paid_order):
    assert act(staff_client, paid_order.work_order, "move", action="start_assembly").status_code == 303


def test_back_office_pages_are_not_cached(staff_client):
    assert staff_client.get("/backoffice/").headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_secure_outside_development(production_app):
    app = production_app
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax" and app.config["REMEMBER_COOKIE_SECURE"]


def test_the_signed_in_cookie_is_httponly_and_samesite(client, staff_user):
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def staff_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(StaffUser))


def test_create_staff_reads_a_piped_password(app_ctx):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["create-staff", "Mechanic@Voltwerk.example"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "Created staff account mechanic@voltwerk.example" in result.output
    assert authenticate("mechanic@voltwerk.example", "a-long-password") is not None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [("not-an-email", "a-long-password", "valid email"), ("x@example.com", "short", "at least 10")],
)
def test_create_staff_refuses_bad_input(app_ctx, email, password, message):
    result = app_ctx.test_cli_runner().invoke(args=["create-staff", email], input=password + "\n")
    assert result.exit_code != 0 and message in result.output
    assert staff_count() == 0


def test_create_staff_refuses_a_duplicate(app_ctx, staff_user):
    result = app_ctx.test_cli_runner().invoke(args=["create-staff", STAFF_EMAIL], input="another-password\n")
    assert result.exit_code != 0 and "already exists" in result.output
    assert staff_count() == 1


def test_seed_demo_prints_a_demo_login_in_development_only_and_is_idempotent(app_ctx):
    runner = app_ctx.test_cli_runner()
    assert "Demo staff login" not in runner.invoke(args=["seed-demo"]).output
    assert staff_count() == 0
    app_ctx.debug = True
    try:
        first = runner.invoke(args=["seed-demo"]).output
        second = runner.invoke(args=["seed-demo"]).output
    finally:
        app_ctx.debug = False
    assert f"Demo staff login (created): {DEMO_EMAIL}" in first
    assert f"Demo staff login: {DEMO_EMAIL}" in second
    assert staff_count() == 1
