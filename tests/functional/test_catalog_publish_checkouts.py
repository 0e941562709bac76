"""A publish never reaches into money already promised: an open checkout pays and is fulfilled at its frozen build
and price, even when the publish re-prices or retires one of its options."""

import copy

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Component, Order, PartLine
from storefront.services import catalog_drafts as drafts
from storefront.services.catalog import live_catalog
from tests.support.checkout import checkout_by_session, pay_with_test_card, submit_checkout

BUILD = "frame=high-step&motor=mid-750&battery=b625&color=racing-red&accessories=lights"
FROZEN_CENTS = 129000 + 69000 + 28000 + 6000 + 9000  # base, 750 W, 625 Wh, racing red, lights (VT: no tax, free)


def publish(change) -> None:
    """Publish the live catalog with `change` applied, through the draft service."""
    draft = drafts.start_draft(None)
    data = copy.deepcopy(draft.data)
    change(data)
    draft, problems = drafts.save_draft(draft.id, data, draft.version)
    assert problems == []
    drafts.publish(draft.id, draft.version, None)


def reprice_and_retire(data: dict) -> None:
    data["product"]["base_cents"] = 139000
    motor = next(g for g in data["groups"] if g["code"] == "motor")
    next(o for o in motor["options"] if o["code"] == "mid-750")["delta_cents"] = 79000
    accessories = next(g for g in data["groups"] if g["code"] == "accessories")
    next(o for o in accessories["options"] if o["code"] == "lights")["offered"] = False


def test_a_checkout_opened_before_a_publish_pays_and_is_fulfilled_at_its_frozen_build_and_price(client):
    payment_url = submit_checkout(client, BUILD).headers["Location"]
    session_id = payment_url.rsplit("/", 1)[1]
    frozen = checkout_by_session(session_id)
    assert frozen.total_cents == FROZEN_CENTS

    publish(reprice_and_retire)
    assert not live_catalog().is_offered("lights") and live_catalog().base_cents == 139000
    assert f"Pay ${FROZEN_CENTS / 100:,.2f}" in client.get(payment_url).get_data(as_text=True)

    paid = pay_with_test_card(client, payment_url)
    assert paid.status_code == 303
    success = client.get(paid.headers["Location"]).get_data(as_text=True)
    order = db.session.scalar(select(Order))
    assert order is not None and order.number in success
    assert order.total_cents == FROZEN_CENTS and order.subtotal_cents == FROZEN_CENTS
    assert order.lines == checkout_by_session(session_id).snapshot["lines"]
    assert {line["code"]: line["price_cents"] for line in order.lines} == {
        "ebike": 129000, "high-step": 0, "mid-750": 69000, "b625": 28000, "racing-red": 6000, "lights": 9000,
    }  # fmt: skip
    parts = db.session.scalars(select(Component.sku).join(PartLine, PartLine.component_id == Component.id))
    assert "ACC-LIGHT" in set(parts)  # the retired option's part is still reserved for this bike

    bill = client.get(f"/bill-of-sale/{order.status_token}").get_data(as_text=True)
    assert "Integrated lights" in bill and "$2,410.00" in bill and "$1,390.00" not in bill


def test_a_new_checkout_after_the_publish_is_priced_from_the_new_catalog_and_cannot_name_the_retired_option(client):
    publish(reprice_and_retire)
    page = client.get(f"/checkout?{BUILD}")
    assert page.status_code == 303 and "/configure?" in page.headers["Location"]  # the retired lights send it back
    configure = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Accessories: Integrated lights is no longer offered." in configure
    without_lights = BUILD.replace("&accessories=lights", "")
    payment_url = submit_checkout(client, without_lights).headers["Location"]
    assert checkout_by_session(payment_url.rsplit("/", 1)[1]).total_cents == 139000 + 79000 + 28000 + 6000
