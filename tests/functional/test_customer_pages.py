"""The rough edges customers met: error pages, marked field errors, relative links, calendar file, wording."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import OutboxMessage
from storefront.services import tracking
from tests.support.backoffice import act, fresh
from tests.support.checkout import submit_checkout


def test_an_unknown_page_gets_the_shops_404_with_a_way_back(client):
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "We can’t find that page" in html and 'class="site-header"' in html
    assert 'href="/configure"' in html and 'href="/orders/lookup"' in html


def test_json_routes_keep_answering_json_errors(client):
    response = client.get(f"/orders/{'x' * 43}.json")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"] == "Not Found"


def test_a_crash_gets_the_branded_500_with_the_request_id_to_quote(app_ctx, client, paid_order, monkeypatch):
    def broken(token):
        raise RuntimeError("the tracker fell over")

    monkeypatch.setattr(tracking, "status_stamp", broken)
    monkeypatch.setitem(app_ctx.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get(f"/orders/{paid_order.status_token}", headers={"X-Request-ID": "req-4242-abcd"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and '<code id="request-id">req-4242-abcd</code>' in html
    assert "fell over" not in html and 'href="/configure"' in html


def test_checkout_errors_are_marked_on_their_fields_and_values_are_kept(client):
    response = submit_checkout(client, email="not-an-email", postal_code="", terms=None)
    html = response.get_data(as_text=True)
    email = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="email-error"' in email
    assert 'value="not-an-email"' in email and 'autocomplete="email"' in email
    terms = re.search(r'<input[^>]*id="terms"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in terms and 'aria-describedby="terms-error"' in terms
    full_name = re.search(r'<input[^>]*id="full_name"[^>]*>', html).group(0)
    assert "aria-invalid" not in full_name and 'autocomplete="name"' in full_name
    for name in ("tel", "address-line1", "address-line2", "address-level2", "postal-code", "address-level1"):
        assert f'autocomplete="{name}"' in html


def test_the_confirmation_links_are_relative_and_the_email_keeps_public_url(app_ctx, client, paid_order):
    page = client.get(f"/bill-of-sale/{paid_order.status_token}").get_data(as_text=True)
    assert f'href="/orders/{paid_order.status_token}"' in page
    assert app_ctx.config["PUBLIC_URL"] not in page
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("order-confirmed:%")))
    assert f"{app_ctx.config['PUBLIC_URL']}/orders/{paid_order.status_token}/delivery.ics" in mail.body_text


def test_the_calendar_file_holds_the_promised_window_and_only_the_order_number(client, paid_order):
    response = client.get(f"/orders/{paid_order.status_token}/delivery.ics")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert f'filename="{paid_order.number}-delivery.ics"' in response.headers["Content-Disposition"]
    assert "DTSTART;VALUE=DATE:20261207\r\n" in body and "DTEND;VALUE=DATE:20261211\r\n" in body
    assert paid_order.number in body
    for private in ("Ada", "Lovelace", "ada@example.com", "Spoke Street", "Burlington", paid_order.status_token):
        assert private not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


@pytest.mark.parametrize(
    ("build", "phrase"),
    [
        (None, "ready to be built"),  # every part reserved from stock
        ({"frame": ["folding"], "motor": ["hub-250"], "battery": ["b400"], "color": ["glacier"]}, "waiting for"),
    ],
)
def test_the_status_heading_matches_what_the_parts_table_shows(client, order_factory, build, phrase):
    order = order_factory(build)
    html = client.get(f"/orders/{order.status_token}").get_data(as_text=True)
    assert f'<span id="stage-name">{phrase}' in html


def test_a_stage_move_flash_says_what_staff_did_then_what_the_customer_read(staff_client, paid_order):
    response = act(staff_client, paid_order.work_order, "move", action="start_assembly")
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Start assembly: done. The customer was told: “All parts are in: your bike is being built.”" in page
    assert "Saved: All parts" not in page
    assert "Parts in</th><td>—</td><td>by " in page  # no plan date after the actual start
    assert fresh(paid_order.work_order).stage == "assembly"


def test_the_share_link_has_a_descriptive_name(client):
    html = client.get("/configure?frame=high-step&motor=hub-250&battery=b400&color=glacier").get_data(as_text=True)
    assert re.search(r'id="share-link">Link to this build</a>', html)
