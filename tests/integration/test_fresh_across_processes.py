"""Cached answers stay exactly fresh across processes: a stock change written by one process is in the very
next quote another process serves, and a staff account change is in its next back-office request
(PostgreSQL: NOTIFY plan_version; SQLite: the file change counter in its header)."""

from __future__ import annotations

import json
import urllib.request

from sqlalchemy import select

from storefront.domain.roles import Role
from storefront.extensions import db
from storefront.models import Component
from storefront.services import catalog_drafts as drafts
from storefront.services.inventory import set_lead_time
from storefront.services.staff import create_staff
from storefront.services.staff_accounts import change_role, deactivate
from storefront.services.unit_of_work import unit_of_work
from tests.support.backoffice import csrf_from
from tests.support.deploy import Browser

QUOTE = "/api/quote?frame=step-through&motor=hub-250&battery=b400&color=graphite"


def quote_from(host) -> dict:
    with urllib.request.urlopen(f"{host.url}{QUOTE}", timeout=10) as response:
        return json.loads(response.read())


def test_a_stock_change_through_one_process_is_seen_by_the_next_quote_in_another(app_ctx, second_host):
    before = quote_from(second_host)
    assert quote_from(second_host) == before  # host B now answers from its warm cache
    battery = db.session.scalar(select(Component).where(Component.sku == "BAT-400"))
    with unit_of_work():
        battery.on_hand = 0  # this process sells the last batteries ...
    set_lead_time(battery.id, 60)  # ... and the supplier now needs twelve weeks
    after = quote_from(second_host)
    assert after["estimate"]["earliest"] > before["estimate"]["earliest"]
    assert any(step["sku"] == "BAT-400" for step in after["estimate"]["steps"])


def test_a_catalog_published_through_one_process_prices_the_next_quote_in_another(app_ctx, second_host):
    before = quote_from(second_host)
    assert quote_from(second_host) == before  # warm
    draft = drafts.start_draft(None)
    data = {**draft.data, "product": {**draft.data["product"], "base_cents": 139000}}
    draft, problems = drafts.save_draft(draft.id, data, draft.version)
    assert problems == []
    drafts.publish(draft.id, draft.version, None)
    after = quote_from(second_host)
    assert (before["total_cents"], after["total_cents"]) == (129000, 139000)
    drafts.roll_back_to(drafts.published_versions()[-1].id, None)
    assert quote_from(second_host)["total_cents"] == 129000


def sign_in(browser: Browser, email: str, password: str) -> None:
    _, page = browser.get("/backoffice/login")
    fields = {"csrf_token": csrf_from(page), "email": email, "password": password}
    assert browser.post("/backoffice/login", fields) == 303


def test_a_role_change_and_a_deactivation_through_one_process_reach_the_next_request_in_another(app_ctx, second_host):
    owner = create_staff("first-owner@voltwerk.example", "first-owner-pass-1")
    staff = create_staff("second-owner@voltwerk.example", "second-owner-pass-1")
    browser = Browser(second_host.url)
    sign_in(browser, staff.email, "second-owner-pass-1")
    status, board = browser.get("/backoffice/")
    assert status == 200 and ">Staff</a>" in board
    assert browser.get("/backoffice/")[1].count(">Staff</a>") == 1  # host B now knows them without a query

    staff = change_role(staff.id, Role.MECHANIC, version=staff.version, by=owner)  # this process demotes them
    status, board = browser.get("/backoffice/")
    assert status == 200 and ">Staff</a>" not in board and "Mechanic" in board
    assert browser.get("/backoffice/staff/")[0] == 403

    deactivate(staff.id, version=staff.version, by=owner)
    status, _ = browser.get("/backoffice/")
    assert status == 302  # signed out at once: back to the sign-in page
