"""Pricing: base plus deltas, in integer cents, computed from the catalog only."""

from hypothesis import given
from hypothesis import strategies as st

from storefront.domain.build import Build
from storefront.domain.pricing import format_cents, price_lines, total_cents


def test_base_build_costs_the_base_price(catalog):
    build = Build({"frame": ("step-through",), "motor": ("hub-250",), "battery": ("b400",), "color": ("graphite",)})
    lines = price_lines(build, catalog)
    assert total_cents(lines) == 129000
    assert lines[0].label == "Custom e-bike"


def test_a_loaded_build_adds_every_delta(catalog):
    build = Build(
        {
            "frame": ("cargo",),
            "motor": ("mid-750",),
            "battery": ("b750",),
            "color": ("custom",),
            "accessories": ("rack", "child-seat"),
        },
        ral="RAL 5015",
    )
    lines = price_lines(build, catalog)
    assert total_cents(lines) == 129000 + 70000 + 69000 + 42000 + 24000 + 6500 + 18000
    assert "Custom RAL colour (RAL 5015)" in [line.label for line in lines]


def test_money_is_formatted_with_separators():
    assert format_cents(129000) == "$1,290.00"
    assert format_cents(5) == "$0.05"
    assert format_cents(-6500) == "-$65.00"


@given(st.data())
def test_total_is_always_base_plus_the_chosen_deltas(catalog, data):
    picks = {}
    for group in catalog.groups:
        if group.pick_one:
            picks[group.code] = (data.draw(st.sampled_from(group.options)).code,)
        else:
            chosen = data.draw(st.lists(st.sampled_from(group.options), unique=True))
            picks[group.code] = tuple(o.code for o in chosen)
    build = Build(picks)
    expected = catalog.base_cents + sum(catalog.option(c).delta_cents for c in build.codes())
    assert total_cents(price_lines(build, catalog)) == expected
