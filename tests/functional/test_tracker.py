"""The private status page, its polled fragment and its JSON form, in every stage and with bad input."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import ChecklistItem, PurchaseRequest, WorkOrderEvent
from storefront.models import TestResult as CheckResult  # a "Test" name pytest would try to collect
from storefront.services import workshop
from tests.support.tracker import move_to, pass_checks

FOLDING = {"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}


def page_of(client, order):
    response = client.get(f"/orders/{order.status_token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def step_state(html: str, code: str) -> str:
    return re.search(rf'class="step step-(\w+)" id="step-{code}"', html).group(1)


def test_the_page_shows_number_build_promise_and_first_name_only(client, paid_order):
    html = page_of(client, paid_order)
    assert paid_order.number in html
    assert "Ada, your bike is" in html and "Burlington" in html
    assert 'id="promise-window">Mon 7 Dec – Thu 10 Dec 2026' in html
    assert 'id="forecast-window">Mon 7 Dec – Thu 10 Dec 2026' in html and "On track" in html
    assert "Step-through" in html and '<svg viewBox="0 0 300 170"' in html and "$1,290.00" in html


def test_the_page_never_shows_email_street_surname_or_postcode(client, paid_order):
    for body in (page_of(client, paid_order), client.get(f"/orders/{paid_order.status_token}.json").get_data(True)):
        assert "ada@example.com" not in body
        assert "Spoke Street" not in body and "05401" not in body and "Lovelace" not in body


def test_the_link_is_kept_out_of_indexes_referers_and_shared_caches(client, paid_order):
    for path in ("", "/progress", ".json"):
        response = client.get(f"/orders/{paid_order.status_token}{path}")
        assert response.headers["X-Robots-Tag"] == "noindex"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "private, no-cache"
    assert '<meta name="robots" content="noindex">' in page_of(client, paid_order)


def test_an_unknown_token_is_a_plain_404(client, paid_order):
    for path in ("", "/progress", ".json"):
        response = client.get(f"/orders/{'A' * 43}{path}")
        assert response.status_code == 404
        assert paid_order.number not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "token",
    ["short", "a" * 42, "a" * 44, "a" * 5000, "%00" * 15, "a" * 42 + "%21", "a" * 42 + "%E2%9C%93", "lookup.json"],
)
def test_malformed_tokens_are_404_before_the_database_is_asked(client, paid_order, count_queries, token):
    for path in ("", "/progress", ".json"):
        with count_queries() as counter:
            response = client.get(f"/orders/{token}{path}")
        assert response.status_code == 404, path
        assert counter.count == 0


def test_a_very_long_path_is_a_404_not_a_500(client):
    assert client.get("/orders/" + "x/" * 3000).status_code == 404


@pytest.mark.parametrize(
    ("stage", "current", "headline"),
    [
        ("sourcing", "sourcing", 'Ada, your bike is <span id="stage-name">ready to be built'),  # every part in stock
        ("assembly", "assembly", "being built"),
        ("testing", "testing", "being tested"),
        ("shipping", "shipping", "being packed"),
        ("shipped", "shipping", "on its way"),
    ],
)
def test_every_open_stage_marks_its_step_in_progress_and_keeps_polling(client, paid_order, stage, current, headline):
    if stage != "sourcing":
        move_to(paid_order, stage)
    html = page_of(client, paid_order)
    codes = ["sourcing", "assembly", "testing", "shipping", "delivered"]
    states = [step_state(html, code) for code in codes]
    index = codes.index(current)
    assert states == ["done"] * index + ["current"] + ["upcoming"] * (4 - index)
    assert headline in html
    assert 'hx-trigger="every 5s"' in html and f'hx-get="/orders/{paid_order.status_token}/progress"' in html
    percent = int(re.search(r'id="progress-percent">(\d+)%', html).group(1))
    assert 0 < percent < 100


def test_a_delivered_order_shows_every_step_done_and_stops_polling(client, paid_order):
    move_to(paid_order, "delivered", note="Left with your neighbour at number 14.")
    html = page_of(client, paid_order)
    assert all(step_state(html, c) == "done" for c in ("sourcing", "assembly", "testing", "shipping", "delivered"))
    assert 'id="progress-percent">100%' in html and "Delivered" in html
    assert "hx-trigger" not in html and "hx-get" not in html


def test_a_cancelled_order_says_so_and_stops_polling(client, paid_order):
    move_to(paid_order, "cancelled", note="Cancelled at your request; refund on its way.")
    html = page_of(client, paid_order)
    assert 'your bike is <span id="stage-name">cancelled' in html
    assert "Cancelled on Tue 1 Dec 2026" in html and "refund on its way" in html
    assert step_state(html, "assembly") == "cancelled"
    assert "hx-trigger" not in html


def test_each_step_shows_planned_and_actual_dates(client, paid_order):
    move_to(paid_order, "testing")
    html = page_of(client, paid_order)
    assembly = html.split('id="step-assembly"')[1].split("</li>")[0]
    assert "Started Tue 1 Dec" in assembly and "Finished Tue 1 Dec" in assembly  # staff started at once
    delivered = html.split('id="step-delivered"')[1].split("</li>")[0]
    assert "Planned Mon 7 Dec" in delivered


def test_sourcing_lists_each_component_with_its_state(client, order_factory):
    order = order_factory(FOLDING)
    html = page_of(client, order)
    assert re.search(r"Folding frame</span><span class=\"part-state\">ordered from supplier, expected Wed 30 Dec", html)
    assert re.search(r"Motor 250 W rear hub</span><span class=\"part-state\">reserved from stock", html)


def test_a_supplier_delay_shows_the_new_date_and_the_forecast_reason(client, order_factory):
    order = order_factory(FOLDING)
    request = db.session.scalar(select(PurchaseRequest))
    request.expected_date = request.expected_date + timedelta(days=7)
    order.forecast_earliest += timedelta(days=7)
    order.forecast_latest += timedelta(days=7)
    order.forecast_reason = "The folding frame is late at the supplier."
    db.session.commit()
    html = page_of(client, order)
    assert "ordered from supplier, now expected Wed 6 Jan" in html
    assert "Running later" in html
    assert 'id="forecast-reason"><strong>Why it changed:</strong> The folding frame is late at the supplier.' in html
    # the frame is due Wed 30 Dec; with the prior's lateness, 95% of such bikes arrive by Wed 13 Jan
    assert 'id="promise-window">Fri 8 Jan – Wed 13 Jan 2027' in html
    assert 'id="forecast-window">Fri 15 Jan – Wed 20 Jan 2027' in html


def test_passed_checks_appear_once_testing_is_done(client, paid_order):
    move_to(paid_order, "testing")
    passed = pass_checks(paid_order)
    assert 'id="checks"' not in page_of(client, paid_order)
    move_to(paid_order, "shipping")
    html = page_of(client, paid_order)
    checks = html.split('id="checks"')[1].split("</ul>")[0]
    assert len(passed) == 6 and all(label in checks for label in passed)


def test_only_the_round_that_passed_is_shown_after_a_rework(client, paid_order):
    move_to(paid_order, "testing")
    pass_checks(paid_order, failing=("lights",))
    work = paid_order.work_order
    workshop.move(work.id, "rework", version=work.version, staff_id=None)
    move_to(paid_order, "shipping")
    checks = page_of(client, paid_order).split('id="checks"')[1].split("</ul>")[0]
    assert checks.count("<li") == 6 and checks.count("Lights") == 1


def test_a_shipped_order_links_to_the_carrier_tracking_page(client, paid_order):
    move_to(paid_order, "shipped", carrier="ups", tracking_number="1Z999AA10123456784")
    html = page_of(client, paid_order)
    tracking = html.split('id="tracking"')[1].split("</p>")[0]
    assert "UPS tracking number" in tracking and "1Z999AA10123456784" in tracking
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA10123456784"' in tracking
    assert 'rel="noopener noreferrer"' in tracking


def test_updates_show_only_customer_visible_notes_newest_first(client, paid_order):
    work = paid_order.work_order
    db.session.add(
        WorkOrderEvent(work_order=work, action="note", note="Internal: frame scratched", customer_visible=False)
    )
    db.session.commit()
    move_to(paid_order, "assembly", note="Your frame is on the stand.")
    html = page_of(client, paid_order)
    updates = html.split('id="updates"')[1].split("</ol>")[0]
    assert "Internal" not in html
    assert updates.index("Your frame is on the stand.") < updates.index("Payment received; order placed.")


def test_the_poll_answers_304_with_no_query_when_nothing_changed(client, paid_order, htmx_headers, count_queries):
    url = f"/orders/{paid_order.status_token}/progress"
    first = client.get(url, headers=htmx_headers)
    assert first.status_code == 200 and "<html" not in first.get_data(as_text=True)
    assert 'id="order-status"' in first.get_data(as_text=True) and "HX-Request" in first.headers["Vary"]
    etag = first.headers["ETag"]
    with count_queries() as counter:
        again = client.get(url, headers={**htmx_headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Vary"] == "HX-Request"
    assert again.headers["Referrer-Policy"] == "no-referrer" and again.headers["X-Robots-Tag"] == "noindex"
    assert again.headers["Cache-Control"] == "private, no-cache" and "Content-Type" not in again.headers
    assert counter.count == 0  # the plan stamp's watch (LISTEN, or SQLite's commit counter) vouches
    for sent in (f'"older", {etag}', f"W/{etag}"):  # one of several tags, or weakened by a proxy
        assert client.get(url, headers={**htmx_headers, "If-None-Match": sent}).status_code == 304
    for sent in ('"older"', etag[:-2] + '"', "*garbage"):
        assert client.get(url, headers={**htmx_headers, "If-None-Match": sent}).status_code == 200


def test_the_status_page_is_served_again_without_a_query_or_a_session_and_shows_a_change(
    client, paid_order, count_queries
):
    url = f"/orders/{paid_order.status_token}"
    first = client.get(url)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers and "X-CSRFToken" not in first.text
    with count_queries() as counter:
        again = client.get(url)
    assert again.data == first.data and counter.count == 0
    move_to(paid_order, "assembly")
    assert 'class="step step-current" id="step-assembly"' in client.get(url).text


def test_the_poll_answers_200_with_the_new_stage_after_a_change(client, paid_order, htmx_headers):
    url = f"/orders/{paid_order.status_token}/progress"
    etag = client.get(url, headers=htmx_headers).headers["ETag"]
    move_to(paid_order, "assembly")
    changed = client.get(url, headers={**htmx_headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert 'class="step step-current" id="step-assembly"' in changed.get_data(as_text=True)


@pytest.mark.parametrize("change", ["visible note", "forecast", "supplier date", "checks"])
def test_changes_that_leave_the_work_order_row_alone_still_change_the_etag(client, order_factory, htmx_headers, change):
    order = order_factory(FOLDING)
    url = f"/orders/{order.status_token}/progress"
    etag = client.get(url, headers=htmx_headers).headers["ETag"]
    if change == "visible note":
        db.session.add(WorkOrderEvent(work_order=order.work_order, action="note", note="Hi!", customer_visible=True))
    elif change == "forecast":
        order.forecast_reason = "Workshop closed for a day."
    elif change == "supplier date":
        db.session.scalar(select(PurchaseRequest)).expected_date += timedelta(days=2)
    else:  # written directly: through the service a checklist result also changes the work order row
        item_id = db.session.scalar(select(ChecklistItem.id))
        db.session.add(CheckResult(work_order_id=order.work_order.id, item_id=item_id, round=1, passed=True))
    db.session.commit()
    assert client.get(url, headers={**htmx_headers, "If-None-Match": etag}).status_code == 200


def test_the_poll_interval_comes_from_the_config(client, paid_order, app_ctx):
    app_ctx.config["STATUS_POLL_SECONDS"] = 2
    try:
        assert 'hx-trigger="every 2s"' in page_of(client, paid_order)
    finally:
        app_ctx.config["STATUS_POLL_SECONDS"] = 5


def test_without_javascript_the_page_and_the_progress_route_show_the_full_status(client, paid_order):
    move_to(paid_order, "assembly", note="Your frame is on the stand.")
    for url in (f"/orders/{paid_order.status_token}", f"/orders/{paid_order.status_token}/progress"):
        html = client.get(url).get_data(as_text=True)
        assert "<html" in html and 'id="step-assembly"' in html and "Your frame is on the stand." in html


def test_the_json_form_has_stages_dates_promise_forecast_components_and_tracking(client, paid_order):
    move_to(paid_order, "shipped", carrier="fedex", tracking_number="7712 3456 7890")
    response = client.get(f"/orders/{paid_order.status_token}.json")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert data["number"] == paid_order.number and data["stage"] == "shipped" and data["live"] is True
    assert [s["state"] for s in data["stages"]] == ["done", "done", "done", "current", "upcoming"]
    assert data["stages"][4]["planned"] == "2026-12-07"
    assert data["promise"] == {"earliest": "2026-12-07", "latest": "2026-12-10"}
    assert data["forecast"]["status"] == "on_track" and data["forecast"]["reason"] is None
    assert {c["state"] for c in data["components"]} == {"fitted"}
    assert len(data["checks_passed"]) == 6
    assert data["tracking"] == {
        "carrier": "FEDEX",
        "carrier_name": "FedEx",
        "number": "771234567890",  # as validate_tracking normalised it
        "url": "https://www.fedex.com/fedextrack/?trknbr=771234567890",
    }
    assert data["customer"] == {"first_name": "Ada", "city": "Burlington"}
    assert data["updates"][0]["message"] == "Your bike is on its way. FedEx tracking number 771234567890."


def test_the_json_form_answers_304_when_unchanged(client, paid_order):
    url = f"/orders/{paid_order.status_token}.json"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304  # a proxy may weaken it
    move_to(paid_order, "assembly")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_the_json_form_of_an_unknown_token_is_a_json_404(client):
    response = client.get(f"/orders/{'B' * 43}.json")
    assert response.status_code == 404 and response.is_json


def test_a_pending_supplier_part_shows_its_expected_date_in_json(client, order_factory):
    data = client.get(f"/orders/{order_factory(FOLDING).status_token}.json").get_json()
    frame = next(c for c in data["components"] if c["name"] == "Folding frame")
    assert frame["state"] == "ordered" and frame["expected"] == date(2026, 12, 30).isoformat()


def test_the_status_page_links_to_the_printable_bill_of_sale(client, paid_order):
    html = client.get(f"/orders/{paid_order.status_token}").get_data(as_text=True)
    link = f"/bill-of-sale/{paid_order.status_token}"
    assert link in html
    assert client.get(link).status_code == 200
