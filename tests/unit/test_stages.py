"""The stage machine: every allowed move, every forbidden one, and the guards that gate them."""

from dataclasses import replace

import pytest

from storefront.domain.carriers import CARRIERS, InvalidTracking, normalise_tracking, validate_tracking
from storefront.domain.stages import MOVES, IllegalTransition, Situation, blocked_reason, check, moves_from

STAGES = ("sourcing", "assembly", "testing", "shipping", "shipped", "delivered", "cancelled")
ALLOWED = {
    ("sourcing", "start_assembly"): "assembly",
    ("sourcing", "cancel"): "cancelled",
    ("assembly", "start_testing"): "testing",
    ("testing", "pass_testing"): "shipping",
    ("testing", "rework"): "assembly",
    ("shipping", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
}


def ready(stage: str, **facts) -> Situation:
    """A situation in `stage` where every guard would pass, except as `facts` say."""
    base = Situation(stage, parts_reserved=True, checklist_complete=True, checklist_failed=False, shipment_ready=True)
    return replace(base, **facts)


@pytest.mark.parametrize(("stage", "action"), sorted(ALLOWED))
def test_every_allowed_move_reaches_its_target(stage, action):
    facts = {"checklist_failed": True} if action == "rework" else {}
    assert check(action, ready(stage, **facts)).target == ALLOWED[stage, action]


FORBIDDEN = [(stage, action) for stage in STAGES for action in sorted(MOVES) if (stage, action) not in ALLOWED]


@pytest.mark.parametrize(("stage", "action"), FORBIDDEN)
def test_every_move_from_the_wrong_stage_is_forbidden(stage, action):
    with pytest.raises(IllegalTransition, match="Cannot"):
        check(action, ready(stage, checklist_failed=True))


def test_the_allowed_table_is_exactly_the_machine():
    assert {(m.source, m.action): m.target for m in MOVES.values()} == ALLOWED


def test_finished_and_cancelled_work_orders_have_no_moves():
    assert moves_from("delivered") == [] and moves_from("cancelled") == []


def test_assembly_needs_every_part_reserved():
    with pytest.raises(IllegalTransition, match="every part is reserved"):
        check("start_assembly", ready("sourcing", parts_reserved=False))


def test_cancel_needs_no_parts_but_only_before_assembly():
    assert check("cancel", ready("sourcing", parts_reserved=False)).target == "cancelled"
    with pytest.raises(IllegalTransition):
        check("cancel", ready("assembly"))


@pytest.mark.parametrize(("complete", "failed"), [(False, False), (True, True), (False, True)])
def test_shipping_needs_a_complete_checklist_with_no_failure(complete, failed):
    with pytest.raises(IllegalTransition, match="must pass"):
        check("pass_testing", ready("testing", checklist_complete=complete, checklist_failed=failed))


def test_rework_needs_a_failed_item():
    with pytest.raises(IllegalTransition, match="failed"):
        check("rework", ready("testing", checklist_failed=False))
    assert check("rework", ready("testing", checklist_failed=True, checklist_complete=False)).target == "assembly"


def test_shipping_out_needs_a_shipment():
    with pytest.raises(IllegalTransition, match="tracking"):
        check("ship", ready("shipping", shipment_ready=False))


def test_an_unknown_action_is_illegal():
    with pytest.raises(IllegalTransition, match="Unknown"):
        check("teleport", ready("sourcing"))


def test_blocked_reason_is_none_exactly_when_check_passes():
    for stage in STAGES:
        for move in MOVES.values():
            situation = ready(stage, checklist_failed=move.action == "rework")
            assert (blocked_reason(move, situation) is None) == ((stage, move.action) in ALLOWED)


@pytest.mark.parametrize(
    ("carrier", "number", "normal"),
    [
        ("ups", "1z 999 aa1 0123456784", "1Z999AA10123456784"),
        ("fedex", "1234-5678-9012", "123456789012"),
        ("usps", "9400 1118 9922 3344 5566 77", "9400111899223344556677"),
        ("usps", "EA123456789US", "EA123456789US"),
        ("canada-post", "1234567890123456", "1234567890123456"),
        ("dhl", "1234567890", "1234567890"),
    ],
)
def test_valid_tracking_numbers_are_normalised(carrier, number, normal):
    found, cleaned = validate_tracking(carrier, number)
    assert found is CARRIERS[carrier] and cleaned == normal
    assert cleaned in found.tracking_url(cleaned)


@pytest.mark.parametrize(
    ("carrier", "number", "message"),
    [
        ("ups", "", "Enter the tracking number"),
        ("ups", "   ", "Enter the tracking number"),
        ("ups", "123456789012", "not a UPS"),
        ("dhl", "1Z999AA10123456784", "not a DHL"),
        ("pigeon", "1234567890", "Choose a carrier"),
    ],
)
def test_bad_tracking_numbers_are_refused_with_a_reason(carrier, number, message):
    with pytest.raises(InvalidTracking, match=message):
        validate_tracking(carrier, number)


def test_every_carrier_accepts_its_own_example():
    for carrier in CARRIERS.values():
        assert carrier.matches(normalise_tracking(carrier.example))
