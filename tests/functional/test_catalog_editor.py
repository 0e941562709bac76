"""The owner's catalog editor through the test client: edit, inline errors, 409, publish, preview, import."""

import io
import re
from html import unescape

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import CatalogDraft
from storefront.services import catalog_drafts as drafts
from tests.support.backoffice import csrf_from

BUILD_QUERY = "frame=step-through&motor=hub-250&battery=b400&color=graphite"


def start_draft(staff_client) -> tuple[int, str]:
    response = staff_client.post("/backoffice/catalog/drafts")
    assert response.status_code == 303
    url = response.headers["Location"]
    return int(url.rsplit("/", 1)[1]), url


def form_fields(html: str) -> dict[str, str]:
    """Every input's name and value on the editor page, as the browser would post them."""
    fields = {}
    for tag in re.findall(r"<(?:input|select|textarea)[^>]*>(?:[^<]*</textarea>)?", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                fields[name.group(1)] = "y"
            continue
        if tag.startswith("<textarea"):
            text = re.search(r">([^<]*)</textarea>", tag).group(1)
            fields[name.group(1)] = unescape(text.removeprefix("\r\n").removeprefix("\n"))  # as a browser does
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = unescape(value.group(1)) if value else ""
    for select_name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'value="([^"]*)"[^>]*selected', body
        )
        fields[select_name] = chosen.group(1) if chosen else ""
    return fields


