"""Every carrier the shipping form offers reaches the customer's status page by name, with its tracking link."""

import re

import pytest

from tests.support.backoffice import act, fresh, pass_all

# What staff type (the carrier's own example, spaced as printed on a label), and the link the customer must get.
SHIPMENTS = {
    "ups": ("UPS", "1Z 999 AA1 01234 5678 4", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
    "fedex": ("FedEx", "1234 5678 9012", "https://www.fedex.com/fedextrack/?trknbr=123456789012"),
    "usps": (
        "USPS",
        "9400 1118 9922 3344 5566 77",
        "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223344556677",
    ),
    "canada-post": (
        "Canada Post",
        "1234 5678 9012 3456",
        "https://www.canadapost-postescanada.ca/track-reperage/en#/details/1234567890123456",
    ),
    "dhl": ("DHL", "12345 67890", "https://www.dhl.com/global-en/home/tracking.html?tracking-id=1234567890"),
}


def ready_to_ship(staff_client, work_order) -> str:
    """Take the work order to shipping through the workshop's own forms; returns the page with the ship form."""
    for action in ("start_assembly", "start_testing"):
        assert act(staff_client, work_order, "move", action=action).status_code == 303
    assert pass_all(staff_client, work_order).status_code == 303
    assert act(staff_client, work_order, "move", action="pass_testing").status_code == 303
    return staff_client.get(f"/backoffice/work-orders/{work_order.id}").get_data(as_text=True)


def offered_carriers(html: str) -> set[str]:
    form = html.split('name="ship-carrier"')[1].split("</select>")[0]
    return set(re.findall(r'<option[^>]*value="([^"]+)"', form))


def test_the_shipping_form_offers_exactly_the_carriers_checked_below(staff_client, paid_order):
    assert offered_carriers(ready_to_ship(staff_client, paid_order.work_order)) == set(SHIPMENTS)


@pytest.mark.parametrize("code", sorted(SHIPMENTS))
def test_a_bike_shipped_with_each_carrier_shows_the_customer_its_name_and_tracking_link(
    staff_client, client, paid_order, code
):
    name, typed, url = SHIPMENTS[code]
    work_order = paid_order.work_order
    assert code in offered_carriers(ready_to_ship(staff_client, work_order))

    assert act(staff_client, work_order, "ship", carrier=code, tracking=typed).status_code == 303
    assert fresh(work_order).stage == "shipped"

    html = client.get(f"/orders/{paid_order.status_token}").get_data(as_text=True)
    tracking = html.split('id="tracking"')[1].split("</p>")[0]
    number = re.sub(r"\s", "", typed)
    assert f"{name} tracking number" in tracking and number in tracking and f"{code} tracking" not in tracking
    assert f'href="{url}"' in tracking and f"Track with {name}" in tracking
    data = client.get(f"/orders/{paid_order.status_token}.json").get_json()["tracking"]
    assert (data["carrier_name"], data["number"], data["url"]) == (name, number, url)
