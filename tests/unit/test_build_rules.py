"""Parsing a build, every catalog rule, blocked options and one-click fixes."""

import pytest

from storefront.domain.build import blocked_reason, conflicts, parse_build, violated_rules

BASE = {"frame": ["step-through"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}


def build_of(catalog, **changes):
    raw = {**BASE, **{k.replace("_", "-") if k == "x" else k: v for k, v in changes.items()}}
    build, errors = parse_build(raw, catalog)
    assert errors == []
    return build


def test_a_complete_build_parses_without_errors(catalog):
    build = build_of(catalog)
    assert build.picks["frame"] == ("step-through",)
    assert violated_rules(build, catalog) == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({**BASE, "frame": []}, "Frame: please choose one."),
        ({**BASE, "frame": ["step-through", "cargo"]}, "Frame: choose only one."),
        ({**BASE, "motor": ["warp-drive"]}, "Motor: “warp-drive” is not an option we offer."),
        ({**BASE, "motor": ["b400"]}, "Motor: “b400” is not an option we offer."),
        ({**BASE, "battery": ["x" * 500]}, "Battery: that value is too long."),
        ({**BASE, "color": ["custom"]}, "Custom colour: enter a RAL code such as RAL 5015."),
        ({**BASE, "color": ["custom"], "ral": ["blue"]}, "Custom colour: a RAL code is “RAL” and four digits"),
        ({**BASE, "accessories": ["rack", "jetpack"]}, "Accessories: “jetpack” is not an option we offer."),
    ],
)
def test_bad_values_each_get_a_clear_error(catalog, raw, message):
    _, errors = parse_build(raw, catalog)
    assert any(e.message.startswith(message) for e in errors), errors


def test_ral_codes_are_normalised_and_dropped_when_unused(catalog):
    build, errors = parse_build({**BASE, "color": ["custom"], "ral": ["ral5015"]}, catalog)
    assert errors == [] and build.ral == "RAL 5015"
    build, errors = parse_build({**BASE, "ral": ["RAL 5015"]}, catalog)
    assert errors == [] and build.ral is None


def test_garbage_keys_and_non_strings_are_ignored(catalog):
    build, errors = parse_build({**BASE, "price": ["1"], "total_cents": ["0"], "accessories": [None]}, catalog)
    assert errors == [] and build.picks["accessories"] == ()


@pytest.mark.parametrize(
    ("changes", "broken_message"),
    [
        ({"frame": ["cargo"]}, "The cargo longtail needs a mid-drive motor"),
        (
            {"frame": ["folding"], "motor": ["mid-500"], "battery": ["b750"]},
            "The 750 Wh battery does not fit the folding",
        ),
        ({"frame": ["folding"], "motor": ["mid-750"]}, "The folding frame is not rated"),
        ({"accessories": ["child-seat"]}, "The child seat mounts only on the cargo"),
        ({"battery": ["b750"]}, "The 750 Wh battery needs a mid-drive motor"),
        ({"frame": ["folding"], "accessories": ["suspension-post"]}, "The suspension seatpost does not fit"),
    ],
)
def test_each_rule_is_enforced_with_its_message(catalog, changes, broken_message):
    build = build_of(catalog, **changes)
    messages = [r.message for r in violated_rules(build, catalog)]
    assert any(m.startswith(broken_message) for m in messages), messages


def test_rules_are_satisfied_by_a_compatible_choice(catalog):
    assert (
        violated_rules(build_of(catalog, frame=["cargo"], motor=["mid-500"], accessories=["child-seat"]), catalog) == []
    )
    assert violated_rules(build_of(catalog, motor=["mid-750"], battery=["b750"]), catalog) == []


def test_options_are_blocked_only_by_earlier_choices(catalog):
    folding = build_of(catalog, frame=["folding"])
    assert blocked_reason(catalog.option("b750"), folding, catalog).startswith("The 750 Wh battery does not fit")
    assert blocked_reason(catalog.option("mid-750"), folding, catalog).startswith("The folding frame")
    assert blocked_reason(catalog.option("suspension-post"), folding, catalog) is not None
    # b750 is chosen later than the frame, so picking folding is allowed and explained as a conflict instead
    big_battery = build_of(catalog, motor=["mid-500"], battery=["b750"])
    assert blocked_reason(catalog.option("folding"), big_battery, catalog) is None
    assert blocked_reason(catalog.option("child-seat"), build_of(catalog), catalog).startswith("The child seat")
    assert blocked_reason(catalog.option("hub-250"), build_of(catalog, frame=["cargo"], motor=["mid-500"]), catalog)


def test_a_conflict_offers_a_fix_that_makes_the_build_valid(catalog):
    build = build_of(catalog, frame=["folding"], motor=["mid-500"], battery=["b750"])
    (conflict,) = conflicts(build, catalog)
    assert conflict.fixes, "a conflict must offer at least one fix"
    fix = conflict.fixes[0]
    assert fix.label == "Switch battery to 400 Wh"
    assert violated_rules(fix.build, catalog) == []


def test_an_accessory_conflict_offers_removal(catalog):
    build = build_of(catalog, accessories=["child-seat", "rack"])
    (conflict,) = conflicts(build, catalog)
    labels = [f.label for f in conflict.fixes]
    assert "Remove Child seat" in labels
    removal = next(f for f in conflict.fixes if f.label == "Remove Child seat")
    assert removal.build.picks["accessories"] == ("rack",)
