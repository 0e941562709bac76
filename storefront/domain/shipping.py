"""Shipping fees from the catalog's rate table: per country, or per region where a region has its own rate.

A rate is a flat fee, free over a threshold of the bike's price, or "we do not ship here"; an oversized frame
(the cargo longtail) adds the rate's oversized extra, which the free threshold does not waive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .regions import REGIONS, most_specific, region_name


class NotShipped(ValueError):
    """The shop does not ship to this region; the message names it."""


@dataclass(frozen=True)
class ShippingRate:
    where: str  # "US" for the whole country, "US-HI" for one region (it wins over the country)
    ships: bool = True
    fee_cents: int = 0
    free_over_cents: int | None = None
    oversized_cents: int = 0


@dataclass(frozen=True)
class ShippingTable:
    rates: tuple[ShippingRate, ...] = ()
    oversized: frozenset[str] = frozenset()  # option codes whose frame ships as an oversized parcel

    def rate_for(self, country: str, region: str) -> ShippingRate | None:
        return most_specific(self.rates, country, region)


@dataclass(frozen=True)
class ShippingFee:
    label: str
    cents: int


FREE_EVERYWHERE = ShippingTable(rates=tuple(ShippingRate(country) for country in REGIONS))


def shipping_fee(
    table: ShippingTable, subtotal_cents: int, option_codes: Iterable[str], country: str, region: str
) -> ShippingFee:
    """The exact fee for a build of `subtotal_cents` with these options to a region; NotShipped if we do not go."""
    rate = table.rate_for(country, region)
    name = region_name(country, region)
    if rate is None or not rate.ships:
        raise NotShipped(f"We do not ship to {name}. Nothing was charged; choose an address in another region.")
    free = rate.free_over_cents is not None and subtotal_cents >= rate.free_over_cents
    extra = rate.oversized_cents if table.oversized.intersection(option_codes) else 0
    label = f"Shipping to {name}" + (" (oversized frame)" if extra else "")
    return ShippingFee(label, (0 if free else rate.fee_cents) + extra)
