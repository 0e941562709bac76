"""The catalog check: every problem it must find, with the field it names, and reachability against brute force."""

import copy
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from storefront.domain.build import violated_rules
from storefront.domain.catalog import parse_catalog, parse_unchecked
from storefront.domain.catalog_check import brute_force_reachable, check_catalog, reachable_codes
from tests.unit.conftest import CATALOG_FILE


def demo_data() -> dict:
    with open(CATALOG_FILE, "rb") as fh:
        return tomllib.load(fh)


def problems_of(data: dict) -> dict[str, str]:
    """where -> message for every problem the check finds (the catalog parsed without its usability checks)."""
    return {p.where: p.message for p in check_catalog(parse_unchecked(data))}


def edited(**paths) -> dict:
    """The demo data with values set at dotted paths ("groups.0.options.2.delta_cents")."""
    data = copy.deepcopy(demo_data())
    for path, value in paths.items():
        *parents, last = path.split("__")
        node = data
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return data


def test_the_demo_catalog_passes_the_check(catalog):
    assert check_catalog(catalog) == []
    assert len(reachable_codes(catalog)) == sum(len(g.options) for g in catalog.groups)


def test_a_negative_price_is_flagged_on_its_field():
    found = problems_of(edited(groups__1__options__1__delta_cents=-100))
    assert found == {"groups.1.options.1.delta_cents": "500 W mid-drive: the price cannot be negative."}


def test_a_price_over_ten_times_the_base_is_flagged_and_ten_times_is_not():
    assert "groups.4.options.0.delta_cents" in problems_of(edited(groups__4__options__0__delta_cents=129000 * 10 + 1))
    assert problems_of(edited(groups__4__options__0__delta_cents=129000 * 10)) == {}


def test_a_base_price_of_zero_is_flagged():
    assert "product.base_cents" in problems_of(edited(product__base_cents=0))


def test_a_duplicate_option_code_is_flagged_on_the_second_one():
    found = problems_of(edited(groups__4__options__0__code="fenders"))
    assert found["groups.4.options.1.code"] == "Option code 'fenders' is used twice."


def test_a_duplicate_component_is_flagged():
    data = demo_data()
    data["components"].append(dict(data["components"][0]))
    assert "components.20.sku" in problems_of(data)


def test_an_option_whose_component_does_not_exist_is_flagged():
    found = problems_of(edited(groups__0__options__1__component="FRAME-XX"))
    assert found == {"groups.0.options.1.component": "high-step: there is no component 'FRAME-XX'."}


def test_a_rule_naming_an_unknown_option_is_flagged():
    found = problems_of(edited(rules__0__needs=["mid-500", "warp-drive"]))
    assert found["rules.0"] == "A rule mentions unknown option 'warp-drive'."


def test_a_rule_naming_a_retired_option_is_flagged():
    found = problems_of(edited(groups__1__options__2__offered=False))
    assert found["rules.0"] == "A rule mentions mid-750, which is not offered."
    assert "rules.2" in found and "rules.4" in found


def test_a_default_that_is_retired_or_from_another_group_is_flagged():
    assert "groups.0.default" in problems_of(edited(groups__0__default="b400"))
    retired_first = edited(groups__0__options__0__offered=False, groups__0__default="step-through")
    assert "groups.0.default" in problems_of(retired_first)


def test_without_an_explicit_default_a_group_starts_on_its_first_offered_option():
    catalog = parse_catalog(edited(groups__0__options__0__offered=False))
    assert catalog.default_picks()["frame"] == "high-step"


def test_a_default_build_that_breaks_a_rule_is_flagged():
    found = problems_of(edited(groups__0__default="cargo"))
    assert found["groups.0.default"].startswith("The default build breaks a rule: The cargo longtail needs")


