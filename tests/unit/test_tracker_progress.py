"""The tracker's domain: timeline states, progress, part states, promise against forecast, carrier links."""

from datetime import UTC, date, datetime

import pytest

from storefront.domain import progress
from storefront.domain.carriers import CARRIERS
from storefront.domain.progress import StageFacts

T = datetime(2026, 12, 1, 14, tzinfo=UTC)


def facts(finished_through: int = -1) -> list[StageFacts]:
    codes = [code for code, _ in progress.CUSTOMER_STAGES]
    return [
        StageFacts(
            code, date(2026, 12, 1 + i), T if i <= finished_through + 1 else None, T if i <= finished_through else None
        )
        for i, code in enumerate(codes)
    ]


@pytest.mark.parametrize(
    ("stage", "states"),
    [
        ("sourcing", ["current", "upcoming", "upcoming", "upcoming", "upcoming"]),
        ("assembly", ["done", "current", "upcoming", "upcoming", "upcoming"]),
        ("testing", ["done", "done", "current", "upcoming", "upcoming"]),
        ("shipping", ["done", "done", "done", "current", "upcoming"]),
        ("shipped", ["done", "done", "done", "current", "upcoming"]),
        ("delivered", ["done", "done", "done", "done", "done"]),
    ],
)
def test_each_stage_marks_the_steps_before_it_done_and_after_it_upcoming(stage, states):
    assert [step.state for step in progress.timeline(stage, facts())] == states


def test_a_cancelled_order_keeps_the_steps_it_finished():
    steps = progress.timeline("cancelled", facts(finished_through=0))
    assert [step.state for step in steps] == ["done", "cancelled", "cancelled", "cancelled", "cancelled"]


def test_shipping_and_shipped_are_one_customer_step_named_shipping():
    labels = [step.label for step in progress.timeline("shipped", facts())]
    assert labels == ["Sourcing parts", "Assembly", "Testing", "Shipping", "Delivered"]


def test_progress_grows_through_the_stages_and_ends_at_100():
    order = ["sourcing", "assembly", "testing", "shipping", "shipped", "delivered"]
    values = [progress.progress_percent(stage, 2, 4) for stage in order]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert values[-1] == 100 and 0 < values[0] < 25


def test_parts_in_hand_move_the_bar_within_sourcing():
    assert progress.progress_percent("sourcing", 0, 4) < progress.progress_percent("sourcing", 4, 4) < 25
    assert progress.progress_percent("cancelled") == 0


def test_part_states_read_as_sentences():
    assert progress.part_state("reserved").text == "reserved from stock"
    assert progress.part_state("consumed").text == "fitted to your bike"
    ordered = progress.part_state("awaiting", date(2026, 12, 8), date(2026, 12, 8), "open")
    assert (ordered.code, ordered.text) == ("ordered", "ordered from supplier, expected Tue 8 Dec")
    late = progress.part_state("awaiting", date(2026, 12, 15), date(2026, 12, 8), "open")
    assert (late.code, late.text) == ("delayed", "ordered from supplier, now expected Tue 15 Dec")
    assert progress.part_state("awaiting", date(2026, 12, 8), None, "received").code == "arrived"


def test_a_forecast_equal_to_the_promise_is_on_track_without_a_reason():
    window = (date(2026, 12, 8), date(2026, 12, 10))
    assert progress.outlook(window, window, None) == progress.Outlook(window, window, "on_track", None)


def test_a_later_forecast_gives_its_reason_or_a_generic_one():
    promised = (date(2026, 12, 8), date(2026, 12, 10))
    later = (date(2026, 12, 15), date(2026, 12, 17))
    assert (
        progress.outlook(promised, later, "Battery delayed at the supplier").reason == "Battery delayed at the supplier"
    )
    generic = progress.outlook(promised, later, None)
    assert generic.status == "later" and generic.reason == progress.GENERIC_REASON
    assert progress.outlook(promised, (date(2026, 12, 4), date(2026, 12, 7)), None).status == "earlier"


@pytest.mark.parametrize("carrier", [code.upper() for code in CARRIERS])
def test_every_known_carrier_links_to_its_tracking_page(carrier):
    found = progress.tracking(carrier.lower(), " 1Z 99/9 ")
    assert found.carrier == carrier and found.number == "1Z 99/9"
    assert found.url.startswith("https://") and "1Z%2099%2F9" in found.url


def test_an_unknown_carrier_still_shows_the_number_without_a_link():
    found = progress.tracking("Bike Courier Co", "ABC123")
    assert (found.carrier_name, found.number, found.url) == ("Bike Courier Co", "ABC123", None)
    assert progress.tracking("UPS", None) is None


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("a" * 43, True),
        ("Ab9_-" * 8 + "xyz", True),
        ("a" * 42, False),
        ("a" * 44, False),
        ("a" * 42 + "=", False),
        ("a" * 42 + "\n", False),
        ("", False),
        ("../" * 15, False),
    ],
)
def test_only_43_url_safe_characters_make_a_token(token, ok):
    assert progress.well_formed_token(token) is ok


def test_the_fingerprint_is_short_stable_and_sensitive():
    assert progress.fingerprint(1, "sourcing") == progress.fingerprint(1, "sourcing")
    assert progress.fingerprint(1, "sourcing") != progress.fingerprint(2, "sourcing")
    assert len(progress.fingerprint(None)) == 20
