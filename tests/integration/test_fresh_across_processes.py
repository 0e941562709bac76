"""Cached quotes stay exactly fresh across processes: a stock change written by one process is in the very
next quote another process serves (PostgreSQL: NOTIFY plan_version; SQLite: its commit counter, PRAGMA data_version)."""

from __future__ import annotations

import json
import urllib.request

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Component
from storefront.services import catalog_drafts as drafts
from storefront.services.inventory import set_lead_time
from storefront.services.unit_of_work import unit_of_work

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