def test_two_rules_that_strand_an_option_are_named():
    data = demo_data()
    data["rules"].append({"option": "cargo", "excludes": "mid-500", "message": "No 500 W on cargo."})
    data["rules"].append({"option": "cargo", "excludes": "mid-750", "message": "No 750 W on cargo."})
    found = problems_of(data)
    stranded = found["groups.0.options.2"]
    assert stranded.startswith("Cargo longtail can never be part of a valid build")
    for message in ("No 500 W on cargo.", "No 750 W on cargo.", "The cargo longtail needs a mid-drive motor"):
        assert message in stranded
    assert "folding" not in stranded.lower()  # rules that play no part are not blamed
    # the child seat needs the cargo frame, so it is stranded with it
    assert "groups.4.options.4" in found


def test_a_rule_that_contradicts_itself_strands_its_option():
    data = demo_data()
    data["rules"].append({"option": "lock", "needs": ["rack"], "message": "The lock mounts on the rack."})
    data["rules"].append({"option": "lock", "excludes": "rack", "message": "The lock and rack collide."})
    found = problems_of(data)
    assert "The lock mounts on the rack." in found["groups.4.options.3"]
    assert "The lock and rack collide." in found["groups.4.options.3"]


def test_an_unreachable_option_names_the_single_rule_that_strands_it():
    data = demo_data()
    data["rules"].append({"option": "racing-red", "needs": ["folding"], "message": "Red is for folders."})
    data["rules"].append({"option": "racing-red", "needs": ["cargo"], "message": "Red is for cargo."})
    found = problems_of(data)
    message = found["groups.3.options.2"]
    assert "Red is for folders." in message and "Red is for cargo." in message


def test_a_retired_option_is_never_reported_unreachable_and_never_completes_a_build():
    data = edited(groups__1__options__1__offered=False, groups__1__options__2__offered=False)
    data["rules"] = [r for r in data["rules"] if not {"mid-500", "mid-750"} & set(r.get("needs", [r.get("excludes")]))]
    data["rules"].append({"option": "cargo", "needs": ["mid-500"], "message": "Cargo needs the 500 W motor."})
    found = problems_of(data)
    assert "groups.1.options.1" not in found
    assert "groups.0.options.2" in found  # cargo's only motor is retired


# --- reachability against brute force, on random small catalogs ---------------------------------------------


@st.composite
def small_catalogs(draw):
    group_count = draw(st.integers(1, 4))
    groups, codes = [], []
    for gi in range(group_count):
        pick = draw(st.sampled_from(["one", "one", "many"]))
        options = []
        for oi in range(draw(st.integers(1, 3))):
            code = f"g{gi}o{oi}"
            codes.append(code)
            offered = draw(st.booleans()) or draw(st.booleans())
            options.append({"code": code, "label": code, "delta_cents": 0, "component": "C", "offered": offered})
        groups.append({"code": f"g{gi}", "label": f"G{gi}", "pick": pick, "options": options})
    rules = []
    for _ in range(draw(st.integers(0, 6))):
        option = draw(st.sampled_from(codes))
        if draw(st.booleans()):
            targets = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True))
            rules.append({"option": option, "needs": targets, "message": "m"})
        else:
            rules.append({"option": option, "excludes": draw(st.sampled_from(codes)), "message": "m"})
    data = demo_data()
    data.update(groups=groups, rules=rules, components=[{"sku": "C", "name": "C", "on_hand": 1, "lead_time_days": 1}])
    data["shipping"]["oversized"] = []  # the demo's oversized frame is not among these options
    return parse_catalog(data)


@settings(max_examples=300, deadline=None)
@given(small_catalogs())
def test_reachability_matches_brute_force_on_random_small_catalogs(catalog):
    assert reachable_codes(catalog) == brute_force_reachable(catalog)


def test_a_shared_link_naming_a_retired_option_gets_a_message_and_the_nearest_valid_build():
    from storefront.domain.build import parse_build

    catalog = parse_catalog(edited(groups__1__options__0__offered=False))  # the 250 W hub is retired
    raw = {"frame": ["cargo"], "motor": ["hub-250"], "battery": ["b400"], "color": ["graphite"]}
    build, errors = parse_build(raw, catalog)
    assert build.picks["motor"] == ("mid-500",)  # the cheapest motor the cargo frame accepts
    assert [e.message for e in errors] == [
        "Motor: 250 W rear hub is no longer offered. We chose 500 W mid-drive instead."
    ]
    assert violated_rules(build, catalog) == []
