"""Roles: each back-office route declares one, and each role reaches exactly its routes (403 otherwise)."""

import re

import pytest

from storefront.domain.roles import Role
from storefront.extensions import db
from storefront.services.staff import create_staff
from tests.support.backoffice import StaffClient, sign_in

STAFF_BLUEPRINTS = ("backoffice.", "planning.", "catalog_editor.", "attention.", "staff.")
PUBLIC = {"backoffice.login", "staff.set_password"}


def staff_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every staff route but sign-in and sign-out, with 1 for each URL argument."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(STAFF_BLUEPRINTS) or rule.endpoint in PUBLIC | {"backoffice.logout"}:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
        found += [(rule.endpoint, m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def signed_in_as(client, role: Role) -> StaffClient:
    staff = create_staff(f"{role.value}@voltwerk.example", "a-long-password")
    staff.role = role
    db.session.commit()
    assert sign_in(client, staff.email, "a-long-password").status_code == 303
    return StaffClient(client, staff)


def test_every_staff_route_declares_its_role(app_ctx):
    undeclared = [
        endpoint
        for endpoint, view in app_ctx.view_functions.items()
        if endpoint.startswith(STAFF_BLUEPRINTS) and endpoint not in PUBLIC and not hasattr(view, "required_role")
    ]
    assert undeclared == []


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_routes(client, app_ctx, role):
    staff = signed_in_as(client, role)
    routes = staff_routes(app_ctx)
    assert len(routes) >= 15
    reached, refused = set(), set()
    for endpoint, method, url in routes:
        response = staff.client.open(url, method=method, data={"csrf_token": staff.token})
        assert response.status_code != 302, (method, url)  # signed in: never sent to the login page
        (refused if response.status_code == 403 else reached).add(endpoint)
        if response.status_code == 403:
            assert "Not for your role" in response.get_data(as_text=True)
    needed = {endpoint: app_ctx.view_functions[endpoint].required_role for endpoint, _, _ in routes}
    assert reached == {e for e, r in needed.items() if role.may(r)}
    assert refused == {e for e, r in needed.items() if not role.may(r)}


def test_the_roles_split_the_back_office_as_the_shop_runs_it(app_ctx):
    needed = {endpoint: getattr(view, "required_role", None) for endpoint, view in app_ctx.view_functions.items()}
    assert needed["backoffice.move"] == needed["backoffice.ship"] == needed["backoffice.checklist"] == Role.MECHANIC
    assert needed["backoffice.inventory_page"] == needed["planning.capacity"] == Role.MANAGER
    assert needed["backoffice.expected_date"] == needed["planning.forecast"] == Role.MANAGER
    staff_pages = [endpoint for endpoint in needed if endpoint.startswith("staff.") and endpoint not in PUBLIC]
    assert len(staff_pages) == 6 and {needed[endpoint] for endpoint in staff_pages} == {Role.OWNER}


def test_a_mechanic_is_refused_inventory_with_a_page_that_says_why(client, app_ctx):
    staff = signed_in_as(client, Role.MECHANIC)
    response = staff.get("/backoffice/inventory")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "This page is for the manager role and above; your account has the mechanic role." in page
    assert "Inventory</a>" not in staff.get("/backoffice/").get_data(as_text=True)  # the menu hides it


def test_a_route_that_declares_no_role_is_for_owners_only(app_ctx):
    from storefront.auth import required_role

    with app_ctx.test_request_context():
        assert required_role("no.such.endpoint") == Role.OWNER