def test_an_owner_changes_a_price_and_sees_it_live_only_after_publishing(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert fields["base_cents"] == "1290.00"
    response = staff_client.post(url, {**fields, "base_cents": "1390.00"})
    assert response.status_code == 303
    assert 'id="total">$1,290.00<' in staff_client.get(f"/configure?{BUILD_QUERY}").get_data(as_text=True)
    page = staff_client.get(url).get_data(as_text=True)
    assert 'id="check-passed"' in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = staff_client.post(f"/backoffice/catalog/drafts/{draft_id}/publish", {"version": version})
    assert response.status_code == 303
    assert 'id="total">$1,390.00<' in staff_client.get(f"/configure?{BUILD_QUERY}").get_data(as_text=True)
    index = staff_client.get("/backoffice/catalog/").get_data(as_text=True)
    assert "Base price: $1,290.00 → $1,390.00" in index and "bench@voltwerk.example" in index


def test_a_bad_price_gets_an_inline_error_keeps_the_text_and_saves_nothing(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    response = staff_client.post(url, {**fields, "groups-1-options-1-delta_cents": "lots"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="lots"' in page and "Enter an amount such as 1290.00." in page
    assert db.session.get(CatalogDraft, draft_id).version == 1


def test_a_rule_that_strands_an_option_is_flagged_with_a_link_to_the_option(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "add": "rule"}).status_code == 303
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    strand = {"rules-6-option": "cargo", "rules-6-kind": "excludes", "rules-6-targets": "mid-500"}
    rule = {**strand, "rules-6-message": "No 500 W on cargo."}
    fields = {**fields, **rule}
    staff_client.post(url, {**fields, "rules-0-targets": "mid-500"})
    page = staff_client.get(url).get_data(as_text=True)
    assert 'href="#groups-0-options-2-code"' in page
    assert "Cargo longtail can never be part of a valid build" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    refused = staff_client.post(f"/backoffice/catalog/drafts/{draft_id}/publish", {"version": version})
    assert refused.status_code == 422 and "Cargo longtail can never be part" in refused.get_data(as_text=True)


def test_a_stale_edit_gets_a_409_with_a_reload_link_and_keeps_the_owners_text(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "product_label": "First owner"}).status_code == 303
    response = staff_client.post(url, {**fields, "product_label": "Second owner"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="reload"' in page and 'value="Second owner"' in page
    assert db.session.get(CatalogDraft, draft_id).data["product"]["label"] == "First owner"


def test_the_preview_shows_the_draft_with_a_banner_and_no_way_to_buy(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    staff_client.post(url, {**fields, "base_cents": "1390.00"})
    preview = f"/backoffice/catalog/drafts/{draft_id}/preview?{BUILD_QUERY}&ship_to=US-HI"
    page = staff_client.get(preview).get_data(as_text=True)
    assert "Preview — not live" in page and 'id="total">$1,390.00<' in page
    assert "Buy this build" not in page
    assert 'id="ship-to-region"' not in page and "Shipping from" not in page  # it asks the live shop nothing
    staff_client.post("/backoffice/logout")
    assert staff_client.get(f"/backoffice/catalog/drafts/{draft_id}/preview").status_code == 302


def test_importing_a_broken_file_lists_line_numbered_problems_and_creates_no_draft(staff_client):
    live = staff_client.get("/backoffice/catalog/live.toml").get_data(as_text=True)
    broken = live.replace("base_cents = 129000", 'base_cents = "lots"')
    response = staff_client.post(
        "/backoffice/catalog/import",
        {"file": (io.BytesIO(broken.encode()), "c.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Line 9: product.base_cents must be a whole number." in response.get_data(as_text=True)
    assert db.session.scalars(select(CatalogDraft)).all() == []
    response = staff_client.post(
        "/backoffice/catalog/import",
        {"file": (io.BytesIO(live.encode()), "c.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert db.session.scalars(select(CatalogDraft)).one().data == drafts.live_version().data


def test_the_csrf_token_is_checked_on_publish(staff_client):
    draft_id, _ = start_draft(staff_client)
    response = staff_client.client.post(f"/backoffice/catalog/drafts/{draft_id}/publish", data={"version": "1"})
    assert response.status_code == 400
    assert csrf_from(staff_client.get("/backoffice/catalog/").get_data(as_text=True))


def publish_edit(staff_client, **changes) -> None:
    """Start a draft, save it with `changes` laid over the form, and publish it."""
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    posted = {k: v for k, v in {**fields, **changes}.items() if v is not None}  # None: an unticked checkbox
    assert staff_client.post(url, posted).status_code == 303
    page = staff_client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert staff_client.post(f"/backoffice/catalog/drafts/{draft_id}/publish", {"version": version}).status_code == 303


def test_a_paid_order_keeps_its_price_on_the_bill_of_sale_after_a_publish(staff_client, paid_order):
    before = staff_client.get(f"/bill-of-sale/{paid_order.status_token}").get_data(as_text=True)
    publish_edit(staff_client, base_cents="1390.00")
    after = staff_client.get(f"/bill-of-sale/{paid_order.status_token}").get_data(as_text=True)
    assert "$1,290.00" in after and "$1,390.00" not in after
    assert re.findall(r"\$[\d,]+\.\d\d", before) == re.findall(r"\$[\d,]+\.\d\d", after)


def test_a_shared_link_naming_a_retired_option_opens_with_a_message_and_the_nearest_build(staff_client):
    publish_edit(staff_client, **{"groups-1-options-0-offered": None})  # retire the 250 W hub motor
    page = staff_client.get(f"/configure?{BUILD_QUERY}").get_data(as_text=True)
    assert "Motor: 250 W rear hub is no longer offered. We chose 500 W mid-drive instead." in page
    assert re.search(r'value="mid-500"[^>]*checked|checked[^>]*value="mid-500"', page)
    assert 'value="hub-250"' not in page


def test_a_published_option_code_cannot_be_renamed_and_the_form_keeps_the_text(staff_client):
    draft_id, url = start_draft(staff_client)
    page = staff_client.get(url).get_data(as_text=True)
    assert re.search(r'id="groups-1-options-0-code"[^>]*readonly|readonly[^>]*id="groups-1-options-0-code"', page)
    fields = form_fields(page)
    response = staff_client.post(url, {**fields, "groups-1-options-0-code": "hub-300", "base_cents": "1390.00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="groups-1-options-0-code-error">([^<]*)<', page).group(1)
    assert error.startswith("Code: &#39;hub-250&#39; has been published, so it cannot be renamed")
    assert 'value="hub-300"' in page and 'value="1390.00"' in page
    draft = db.session.get(CatalogDraft, draft_id)
    assert draft.version == 1 and draft.data == drafts.live_version().data


def test_a_new_option_in_a_draft_takes_any_code_until_it_is_published(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "add": "option:1"}).status_code == 303
    page = staff_client.get(url).get_data(as_text=True)
    assert not re.search(r'id="groups-1-options-3-code"[^>]*readonly', page)
    new_option = {
        "groups-1-options-3-code": "hub-350",
        "groups-1-options-3-label": "350 W rear hub",
        "groups-1-options-3-delta_cents": "120.00",
        "groups-1-options-3-component": "MOT-H250",
    }
    assert staff_client.post(url, {**form_fields(page), **new_option}).status_code == 303
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "groups-1-options-3-code": "hub-360"}).status_code == 303
    motor = db.session.get(CatalogDraft, draft_id).data["groups"][1]
    assert [o["code"] for o in motor["options"]] == ["hub-250", "mid-500", "mid-750", "hub-360"]
    assert motor["options"][3]["delta_cents"] == 12000
    version = re.search(r'name="version" type="hidden" value="(\d+)"', staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(f"{url}/publish", {"version": version.group(1)}).status_code == 303
    _, next_url = start_draft(staff_client)
    assert re.search(r'id="groups-1-options-3-code"[^>]*readonly', staff_client.get(next_url).get_data(as_text=True))


def group_order(page: str) -> list[str]:
    return re.findall(r'<fieldset class="option-group" id="group-([\w-]+)"', page)


def motor_order(page: str) -> list[str]:
    return re.findall(r'name="motor"[^>]*value="([\w-]+)"', page)


def test_an_owner_reorders_groups_and_options_and_the_preview_and_the_live_shop_follow(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "move": "group:2:up"}).status_code == 303  # battery before motor
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert fields["groups-1-code"] == "battery" and fields["groups-2-code"] == "motor"
    assert staff_client.post(url, {**fields, "move": "option:2:2:up"}).status_code == 303  # 750 W before 500 W
    assert staff_client.post(url, {**form_fields(staff_client.get(url).get_data(as_text=True))}).status_code == 303
    data = db.session.get(CatalogDraft, draft_id).data
    assert [g["code"] for g in data["groups"]] == ["frame", "battery", "motor", "color", "accessories"]
    assert [o["code"] for o in data["groups"][2]["options"]] == ["hub-250", "mid-750", "mid-500"]

    new_order = ["frame", "battery", "motor", "color", "accessories"]
    preview = staff_client.get(f"/backoffice/catalog/drafts/{draft_id}/preview").get_data(as_text=True)
    assert group_order(preview) == new_order and motor_order(preview) == ["hub-250", "mid-750", "mid-500"]
    live = staff_client.get(f"/configure?{BUILD_QUERY}").get_data(as_text=True)
    assert group_order(live) == ["frame", "motor", "battery", "color", "accessories"]

    page = staff_client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert staff_client.post(f"{url}/publish", {"version": version}).status_code == 303
    live = staff_client.get(f"/configure?{BUILD_QUERY}").get_data(as_text=True)
    assert group_order(live) == new_order and motor_order(live) == ["hub-250", "mid-750", "mid-500"]


def test_a_move_past_either_end_or_to_nowhere_saves_the_draft_as_it_was(staff_client):
    draft_id, url = start_draft(staff_client)
    for move in ("group:0:up", "group:4:down", "option:1:0:up", "option:1:2:down", "option:9:0:down", "group:x:up"):
        fields = form_fields(staff_client.get(url).get_data(as_text=True))
        assert staff_client.post(url, {**fields, "move": move}).status_code == 303
    draft = db.session.get(CatalogDraft, draft_id)
    assert draft.data["groups"] == drafts.live_version().data["groups"]


def test_saving_the_editor_untouched_keeps_the_catalog_data_exactly_shipping_and_tax_included(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert fields["shipping-rates-4-where"] == "CA-NT" and "shipping-rates-4-ships" not in fields  # unticked
    assert fields["tax-collect-6-taxes"] == "GST, 5\nQST, 9.975"
    assert staff_client.post(url, fields).status_code == 303
    assert db.session.get(CatalogDraft, draft_id).data == drafts.live_version().data


def test_an_owner_edits_shipping_rates_and_tax_regions_in_the_form(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "add": "rate"}).status_code == 303
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert fields["shipping-rates-7-where"] == ""
    assert staff_client.post(url, {**fields, "add": "rate"}).status_code == 303  # the empty row 7 goes, row 8 comes
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert "shipping-rates-8-where" not in fields
    assert staff_client.post(url, {**fields, "shipping-rates-7-where": "US-OR", "add": "region"}).status_code == 303
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    edits = {
        "shipping-rates-0-fee_cents": "159.00",
        "shipping-rates-7-where": "us-or",
        "shipping-rates-7-fee_cents": "99.00",
        "shipping-rates-7-free_over_cents": "",
        "shipping-rates-7-ships": "y",
        "tax-collect-7-where": "CA-MB",
        "tax-collect-7-exact": "y",
        "tax-collect-7-taxes": "GST, 5\nPST, 7",
        "tax-collect-1-delete": "y",  # New Jersey
    }
    assert staff_client.post(url, {**fields, **edits}).status_code == 303
    data = db.session.get(CatalogDraft, draft_id).data
    assert data["shipping"]["rates"][0]["fee_cents"] == 15900
    assert data["shipping"]["rates"][7] == {"where": "US-OR", "fee_cents": 9900}
    regions = ["US-NY", "CA-ON", "CA-NS", "CA-AB", "CA-BC", "CA-QC", "CA-MB"]  # New Jersey deleted
    assert [r["where"] for r in data["tax"]["collect"]] == regions
    assert data["tax"]["collect"][-1] == {
        "where": "CA-MB",
        "exact": True,
        "taxes": [{"name": "GST", "percent": 5}, {"name": "PST", "percent": 7}],
    }
    assert 'id="check-passed"' in staff_client.get(url).get_data(as_text=True)


def test_bad_shipping_and_tax_entries_get_the_import_messages_on_their_fields_and_nothing_is_saved(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    bad = {
        "shipping-rates-2-fee_cents": "-5.00",
        "shipping-rates-3-where": "US",
        "shipping-rates-1-where": "XX-ZZ",
        "tax-collect-0-taxes": "New York State sales tax, 40",
        "tax-collect-1-taxes": "New Jersey sales tax, lots",
        "product_label": "Kept while the tables are wrong",
    }
    response = staff_client.post(url, {**fields, **bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved" in page

    def error_of(field_id: str) -> str:
        return re.search(rf'id="{field_id}-error">([^<]*)<', page).group(1)

    assert error_of("shipping-rates-2-fee_cents") == (
        "shipping.rates[2].fee_cents must be a whole number of cents, 0 or more (got -500)"
    )
    assert error_of("shipping-rates-3-where") == "shipping.rates lists US more than once"
    assert error_of("shipping-rates-1-where").startswith("shipping.rates[1].where: unknown region code &#39;XX-ZZ&#39;")
    assert error_of("tax-collect-0-taxes") == (
        "tax.collect[0].taxes[0].percent must be a percentage from 0 to 25 (got 40)"
    )
    assert error_of("tax-collect-1-taxes") == (
        "tax.collect[1].taxes[0].percent must be a percentage from 0 to 25 (got &#39;lots&#39;)"
    )
    assert 'value="-5.00"' in page and "New Jersey sales tax, lots</textarea>" in page
    assert 'value="Kept while the tables are wrong"' in page
    draft = db.session.get(CatalogDraft, draft_id)
    assert draft.version == 1 and draft.data == drafts.live_version().data


def test_the_editor_and_a_toml_import_say_the_same_about_a_bad_rate(staff_client):
    live = staff_client.get("/backoffice/catalog/live.toml").get_data(as_text=True)
    broken = live.replace("fee_cents = 34900, oversized_cents = 25000 },\n  { where = \"US-HI\"", "fee_cents = -1, "
                          "oversized_cents = 25000 },\n  { where = \"US-HI\"", 1)  # fmt: skip
    assert broken != live
    response = staff_client.post(
        "/backoffice/catalog/import",
        {"file": (io.BytesIO(broken.encode()), "c.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "shipping.rates[1].fee_cents must be a whole number of cents, 0 or more (got -1)" in response.get_data(
        as_text=True
    )


def publish(staff_client, draft_id: int, url: str):
    version = re.search(r'name="version" type="hidden" value="(\d+)"', staff_client.get(url).get_data(as_text=True))
    return staff_client.post(f"/backoffice/catalog/drafts/{draft_id}/publish", {"version": version.group(1)})


def test_an_owner_sets_the_delivery_promise_and_cut_off_and_the_live_workshop_follows(staff_client):
    from datetime import time

    from storefront.services.catalog import live_catalog

    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert "workshop-window_days" not in fields  # the old fixed window, read by nothing, is gone from the form
    assert (fields["workshop-promise_confidence"], fields["workshop-order_cutoff"]) == ("0.95", "15:00")
    edits = {
        "workshop-max_window_days": "4",
        "workshop-promise_confidence": "0.97",
        "workshop-order_cutoff": "9:30",
        "workshop-holiday_subdivision": "ny",
    }
    assert staff_client.post(url, {**fields, **edits}).status_code == 303
    workshop = db.session.get(CatalogDraft, draft_id).data["workshop"]
    assert (workshop["max_window_days"], workshop["promise_confidence"]) == (4, 0.97)
    assert (workshop["order_cutoff"], workshop["holiday_subdivision"]) == ("09:30", "NY")
    assert publish(staff_client, draft_id, url).status_code == 303
    live = live_catalog().workshop
    assert (live.max_window_days, live.promise_confidence, live.cutoff) == (4, 0.97, time(9, 30))


def test_a_confidence_or_cut_off_out_of_range_is_refused_on_its_field_and_nothing_is_saved(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    bad = {"workshop-promise_confidence": "1.2", "workshop-order_cutoff": "25:00"}
    response = staff_client.post(url, {**fields, **bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nothing was saved" in page
    assert re.search(r'id="workshop-promise_confidence-error">Number must be between 0.5 and 0.99', page)
    assert re.search(r'id="workshop-order_cutoff-error">Use a time such as 15:00.<', page)
    assert 'value="1.2"' in page and 'value="25:00"' in page
    assert db.session.get(CatalogDraft, draft_id).data == drafts.live_version().data


def test_an_unknown_holiday_subdivision_is_named_by_the_check_and_cannot_be_published(staff_client):
    draft_id, url = start_draft(staff_client)
    fields = form_fields(staff_client.get(url).get_data(as_text=True))
    assert staff_client.post(url, {**fields, "workshop-holiday_subdivision": "ZZ"}).status_code == 303
    assert "workshop.holiday_subdivision" in staff_client.get(url).get_data(as_text=True)
    response = publish(staff_client, draft_id, url)
    assert response.status_code == 422 and "workshop.holiday_subdivision" in response.get_data(as_text=True)


def test_the_editor_shows_the_running_capacity_and_sends_its_changes_to_the_capacity_page(staff_client):
    from storefront.models import Setting
    from storefront.services.catalog import CAPACITY_KEY

    db.session.get(Setting, CAPACITY_KEY).value = "6"
    db.session.commit()
    draft_id, url = start_draft(staff_client)
    page = staff_client.get(url).get_data(as_text=True)
    assert re.search(r'id="capacity-note">Assembly slots a day: 6, set on\s+<a href="/backoffice/capacity">', page)
    fields = form_fields(page)
    assert "workshop-assembly_capacity_per_day" not in fields  # publishing it used to change nothing
    assert staff_client.post(url, fields).status_code == 303
    assert db.session.get(CatalogDraft, draft_id).data["workshop"]["assembly_capacity_per_day"] == 4  # kept as seeded
