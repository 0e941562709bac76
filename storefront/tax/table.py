"""The table adapter: tax from the catalog's table, frozen at checkout (test payments, shops without Stripe Tax)."""

from __future__ import annotations

from typing import Any

from ..domain.catalog import Catalog
from ..domain.regions import region_name
from ..domain.tax import table_tax


class TableTax:
    name = "table"

    def quote(self, catalog: Catalog, taxable_cents: int, country: str, region: str) -> dict[str, Any]:
        """The table's taxes for the region, labelled an estimate unless the catalog marks its rates exact."""
        lines = table_tax(catalog.tax, taxable_cents, country, region)
        place = region_name(country, region)
        collected = catalog.tax.collected_in(country, region)
        estimate = bool(lines) and not collected.exact
        if not lines:
            note = f"No sales tax: we do not collect tax in {place}."
        elif estimate:
            note = f"Estimated sales tax for {place} (state rate; local taxes are not included)."
        else:
            note = f"Sales tax for {place}, included in the total."
        return {
            "source": self.name,
            "lines": [{"label": line.label, "cents": line.cents} for line in lines],
            "cents": sum(line.cents for line in lines),
            "estimate": estimate,
            "note": note,
        }

    def settle(self, frozen: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        """The table's tax was frozen and charged as it stood."""
        return frozen
