"""The readable diff a publish records: prices, options, rules, and the shipping and tax tables."""

import copy
import tomllib
from pathlib import Path

from storefront.domain.catalog import parse_catalog
from storefront.domain.catalog_diff import catalog_diff

DEMO = tomllib.loads((Path(__file__).resolve().parents[2] / "catalog" / "ebike.toml").read_text())


def diff_after(change) -> list[str]:
    data = copy.deepcopy(DEMO)
    change(data)
    return catalog_diff(parse_catalog(DEMO), parse_catalog(data))


def test_an_unchanged_catalog_has_no_diff():
    assert diff_after(lambda data: None) == []


def test_shipping_and_tax_changes_are_listed_per_region():
    def change(data):
        data["shipping"]["rates"][0]["fee_cents"] = 15900
        data["shipping"]["rates"][4]["ships"] = True  # CA-NT
        data["shipping"]["oversized"] = []
        del data["tax"]["collect"][1]  # New Jersey
        taxes = [{"name": "GST", "percent": 5}, {"name": "PST", "percent": 7}]
        data["tax"]["collect"].append({"where": "CA-MB", "exact": True, "taxes": taxes})

    assert diff_after(change) == [
        "Shipping to US: $149.00, free from $1,000.00, oversized +$150.00 → $159.00, free from $1,000.00, "
        "oversized +$150.00",
        "Shipping to CA-NT: not shipped → $0.00",
        "Oversized: cargo → none",
        "Sales tax in US-NJ: New Jersey sales tax 6.625% (estimate) → none",
        "Sales tax in CA-MB: none → GST 5% + PST 7% (exact)",
    ]


def test_a_price_an_option_and_a_rule_read_as_sentences():
    def change(data):
        data["product"]["base_cents"] = 139000
        data["groups"][1]["options"][2]["offered"] = False
        data["rules"].append({"option": "child-seat", "excludes": "suspension-post", "message": "No room."})

    assert diff_after(change) == [
        "Base price: $1,290.00 → $1,390.00",
        "750 W mid-drive: no longer offered",
        "Rule added: child-seat excludes suspension-post: “No room.”",
    ]
