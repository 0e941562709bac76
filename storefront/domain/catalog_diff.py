"""A readable list of what changed between two catalog versions: prices, options, rules."""

from __future__ import annotations

from .catalog import Catalog, Option
from .pricing import format_cents
from .shipping import ShippingRate
from .tax import TaxRegion, percent_text


def catalog_diff(old: Catalog, new: Catalog) -> list[str]:
    """One sentence per change, product first, then options in catalog order, then rules."""
    changes = []
    if old.product_label != new.product_label:
        changes.append(f"Product name: {old.product_label} → {new.product_label}")
    if old.base_cents != new.base_cents:
        changes.append(f"Base price: {format_cents(old.base_cents)} → {format_cents(new.base_cents)}")
    changes += _option_changes(old, new)
    changes += _rule_changes(old, new)
    changes += _keyed_changes("Shipping to", _rates(old), _rates(new))
    if old.shipping.oversized != new.shipping.oversized:
        changes.append(f"Oversized: {_codes(old.shipping.oversized)} → {_codes(new.shipping.oversized)}")
    changes += _keyed_changes("Sales tax in", _taxes(old), _taxes(new))
    if old.workshop != new.workshop:
        changes.append("Workshop calendar settings changed")
    if old.components != new.components:
        changes.append("Components changed")
    return changes


def _option_changes(old: Catalog, new: Catalog) -> list[str]:
    before = {o.code: o for g in old.groups for o in g.options}
    after = {o.code: o for g in new.groups for o in g.options}
    changes = [f"Option removed: {before[c].label} ({c})" for c in before if c not in after]
    for code, option in after.items():
        was = before.get(code)
        if was is None:
            changes.append(f"Option added: {option.label} ({code}), {_price(option)}")
            continue
        if was.delta_cents != option.delta_cents:
            changes.append(f"{option.label}: price {_price(was)} → {_price(option)}")
        if was.label != option.label:
            changes.append(f"Option renamed: {was.label} → {option.label}")
        if was.offered != option.offered:
            changes.append(f"{option.label}: {'offered again' if option.offered else 'no longer offered'}")
    return changes


def _price(option: Option) -> str:
    return f"+{format_cents(option.delta_cents)}"


def _rule_changes(old: Catalog, new: Catalog) -> list[str]:
    def said(rule) -> str:
        return f"{rule.option} {rule.kind} {' or '.join(rule.targets)}: “{rule.message}”"

    before = {said(r) for r in old.rules}
    after = {said(r) for r in new.rules}
    removed = [f"Rule removed: {said(r)}" for r in old.rules if said(r) not in after]
    return removed + [f"Rule added: {said(r)}" for r in new.rules if said(r) not in before]


def _rates(catalog: Catalog) -> dict[str, str]:
    return {r.where: _rate_text(r) for r in catalog.shipping.rates}


def _rate_text(rate: ShippingRate) -> str:
    if not rate.ships:
        return "not shipped"
    said = format_cents(rate.fee_cents)
    if rate.free_over_cents is not None:
        said += f", free from {format_cents(rate.free_over_cents)}"
    if rate.oversized_cents:
        said += f", oversized +{format_cents(rate.oversized_cents)}"
    return said


def _taxes(catalog: Catalog) -> dict[str, str]:
    return {r.where: _tax_text(r) for r in catalog.tax.regions}


def _tax_text(region: TaxRegion) -> str:
    said = " + ".join(f"{t.name} {percent_text(t.percent)}" for t in region.rates)
    return said + (" (exact)" if region.exact else " (estimate)")


def _keyed_changes(title: str, before: dict[str, str], after: dict[str, str]) -> list[str]:
    """One line per region added, removed or changed in a shipping or tax table."""
    changes = [f"{title} {where}: {said} → none" for where, said in before.items() if where not in after]
    for where, said in after.items():
        if before.get(where) != said:
            changes.append(f"{title} {where}: {before.get(where, 'none')} → {said}")
    return changes


def _codes(codes) -> str:
    return ", ".join(sorted(codes)) or "none"
