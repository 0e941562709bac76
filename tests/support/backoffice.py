"""Test fixtures for the backoffice area: a staff account and a test client signed in as it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.extensions import db, limiter
from storefront.models import ChecklistItem
from storefront.services.staff import create_staff

STAFF_EMAIL = "bench@voltwerk.example"
STAFF_PASSWORD = "torque-wrench-42"
CSRF_RE = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token a page's forms carry (one per session)."""
    match = CSRF_RE.search(html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return next(group for group in match.groups() if group)


class StaffClient:
    """A signed-in test client that posts forms with the session's CSRF token."""

    def __init__(self, client, staff):
        self.client, self.staff = client, staff
        self.token = csrf_from(client.get("/backoffice/").get_data(as_text=True))

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)


@pytest.fixture
def staff_user(app_ctx):
    limiter.reset()  # the login limit would otherwise carry over between tests
    return create_staff(STAFF_EMAIL, STAFF_PASSWORD)


def sign_in(client, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, next_url: str | None = None):
    page = client.get("/backoffice/login").get_data(as_text=True)
    url = "/backoffice/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"csrf_token": csrf_from(page), "email": email, "password": password})


@pytest.fixture
def staff_client(client, staff_user) -> StaffClient:
    response = sign_in(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    return StaffClient(client, staff_user)


FOLDING_BUILD = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}


def fresh(instance):
    """Re-read a row after requests committed through other sessions."""
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def act(staff_client, work_order, endpoint: str, version: int | None = None, **fields):
    """Post a work-order form the way the page does, with the prefix and the version it was rendered with."""
    prefix = {"move": "move", "ship": "ship", "cancel": "cancel", "notes": "note", "checklist": "check"}[endpoint]
    version = fresh(work_order).version if version is None else version
    data = {f"{prefix}-version": version, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    return staff_client.post(f"/backoffice/work-orders/{work_order.id}/{endpoint}", data)


def pass_all(staff_client, work_order, fail: dict[str, str] | None = None):
    """Fill the checklist: every item passes, except codes in `fail` (code -> note)."""
    fail = fail or {}
    fields = {}
    for item in db.session.scalars(select(ChecklistItem)):
        fields[f"result_{item.id}"] = "fail" if item.code in fail else "pass"
        fields[f"note_{item.id}"] = fail.get(item.code, "")
    return act(staff_client, work_order, "checklist", **fields)
