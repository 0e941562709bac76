"""Prices in integer cents, computed only from the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from .build import Build
from .catalog import Catalog


@dataclass(frozen=True)
class PriceLine:
    group: str
    code: str
    label: str
    price_cents: int


def price_lines(build: Build, catalog: Catalog) -> list[PriceLine]:
    """Base price plus one line per chosen option, in catalog order."""
    lines = [PriceLine("base", catalog.product_code, catalog.product_label, catalog.base_cents)]
    for group in catalog.groups:
        chosen = build.picks.get(group.code, ())
        for option in group.options:
            if option.code in chosen:
                label = f"{option.label} ({build.ral})" if option.needs_ral and build.ral else option.label
                lines.append(PriceLine(group.code, option.code, label, option.delta_cents))
    return lines


def total_cents(lines: list[PriceLine]) -> int:
    return sum(line.price_cents for line in lines)


def format_cents(cents: int, currency: str = "USD") -> str:
    """1234567 -> "$12,345.67" (USD and CAD use the dollar sign)."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    symbol = "$" if currency in ("USD", "CAD") else f"{currency} "
    return f"{sign}{symbol}{dollars:,}.{rest:02d}"
