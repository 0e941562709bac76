"""The planning pages: forecast table and charts, accuracy report, capacity form; all for staff only."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Setting
from storefront.services.catalog import CAPACITY_KEY

PAGES = ["/backoffice/forecast", "/backoffice/accuracy", "/backoffice/capacity"]


@pytest.mark.parametrize("url", PAGES)
def test_planning_pages_send_outsiders_to_the_staff_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/backoffice/login?next=")


@pytest.mark.parametrize("url", PAGES)
def test_planning_pages_open_for_staff_signed_in_through_the_login_page(staff_client, url):
    assert staff_client.get(url).status_code == 200


def test_the_forecast_lists_every_component_with_a_chart_and_the_formula(staff_client, order_factory):
    order_factory({"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]})
    html = staff_client.get("/backoffice/forecast").get_data(as_text=True)
    assert html.count('<svg class="stock-chart"') == 20
    assert "lead time + review period" in html and "safety stock" in html
    row = re.search(r'id="component-FRAME-FD".*?</tr>', html, re.S).group(0)
    assert "1 awaited" in row  # the folding frame waits for its supplier
    cells = re.findall(r'<td class="num[^"]*">(\d+)', row)
    assert cells[:5] == ["1", "0", "0", "0", "1"]  # demand, used a day, on hand, reserved, on order
    assert "<script" not in row and "style=" not in html


def test_the_accuracy_report_counts_deliveries_by_month(staff_client, order_factory, app_ctx):
    order = order_factory()
    order.work_order.stage = "delivered"
    order.work_order.delivered_at = app_ctx.config["FIXED_NOW"] + timedelta(days=6)
    db.session.commit()
    html = staff_client.get("/backoffice/accuracy").get_data(as_text=True)
    assert "2026-12" in html and "100.0%" in html and "All months" in html


def test_the_accuracy_report_says_when_nothing_was_delivered(staff_client):
    assert "No bikes delivered yet." in staff_client.get("/backoffice/accuracy").get_data(as_text=True)


def test_capacity_shows_the_current_setting_and_a_change_replans_with_a_303(staff_client, order_factory):
    assert 'value="4"' in staff_client.get("/backoffice/capacity").get_data(as_text=True)
    response = staff_client.post("/backoffice/capacity", {"capacity": "6"})  # with the session's CSRF token
    assert response.status_code == 303 and response.headers["Location"].endswith("/backoffice/capacity")
    assert db.session.scalar(select(Setting.value).where(Setting.key == CAPACITY_KEY)) == "6"
    assert "Capacity set to 6 a day" in staff_client.get("/backoffice/capacity").get_data(as_text=True)


def test_capacity_out_of_range_is_refused_with_the_reason(staff_client):
    response = staff_client.post("/backoffice/capacity", {"capacity": "51"})
    assert response.status_code == 400 and "between 1 and 50" in response.get_data(as_text=True)
    assert db.session.scalar(select(Setting.value).where(Setting.key == CAPACITY_KEY)) == "4"


def test_capacity_changes_need_the_csrf_token(staff_client):
    assert staff_client.client.post("/backoffice/capacity", data={"capacity": "5"}).status_code == 400
    assert db.session.scalar(select(Setting.value).where(Setting.key == CAPACITY_KEY)) == "4"


def _supplier_row(html: str, sku: str) -> list[str]:
    row = re.search(rf'id="supplier-{sku}".*?</tr>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_forecast_shows_each_suppliers_record_learned_from_deliveries(staff_client, order_factory, app_ctx):
    from storefront.domain.reliability import Lateness, lateness_days
    from storefront.models import PurchaseRequest
    from storefront.services.catalog import live_catalog
    from storefront.services.inventory import receive

    html = staff_client.get("/backoffice/forecast").get_data(as_text=True)
    assert _supplier_row(html, "FRAME-FD")[1:] == ["0", "no deliveries yet", "0 d", "2 d"]  # the prior alone
    paid = app_ctx.config["FIXED_NOW"] - timedelta(days=60)
    order_factory({"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}, paid)
    request = db.session.scalar(select(PurchaseRequest))
    receive(request.id, request.quantity, staff_id=None)  # today, well after the date the supplier first gave
    late = lateness_days(request.original_expected_date, request.received_on, live_catalog().workshop)
    assert late > 0
    learnt = Lateness("FRAME-FD", (late,))
    html = staff_client.get("/backoffice/forecast").get_data(as_text=True)
    assert _supplier_row(html, "FRAME-FD")[1:] == ["1", "0 %", f"{learnt.at(0.5)} d", f"{learnt.at(0.9)} d"]


def _by_supplier_row(html: str, name: str) -> list[str]:
    row = re.search(rf'<tr id="by-supplier-\d+">\s*<th scope="row">{re.escape(name)}</th>.*?</tr>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)]


def test_the_forecast_pools_each_named_suppliers_deliveries_across_its_components(staff_client, order_factory, app_ctx):
    from storefront.domain.reliability import learn_each
    from storefront.models import Component, PurchaseRequest
    from storefront.services.catalog import live_catalog
    from storefront.services.inventory import receive

    html = staff_client.get("/backoffice/forecast").get_data(as_text=True)
    frames = _by_supplier_row(html, "Brandt Frameworks")
    assert frames[0].startswith("Step-through frame, High-step frame") and "Paint: custom RAL mix" in frames[0]
    assert frames[1:] == ["0", "no deliveries yet", "0 d", "2 d"]  # the prior alone

    paid = app_ctx.config["FIXED_NOW"] - timedelta(days=60)
    build = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["custom"], "ral": ["RAL 5015"]}
    order_factory(build, paid)  # the folding frame and the custom paint are both out of stock: two deliveries
    requests = db.session.scalars(select(PurchaseRequest).order_by(PurchaseRequest.id)).all()
    assert len(requests) == 2
    for request in requests:
        receive(request.id, request.quantity, staff_id=None)
    skus = dict(db.session.execute(select(Component.id, Component.sku)).all())
    rows = [("Brandt Frameworks", r.original_expected_date, r.received_on) for r in requests]
    pooled = learn_each(rows, live_catalog().workshop)["Brandt Frameworks"]
    assert sorted(skus[r.component_id] for r in requests) == ["FRAME-FD", "PNT-CUSTOM"]
    assert len(set(pooled.history)) == 2  # two lead times: two different latenesses pooled

    html = staff_client.get("/backoffice/forecast").get_data(as_text=True)
    assert _by_supplier_row(html, "Brandt Frameworks")[1:] == ["2", "0 %", f"{pooled.at(0.5)} d", f"{pooled.at(0.9)} d"]
    assert _by_supplier_row(html, "Volta Drive Systems")[1:] == ["0", "no deliveries yet", "0 d", "2 d"]
    assert _supplier_row(html, "FRAME-FD")[1:3] == ["1", "0 %"]  # each component keeps its own record too
