"""The tax port: what the shop asks of a tax source. Tax records are plain dicts, frozen in checkout snapshots:

    {"source": "table" | "stripe", "lines": [{"label": str, "cents": int}], "cents": int | None,
     "estimate": bool, "note": str}

`cents` is None until Stripe has computed the tax of a paid session.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..domain.catalog import Catalog
from ..payments import TaxNotComputed

__all__ = ["TaxNotComputed", "TaxProvider"]


class TaxProvider(Protocol):
    name: str

    def quote(self, catalog: Catalog, taxable_cents: int, country: str, region: str) -> dict[str, Any]:
        """The tax record for an amount shipped to a region, as frozen before payment."""
        ...

    def settle(self, frozen: dict[str, Any], session: dict[str, Any]) -> dict[str, Any]:
        """The tax record of a paid session: the frozen one, or the tax the provider charged."""
        ...
