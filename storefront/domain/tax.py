"""Sales tax from the catalog's table: where the shop collects tax, and at what rates.

Each tax (a state rate, GST, HST, PST, QST) is computed on the bike and its shipping and rounded half up to
the cent on its own, as the Canadian and most US tax authorities round. Elsewhere no tax is charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .regions import most_specific

MAX_PERCENT = Decimal(25)


@dataclass(frozen=True)
class TaxRate:
    name: str  # "HST", "New York State sales tax"
    percent: Decimal


@dataclass(frozen=True)
class TaxRegion:
    where: str  # "US-NY", or a whole country ("CA")
    rates: tuple[TaxRate, ...]
    exact: bool = False  # the table's rates are the whole tax here (no local rates): not an estimate


@dataclass(frozen=True)
class TaxTable:
    regions: tuple[TaxRegion, ...] = ()

    def collected_in(self, country: str, region: str) -> TaxRegion | None:
        return most_specific(self.regions, country, region)


@dataclass(frozen=True)
class TaxLine:
    label: str
    cents: int


def percent_text(percent: Decimal) -> str:
    """Decimal("9.975") -> "9.975%", Decimal("13.0") -> "13%"."""
    return f"{percent.normalize():f}%"


def tax_cents(taxable_cents: int, percent: Decimal) -> int:
    """One tax on an amount, rounded half up to the cent."""
    return int((Decimal(taxable_cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def table_tax(table: TaxTable, taxable_cents: int, country: str, region: str) -> list[TaxLine]:
    """One line per tax collected in the region (none where the shop does not collect tax)."""
    collected = table.collected_in(country, region)
    if collected is None:
        return []
    return [
        TaxLine(f"{rate.name} {percent_text(rate.percent)}", tax_cents(taxable_cents, rate.percent))
        for rate in collected.rates
    ]
